"""The runner both `mockgem serve` and `MockGemServer` serve the app with.

Its connections answer what aiohttp's HTTP parser refuses as the Gemini API does
(`http_errors.GeminiAppRunner`), and one that stays silent (idle between requests, or sending
nothing more of its request line and headers) is closed after `--idle-timeout`: a half-open
connection holds nothing for long. A silent body is `parse.read_body`'s to time out.
"""

from __future__ import annotations

from aiohttp import web

from mockgem.config import Config
from mockgem.server.app import create_app
from mockgem.server.http_errors import GeminiAppRunner


def app_runner(config: Config) -> web.AppRunner:
    return GeminiAppRunner(create_app(config), handle_signals=False, keepalive_timeout=config.idle_timeout)
