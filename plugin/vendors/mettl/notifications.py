"""Reading Mettl's test notifications (finish and graded) as completion triggers.

Payloads: ``docs/vendors/mettl.md#notification-fields`` (field names of a third-party
fixture). Mettl
signs neither notification, so they only say which candidate to re-fetch. The
schedule comes from the ``accessKey`` query parameter of the notification URL when
the admin added one, else from the payload's ``invitation_key`` (read as the
schedule's access key); the candidate from ``email`` or
``registrationDetails["Email Address"]``. The graded notification carries no
``invitation_key``: without an ``accessKey`` either, the notification names the
candidate and the assessment (``assessment_id``/``assessmentId``), and the attempt is
found among the connection's by that e-mail (:mod:`plugin.attempts.completions`).
"""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True)
class Notification:
    """What a notification says: the candidate, and the schedule or assessment when named."""

    event: str
    email: str
    access_key: str | None
    assessment_id: str | None

    @property
    def candidate(self) -> ScheduleCandidate | None:
        """The candidate of a named schedule; None when only the assessment is named."""
        return ScheduleCandidate.of(self.access_key, self.email) if self.access_key else None


def read_notification(request: IncomingRequest) -> Notification:
    """The candidate a notification is about, and its ``EVENT_TYPE``.

    :raises SignalRejectedError: not a JSON test notification naming a candidate e-mail.
    """
    payload = _json_object(request)
    event = payload.get("EVENT_TYPE")
    if event not in NOTIFICATION_EVENTS:
        raise SignalRejectedError(f"not a Mettl test notification (EVENT_TYPE {event!r})")
    address = _notified_email(payload)
    if not address:
        raise SignalRejectedError("Mettl notification names no candidate e-mail")
    access_key = request.query.get(ACCESS_KEY_PARAM) or text(payload.get("invitation_key"))
    assessment = text(payload.get("assessment_id")) or text(payload.get("assessmentId"))
    return Notification(str(event), address.strip().lower(), access_key, assessment)


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
