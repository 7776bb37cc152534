"""A strict LTI 1.3 / LTI Advantage platform served over real HTTP for tests and the demo.

``serve_lms()`` starts one on a free loopback port; :class:`SandboxLms` drives its control API.
"""

from __future__ import annotations

from plugin.sandbox.lms.app import create_lms_app
from plugin.sandbox.lms.app import serve_lms
from plugin.sandbox.lms.client import SandboxCourse
from plugin.sandbox.lms.client import SandboxLms
from plugin.sandbox.lms.client import SandboxLmsError
from plugin.sandbox.lms.context import SandboxLmsExtension
from plugin.sandbox.lms.tamper import TAMPER_MODES

__all__ = [
    "TAMPER_MODES",
    "SandboxCourse",
    "SandboxLms",
    "SandboxLmsError",
    "SandboxLmsExtension",
    "create_lms_app",
    "serve_lms",
]
