"""The Workable simulator is strict: it refuses what Workable refuses, with its bodies."""

from __future__ import annotations

import typing as t

import pytest
import requests

from plugin.sandbox.ats.workable import SandboxWorkableError
from tests.unit.ats.workable.conftest import EMAIL

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tests.unit.ats.workable.conftest import Workable

RATE_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


def call(
    workable: Workable, method: str, path: str, *, token: str | None = None, **kwargs: t.Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {workable.token if token is None else token}"}
    return requests.request(
        method, f"{workable.url}/spi/v3{path}", headers=headers, timeout=5, **kwargs
    )


def patch(workable: Workable, candidate_id: str, body: t.Any) -> requests.Response:
    path = f"/candidates/{candidate_id}/update_custom_attribute_value"
    return call(workable, "PATCH", path, json=body)


@pytest.fixture
def candidate_id(workable: Workable) -> str:
    return str(workable.sandbox.add_candidate(EMAIL)["id"])


def test_a_wrong_token_is_401_with_rate_headers(workable: Workable) -> None:
    answer = call(workable, "GET", "/custom_attributes", token="nope")
    assert answer.status_code == 401
    assert answer.json() == {"error": "Not authorized"}
    assert all(name in answer.headers for name in RATE_HEADERS)
    assert call(workable, "GET", "/custom_attributes", token="").status_code == 401


def test_every_answer_carries_the_interval(workable: Workable, candidate_id: str) -> None:
    first = call(workable, "GET", "/custom_attributes")
    missing = call(workable, "PATCH", "/candidates/nobody/update_custom_attribute_value", json={})
    assert missing.status_code == 404
    assert missing.json() == {"error": "Not found"}
    assert first.headers["X-Rate-Limit-Limit"] == "100"
    assert first.headers["X-Rate-Limit-Remaining"] == "99"
    assert missing.headers["X-Rate-Limit-Remaining"] == "98"
    assert missing.headers["X-Rate-Limit-Reset"] == first.headers["X-Rate-Limit-Reset"]


def test_a_spent_interval_is_429_with_retry_after(
    workable_factory: Callable[..., Workable],
) -> None:
    workable = workable_factory(rate_limit=2, window_seconds=60)
    assert call(workable, "GET", "/custom_attributes").status_code == 200
    assert call(workable, "GET", "/custom_attributes").headers["X-Rate-Limit-Remaining"] == "0"
    refused = call(workable, "GET", "/custom_attributes")
    assert refused.status_code == 429
    assert refused.json() == {"error": "Rate limit exceeded"}
    assert 59 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert call(workable, "GET", "/custom_attributes", token="other").status_code == 401
    assert workable.sandbox.stats()["rate_limited"] == 1


def test_listing_pages_through_paging_next(workable_factory: Callable[..., Workable]) -> None:
    workable = workable_factory(page_size=2)
    made = [workable.sandbox.add_candidate(f"c{n}@example.com")["id"] for n in range(5)]
    seen: list[str] = []
    answer = call(workable, "GET", "/candidates").json()
    while True:
        seen += [c["id"] for c in answer["candidates"]]
        if "paging" not in answer:
            break
        next_url = answer["paging"]["next"]
        assert next_url.startswith(workable.url)
        answer = requests.get(
            next_url, headers={"Authorization": f"Bearer {workable.token}"}, timeout=5
        ).json()
    assert seen == made


def test_listing_filters_by_email_and_checks_limit(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    workable.sandbox.add_candidate("other@example.com")
    found = call(workable, "GET", "/candidates", params={"email": EMAIL.upper()}).json()
    assert [c["email"] for c in found["candidates"]] == [EMAIL]
    assert call(workable, "GET", "/candidates", params={"limit": "101"}).status_code == 422
    assert call(workable, "GET", "/candidates", params={"since_id": "zzz"}).status_code == 422


def test_definitions_have_the_documented_shape(workable: Workable) -> None:
    items = call(workable, "GET", "/custom_attributes").json()["custom_attributes"]
    level = next(item for item in items if item["id"] == "level")
    assert level["choices"] == [
        {"id": "c-exp", "body": "Expert"},
        {"id": "c-beg", "body": "Beginner"},
    ]
    assert {item["type"] for item in items} == {
        "numeric",
        "boolean",
        "dropdown",
        "date",
        "short_text",
        "free_text",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"custom_attribute_key": "score", "value": 12.5},
        {"custom_attribute_key": "passed", "checked": False},
        {"custom_attribute_key": "level", "value": "c-beg"},
        {"custom_attribute_key": "completed", "value": "2024-02-29"},
        {"custom_attribute_key": "summary", "value": "s" * 128},
        {"custom_attribute_key": "notes", "value": "n" * 5000},
    ],
)
def test_valid_writes_are_stored(
    workable: Workable, candidate_id: str, body: dict[str, t.Any]
) -> None:
    answer = patch(workable, candidate_id, body)
    assert answer.status_code == 200, answer.text
    key = body["custom_attribute_key"]
    value = body.get("value", body.get("checked"))
    assert workable.sandbox.candidate(candidate_id)["custom_attributes"] == {key: value}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"custom_attribute_key": "summary", "value": "s" * 129}, "too long"),
        ({"custom_attribute_key": "score", "value": "12"}, "must be a number"),
        ({"custom_attribute_key": "score", "value": True}, "must be a number"),
        ({"custom_attribute_key": "passed", "value": True}, "exactly"),
        ({"custom_attribute_key": "passed", "checked": "true"}, "true or false"),
        ({"custom_attribute_key": "level", "value": "Expert"}, "choice ids"),
        ({"custom_attribute_key": "completed", "value": "2025-02-30"}, "not a valid date"),
        ({"custom_attribute_key": "completed", "value": "2025-03-04T10:00:00Z"}, "YYYY-MM-DD"),
        ({"custom_attribute_key": "summary", "value": "x", "extra": 1}, "exactly"),
        ({"custom_attribute_key": "summary"}, "exactly"),
        ({"custom_attribute_key": "old", "value": "x"}, "disabled"),
        ({"custom_attribute_key": "nope", "value": "x"}, "not found"),
        ({"value": "x"}, "custom_attribute_key"),
    ],
)
def test_bad_writes_are_422(
    workable: Workable, candidate_id: str, body: dict[str, t.Any], reason: str
) -> None:
    answer = patch(workable, candidate_id, body)
    assert answer.status_code == 422
    assert reason in answer.json()["error"]
    assert workable.sandbox.candidate(candidate_id)["custom_attributes"] == {}


def test_a_non_object_body_is_400(workable: Workable, candidate_id: str) -> None:
    assert patch(workable, candidate_id, ["summary"]).status_code == 400


def test_stats_count_requests_by_endpoint(workable: Workable, candidate_id: str) -> None:
    call(workable, "GET", "/custom_attributes")
    patch(workable, candidate_id, {"custom_attribute_key": "score", "value": 1})
    call(workable, "GET", "/custom_attributes", token="bad")
    stats = workable.sandbox.stats()
    assert stats["requests"] == {"custom_attributes": 2, "update_custom_attribute_value": 1}
    assert stats["unauthorized"] == 1
    assert stats["statuses"] == {"200": 2, "401": 1}


def test_faults_hit_the_api_but_not_the_control_api(workable: Workable) -> None:
    workable.sandbox.set_faults(error_rate=1.0)
    answer = call(workable, "GET", "/custom_attributes")
    assert answer.status_code in (500, 503)
    assert "error" in answer.json()
    assert all(name in answer.headers for name in RATE_HEADERS)
    assert workable.sandbox.stats()["statuses"] == {str(answer.status_code): 1}


def test_reset_forgets_everything(workable: Workable, candidate_id: str) -> None:
    workable.sandbox.reset()
    assert call(workable, "GET", "/custom_attributes").json() == {"custom_attributes": []}
    with pytest.raises(SandboxWorkableError) as caught:
        workable.sandbox.candidate(candidate_id)
    assert caught.value.status == 404


def test_control_refuses_bad_definitions(workable: Workable) -> None:
    with pytest.raises(SandboxWorkableError):
        workable.sandbox.add_attribute("File", "file")
    with pytest.raises(SandboxWorkableError):
        workable.sandbox.add_attribute("Pick", "dropdown")
    with pytest.raises(SandboxWorkableError):
        workable.sandbox.add_attribute("Score", "numeric", id="score")
