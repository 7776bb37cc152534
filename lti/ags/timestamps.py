"""Score timestamps: the time a score is sent, in whole seconds, increasing per (line item, user).

"The platform MUST NOT update a result if the last timestamp on record is later than the
incoming score update" (AGS 2.0 section 3.4, Score publish service, ``timestamp``).  What a
platform compares differs, so the timestamp is chosen for the strictest one met (Moodle 4.5):

- it is the time the score is *sent*, never the vendor's finish time: Moodle stores a score
  without ``scoreGiven`` at the time it received it, so a later score stamped with the
  (earlier) finish time is refused.  The vendor's times travel in the score's ``submission``
  (see :func:`mappings.ags.build_score`);
- it is in whole seconds: Moodle reads it with PHP ``strtotime``, which drops the fraction,
  and refuses an equal second.  It is written with a zero fraction,
  ``2024-05-01T10:00:00.000+00:00``: the spec says it should use sub-second precision, and
  strict parsers (the sandbox LMS among them) expect a fraction;
- it is at least one whole second after the last timestamp sent for that (line item, user).
  That one is remembered in the shared store, so every worker and process agrees, before the
  request goes out.  It is kept in milliseconds, as earlier releases wrote it, so a value they
  left still counts.

Deliveries for one (line item, user) are sent one at a time by the outbox, so a read and
write of the remembered value needs only a per-process lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import typing as t

if t.TYPE_CHECKING:
    from lti.interfaces import SharedStore

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SECOND = dt.timedelta(seconds=1)
DEFAULT_MEMORY_SECONDS = 24 * 3600

Now = t.Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time (the default clock of :class:`ScoreClock`)."""
    return dt.datetime.now(dt.UTC)


def parse_timestamp(value: str) -> dt.datetime:
    """Read an ISO 8601 score timestamp; it must carry a UTC offset.

    Reads what :func:`format_timestamp` writes (``format_timestamp(parse_timestamp(s)) == s``)
    as well as the millisecond timestamps of earlier releases.

    :raises ValueError: for anything else.
    """
    moment = dt.datetime.fromisoformat(value)
    if moment.utcoffset() is None:
        raise ValueError("a score timestamp needs a UTC offset")
    return moment


def format_timestamp(moment: dt.datetime) -> str:
    """``2024-05-01T10:00:00.000+00:00``: the whole second (fraction dropped) in UTC.

    :param moment: aware.
    """
    return _whole_second(moment).isoformat(timespec="milliseconds")


def _whole_second(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC with its fraction dropped, as a platform comparing seconds sees it."""
    return moment.astimezone(dt.UTC).replace(microsecond=0)


class ScoreClock:
    """Hands out the timestamp to send for each score.

    :param store: shared by every worker delivering to the same platforms.
    :param now: the current time (aware); tests pass a fake one.
    :param memory_seconds: how long the last timestamp per (line item, user) is remembered;
        it only counts while it is ahead of the current time (seconds, or as long as the
        clocks of two workers disagree), so a day is plenty.
    """

    def __init__(
        self,
        store: SharedStore,
        *,
        now: Now = utc_now,
        memory_seconds: int = DEFAULT_MEMORY_SECONDS,
    ) -> None:
        self._store = store
        self._now = now
        self._memory = memory_seconds
        self._lock = threading.Lock()

    def next_timestamp(self, line_item_url: str, user_id: str) -> tuple[dt.datetime, bool]:
        """The second to send a score at now, remembered as the last one sent.

        :return: the current whole second, or one second past the last one sent for this line
            item and user when that is not earlier; and whether it had to be moved so.
        """
        key = _key(line_item_url, user_id)
        now_s = (_whole_second(self._now()) - _EPOCH) // _SECOND
        with self._lock:
            last = self._store.get(key)
            floor_s = now_s if last is None else int(last) // 1000 + 1
            send_s = max(now_s, floor_s)
            self._store.put(key, send_s * 1000, self._memory)
        return _EPOCH + send_s * _SECOND, send_s > now_s


def _key(line_item_url: str, user_id: str) -> str:
    digest = hashlib.sha256(f"{line_item_url}\0{user_id}".encode()).hexdigest()
    return "lti:score-ts:" + digest
