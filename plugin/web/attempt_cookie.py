"""The attempts this browser launched, named in a signed cookie.

An attempt's result page and a vendor's redirect of the learner's browser name the
attempt by something other people can hold too (the result URL, a participant id next to
a callback URL every learner sees).  The cookie is what binds them to the browser of the
learner who launched the attempt: the launch that reaches an attempt adds its id, and
only a browser whose cookie names an attempt is shown its score.

The cookie is signed with the application's ``SECRET_KEY`` (itsdangerous, with its own
salt); a cookie that does not verify, or older than :data:`MAX_AGE_SECONDS`, names no
attempt.
"""

from __future__ import annotations

from flask import request
from itsdangerous import BadSignature
from werkzeug.wrappers import Response

from plugin.services import services
from plugin.web.signed import signer

COOKIE_NAME = "bridge-attempts"
#: How many attempts one browser remembers, newest first (older ones drop off).
MAX_ATTEMPTS = 20
MAX_AGE_SECONDS = 14 * 24 * 3600
_SALT = "bridge.attempt-cookie"


def launched_attempts() -> tuple[int, ...]:
    """The attempt ids the request's cookie names, newest first (none when it is absent,
    does not verify or has expired)."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return ()
    try:
        ids = signer(_SALT).loads(value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return ()
    if not isinstance(ids, list) or not all(type(i) is int for i in ids):
        return ()
    return tuple(ids[:MAX_ATTEMPTS])


def names_attempt(attempt_id: int) -> bool:
    """Whether this browser launched attempt ``attempt_id``."""
    return attempt_id in launched_attempts()


def cookie_value(attempt_ids: list[int]) -> str:
    """The signed cookie value naming ``attempt_ids``."""
    return str(signer(_SALT).dumps(attempt_ids))


def remember_attempt(response: Response, attempt_id: int) -> None:
    """Add ``attempt_id`` in front of the attempts the request's cookie names.

    The pages are framed by the LMS, so over HTTPS the cookie is ``SameSite=None;
    Secure`` (else a framed page would not get it back); over plain HTTP, where
    ``SameSite=None`` is refused, it is ``Lax``.
    """
    ids = [attempt_id, *(known for known in launched_attempts() if known != attempt_id)]
    secure = request.is_secure or services().settings.is_https
    response.set_cookie(
        COOKIE_NAME,
        cookie_value(ids[:MAX_ATTEMPTS]),
        max_age=MAX_AGE_SECONDS,
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
        path="/",
    )
