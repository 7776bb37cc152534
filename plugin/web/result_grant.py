"""A short-lived pass to one attempt's result page, handed out by a relaunch.

A learner who relaunches a finished attempt has just been vouched for by the platform,
but the framed launch may not keep cookies (third-party cookies blocked), so the
redirect to the result page carries this grant: signed with ``SECRET_KEY``, bound to
the attempt's id and valid for :data:`MAX_AGE_SECONDS`.
"""

from __future__ import annotations

from itsdangerous import BadSignature

from plugin.web.signed import signer

#: Long enough to follow the redirect and read the page, short enough that a copied URL
#: soon stops showing the score.
MAX_AGE_SECONDS = 600
_SALT = "bridge.result-grant"


def grant_for(attempt_id: int) -> str:
    """A grant to see attempt ``attempt_id``'s result page."""
    return str(signer(_SALT).dumps(attempt_id))


def grants(grant: str, attempt_id: int) -> bool:
    """Whether ``grant`` is a valid, unexpired grant for attempt ``attempt_id``."""
    if not grant:
        return False
    try:
        granted = signer(_SALT).loads(grant, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return type(granted) is int and granted == attempt_id
