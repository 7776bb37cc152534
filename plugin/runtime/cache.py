"""Flask-Caching wiring: a file cache by default, Redis when ``BRIDGE_CACHE_URL`` says so."""

from __future__ import annotations

import typing as t
from urllib.parse import urlsplit

from flask import Flask
from flask_caching import Cache

from config import Settings

cache = Cache()


def cache_config(settings: Settings) -> dict[str, t.Any]:
    parts = urlsplit(settings.cache_url)
    if parts.scheme == "filesystem":
        return {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": parts.path,
            "CACHE_THRESHOLD": 100_000,
            "CACHE_DEFAULT_TIMEOUT": 600,
        }
    if parts.scheme in {"redis", "rediss"}:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.cache_url,
            "CACHE_KEY_PREFIX": "bridge:",
            "CACHE_DEFAULT_TIMEOUT": 600,
        }
    return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 600}


def init_app(app: Flask, settings: Settings) -> None:
    cache.init_app(app, config=cache_config(settings))
