"""Reading Mettl's test notifications (finish and graded) as completion triggers.

Payloads: ``docs/vendors/mettl.md#notification-fields`` (field names of a third-party
fixture). Mettl
signs neither notification, so they only say which candidate to re-fetch. The
schedule comes from the ``accessKey`` query parameter of the notification URL when
the admin added one, else from the payload's ``invitation_key`` (read as the
schedule's access key); the candidate from ``email`` or
``registrationDetails["Email Address"]``.
"""

from __future__ import annotations

import typing as t

from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.mettl.refs import ScheduleCandidate
from plugin.vendors.payloads import json_body

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from plugin.vendors.base import IncomingRequest

#: ``EVENT_TYPE`` of the finish and graded notifications.
NOTIFICATION_EVENTS = frozenset({"finishTest", "gradedAssessment"})
#: Query parameter an admin may add to the notification URL to name the schedule.
ACCESS_KEY_PARAM = "accessKey"


def notified_candidate(request: IncomingRequest) -> tuple[ScheduleCandidate, str]:
    """The candidate a notification is about, and its ``EVENT_TYPE``.

    :raises SignalRejectedError: not a JSON notification naming a schedule and an e-mail.
    """
    payload = _json_object(request)
    event = payload.get("EVENT_TYPE")
    if event not in NOTIFICATION_EVENTS:
        raise SignalRejectedError(f"not a Mettl test notification (EVENT_TYPE {event!r})")
    address = _notified_email(payload)
    access_key = request.query.get(ACCESS_KEY_PARAM) or text(payload.get("invitation_key"))
    if not address or not access_key:
        raise SignalRejectedError(
            "Mettl notification names no candidate e-mail or no schedule; add "
            f"?{ACCESS_KEY_PARAM}=<schedule access key> to the notification URL"
        )
    return ScheduleCandidate.of(access_key, address), str(event)


def text(value: t.Any) -> str | None:
    """A non-empty string from a string or integer field, else None."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _json_object(request: IncomingRequest) -> dict[str, t.Any]:
    payload = json_body(request, what="Mettl notification body")
    if not isinstance(payload, dict):
        raise SignalRejectedError("Mettl notification body is not a JSON object")
    return payload


def _notified_email(payload: Mapping[str, t.Any]) -> str | None:
    registration = payload.get("registrationDetails")
    registered = registration.get("Email Address") if isinstance(registration, dict) else None
    address = text(payload.get("email")) or text(registered)
    return address if address and "@" in address else None
