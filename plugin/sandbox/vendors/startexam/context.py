"""Where the simulator keeps its state on the Flask app."""

from __future__ import annotations

import typing as t

from flask import current_app

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.startexam.state import StartExamState

EXTENSION_NAME = "sandbox_startexam"


def current_state() -> StartExamState:
    state: StartExamState = current_app.extensions[EXTENSION_NAME]
    return state
