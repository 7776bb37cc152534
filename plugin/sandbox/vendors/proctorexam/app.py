"""App factory of the ProctorExam simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask

from plugin.sandbox.vendors.common import install_simulator
from plugin.sandbox.vendors.proctorexam import api
from plugin.sandbox.vendors.proctorexam import candidate
from plugin.sandbox.vendors.proctorexam import control
from plugin.sandbox.vendors.proctorexam.context import EXTENSION_NAME
from plugin.sandbox.vendors.proctorexam.errors import ApiError
from plugin.sandbox.vendors.proctorexam.errors import render_error
from plugin.sandbox.vendors.proctorexam.state import ProctorExamState

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Response

#: How far ``timestamp`` may be from the server's clock. ProctorExam does not say;
#: five minutes is the reading chosen.
TIMESTAMP_WINDOW_S = 300.0


def create_proctorexam_app(
    *,
    api_token: str,
    secret_key: str,
    callback_url: str | None = None,
    clock: Callable[[], float] = time.time,
    timestamp_window_s: float = TIMESTAMP_WINDOW_S,
) -> Flask:
    """A ProctorExam tenant with one API user and no exams yet (``POST /sandbox/exams``).

    :param api_token: the token of ``Authorization: Token token=...``.
    :param secret_key: the user's signing key.
    :param callback_url: stored as the institute's ``callback_url``; never called, as
        ProctorExam documents no completion call.
    :param clock: seconds since the epoch (timestamp checks, session times).
    :param timestamp_window_s: largest accepted distance of ``timestamp`` from the clock.
    """
    app = Flask(__name__)
    app.extensions[EXTENSION_NAME] = ProctorExamState(
        api_token=api_token,
        secret_key=secret_key,
        clock=clock,
        timestamp_window_s=timestamp_window_s,
        callback_url=callback_url,
    )
    install_simulator(
        app,
        blueprints=(api.bp, candidate.bp, control.bp),
        render_error=render_error,
        exempt_prefix="/student_sessions/",
    )
    app.register_error_handler(ApiError, _api_error)
    return app


def _api_error(error: ApiError) -> Response:
    return render_error(error.status, error.message, error.body)
