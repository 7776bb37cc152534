"""What bounds ``/lti/login``: the state cookies one browser carries, and the logins one
address may start per minute (``BRIDGE_LOGIN_RATE_LIMIT``).

Each login sets a ten-minute ``lti1p3-<state>`` cookie for the launch that follows.  A
browser that keeps logging in without launching used to pile them up until its requests
outgrew the server's header limit (431 after about 150 logins).  A login now deletes the
oldest beyond :data:`MAX_STATE_COOKIES`: browsers send the cookies of one path oldest first
(RFC 6265, section 5.4), so those are the first of the request's ``Cookie`` header.  The cap
leaves room for the logins of a course page that embeds several placements at once.
"""

from __future__ import annotations

import typing as t

from flask import Response
from flask import make_response

from plugin.web.errors import refusal

#: State cookies a browser may carry, the one a login sets included.
MAX_STATE_COOKIES = 10


def surplus_state_cookies(names: t.Iterable[str], *, prefix: str) -> list[str]:
    """The oldest state cookies among ``names`` (request order) to delete, so that with the
    one a login sets at most :data:`MAX_STATE_COOKIES` remain."""
    states = [name for name in names if name.startswith(prefix)]
    return states[: max(0, len(states) - (MAX_STATE_COOKIES - 1))]


def too_many_logins(retry_after: int) -> Response:
    """The 429 for an address over the login rate limit."""
    body, status = refusal(
        status=429,
        code="too_many_logins",
        message=f"Too many sign-ins from this address; try again in {retry_after} seconds.",
        admin_hint=(
            "BRIDGE_LOGIN_RATE_LIMIT sets the sign-ins allowed per address per minute; behind"
            " a reverse proxy, set BRIDGE_TRUST_PROXY so each client is counted on its own."
        ),
    )
    response = make_response(body, status)
    response.headers["Retry-After"] = str(retry_after)
    return response
