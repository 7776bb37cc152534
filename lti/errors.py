"""Typed LTI failures that carry what an admin can do about them."""

from __future__ import annotations

COOKIES_BLOCKED_HINT = (
    'In Moodle, set the tool\'s "Launch container" to "New window"; in other LMSs, set the'
    " tool to open in a new window or tab. Allowing third-party cookies for this site also"
    " works."
)


class LtiLaunchError(Exception):
    """A login or launch was refused.

    :param code: a stable machine-readable reason (``bad_signature``, ``replayed_nonce``...).
    :param message: what failed, for the person looking at the page.
    :param admin_hint: what an administrator can do about it; shown on the page too, so an
        instruction in our words, never what another server answered (that goes to the log).
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

    The login cannot be replayed in a new window (platforms such as Moodle accept an
    ``lti_message_hint`` only once), so the page offers the platform's own page instead:
    ``reopen_url``, taken from the signature-checked id_token and always ``http(s)``,
    or ``None`` when the launch gave none.
    """

    def __init__(self, reopen_url: str | None) -> None:
        super().__init__(
            "cookies_blocked",
            "Your browser did not send back the cookie this tool set while signing you in,"
            " which happens when cookies are blocked inside the course page.",
            admin_hint=COOKIES_BLOCKED_HINT,
            status=401,
        )
        self.reopen_url = reopen_url


class RegistrationError(Exception):
    """Dynamic registration could not be completed; the message says why."""
