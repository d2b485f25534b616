"""The baseline: a bare aiohttp server, mockgem's own stack, answering the same bytes with no logic.

Same Python, same asyncio loop, same JSON library (orjson parses the request, as any server
must). `python -m bench.baseline ANSWERS.json`: each answer is picked by the request's
`X-Bench-Scenario` header. A stream answer is written in ONE write: the limit of what a server
replaying recorded bytes can do.
"""

from __future__ import annotations

import asyncio
import base64
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiohttp import web

SCENARIO_HEADER = "X-Bench-Scenario"
_DROPPED = frozenset({"content-length", "transfer-encoding", "date", "connection", "keep-alive"})


@dataclass(frozen=True)
class Canned:
    status: int
    headers: dict[str, str]
    body: bytes
    one_write: bool


def read_answers(path: Path) -> dict[str, Canned]:
    """`{scenario: {status, headers: [[name, value]], body (base64), stream}}` as Canned answers."""
    answers = orjson.loads(path.read_bytes())
    return {
        name: Canned(item["status"], {k: v for k, v in item["headers"] if k.lower() not in _DROPPED},
                     base64.b64decode(item["body"]), item["stream"])
        for name, item in answers.items()
    }


def make_app(answers: dict[str, Canned]) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if body:
            orjson.loads(body)
        canned = answers[request.headers.get(SCENARIO_HEADER, "")]
        if not canned.one_write:
            return web.Response(status=canned.status, headers=canned.headers, body=canned.body)
        response = web.StreamResponse(status=canned.status, headers=canned.headers)
        await response.prepare(request)
        await response.write(canned.body)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def serve(answers: dict[str, Canned]) -> None:
    runner = web.AppRunner(make_app(answers))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    print(f"baseline listening on http://{host}:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(serve(read_answers(Path(sys.argv[1]))))
    except KeyboardInterrupt:
        pass
