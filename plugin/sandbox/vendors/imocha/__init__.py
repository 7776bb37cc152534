"""A local iMocha: REST API v3, candidate test pages, callbacks, control API."""

from __future__ import annotations

from plugin.sandbox.vendors.imocha.app import create_imocha_app

__all__ = ["create_imocha_app"]
