"""Whether a score is newer than the one the platform holds (AGS 2.0 section 3.4.6).

The spec compares the ``timestamp`` sent with the last one; real platforms differ in the time
they hold (the timestamp sent, or their own clock on arrival), its precision and whether an
equal time passes. The profile's :class:`ScoreOrder` says which.
"""

from __future__ import annotations

import typing as t

from plugin.sandbox.lms.errors import ApiError

if t.TYPE_CHECKING:
    import datetime

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import Score
    from plugin.sandbox.lms.profiles import ScoreOrder


def held_time(
    order: ScoreOrder, body: JsonDict, sent: datetime.datetime, received: datetime.datetime
) -> datetime.datetime:
    """Return the time a newly stored score is held at."""
    ungraded = body.get("scoreGiven") is None
    if order.stamp_on_arrival or (order.stamp_ungraded_on_arrival and ungraded):
        return received
    return sent


def check_newer(
    order: ScoreOrder, held: Score | None, sent: datetime.datetime, raw_timestamp: str
) -> None:
    """Refuse a score that is not newer than the ``held`` one.

    :raises ApiError: with the profile's status and message.
    """
    if held is None:
        return
    last = held.held_at
    if order.whole_seconds:
        sent, last = sent.replace(microsecond=0), last.replace(microsecond=0)
    if sent > last or (order.equal_accepted and sent == last):
        return
    message = order.message.format(
        item=held.line_item_id,
        user=held.user_id,
        sent=raw_timestamp,
        held=held.held_at.isoformat(timespec="milliseconds"),
    )
    raise ApiError(order.status, order.error, message)
