"""iMocha's error answers: ``{"result": null, "errors": [...]}``, or for cancel
``{"statusCode": 400, "message": ...}`` (https://developer.imocha.io/api/errors)."""

from __future__ import annotations

from flask import Response
from flask import jsonify


class SimulatorError(Exception):
    """An iMocha error answer: HTTP status, message and body shape."""

    def __init__(self, status: int, message: str, *, shape: str = "errors") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.shape = shape


def error_response(exc: SimulatorError) -> tuple[Response, int]:
    """iMocha's body shapes: ``{"result": null, "errors": [...]}`` or, for cancel,
    ``{"statusCode": 400, "message": ...}``."""
    if exc.shape == "message":
        return jsonify(statusCode=exc.status, message=exc.message), exc.status
    return jsonify(result=None, errors=[exc.message]), exc.status


def render_http_error(status: int, message: str) -> Response:
    response, code = error_response(SimulatorError(status, message))
    response.status_code = code
    return response
