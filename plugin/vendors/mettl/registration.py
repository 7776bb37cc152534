"""Registering a learner as a Mettl candidate and reading the answer.

Doc: KB "15. Register Candidates in Schedule" (``docs/vendors/mettl.md#starting-an-attempt``). The
answer's per-candidate entries are not documented in detail: an entry is matched by
``email`` (or ``Email Address``), an ``ERROR`` status or a missing link is a refusal.
"""

from __future__ import annotations

import typing as t

from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.mettl.errors import VENDOR

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from plugin.vendors.base import Learner
    from plugin.vendors.mettl.refs import ScheduleCandidate


def registration_fields(learner: Learner, address: str) -> dict[str, str]:
    """Mettl registration fields; ``Email Address`` and ``First Name`` are mandatory.

    A learner the LMS shares no name of is registered under their address's local part.
    """
    first = learner.given_name or learner.full_name or address.split("@", 1)[0]
    fields = {"Email Address": address, "First Name": first}
    if learner.family_name:
        fields["Last Name"] = learner.family_name
    return fields


def registration_link(
    entries: list[dict[str, t.Any]], ref: ScheduleCandidate, link_field: str
) -> str:
    """The candidate's test link from the ``registrationStatus`` entries.

    :raises VendorRefusedError: the entry is missing, reports an error or carries no link.
    """
    entry = _entry_for(entries, ref.email)
    link = entry.get(link_field) if entry is not None else None
    if entry is None or entry.get("status") == "ERROR" or not isinstance(link, str) or not link:
        raise VendorRefusedError(
            f"Mettl did not register {ref.email} in schedule {ref.access_key}: "
            f"{_problem(entry, link_field)}",
            vendor=VENDOR,
        )
    return link


def _entry_for(entries: list[dict[str, t.Any]], address: str) -> dict[str, t.Any] | None:
    for entry in entries:
        named = entry.get("email") or entry.get("Email Address")
        if isinstance(named, str) and named.strip().lower() == address:
            return entry
    return entries[0] if len(entries) == 1 else None


def _problem(entry: Mapping[str, t.Any] | None, link_field: str) -> str:
    if entry is None:
        return "its answer does not mention the candidate"
    error = entry.get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"{error.get('code', '')} {error['message']}".strip()
    return (
        f"no candidate link under {link_field!r}; check the registration_link_field "
        "setting against Mettl's answer"
    )
