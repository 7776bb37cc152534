"""Tokens, rate limits and transport failures of the Greenhouse sink, over real HTTP."""

from __future__ import annotations

import concurrent.futures
import typing as t

import pytest
from flask import Flask
from flask import request

from plugin.ats.base import AtsError
from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
from plugin.sandbox.server import serve_app
from tests.unit.ats.greenhouse.helpers import CLIENT_SECRET
from tests.unit.ats.greenhouse.helpers import EMAIL
from tests.unit.ats.greenhouse.helpers import payload
from tests.unit.ats.greenhouse.helpers import write
from tests.unit.vendors.helpers import Clock

if t.TYPE_CHECKING:
    from plugin.ats.greenhouse import GreenhouseSink
    from tests.unit.ats.greenhouse.conftest import MakeSim
    from tests.unit.ats.greenhouse.conftest import MakeSink

PATCH = "PATCH /v3/candidates/<int:candidate_id>"


class FakeTime:
    """One clock for the simulator and the sink; sleeping advances it."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.now += seconds


def scored(sim: SandboxGreenhouse) -> int:
    sim.add_field("Score", "number", name_key="score")
    return sim.add_candidate(EMAIL)


class TestTokens:
    def test_one_token_serves_many_deliveries(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        scored(sim)
        for value in range(4):
            sink.deliver(payload(write("score", value)))

        stats = sim.stats()
        assert (stats["token_requests"], stats["tokens_issued"]) == (1, 1)
        assert stats["requests"]["GET /v3/candidates"] == 4

    def test_refused_token_is_replaced_once(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        candidate_id = scored(sim)
        sink.deliver(payload(write("score", 1)))
        assert sim.revoke_tokens() == 1

        sink.deliver(payload(write("score", 2), candidate_id=str(candidate_id)))

        stats = sim.stats()
        assert stats["tokens_issued"] == 2
        assert stats["requests"][PATCH] == 3  # the refused one and its retry
        assert sim.candidate(candidate_id)["custom_fields"] == {"score": 2}

    def test_wrong_secret_is_not_retryable_and_not_shown(
        self, sim: SandboxGreenhouse, make_sink: MakeSink
    ) -> None:
        scored(sim)
        sink = make_sink(sim, client_secret="wrong-" + CLIENT_SECRET)

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1)))

        error = caught.value
        assert (error.status, error.retryable) == (401, False)
        assert "invalid_client" in error.message
        assert CLIENT_SECRET not in str(error)
        assert CLIENT_SECRET not in repr(sink)
        assert sim.stats()["requests"].get("GET /v3/candidates") is None

    def test_unknown_user_is_refused(self, sim: SandboxGreenhouse, make_sink: MakeSink) -> None:
        with pytest.raises(AtsError) as caught:
            make_sink(sim, user_id="78").check_connection()

        assert (caught.value.status, caught.value.retryable) == (400, False)
        assert "invalid_grant" in caught.value.message


class TestRateLimits:
    def test_waits_for_a_near_reset(self, make_sim: MakeSim, make_sink: MakeSink) -> None:
        fake = FakeTime()
        sim = make_sim(rate_limit=2, window_seconds=3, clock=fake.clock)
        candidate_id = scored(sim)
        sink = make_sink(sim, clock=fake.clock, sleep=fake.sleep, max_wait_seconds="5")
        ref = str(candidate_id)

        sink.deliver(payload(write("score", 1), candidate_id=ref))  # fields + PATCH: window full
        receipt = sink.deliver(payload(write("score", 2), candidate_id=ref))

        assert receipt.detail == "1 field written"
        assert fake.slept == [3]  # Retry-After of the 429
        stats = sim.stats()
        assert (stats["rate_limited"], stats["requests"][PATCH]) == (1, 3)
        assert sim.candidate(candidate_id)["custom_fields"] == {"score": 2}

    def test_far_reset_is_retryable_with_retry_after(
        self, make_sim: MakeSim, make_sink: MakeSink
    ) -> None:
        fake = FakeTime()
        sim = make_sim(rate_limit=1, window_seconds=10, clock=fake.clock)
        candidate_id = scored(sim)
        sink = make_sink(sim, clock=fake.clock, sleep=fake.sleep, max_wait_seconds="1")

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1), candidate_id=str(candidate_id)))

        error = caught.value
        assert (error.status, error.retryable, error.retry_after) == (429, True, 10)
        assert fake.slept == []

        fake.clock.now += 4
        with pytest.raises(AtsError) as again:
            sink.deliver(payload(write("score", 1), candidate_id=str(candidate_id)))
        assert again.value.retry_after == pytest.approx(6)
        assert sim.stats()["rate_limited"] == 1  # the second try never left the sink

    def test_window_resets_after_the_wait(self, make_sim: MakeSim, make_sink: MakeSink) -> None:
        fake = FakeTime()
        sim = make_sim(rate_limit=1, window_seconds=10, clock=fake.clock)
        candidate_id = scored(sim)
        sink = make_sink(sim, clock=fake.clock, sleep=fake.sleep, max_wait_seconds="1")
        with pytest.raises(AtsError):
            sink.deliver(payload(write("score", 1), candidate_id=str(candidate_id)))

        fake.clock.now += 10
        receipt = sink.deliver(payload(write("score", 5), candidate_id=str(candidate_id)))

        assert receipt.detail == "1 field written"


class TestFailures:
    def test_server_errors_are_retryable(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        candidate_id = scored(sim)
        sink.deliver(payload(write("score", 1)))
        sim.set_faults(error_rate=1.0, retry_after=7, seed=3)

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 2), candidate_id=str(candidate_id)))

        error = caught.value
        assert error.status in {500, 503}
        assert (error.retryable, error.retry_after) == (True, 7)

    def test_token_endpoint_errors_are_retryable(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        sim.set_faults(error_rate=1.0, retry_after=2, seed=3)

        with pytest.raises(AtsError) as caught:
            sink.check_connection()

        assert caught.value.retryable
        assert "token endpoint failed" in caught.value.message

    def test_malformed_body_is_retryable(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        scored(sim)
        sink.check_connection()
        sim.set_faults(malformed_rate=1.0, seed=3)

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1)))

        assert caught.value.retryable
        assert "unexpected body" in caught.value.message

    def test_unreachable_greenhouse_is_retryable(
        self, sim: SandboxGreenhouse, make_sink: MakeSink
    ) -> None:
        closed = serve_app(Flask("closed"))
        closed.shutdown()
        sink = make_sink(sim, base_url=closed.url)  # the token still comes from the simulator

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1)))

        error = caught.value
        assert (error.status, error.retryable) == (None, True)
        assert f"GET {closed.url}/v3/candidates could not reach Greenhouse" in error.message
        assert EMAIL not in error.message and "@" not in error.message


class TestPrivacy:
    def test_an_echoed_email_is_replaced_in_errors(self, make_sink: MakeSink) -> None:
        app = Flask("echoing")

        @app.post("/token")
        def token() -> dict[str, t.Any]:
            return {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}

        @app.get("/v3/candidates")
        def candidates() -> tuple[dict[str, t.Any], int]:
            email = request.args["email"]
            return {"message": "Validation error", "errors": [{"message": f"{email} is odd"}]}, 422

        with serve_app(app) as served:
            sink = make_sink(SandboxGreenhouse(served.url))
            with pytest.raises(AtsError) as caught:
                sink.deliver(payload(write("score", 1), email="Ada.Lovelace@Example.org"))

        assert caught.value.status == 422
        assert "the candidate's e-mail is odd" in caught.value.message
        assert "@" not in caught.value.message


def test_concurrent_deliveries_share_one_token(
    sim: SandboxGreenhouse, sink: GreenhouseSink
) -> None:
    candidate_id = scored(sim)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(
            pool.map(
                lambda value: sink.deliver(
                    payload(write("score", value), candidate_id=str(candidate_id))
                ),
                range(16),
            )
        )

    assert {receipt.detail for receipt in receipts} == {"1 field written"}
    stats = sim.stats()
    assert (stats["token_requests"], stats["requests"]["GET /v3/custom_fields"]) == (1, 1)
