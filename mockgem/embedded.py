"""`MockGemServer`: a mockgem server in a background thread, for tests and scripts.

    with MockGemServer(rules="rules.yaml") as server:
        client = genai.Client(api_key="x", http_options={"base_url": server.url})
        ...
        assert server.requests.last.model == "gemini-2.5-flash"

It has its own event loop, so synchronous clients in the calling thread never block it. The
methods that change the server (`reset`, `load_rules`, `use_cassette`) run on that loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, Unpack
from urllib.parse import quote

from aiohttp import web

from mockgem._types import JSONDict
from mockgem.config import Config
from mockgem.errors import MockGemError
from mockgem.journal import RequestJournal
from mockgem.server.serving import app_runner
from mockgem.server.admin import reset_app
from mockgem.server.keys import CASSETTES, JOURNAL, RULES
from mockgem.settings import Settings, checked_config
from mockgem.server.proxy import InterceptingSite
from mockgem.tls import LocalCA

T = TypeVar("T")
RuleGiven = str | Path | dict[str, Any]
# A rules file, the rules as a dict, or a list or tuple of either.
RulesGiven = RuleGiven | list[RuleGiven] | tuple[RuleGiven, ...]


class MockGemServer:
    """A running server on 127.0.0.1 and a free port (unless `port` says otherwise)."""

    def __init__(self, config: Config | None = None, *, rules: RulesGiven | None = None, **settings: Unpack[Settings]) -> None:
        """`config`, or the defaults on a free port, with the keyword settings on top of it (a
        misspelt one is a ConfigError that names it and the valid ones)."""
        given: dict[str, Any] = dict(settings)
        if rules is not None:
            given["rules"] = tuple(rules) if isinstance(rules, list | tuple) else (rules,)
        if config is None:
            given.setdefault("port", 0)
        self.config = checked_config(given, base=config, where="MockGemServer")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._cert_file_before: str | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.config.tls else 'http'}://{self.config.host}:{self.port}"

    @property
    def ca_bundle(self) -> Path | None:
        """With `tls=True`: the CA file a client must trust (mockgem's CA and the system's roots)."""
        return LocalCA.at(self.config.state_dir).bundle_path if self.config.tls else None

    @property
    def gemini_base_url(self) -> str:
        return self.url

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1beta/openai/"

    def cassette_url(self, name: str) -> str:
        """A base URL that replays the loaded cassette `name` (and records into it), for the
        requests of one client only: `{url}/_cassette/{name, percent-encoded}`."""
        return f"{self.url}/_cassette/{quote(name, safe='')}"

    @property
    def ca(self) -> LocalCA:
        """The local CA whose leaves the proxy presents: trust `ca.bundle_path` (`SSL_CERT_FILE`)."""
        return LocalCA.at(self.config.state_dir)

    @property
    def requests(self) -> RequestJournal:
        """The journal: every request since the last `reset()`, newest last."""
        return self._app[JOURNAL]

    @property
    def stats(self) -> JSONDict:
        return self._app[JOURNAL].stats()

    def reset(self) -> None:
        """Forget files, caches, batches, the journal, run-time rules, replay positions and quota usage;
        faults, seed and quotas go back to the settings (as `POST /_mockgem/reset`)."""
        self._on_loop(lambda: reset_app(self._app))

    def load_rules(self, rules: str | Path | JSONDict) -> int:
        """Rules (a file or a dict) that answer before every earlier rule; returns how many were added."""
        return self._on_loop(lambda: self._app[RULES].load(rules))

    def use_cassette(self, name: str | Path, *, afresh: bool = False) -> str:
        """Replay from and record into `name` (relative to the cassette directory, or absolute).

        `afresh`: forget its recordings; the first new recording replaces the file's content.
        """
        return self._on_loop(lambda: self._app[CASSETTES].select(str(name), afresh=afresh))

    @property
    def _app(self) -> web.Application:
        if self._runner is None:
            raise MockGemError("the server is not running: use `with MockGemServer(...)` or call start()")
        return self._runner.app

    def _on_loop(self, action: Callable[[], T]) -> T:
        if self._loop is None:
            raise MockGemError("the server is not running: use `with MockGemServer(...)` or call start()")

        async def run() -> T:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

    def start(self) -> MockGemServer:
        """Serves from a background thread; a start that fails (port in use) leaves it stopped."""
        if self._thread is not None:
            raise MockGemError(f"already running on {self.url}: stop() it first")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._runner = None
        self._thread = threading.Thread(target=self._run, args=(ready, failure), name="mockgem", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread, self._runner = None, None
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop, self._thread = None, None

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        # Named, as the server's own thread is: `--mockgem-block-network` lets mockgem's lookups through.
        loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="mockgem"))
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # handed to the starting thread, which re-raises it
            failure.append(exc)
        else:
            self._loop = loop
        finally:
            ready.set()
        try:
            if failure:  # the starting thread waits for this cleanup before it raises
                loop.run_until_complete(self._shutdown())
            else:
                loop.run_forever()
        finally:
            loop.close()

    async def _startup(self) -> None:
        self._runner = app_runner(self.config)
        await self._runner.setup()
        ssl_context = LocalCA.at(self.config.state_dir).server_context() if self.config.tls else None
        site = InterceptingSite(self._runner, self.config.host, self.config.port, ssl_context=ssl_context)
        await site.start()
        self.port = self._runner.addresses[0][1]
        if self.ca_bundle is not None:  # google-genai reads it when a client is made; put back on stop
            self._cert_file_before = os.environ.get("SSL_CERT_FILE")
            os.environ["SSL_CERT_FILE"] = str(self.ca_bundle)

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self.config.tls and os.environ.get("SSL_CERT_FILE") == str(self.ca_bundle):
            os.environ.pop("SSL_CERT_FILE")
            if self._cert_file_before is not None:
                os.environ["SSL_CERT_FILE"] = self._cert_file_before

    def __enter__(self) -> MockGemServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()

    async def __aenter__(self) -> MockGemServer:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        await asyncio.to_thread(self.stop)
