"""Workable SPI v3: results written as candidate custom attribute values."""

from __future__ import annotations

from plugin.ats.workable.config import WorkableConfig
from plugin.ats.workable.sink import WorkableSink

__all__ = ["WorkableConfig", "WorkableSink"]
