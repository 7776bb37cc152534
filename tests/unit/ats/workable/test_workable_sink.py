"""WorkableSink against the strict Workable simulator, over real HTTP."""

from __future__ import annotations

import typing as t

import pytest

from mappings.ats import FieldWrite
from plugin.ats.base import AtsError
from tests.unit.ats.workable.conftest import EMAIL
from tests.unit.ats.workable.conftest import mapped_writes
from tests.unit.ats.workable.conftest import payload

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tests.unit.ats.workable.conftest import Workable


def write(key: str, type_: str, value: t.Any) -> FieldWrite:
    return FieldWrite("workable", "summary", key, type_, value)


def assert_private(error: AtsError, workable: Workable) -> None:
    assert EMAIL not in error.message
    assert workable.token not in error.message
    assert workable.token not in str(error)


def test_writes_every_attribute_type(workable: Workable) -> None:
    candidate = workable.sandbox.add_candidate(EMAIL)
    receipt = workable.sink().deliver(payload(mapped_writes()))
    assert receipt.candidate_id == candidate["id"]
    assert receipt.detail == "6 attributes written"
    stored = workable.sandbox.candidate(candidate["id"])
    assert stored["custom_attributes"] == {
        "score": 82.5,
        "passed": True,
        "level": "c-exp",
        "completed": "2025-03-04",
        "summary": "Java: completed; score 41.25/50; 82.5%; passed; level Expert",
        "notes": "completed",
    }


def test_repeating_a_delivery_sets_the_same_values(workable: Workable) -> None:
    candidate = workable.sandbox.add_candidate(EMAIL)
    sink = workable.sink()
    sink.deliver(payload(mapped_writes()))
    first = workable.sandbox.candidate(candidate["id"])["custom_attributes"]
    sink.deliver(payload(mapped_writes()))
    again = workable.sandbox.candidate(candidate["id"])
    assert again["custom_attributes"] == first
    assert again["writes"] == 12


def test_lookup_ignores_the_case_of_the_email(workable: Workable) -> None:
    candidate = workable.sandbox.add_candidate("Ada.Lovelace@Example.com")
    receipt = workable.sink().deliver(payload((write("score", "numeric", 3),)))
    assert receipt.candidate_id == candidate["id"]
    assert receipt.detail == "1 attribute written"


def test_a_known_candidate_id_skips_the_lookup(workable: Workable) -> None:
    candidate = workable.sandbox.add_candidate("someone.else@example.com")
    writes = (write("score", "numeric", 7),)
    receipt = workable.sink().deliver(payload(writes, candidate_id=candidate["id"]))
    assert receipt.candidate_id == candidate["id"]
    assert "candidates" not in workable.sandbox.stats()["requests"]
    assert workable.sandbox.candidate(candidate["id"])["custom_attributes"] == {"score": 7}


def test_no_candidate_with_the_email_needs_a_person(workable: Workable) -> None:
    workable.sandbox.add_candidate("someone.else@example.com")
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload(mapped_writes()))
    assert not caught.value.retryable
    assert "no candidate with the candidate's e-mail" in caught.value.message
    assert_private(caught.value, workable)
    assert "update_custom_attribute_value" not in workable.sandbox.stats()["requests"]


def test_several_candidates_with_the_email_need_a_person(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    workable.sandbox.add_candidate(EMAIL.upper())
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload(mapped_writes()))
    assert not caught.value.retryable
    assert "several" in caught.value.message
    assert_private(caught.value, workable)


def test_lookup_follows_paging_next(workable_factory: Callable[..., Workable]) -> None:
    workable = workable_factory(page_size=1)
    workable.sandbox.add_candidate(EMAIL)
    workable.sandbox.add_candidate(EMAIL)
    with pytest.raises(AtsError, match="several"):
        workable.sink().deliver(payload(mapped_writes()))
    assert workable.sandbox.stats()["requests"]["candidates"] == 2


def test_a_too_long_short_text_is_refused_for_good(workable: Workable) -> None:
    candidate = workable.sandbox.add_candidate(EMAIL)
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload((write("summary", "short_text", "x" * 129),)))
    assert caught.value.status == 422
    assert not caught.value.retryable
    assert "too long" in caught.value.message
    assert "summary" in caught.value.message
    assert workable.sandbox.candidate(candidate["id"])["custom_attributes"] == {}


def test_a_disabled_attribute_is_refused_for_good(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload((write("old", "short_text", "x"),)))
    assert (caught.value.status, caught.value.retryable) == (422, False)
    assert "disabled" in caught.value.message


def test_writes_for_another_target_are_refused(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    writes = (FieldWrite("greenhouse", "score", "score", "number", 3),)
    with pytest.raises(AtsError, match="greenhouse") as caught:
        workable.sink().deliver(payload(writes))
    assert not caught.value.retryable
    assert workable.sandbox.stats()["requests"] == {}


def test_a_wrong_token_needs_a_person(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    sink = workable.sink(token="wk-not-the-right-token")
    with pytest.raises(AtsError) as caught:
        sink.deliver(payload(mapped_writes()))
    assert (caught.value.status, caught.value.retryable) == (401, False)
    assert "Not authorized" in caught.value.message
    assert "wk-not-the-right-token" not in str(caught.value)
    assert_private(caught.value, workable)


def test_server_errors_are_retryable(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    workable.sandbox.set_faults(error_rate=1.0, retry_after=7)
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload(mapped_writes()))
    assert caught.value.retryable
    assert caught.value.status in (500, 503)
    assert caught.value.retry_after == 7
    assert_private(caught.value, workable)


def test_a_malformed_answer_is_retryable(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    workable.sandbox.set_faults(malformed_rate=1.0)
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload(mapped_writes()))
    assert caught.value.retryable


def test_an_unreachable_account_is_retryable(workable: Workable) -> None:
    sink = workable.sink()
    workable.served.shutdown()
    with pytest.raises(AtsError) as caught:
        sink.deliver(payload(mapped_writes()))
    assert caught.value.retryable
    assert caught.value.status is None
    assert_private(caught.value, workable)


def test_a_429_is_sent_once_more_then_retryable(workable: Workable) -> None:
    workable.sandbox.add_candidate(EMAIL)
    workable.sandbox.set_faults(rate_limit_rate=1.0, retry_after=0)
    with pytest.raises(AtsError) as caught:
        workable.sink().deliver(payload(mapped_writes()))
    assert (caught.value.status, caught.value.retryable) == (429, True)
    assert caught.value.retry_after == 0
    assert workable.sandbox.stats()["rate_limited"] == 2


def test_pacing_waits_for_the_interval_to_reset(
    workable_factory: Callable[..., Workable],
) -> None:
    workable = workable_factory(rate_limit=2, window_seconds=0.3)
    candidate = workable.sandbox.add_candidate(EMAIL)
    receipt = workable.sink().deliver(payload(mapped_writes()[:3]))
    assert receipt.detail == "3 attributes written"
    stats = workable.sandbox.stats()
    assert stats["rate_limited"] == 0
    assert sum(stats["requests"].values()) == 4
    assert len(workable.sandbox.candidate(candidate["id"])["custom_attributes"]) == 3


def test_sinks_of_one_token_share_its_interval(
    workable_factory: Callable[..., Workable],
) -> None:
    workable = workable_factory(rate_limit=2, window_seconds=0.3)
    candidate = workable.sandbox.add_candidate(EMAIL)
    writes = (write("score", "numeric", 1),)
    for _ in range(3):
        workable.sink().deliver(payload(writes, candidate_id=candidate["id"]))
    assert workable.sandbox.stats()["rate_limited"] == 0


def test_a_far_reset_gives_a_retryable_error_without_sending(
    workable_factory: Callable[..., Workable],
) -> None:
    workable = workable_factory(rate_limit=2, window_seconds=60)
    workable.sandbox.add_candidate(EMAIL)
    with pytest.raises(AtsError) as caught:
        workable.sink(max_wait_seconds="1").deliver(payload(mapped_writes()))
    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert 1 < caught.value.retry_after <= 61  # the header is in whole seconds
    stats = workable.sandbox.stats()
    assert stats["rate_limited"] == 0
    assert sum(stats["requests"].values()) == 2


def test_list_fields_reads_the_definitions(workable: Workable) -> None:
    fields = {field.key: field for field in workable.sink().list_fields()}
    assert set(fields) == {"score", "passed", "level", "completed", "summary", "notes", "old"}
    assert fields["level"].type == "dropdown"
    assert fields["level"].options == (("c-exp", "Expert"), ("c-beg", "Beginner"))
    assert fields["score"].label == "Score"
    assert fields["score"].options == ()
    assert fields["old"].active is False
    assert fields["summary"].active is True


def test_check_connection_counts_attributes(workable: Workable) -> None:
    assert workable.sink().check_connection() == "token OK; 7 custom attributes"


def test_check_connection_with_a_wrong_token_fails(workable: Workable) -> None:
    with pytest.raises(AtsError) as caught:
        workable.sink(token="wk-wrong-token-here").check_connection()
    assert caught.value.status == 401
    assert "wk-wrong-token-here" not in str(caught.value)
