"""App factory of the StartExam simulator."""

from __future__ import annotations

import time
import typing as t

from flask import Flask

from plugin.sandbox.vendors.common import install_simulator
from plugin.sandbox.vendors.startexam import api
from plugin.sandbox.vendors.startexam import candidate
from plugin.sandbox.vendors.startexam import control
from plugin.sandbox.vendors.startexam.auth import decode_key
from plugin.sandbox.vendors.startexam.context import EXTENSION_NAME
from plugin.sandbox.vendors.startexam.errors import ApiError
from plugin.sandbox.vendors.startexam.errors import render_error
from plugin.sandbox.vendors.startexam.state import StartExamState

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Response


def create_startexam_app(
    *,
    account_id: str,
    secret_key: str,
    center: str = "sandbox",
    callback_url: str | None = None,
    clock: Callable[[], float] = time.time,
    key_encoding: str = "raw",
) -> Flask:
    """A StartExam account with no tests yet (create them with ``POST /sandbox/tests``).

    :param account_id: the account id the ``SharedKey`` header must name.
    :param secret_key: the account's secret.
    :param center: the one center of the account.
    :param callback_url: the callback URL of every test without its own ("Test settings").
    :param clock: seconds since the epoch (Date checks, session times).
    :param key_encoding: ``raw`` (HMAC key = UTF-8 bytes of the secret) or ``base64``.
    """
    app = Flask(__name__)
    app.extensions[EXTENSION_NAME] = StartExamState(
        account_id=account_id,
        key=decode_key(secret_key, key_encoding),
        center=center,
        clock=clock,
        callback_url=callback_url,
    )
    install_simulator(
        app,
        blueprints=(api.bp, candidate.bp, control.bp),
        render_error=render_error,
        exempt_prefix="/go/",
    )
    app.register_error_handler(ApiError, _api_error)
    return app


def _api_error(error: ApiError) -> Response:
    return render_error(error.status, error.message)
