"""A local Mettl: signed REST API v2, candidate test pages, notifications, control API."""

from __future__ import annotations

from plugin.sandbox.vendors.mettl.app import create_mettl_app

__all__ = ["create_mettl_app"]
