"""A local Workable: SPI v3 candidates and custom attributes, rate limits, control API."""

from __future__ import annotations

from plugin.sandbox.ats.workable.app import create_workable_app
from plugin.sandbox.ats.workable.client import SandboxWorkable
from plugin.sandbox.ats.workable.client import SandboxWorkableError

__all__ = ["SandboxWorkable", "SandboxWorkableError", "create_workable_app"]
