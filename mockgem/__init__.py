"""mockgem: a record/replay mock of the Google Gemini API."""

from mockgem._version import __version__
from mockgem.config import Config
from mockgem.errors import ApiError, CassetteError, ConfigError, MockGemError, UpstreamError
from mockgem.embedded import MockGemServer
from mockgem.server import create_app

__all__ = ["ApiError", "CassetteError", "Config", "ConfigError", "MockGemError", "MockGemServer", "UpstreamError", "__version__", "create_app"]
