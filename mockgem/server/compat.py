"""Handlers of the OpenAI-compatible surface: translate, ask the same sources, translate back.

One rule or one native recording answers both kinds of client: the chat request becomes a
GenerateContentRequest, and the Gemini answer (whole or chunk by chunk) becomes the OpenAI one.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator

from aiohttp import web

from mockgem.protocol.calls import ApiCall, ApiRequest, Verdict
from mockgem.protocol.forms import ResponseForm
from mockgem.protocol.validation import canonical_request, check_request
from mockgem.server.faulting import admit, apply_faults
from mockgem.server.native import ask
from mockgem.server.parse import openai_request
from mockgem.server.exchange import Exchange
from mockgem.server.render import SSE_TYPE, as_recorded, error_of, render_bytes, render_json, render_recorded_stream, stream_payloads, write_stream
from mockgem.sources.base import Answer, whole_body
from mockgem.sse import OPENAI_DONE, encode_openai_sse
from mockgem.translate.chat_request import ChatTranslation, to_generate_request
from mockgem.translate.chat_response import to_chat_completion
from mockgem.translate.chat_stream import ChatStreamState, end_of_stream, stream_chunks
from mockgem.translate.embeddings import to_batch_embed_request, to_openai_embeddings
from mockgem.translate.models import to_openai_model, to_openai_model_list


def native_request(exchange: Exchange, api: ApiRequest, action: str, model: str | None, body: dict[str, object]) -> ApiRequest:
    """The native request a compat call stands for, so sources and matching see Gemini terms;
    the client's own path and bytes stay with it, as a recording of them is looked up first."""
    call = api.call
    native = ApiCall(call.surface, call.version, action, model, project=call.project, location=call.location)
    verdict = Verdict(functools.partial(check_request, action, body))
    asked = ApiRequest(native, canonical_request(action, body), api.raw, api.query, api.headers, method=api.method, path=api.path, verdict=verdict)
    exchange.asked = asked
    return asked


async def ask_ok(request: web.Request, exchange: Exchange, native: ApiRequest) -> Answer:
    """The sources' answer; an error answer (recorded or forwarded) is raised instead, for the
    pipeline to render in the layer's list form. Recorded bytes of the client's own form stay."""
    answer = await ask(request, exchange, native)
    if answer.status != 200 and not as_recorded(answer, exchange.form):
        raise error_of(answer)
    return answer


async def chat_completions(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = openai_request(request, exchange)
    translation = to_generate_request(api.body, default_thought_tag=None if api.call.surface == "vertex" else "thought")
    action = "streamGenerateContent" if translation.options.stream else "generateContent"
    exchange.form = ResponseForm.OPENAI_SSE if translation.options.stream else ResponseForm.OPENAI_JSON
    native = native_request(exchange, api, action, translation.model, translation.request)
    refused = await admit(request, exchange, native)
    if refused is not None:
        return refused
    faulted = await apply_faults(request, exchange, native, await ask_ok(request, exchange, native))
    if isinstance(faulted, web.StreamResponse):
        return faulted
    answer = faulted
    if as_recorded(answer, exchange.form):
        return await render_recorded_stream(request, exchange, answer) if exchange.form.streams and answer.status == 200 else render_bytes(answer)
    if answer.status != 200:
        raise error_of(answer)
    created = int(time.time())
    if not translation.options.stream:
        response = whole_body(answer)
        return render_json(to_chat_completion(response, translation.options, created=created, fallback_id=_fallback_id(response)))
    return await write_stream(request, exchange, SSE_TYPE, _chat_frames(answer, translation, created))


def _fallback_id(response: dict[str, object]) -> str:
    return str(response.get("responseId") or f"chatcmpl-{time.time_ns():x}")


async def _chat_frames(answer: Answer, translation: ChatTranslation, created: int) -> AsyncIterator[tuple[bytes, float]]:
    state = ChatStreamState(translation.options, created=created, completion_id=f"chatcmpl-{time.time_ns():x}")
    async for payload, delay in stream_payloads(answer):
        if "error" in payload:
            yield encode_openai_sse(payload), delay
            return
        for index, chunk in enumerate(stream_chunks(state, payload)):
            yield encode_openai_sse(chunk), delay if index == 0 else 0.0
    for chunk in end_of_stream(state):
        yield encode_openai_sse(chunk), 0.0
    yield OPENAI_DONE, 0.0


async def embeddings(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = openai_request(request, exchange)
    translation = to_batch_embed_request(api.body)
    native = native_request(exchange, api, "batchEmbedContents", translation.model, translation.request)
    refused = await admit(request, exchange, native, quota=False)
    if refused is not None:
        return refused
    answer = await ask_ok(request, exchange, native)
    if as_recorded(answer, exchange.form):
        return render_bytes(answer)
    return render_json(to_openai_embeddings(whole_body(answer), translation))


async def list_models(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = openai_request(request, exchange)
    # The client's headers go along: its key (forwarded upstream outside replay) and X-Mockgem-Cassette.
    native = ApiRequest(ApiCall(api.call.surface, api.call.version, "models.list"), {}, api.raw, query=(("pageSize", "1000"),),
                        headers=api.headers, method=api.method, path=api.path)
    answer = await ask_ok(request, exchange, native)
    if as_recorded(answer, exchange.form):
        return render_bytes(answer)
    return render_json(to_openai_model_list(whole_body(answer).get("models") or []))


async def get_model(request: web.Request, exchange: Exchange) -> web.StreamResponse:
    api = openai_request(request, exchange)
    native = ApiRequest(ApiCall(api.call.surface, api.call.version, "models.get", api.call.model), {}, api.raw,
                        headers=api.headers, method=api.method, path=api.path)
    answer = await ask_ok(request, exchange, native)
    if as_recorded(answer, exchange.form):
        return render_bytes(answer)
    return render_json(to_openai_model(whole_body(answer)))
