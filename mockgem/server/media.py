"""Veo's `:predictLongRunning`: the answer of the sources, as a long-running operation.

A recorded or forwarded answer is an Operation with a name, served as it is. A simulated one
(rules, built-in) is a finished Operation with no name yet: it gets one here and is shown done
once `--operation-duration` has passed. On the Gemini API its videos become generated files, as
the real service names them (`generateVideoResponse.generatedSamples[].video.uri`, downloaded
with `:download?alt=media`); Vertex AI keeps them inline.
"""

from __future__ import annotations

import base64
import uuid

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.protocol.calls import ApiCall
from mockgem.resources.ids import FILE_ID_LENGTH, new_id
from mockgem.server.exchange import Exchange
from mockgem.server.faulting import admit
from mockgem.server.keys import FILES, OPERATIONS
from mockgem.server.native import ask
from mockgem.server.parse import api_request
from mockgem.server.render import render_answer, render_json
from mockgem.sources.base import Whole

GEMINI_VIDEO_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"


async def start_video(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = api_request(request, exchange)
    refused = await admit(request, exchange, api, quota=False)
    if refused is not None:
        return refused
    answer = await ask(request, exchange, api)
    if not isinstance(answer, Whole) or answer.status != 200 or "name" in answer.body:
        return render_answer(answer, exchange.form)
    result = {key: value for key, value in answer.body.items() if key in ("response", "error")}
    if api.call.surface != "vertex" and "response" in result:
        result["response"] = _as_gemini(request, exchange, result["response"])
    return render_json(request.app[OPERATIONS].start(_operation_name(api.call), result))


def _operation_name(call: ApiCall) -> str:
    if call.surface == "vertex":
        place = f"projects/{call.project}/locations/{call.location}/" if call.project else ""
        return f"{place}publishers/google/models/{call.model}/operations/{uuid.uuid4()}"
    return f"models/{call.model}/operations/{new_id(FILE_ID_LENGTH)}"


def _as_gemini(request: web.Request, exchange: Exchange, response: JSONDict) -> JSONDict:
    """Vertex AI's inline `videos[]` as the Gemini API's generated files."""
    samples = []
    for video in response.get("videos") or []:
        data = base64.b64decode(video.get("bytesBase64Encoded") or "")
        file = request.app[FILES].add_generated(data, name=f"files/{new_id(FILE_ID_LENGTH)}", mime_type="video/mp4")
        samples.append({"video": {"uri": f"{file['uri']}:download?alt=media"}})
    generated: JSONDict = {"generatedSamples": samples} if samples else {}
    for key in ("raiMediaFilteredCount", "raiMediaFilteredReasons"):
        if key in response:
            generated[key] = response[key]
    return {"@type": GEMINI_VIDEO_TYPE, "generateVideoResponse": generated}
