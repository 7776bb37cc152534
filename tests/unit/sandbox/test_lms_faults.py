from __future__ import annotations

import typing as t

import pytest
import requests

from plugin.sandbox.lms import SandboxLmsError

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxLms


def _statuses(lms: SandboxLms, count: int) -> list[int]:
    with requests.Session() as session:
        return [session.get(lms.url + "/jwks", timeout=10).status_code for _ in range(count)]


def test_seeded_failures_repeat_exactly(lms: SandboxLms) -> None:
    lms.set_faults(error_rate=0.3, rate_limit_rate=0.2, seed=42)
    first = _statuses(lms, 60)
    lms.set_faults(error_rate=0.3, rate_limit_rate=0.2, seed=42)
    second = _statuses(lms, 60)

    assert first == second
    assert set(first) == {200, 429, 500, 503}
    failures = sum(1 for status in first if status != 200)
    assert 15 <= failures <= 45
    faults = lms.stats()["faults"]
    assert sum(faults.values()) == 2 * failures


def test_a_different_seed_gives_a_different_sequence(lms: SandboxLms) -> None:
    lms.set_faults(error_rate=0.5, seed=1)
    first = _statuses(lms, 40)
    lms.set_faults(error_rate=0.5, seed=2)
    assert _statuses(lms, 40) != first


def test_rate_limiting_sends_retry_after(lms: SandboxLms) -> None:
    lms.set_faults(rate_limit_rate=1.0, retry_after=7, seed=3)
    response = requests.get(lms.url + "/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"] == "injected_fault"


def test_service_unavailable_sends_retry_after(lms: SandboxLms) -> None:
    lms.set_faults(error_rate=1.0, retry_after=2, seed=5)
    statuses = {}
    with requests.Session() as session:
        for _ in range(20):
            response = session.post(lms.url + "/token", timeout=10)
            statuses[response.status_code] = response.headers.get("Retry-After")
    assert statuses == {500: None, 503: "2"}


def test_control_api_is_never_faulted(lms: SandboxLms) -> None:
    lms.set_faults(error_rate=1.0, latency_ms=0, seed=9)
    assert lms.add_context("Still reachable")["title"] == "Still reachable"
    assert lms.stats()["requests"] == {}
    cleared = lms.set_faults()
    assert cleared == {
        "latency_ms": 0,
        "error_rate": 0.0,
        "rate_limit_rate": 0.0,
        "retry_after": 1,
        "seed": None,
    }
    assert _statuses(lms, 5) == [200] * 5


def test_latency_setting_is_kept(lms: SandboxLms) -> None:
    assert lms.set_faults(latency_ms=5)["latency_ms"] == 5
    assert _statuses(lms, 2) == [200, 200]


@pytest.mark.parametrize(
    "settings",
    [
        {"error_rate": 1.5},
        {"error_rate": 0.6, "rate_limit_rate": 0.6},
        {"latency_ms": -1},
        {"latency_ms": "slow"},
        {"seed": 1.5},
        {"explode": True},
    ],
)
def test_bad_settings_are_refused(lms: SandboxLms, settings: dict[str, t.Any]) -> None:
    with pytest.raises(SandboxLmsError) as refused:
        lms.set_faults(**settings)
    assert refused.value.status == 400


def test_stats_count_requests_per_endpoint(lms: SandboxLms) -> None:
    _statuses(lms, 3)
    requests.get(lms.url + "/api/contexts/ctx-x/memberships", timeout=10)
    counts = lms.stats()["requests"]
    assert counts == {"GET /jwks": 3, "GET /api/contexts/<context_id>/memberships": 1}
    lms.reset_stats()
    assert lms.stats()["requests"] == {}
