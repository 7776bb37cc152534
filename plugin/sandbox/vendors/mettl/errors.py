"""Mettl's error answers: ``{"status": "ERROR", "error": {"code", "message"}}``, with
HTTP 200 for API errors (``docs/vendors/mettl.md#error-status-codes``)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Response


class SimulatorError(Exception):
    """A Mettl error answer: ``code`` (``E404``...) and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: HTTP status -> Mettl error code, for answers given with an HTTP error status.
HTTP_CODES: Mapping[int, str] = {
    400: "E400",
    401: "E401",
    403: "E403",
    404: "E404",
    405: "E405",
    408: "E408",
    429: "E509",
}


def mettl_error(code: str, message: str, http_status: int = 200) -> Response:
    """Mettl's error body; API errors come with HTTP 200 (the reading of
    ``docs/vendors/mettl.md#error-status-codes``)."""
    body = {"status": "ERROR", "error": {"code": code, "message": message}}
    return Response(
        json.dumps(body, separators=(",", ":")), status=http_status, mimetype="application/json"
    )


def render_http_error(status: int, message: str) -> Response:
    """An error answered with an HTTP error status (faults, unknown routes)."""
    code = HTTP_CODES.get(status, "E503" if status >= 500 else "E400")
    return mettl_error(code, message, status)
