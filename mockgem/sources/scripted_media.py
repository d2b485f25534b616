"""Rules for Imagen and Veo: a rule that fits the prompt scripts the images, the video or a failure.

No rule fits, the built-in source generates (rules never put a text placeholder in a picture). A
`:predictLongRunning` answer from here is a finished Operation with no name yet: the server gives
it one and shows it done once `--operation-duration` has passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from mockgem._types import JSONDict
from mockgem.protocol.calls import ApiRequest
from mockgem.protocol.catalog import bare_model_id
from mockgem.sources.base import Answer, Failure, Miss, Whole
from mockgem.sources.media_replies import generated_videos, predicted_images, prompt_of
from mockgem.sources.replies import Reply, reply_error

if TYPE_CHECKING:
    from mockgem.sources.rules import LoadedRule

MEDIA_ACTIONS = frozenset({"predict", "predictLongRunning"})


class FittingRules(Protocol):
    def take(self, model_id: str, text: str) -> LoadedRule | None: ...


def scripted_media(rules: FittingRules, request: ApiRequest) -> Answer | Miss:
    model_id = bare_model_id(request.call.model or "")
    rule = rules.take(model_id, prompt_of(request.body))
    if rule is None or rule.rule.reply is None:
        return Miss("no rule matches", "rules", passing=True)
    reply = rule.rule.reply
    if reply.error is not None:
        return Failure(error=reply_error(reply.error, model_id), origin=rule.origin, faults=rule.rule.fault, source="rules")
    body = predicted_images(request.body, reply.images) if request.call.action == "predict" else video_operation(request.body, reply)
    return Whole(body=body, origin=rule.origin, faults=rule.rule.fault, source="rules")


def video_operation(request: JSONDict, reply: Reply | None) -> JSONDict:
    """A finished, still nameless Operation: the videos, or the scripted `operation_error`."""
    if reply is not None and reply.operation_error is not None:
        error = reply.operation_error
        return {"done": True, "error": {"code": error.code, "message": error.message or "Video generation failed."}}
    return {"done": True, "response": generated_videos(request, reply.video if reply else None)}
