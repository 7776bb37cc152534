"""ProctorExam's error answers.

The v3 pages give the messages (403 "You are not authorized to access this page.",
404 "Couldn't find Exam with 'id'=...", 422 "Param is missing or the value is empty:
...") but not the JSON around them; the simulator answers ``{"error": "<message>"}``,
and field errors as ``{"email": ["has already been taken"]}`` as documented.
"""

from __future__ import annotations

import typing as t
import uuid

from flask import Response
from flask import jsonify

NOT_AUTHORIZED = "You are not authorized to access this page."


class ApiError(Exception):
    def __init__(self, status: int, message: str, body: dict[str, t.Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body


def render_error(status: int, message: str, body: dict[str, t.Any] | None = None) -> Response:
    response = jsonify(body if body is not None else {"error": message})
    response.status_code = status
    response.headers["X-Request-Id"] = uuid.uuid4().hex
    return response


def missing(name: str) -> ApiError:
    return ApiError(422, f"Param is missing or the value is empty: {name}")


def invalid(name: str, value: object, rule: str) -> ApiError:
    return ApiError(422, f"Invalid parameter '{name}' value {value!r}: {rule}")
