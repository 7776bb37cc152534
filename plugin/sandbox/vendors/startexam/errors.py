"""StartExam's error answers: status plus ``{"message": "..."}`` (https://api.startexam.com/Help/Responses)."""

from __future__ import annotations

import uuid

from flask import Response
from flask import jsonify


class ApiError(Exception):
    """Answer the current API request with StartExam's error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def render_error(status: int, message: str) -> Response:
    response = jsonify(message=message)
    response.status_code = status
    response.headers["X-Request-Id"] = uuid.uuid4().hex
    return response
