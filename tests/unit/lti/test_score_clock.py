"""Score timestamps: the send time, in whole seconds, one second past the last one sent, and
what a platform comparing whole seconds with its own arrival times (Moodle 4.5) makes of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import typing as t
from pathlib import Path

import pytest

from lti.ags import AgsClient
from lti.ags import AgsClientFactory
from lti.ags import AgsError
from lti.ags import ScoreClock
from lti.ags.timestamps import format_timestamp
from lti.ags.timestamps import parse_timestamp
from lti.interfaces import SharedStore
from plugin.runtime.shared_store import FileStore
from plugin.runtime.shared_store import MemoryStore
from plugin.sandbox.server import serve_app
from tests.unit.lti.conftest import T0
from tests.unit.lti.conftest import FakeNow
from tests.unit.lti.moodle_scores import LINE_ITEM_PATH
from tests.unit.lti.moodle_scores import Keys
from tests.unit.lti.moodle_scores import MoodleScores
from tests.unit.lti.moodle_scores import moodle_app
from tests.unit.lti.moodle_scores import platform_at

ITEM = "https://lms.example/lineitems/5/lineitem?type_id=2"
FINISHED = T0 - dt.timedelta(minutes=3)  # the vendor's finish time, before anything is sent


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SharedStore:
    return MemoryStore() if request.param == "memory" else FileStore(tmp_path)


class TestScoreClock:
    def test_two_scores_within_one_second_are_one_whole_second_apart(
        self, store: SharedStore
    ) -> None:
        now = FakeNow(at(0.25))
        clock = ScoreClock(store, now=now)
        first = clock.next_timestamp(ITEM, "u-1")
        now.advance(0.5)
        second = clock.next_timestamp(ITEM, "u-1")
        assert first == (T0, False)
        assert second == (at(1), True)
        assert format_timestamp(second[0]) == "2024-05-01T10:00:01.000+00:00"

    def test_the_timestamp_is_never_below_the_current_second(self, store: SharedStore) -> None:
        now = FakeNow()
        clock = ScoreClock(store, now=now)
        for _ in range(3):
            clock.next_timestamp(ITEM, "u-1")  # T0, T0+1, T0+2
        now.advance(60.9)
        assert clock.next_timestamp(ITEM, "u-1") == (at(60), False)

    def test_each_line_item_and_user_has_its_own_last_timestamp(self, store: SharedStore) -> None:
        clock = ScoreClock(store, now=FakeNow())
        clock.next_timestamp(ITEM, "u-1")
        assert clock.next_timestamp(ITEM, "u-2") == (T0, False)
        assert clock.next_timestamp(ITEM + "&other", "u-1") == (T0, False)

    def test_every_clock_on_the_store_agrees(self, tmp_path: Path) -> None:
        """Two processes: one file store, two clocks (each with its own lock)."""
        now = FakeNow()
        ScoreClock(FileStore(tmp_path), now=now).next_timestamp(ITEM, "u-1")
        assert ScoreClock(FileStore(tmp_path), now=now).next_timestamp(ITEM, "u-1") == (
            at(1),
            True,
        )

    def test_a_millisecond_timestamp_left_by_the_previous_release_counts(
        self, store: SharedStore
    ) -> None:
        """The previous release kept the last timestamp in milliseconds under this key and
        bumped by 1 ms; a platform comparing seconds takes 10:00:00.001 as 10:00:00."""
        digest = hashlib.sha256(f"{ITEM}\0u-1".encode()).hexdigest()
        store.put("lti:score-ts:" + digest, int(T0.timestamp() * 1000) + 1, 60)
        clock = ScoreClock(store, now=FakeNow(at(0.5)))
        assert clock.next_timestamp(ITEM, "u-1") == (at(1), True)


class TestTimestampFormat:
    @pytest.mark.parametrize(
        ("moment", "text"),
        [
            (at(0.999), "2024-05-01T10:00:00.000+00:00"),
            (T0.astimezone(dt.timezone(dt.timedelta(hours=2))), "2024-05-01T10:00:00.000+00:00"),
        ],
    )
    def test_whole_seconds_in_utc_with_a_zero_fraction(
        self, moment: dt.datetime, text: str
    ) -> None:
        assert format_timestamp(moment) == text
        assert format_timestamp(parse_timestamp(text)) == text
        assert parse_timestamp(text) == moment.replace(microsecond=0)

    def test_a_timestamp_without_an_offset_is_not_read(self) -> None:
        with pytest.raises(ValueError, match="UTC offset"):
            parse_timestamp("2024-05-01T10:00:00.000")


@dataclasses.dataclass
class Moodle:
    url: str
    """The line item, as Moodle names it (with its ``type_id`` query)."""
    scores: MoodleScores
    client: AgsClient


@pytest.fixture
def moodle(now: FakeNow, tmp_path: Path) -> t.Iterator[Moodle]:
    """The Moodle stand-in, and a client on a file store; Moodle's clock is the tool's unless
    a test moves ``scores.clock``."""
    scores = MoodleScores(clock=now)
    served = serve_app(moodle_app(scores))
    clients = AgsClientFactory(Keys(), FileStore(tmp_path), now=now)
    try:
        client = clients.for_platform(platform_at(served.url))
        yield Moodle(served.url + LINE_ITEM_PATH + "?type_id=2", scores, client)
    finally:
        clients.close()
        served.shutdown()


def held_score(user_id: str) -> dict[str, object]:
    """Version 1 of a Mettl attempt held for manual grading, as the previous release stored
    it in the outbox: no ``scoreGiven``, the vendor's finish time as ``timestamp``."""
    return {
        "userId": user_id,
        "activityProgress": "Completed",
        "gradingProgress": "PendingManual",
        "timestamp": format_timestamp(FINISHED),
        "submission": {"submittedAt": "2024-05-01T09:57:00Z"},
    }


def graded_score(user_id: str) -> dict[str, object]:
    """Version 2: graded."""
    return {
        **held_score(user_id),
        "gradingProgress": "FullyGraded",
        "scoreGiven": 7.0,
        "scoreMaximum": 10.0,
    }


class TestMoodle:
    def test_a_graded_score_after_a_held_one_lands(self, moodle: Moodle, now: FakeNow) -> None:
        """Moodle keeps the held score at its arrival time, later than the finish time; the
        graded one follows within the same second and is sent one second later."""
        url, scores, client = moodle.url, moodle.scores, moodle.client
        now.advance(0.4)
        held = client.post_score(url, held_score("2"))
        now.advance(0.3)
        graded = client.post_score(url, graded_score("2"))
        assert (held.timestamp, held.bumped) == ("2024-05-01T10:00:00.000+00:00", False)
        assert (graded.timestamp, graded.bumped) == ("2024-05-01T10:00:01.000+00:00", True)
        assert scores.statuses() == [200, 200]
        assert scores.posts[1][1]["submission"] == {"submittedAt": "2024-05-01T09:57:00Z"}

    def test_a_score_refused_as_not_newer_is_sent_again_at_once(
        self, moodle: Moodle, now: FakeNow
    ) -> None:
        """Moodle's clock is one second ahead: the held score is kept at 10:00:01, so the
        graded one at 10:00:01 is refused and lands at 10:00:02."""
        url, scores, client = moodle.url, moodle.scores, moodle.client
        scores.clock = lambda: now() + dt.timedelta(seconds=1)
        client.post_score(url, held_score("2"))
        graded = client.post_score(url, graded_score("2"))
        assert graded.timestamp == "2024-05-01T10:00:02.000+00:00"
        assert scores.statuses() == [200, 409, 200]

    def test_three_refusals_give_a_retryable_error_and_a_later_try_lands(
        self, moodle: Moodle, now: FakeNow
    ) -> None:
        url, scores, client = moodle.url, moodle.scores, moodle.client
        scores.clock = lambda: now() + dt.timedelta(minutes=5)
        client.post_score(url, held_score("2"))
        with pytest.raises(AgsError) as caught:
            client.post_score(url, graded_score("2"))
        error = caught.value
        assert (error.status, error.retryable) == (409, True)
        assert "refused the score for user 2 3 times" in error.message
        assert "2024-05-01T10:00:03.000+00:00" in error.message
        assert error.platform_message.startswith("Refusing score with an earlier timestamp")
        assert scores.statuses() == [200, 409, 409, 409]

        now.advance(5 * 60 + 1)  # the outbox tries again later
        later = client.post_score(url, graded_score("2"))
        assert (later.timestamp, later.bumped) == ("2024-05-01T10:05:01.000+00:00", False)
        assert scores.statuses()[-1] == 200

    def test_the_scores_url_keeps_the_line_item_query(self, moodle: Moodle) -> None:
        url, scores, client = moodle.url, moodle.scores, moodle.client
        client.post_score(url, graded_score("2"))
        assert scores.posts[0][0] == f"{LINE_ITEM_PATH}/scores?type_id=2"
        assert scores.statuses() == [200]
