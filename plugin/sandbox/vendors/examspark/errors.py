"""Error answers of the simulated ExamSpark API.

The vendor documents no error body; the simulator answers in the JSON shape of
the vendor's serverless stack, ``{"statusCode", "error", "message"}``, with an
``x-amzn-RequestId`` header on every answer.
"""

from __future__ import annotations

import http
import uuid

from flask import Response
from flask import jsonify

REQUEST_ID_HEADER = "x-amzn-RequestId"


class ApiError(Exception):
    """A refused API call, rendered by :func:`render_error`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class PageError(Exception):
    """A refused candidate page, rendered as HTML."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def render_error(status: int, message: str) -> Response:
    """The vendor's error body for ``status``."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    response = jsonify(statusCode=status, error=phrase, message=message)
    response.status_code = status
    response.headers[REQUEST_ID_HEADER] = str(uuid.uuid4())
    return response
