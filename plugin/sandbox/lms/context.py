"""The per-app bundle of platform state, keys and knobs, kept in ``app.extensions``."""

from __future__ import annotations

import dataclasses

from flask import current_app
from flask import request

from plugin.sandbox.lms.faults import FaultInjector
from plugin.sandbox.lms.keys import PlatformKeyRing
from plugin.sandbox.lms.profiles import STRICT
from plugin.sandbox.lms.profiles import LmsProfile
from plugin.sandbox.lms.state import LmsState
from plugin.sandbox.lms.stats import RequestStats
from plugin.sandbox.lms.tool_keys import ToolKeyCache

EXTENSION_NAME = "sandbox_lms"


@dataclasses.dataclass
class SandboxLmsExtension:
    """Everything one sandbox platform owns, and the profile it behaves by."""

    profile: LmsProfile = STRICT
    state: LmsState = dataclasses.field(default_factory=LmsState)
    keys: PlatformKeyRing = dataclasses.field(default_factory=PlatformKeyRing)
    tool_keys: ToolKeyCache = dataclasses.field(default_factory=ToolKeyCache)
    faults: FaultInjector = dataclasses.field(default_factory=FaultInjector)
    stats: RequestStats = dataclasses.field(default_factory=RequestStats)


def current_lms() -> SandboxLmsExtension:
    """Return the platform bundle of the app handling the current request."""
    lms: SandboxLmsExtension = current_app.extensions[EXTENSION_NAME]
    return lms


def base_url() -> str:
    """Return the platform's base URL, which is also its issuer (no trailing slash).

    ``LMS_BASE_URL`` wins; before it is set, the URL the request came in on is used.
    """
    configured: str | None = current_app.config.get("LMS_BASE_URL")
    if configured:
        return configured.rstrip("/")
    return request.host_url.rstrip("/")


def url_for_path(path: str) -> str:
    """Return the absolute platform URL of ``path`` (which starts with ``/``)."""
    return base_url() + path
