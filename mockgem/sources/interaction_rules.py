"""The Interactions API answered by the same rules as generateContent: a rule written once answers both.

The create body is asked as the GenerateContentRequest it stands for; the answer comes back as an
Interaction (`steps`, `usage`, `status`), which the server stores for `get`, chaining and cancel.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from typing import TYPE_CHECKING, Protocol

from mockgem._types import JSONDict
from mockgem.protocol.calls import ApiCall, ApiRequest
from mockgem.sources.base import Answer, Miss, Whole
from mockgem.translate.interactions import generate_to_steps, generate_to_usage, interaction_to_generate

if TYPE_CHECKING:
    from mockgem.sources.rules import Fallback

DEFAULT_MODEL = "gemini-2.5-flash"


class ReplyingRules(Protocol):
    async def reply_to(self, request: ApiRequest, fallback: Fallback) -> Answer | Miss: ...


async def scripted_interaction(rules: ReplyingRules, request: ApiRequest, fallback: Fallback) -> Answer | Miss:
    body = request.body
    model = str(body.get("model") or DEFAULT_MODEL)
    call = ApiCall(request.call.surface, request.call.version, "generateContent", model=model)
    result = await rules.reply_to(dataclasses.replace(request, call=call, body=interaction_to_generate(body)), fallback)
    if not isinstance(result, Whole):
        return result  # a miss, or a scripted error
    return dataclasses.replace(result, body=interaction_of(body, result.body, model), stream_chunks=None)


def interaction_of(body: JSONDict, response: JSONDict, model: str) -> JSONDict:
    """The Interaction a GenerateContentResponse makes of a create body."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    steps = generate_to_steps(body, response)
    status = "requires_action" if steps[-1]["type"] == "function_call" else "completed"
    # UNVERIFIED: the form of an interaction id; the SDK treats it as an opaque string.
    interaction: JSONDict = {"id": secrets.token_hex(16), "status": status, "model": model, "created": now, "updated": now}
    if body.get("previous_interaction_id"):
        interaction["previous_interaction_id"] = body["previous_interaction_id"]
    interaction["steps"] = steps
    usage = generate_to_usage(response)
    return interaction | ({"usage": usage} if usage else {})
