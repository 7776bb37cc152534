"""Find the one Workable candidate with an e-mail (``GET /spi/v3/candidates?email=``)."""

from __future__ import annotations

import typing as t
import urllib.parse

from plugin.ats.base import AtsError

if t.TYPE_CHECKING:
    from plugin.ats.workable.api import WorkableApi

#: Pages followed before giving up (a filtered listing is normally one page).
MAX_PAGES = 50
_ACTION = "look up the candidate by the candidate's e-mail"


def find_candidate_id(api: WorkableApi, email: str) -> str:
    """The id of the one candidate whose e-mail is ``email`` (case-insensitive).

    Pages are followed through ``paging.next``, only on the account's own host (the
    token is never sent elsewhere).

    :raises AtsError: non-retryable when no candidate or several match.
    """
    wanted = email.strip().lower()
    url: str = f"{api.base_url}/spi/v3/candidates"
    params: dict[str, str] | None = {"email": email.strip()}
    matches: list[str] = []
    for _ in range(MAX_PAGES):
        body = api.call("GET", url, _ACTION, params=params)
        candidates, next_url = _page(body)
        matches += [str(c["id"]) for c in candidates if _email_of(c) == wanted]
        if len(matches) > 1 or not next_url:
            break
        url, params = _same_origin(api.base_url, next_url), None
    else:
        raise AtsError(f"Workable listed more than {MAX_PAGES} pages of candidates for {_ACTION}")
    if not matches:
        raise AtsError("Workable has no candidate with the candidate's e-mail")
    if len(matches) > 1:
        raise AtsError(
            "several Workable candidates have the candidate's e-mail; "
            "give the delivery the Workable candidate id"
        )
    return matches[0]


def _page(body: t.Any) -> tuple[list[dict[str, t.Any]], str | None]:
    candidates = body.get("candidates") if isinstance(body, dict) else None
    paging = body.get("paging") if isinstance(body, dict) else None
    next_url = paging.get("next") if isinstance(paging, dict) else None
    valid = isinstance(candidates, list) and all(
        isinstance(c, dict) and isinstance(c.get("id"), str | int) and c["id"] != ""
        for c in candidates
    )
    if not valid or not (next_url is None or isinstance(next_url, str)):
        raise AtsError(
            f"Workable answered an unexpected body when asked to {_ACTION}", retryable=True
        )
    return t.cast("list[dict[str, t.Any]]", candidates), next_url or None


def _email_of(candidate: dict[str, t.Any]) -> str | None:
    value = candidate.get("email")
    return value.strip().lower() if isinstance(value, str) else None


def _same_origin(base_url: str, url: str) -> str:
    base, link = urllib.parse.urlsplit(base_url), urllib.parse.urlsplit(url)
    if (link.scheme, link.netloc) != (base.scheme, base.netloc):
        raise AtsError("Workable's paging link leads to another host; it was not followed")
    return url
