"""A local Greenhouse: OAuth2 token endpoint, Harvest v3 candidates, custom fields and
notes, per-token rate limits, control API."""

from __future__ import annotations

from plugin.sandbox.ats.greenhouse.app import create_greenhouse_app
from plugin.sandbox.ats.greenhouse.client import SandboxGreenhouse
from plugin.sandbox.ats.greenhouse.client import SandboxGreenhouseError

__all__ = ["SandboxGreenhouse", "SandboxGreenhouseError", "create_greenhouse_app"]
