"""Typed LTI failures that carry what an admin can do about them."""

from __future__ import annotations


class LtiLaunchError(Exception):
    """A login or launch was refused.

    :param code: a stable machine-readable reason (``bad_signature``, ``replayed_nonce``...).
    :param message: what failed, for the person looking at the page.
    :param admin_hint: what an administrator can do about it.
    :param status: the HTTP status to answer with.
    """

    def __init__(self, code: str, message: str, *, admin_hint: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.admin_hint = admin_hint
        self.status = status


class CookiesBlockedError(LtiLaunchError):
    """The launch came back without the state cookie: third-party cookies are blocked.

    Carries the login parameters so the page can restart the login in a new window.
    """

    def __init__(self, relaunch_params: dict[str, str]) -> None:
        super().__init__(
            "cookies_blocked",
            "Your browser did not send back the cookie this tool set while signing you in,"
            " which happens when cookies are blocked inside the course page.",
            admin_hint="Open the tool in a new window, or allow third-party cookies for this site.",
            status=401,
        )
        self.relaunch_params = relaunch_params


class RegistrationError(Exception):
    """Dynamic registration could not be completed; the message says why."""
