"""Error answers of the simulated Greenhouse.

The Harvest API answers ``{"message": "..."}``, plus ``errors: [{"message", "field"}]``
for a validation failure (422, ``docs/ats/greenhouse.md#errors``); the token endpoint answers OAuth2
errors (RFC 6749 section 5.2: ``{"error", "error_description"}``).
"""

from __future__ import annotations

import typing as t

from flask import Response
from flask import jsonify

#: One field error of a 422 answer: ``{"message", "field"}``.
FieldError = dict[str, str]


class ApiError(Exception):
    """A refused Harvest API call."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class ValidationFailedError(ApiError):
    """422 ``Validation error`` listing every field error."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(422, "Validation error", errors=errors)


class OAuthError(Exception):
    """A refused token request (400, or 401 for failed HTTP Basic client authentication)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def render_error(status: int, message: str) -> Response:
    """Greenhouse's error body for ``status`` (also used for injected faults)."""
    response = jsonify(message=message)
    response.status_code = status
    return response


def render_api_error(error: ApiError) -> Response:
    body: dict[str, t.Any] = {"message": error.message}
    if error.errors is not None:
        body["errors"] = error.errors
    response = jsonify(body)
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def render_oauth_error(error: OAuthError) -> Response:
    response = jsonify(error=error.error, error_description=error.description)
    response.status_code = error.status
    response.headers["Cache-Control"] = "no-store"
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="greenhouse"'
    return response
