"""The aiohttp shell: the only package that imports aiohttp.web."""

from mockgem.server.app import create_app

__all__ = ["create_app"]
