"""Errors the sandbox platform answers with.

``ApiError`` becomes a JSON body (RFC 6749 style ``error`` / ``error_description``);
``PageError`` becomes an HTML page naming the failed check, as a browser-facing endpoint would.
"""

from __future__ import annotations


class LmsError(Exception):
    """Root of the sandbox platform's errors."""


class ApiError(LmsError):
    """A refused API call.

    :param status: HTTP status code.
    :param error: machine-readable error code.
    :param description: human-readable reason (never contains secrets).
    :param headers: extra response headers, e.g. ``WWW-Authenticate``.
    """

    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}


class PageError(LmsError):
    """A refused browser request (authorization or deep-linking return).

    :param check: short name of the failed check, e.g. ``"redirect_uri"``.
    :param description: what was wrong.
    """

    def __init__(self, check: str, description: str) -> None:
        super().__init__(f"{check}: {description}")
        self.check = check
        self.description = description


class JwtRejectedError(LmsError):
    """A JWT signed by a tool failed validation.

    :param check: short name of the failed check, e.g. ``"kid"`` or ``"signature"``.
    :param description: what was wrong.
    """

    def __init__(self, check: str, description: str) -> None:
        super().__init__(f"{check}: {description}")
        self.check = check
        self.description = description
