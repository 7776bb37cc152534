"""App factory of the ExamSpark (Campfire Learning) simulator."""

from __future__ import annotations

import html
import time
import typing as t
import uuid

from flask import Flask
from flask import Response

from plugin.sandbox.vendors.common import install_simulator
from plugin.sandbox.vendors.examspark import api
from plugin.sandbox.vendors.examspark import candidate
from plugin.sandbox.vendors.examspark import control
from plugin.sandbox.vendors.examspark import sdk
from plugin.sandbox.vendors.examspark.context import EXTENSION_KEY
from plugin.sandbox.vendors.examspark.context import ExamSparkSandbox
from plugin.sandbox.vendors.examspark.errors import REQUEST_ID_HEADER
from plugin.sandbox.vendors.examspark.errors import ApiError
from plugin.sandbox.vendors.examspark.errors import PageError
from plugin.sandbox.vendors.examspark.errors import render_error
from plugin.sandbox.vendors.examspark.passback import PassbackSender
from plugin.sandbox.vendors.examspark.state import Workspace

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence


def create_examspark_app(
    *,
    app_key: str,
    app_secret: str,
    workspace_id: str = "sandbox-district",
    callback_url: str | None = None,
    clock: Callable[[], float] = time.time,
    retry_delays: Sequence[float] = (2.0, 10.0, 60.0, 300.0),
    accept_plain_basic: bool = True,
) -> Flask:
    """A simulated ExamSpark workspace with no exam configs yet.

    :param callback_url: where the player page posts the ``examSessionSubmitted`` event
        (our embedding page's relay); settable later with ``PUT /sandbox/settings``.
    :param retry_delays: seconds between grade-passback tries after a non-2xx answer.
    :param accept_plain_basic: also accept ``Basic key:secret`` unencoded, as the
        documentation samples show it.
    """
    workspace = Workspace(
        workspace_id=workspace_id, app_key=app_key, app_secret=app_secret, clock=clock
    )
    workspace.settings.callback_url = callback_url
    workspace.settings.retry_delays = tuple(retry_delays)
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = ExamSparkSandbox(
        workspace=workspace,
        passbacks=PassbackSender(workspace),
        accept_plain_basic=accept_plain_basic,
    )
    install_simulator(
        app,
        blueprints=(api.bp, candidate.bp, control.bp, sdk.bp),
        render_error=render_error,
        exempt_prefix="/sdk/",
    )
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(PageError, _page_error)
    app.after_request(_request_id)
    return app


def _api_error(error: ApiError) -> Response:
    response = render_error(error.status, error.message)
    response.headers.update(error.headers)
    return response


def _page_error(error: PageError) -> Response:
    body = (
        f"<!doctype html><title>Exam player</title><h1>{html.escape(error.message)}</h1>"
        + sdk.post_to_embedder("error", {"status": error.status, "message": error.message})
    )
    return Response(body, status=error.status, mimetype="text/html")


def _request_id(response: Response) -> Response:
    response.headers.setdefault(REQUEST_ID_HEADER, str(uuid.uuid4()))
    return response
