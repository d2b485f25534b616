"""`make bench`: mockgem's throughput as a ratio of a bare aiohttp server's, same machine, same run.

The baseline answers every request with a fixed, precomputed GenerateContentResponse: the least
any server can do. mockgem parses, validates, matches a rule, builds and renders the answer.
A ratio (not seconds) is printed, so results compare across machines. Target: >= 0.8 for unary calls.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from mockgem import MockGemServer

REQUESTS = 2000
CONCURRENCY = 16
BODY = json.dumps({"contents": [{"parts": [{"text": "What's the weather?"}], "role": "user"}]}).encode()
RULES = {"rules": [{"match": {"contains": "weather"}, "reply": {"text": "Sunny, 21 C"}}]}


def start_baseline(answer: bytes) -> tuple[str, Callable[[], None]]:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=answer, content_type="application/json")

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)

    return f"http://127.0.0.1:{port}", stop


async def requests_per_second(url: str) -> float:
    async with aiohttp.ClientSession(headers={"x-goog-api-key": "bench", "Content-Type": "application/json"}) as session:
        async def one() -> None:
            async with session.post(url, data=BODY) as response:
                await response.read()
                assert response.status == 200, response.status

        await asyncio.gather(*(one() for _ in range(CONCURRENCY * 4)))
        started = time.perf_counter()
        for _ in range(REQUESTS // CONCURRENCY):
            await asyncio.gather(*(one() for _ in range(CONCURRENCY)))
        return REQUESTS / (time.perf_counter() - started)


def measure(label: str, run: Callable[[], Awaitable[float]]) -> float:
    rate = asyncio.run(run())
    print(f"{label:<34} {rate:8.0f} requests/s")
    return rate


def main() -> None:
    path = "/v1beta/models/gemini-2.5-flash:generateContent"
    with MockGemServer(rules=RULES) as server:
        sample = asyncio.run(_fetch(server.url + path))
        baseline_url, stop = start_baseline(sample)
        try:
            base = measure("bare aiohttp (fixed answer)", lambda: requests_per_second(baseline_url + path))
            mock = measure("mockgem generateContent (rules)", lambda: requests_per_second(server.url + path))
            stream = measure("mockgem streamGenerateContent", lambda: requests_per_second(server.url + path.replace("generateContent", "streamGenerateContent") + "?alt=sse"))
        finally:
            stop()
    print(f"ratio unary  mockgem / bare aiohttp: {mock / base:.2f}")
    print(f"ratio stream mockgem / bare aiohttp: {stream / base:.2f}")


async def _fetch(url: str) -> bytes:
    async with aiohttp.ClientSession(headers={"x-goog-api-key": "bench"}) as session:
        async with session.post(url, data=BODY) as response:
            return await response.read()


if __name__ == "__main__":
    main()
