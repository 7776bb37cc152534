"""TokenPacer: the interval bookkeeping behind Workable's rate limit."""

from __future__ import annotations

import pytest

from plugin.ats.workable.pacing import TokenPacer
from plugin.ats.workable.pacing import WaitTooLongError
from plugin.ats.workable.pacing import pacer_for


class Time:
    """A clock that only moves when slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def headers(remaining: int, reset: float) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": "10",
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(reset),
    }


@pytest.fixture
def time_() -> Time:
    return Time()


@pytest.fixture
def pacer(time_: Time) -> TokenPacer:
    return TokenPacer(clock=time_.clock, sleep=time_.sleep)


def test_unknown_interval_does_not_wait(pacer: TokenPacer, time_: Time) -> None:
    for _ in range(20):
        pacer.acquire(max_wait=1)
    assert time_.slept == []


def test_a_spent_interval_waits_for_its_reset(pacer: TokenPacer, time_: Time) -> None:
    pacer.observe(headers(1, 1004))
    pacer.acquire(max_wait=5)
    assert time_.slept == []
    pacer.acquire(max_wait=5)
    assert time_.slept == [4.0]


def test_a_far_reset_is_refused(pacer: TokenPacer, time_: Time) -> None:
    pacer.observe(headers(0, 1030))
    with pytest.raises(WaitTooLongError) as caught:
        pacer.acquire(max_wait=10)
    assert caught.value.wait == 30.0
    assert time_.slept == []


def test_late_answers_of_an_older_interval_are_ignored(pacer: TokenPacer, time_: Time) -> None:
    pacer.observe(headers(0, 1002))
    pacer.observe(headers(5, 1001))
    pacer.acquire(max_wait=5)
    assert time_.slept == [2.0]


def test_the_lowest_remaining_of_an_interval_wins(pacer: TokenPacer, time_: Time) -> None:
    pacer.observe(headers(0, 1003))
    pacer.observe(headers(4, 1003))
    pacer.acquire(max_wait=5)
    assert time_.slept == [3.0]


def test_a_429_blocks_even_with_requests_left(pacer: TokenPacer, time_: Time) -> None:
    pacer.observe(headers(6, 1010))
    pacer.block_for(2)
    pacer.acquire(max_wait=5)
    assert time_.slept == [2.0]


def test_bad_headers_are_ignored(pacer: TokenPacer, time_: Time) -> None:
    pacer.observe({"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "inf"})
    pacer.observe({"X-Rate-Limit-Remaining": "-1", "X-Rate-Limit-Reset": "1005"})
    pacer.acquire(max_wait=1)
    assert time_.slept == []
    assert pacer.until_reset() is None


def test_pacers_are_shared_per_token() -> None:
    first = pacer_for("https://acme.workable.com", "token-a")
    assert pacer_for("https://acme.workable.com", "token-a") is first
    assert pacer_for("https://acme.workable.com", "token-b") is not first
