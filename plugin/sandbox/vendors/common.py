"""Wiring and request helpers the vendor simulators share."""

from __future__ import annotations

import typing as t

from flask import Response
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException

from plugin.sandbox.vendors.faults import install_faults

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable

    from flask import Blueprint
    from flask import Flask

    from plugin.sandbox.vendors.faults import ErrorRenderer


def install_simulator(
    app: Flask,
    *,
    blueprints: Iterable[Blueprint],
    render_error: ErrorRenderer,
    exempt_prefix: str,
    http_errors: Iterable[int | type[HTTPException]] = (HTTPException,),
) -> None:
    """Wire a simulator's routes and the errors Flask raises itself.

    :param render_error: the vendor's error body for a status and message; also used
        for injected faults.
    :param exempt_prefix: the candidate pages, which faults never hit.
    :param http_errors: the HTTP errors (codes or classes) answered with ``render_error``.
    """
    install_faults(app, render_error, exempt_prefixes=(exempt_prefix,))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    def http_error(exc: HTTPException) -> Response:
        return render_error(exc.code or 500, exc.description or exc.name)

    for error in http_errors:
        app.register_error_handler(error, http_error)


def json_object() -> dict[str, t.Any]:
    """The request's JSON object body, whatever its ``Content-Type``.

    :raises ValueError: when the body is not a JSON object.
    """
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


def optional_json_object(api_error: Callable[[int, str], Exception]) -> dict[str, t.Any]:
    """The request's JSON object body; a request without a JSON body gives ``{}``.

    :param api_error: the simulator's error class, raised with 400 for a body that is
        JSON but not an object.
    """
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise api_error(400, "the body must be a JSON object")
    return body


def invalid_request(exc: ValueError) -> tuple[Response, int]:
    """Control API answer to a malformed request: 400 ``{"error": "<why>"}``."""
    return jsonify(error=str(exc)), 400


def percent_field(body: dict[str, t.Any]) -> float:
    """The ``percent`` of a control request (default 100).

    :raises ValueError: unless a number from 0 to 100.
    """
    percent = body.get("percent", 100)
    if not isinstance(percent, int | float) or not 0 <= percent <= 100:
        raise ValueError("percent must be a number from 0 to 100")
    return float(percent)
