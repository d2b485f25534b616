"""An Interaction as the events of its streamed form (`stream: true`), as google-genai parses them.

`interaction.created`, then per step `step.start`, its `step.delta`s and `step.stop`, then
`interaction.completed`; each an SSE event named after its `event_type`
(google/genai/_gaos/types/interactions/interactionsseevent.py), the stream ending in
`data: [DONE]`, the sentinel the SDK's `Stream` stops at.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mockgem._types import JSONDict

DONE = b"data: [DONE]\n\n"
TEXT_DELTAS = 3
_LIFECYCLE = ("id", "model", "agent", "created", "updated", "previous_interaction_id")


def interaction_events(interaction: JSONDict) -> list[JSONDict]:
    head = {key: interaction[key] for key in _LIFECYCLE if key in interaction}
    events: list[JSONDict] = [{"event_type": "interaction.created", "interaction": head | {"status": "in_progress"}}]
    outputs = [step for step in interaction.get("steps") or [] if step.get("type") != "user_input"]
    for index, step in enumerate(outputs):
        events += _step_events(index, step)
    tail = {key: interaction[key] for key in ("status", "usage") if key in interaction}
    events.append({"event_type": "interaction.completed", "interaction": head | tail})
    return [event | {"event_id": f"evt_{number}"} for number, event in enumerate(events)]


def _step_events(index: int, step: JSONDict) -> list[JSONDict]:
    if step.get("type") != "model_output":
        return [{"event_type": "step.start", "index": index, "step": step}, {"event_type": "step.stop", "index": index}]
    events: list[JSONDict] = [{"event_type": "step.start", "index": index, "step": {"type": "model_output", "content": []}}]
    for block in step.get("content") or []:
        if block.get("type") == "text":
            events += [{"event_type": "step.delta", "index": index, "delta": {"type": "text", "text": piece}} for piece in _pieces(str(block["text"]))]
        else:
            events.append({"event_type": "step.delta", "index": index, "delta": block})
    return events + [{"event_type": "step.stop", "index": index}]


def _pieces(text: str) -> list[str]:
    """`text` in at most TEXT_DELTAS runs of whole words; joined they give `text` back."""
    words = re.findall(r"\S+\s*|\s+", text) or [text]
    size = -(-len(words) // TEXT_DELTAS)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


def encode_event(payload: Any) -> bytes:
    name = str(payload.get("event_type", "message")) if isinstance(payload, dict) else "message"
    return f"event: {name}\ndata: ".encode() + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
