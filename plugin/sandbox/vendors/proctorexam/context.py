"""Where the simulator keeps its state on the Flask app."""

from __future__ import annotations

import typing as t

from flask import current_app

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.proctorexam.state import ProctorExamState

EXTENSION_NAME = "sandbox_proctorexam"


def current_state() -> ProctorExamState:
    state: ProctorExamState = current_app.extensions[EXTENSION_NAME]
    return state
