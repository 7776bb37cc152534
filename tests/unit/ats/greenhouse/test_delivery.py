"""Greenhouse deliveries against the simulator over real HTTP: lookup, writes, notes."""

from __future__ import annotations

import typing as t

import pytest

from mappings.ats import FieldWrite
from plugin.ats.base import AtsError
from tests.unit.ats.greenhouse.helpers import EMAIL
from tests.unit.ats.greenhouse.helpers import USER_ID
from tests.unit.ats.greenhouse.helpers import payload
from tests.unit.ats.greenhouse.helpers import standard_fields
from tests.unit.ats.greenhouse.helpers import standard_writes
from tests.unit.ats.greenhouse.helpers import write

if t.TYPE_CHECKING:
    from plugin.ats.greenhouse import GreenhouseSink
    from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
    from tests.unit.ats.greenhouse.conftest import MakeSim
    from tests.unit.ats.greenhouse.conftest import MakeSink


class TestWrites:
    def test_writes_every_mapped_field_found_by_email(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        standard_fields(sim)
        candidate_id = sim.add_candidate(EMAIL)
        sim.add_candidate("someone.else@example.org")

        receipt = sink.deliver(payload(*standard_writes()))

        assert receipt.candidate_id == str(candidate_id)
        assert receipt.detail == "5 fields written"
        stored = sim.candidate(candidate_id)
        assert stored["custom_fields"] == {
            "assessment_score": 81.5,
            "assessment_passed": True,
            "assessment_report": "https://reports.example.org/r/1",
            "assessment_date": "2025-03-04",
            "assessment_status": "Completed",
        }
        assert stored["notes"] == []

    def test_known_candidate_id_skips_the_lookup(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        field = sim.add_field("Score", "number", name_key="score")
        candidate_id = sim.add_candidate("other@example.org")

        receipt = sink.deliver(
            payload(write(field["id"], 42), email=EMAIL, candidate_id=str(candidate_id))
        )

        assert receipt.candidate_id == str(candidate_id)
        assert sim.candidate(candidate_id)["custom_fields"] == {"score": 42}
        assert "GET /v3/candidates" not in sim.stats()["requests"]

    def test_clear_deletes_the_value(self, sim: SandboxGreenhouse, sink: GreenhouseSink) -> None:
        sim.add_field("Score", "number", name_key="score")
        candidate_id = sim.add_candidate(EMAIL)
        sink.deliver(payload(write("score", 50)))

        sink.deliver(
            payload(FieldWrite("greenhouse", "score", "score", "number", None, clear=True))
        )

        assert sim.candidate(candidate_id)["custom_fields"] == {}

    def test_redelivery_is_harmless(self, sim: SandboxGreenhouse, sink: GreenhouseSink) -> None:
        standard_fields(sim)
        candidate_id = sim.add_candidate(EMAIL)
        first = sink.deliver(payload(*standard_writes()))
        again = sink.deliver(payload(*standard_writes()))

        assert first == again
        assert sim.candidate(candidate_id)["custom_fields"]["assessment_score"] == 81.5
        assert sim.candidate(candidate_id)["notes"] == []

    def test_definitions_are_read_once_for_several_deliveries(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        standard_fields(sim)
        sim.add_candidate(EMAIL)
        for _ in range(3):
            sink.deliver(payload(*standard_writes()))

        requests = sim.stats()["requests"]
        assert requests["GET /v3/custom_fields"] == 1
        assert requests["PATCH /v3/candidates/<int:candidate_id>"] == 3


class TestLookup:
    def test_no_candidate_with_the_email(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        sim.add_candidate("other@example.org")

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1)))

        assert not caught.value.retryable
        assert caught.value.message == "no Greenhouse candidate has the candidate's e-mail"
        assert EMAIL not in str(caught.value)

    def test_two_candidates_with_the_email(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        first = sim.add_candidate(EMAIL)
        second = sim.add_candidate("ADA@example.org", "ada.work@example.org")

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1)))

        assert not caught.value.retryable
        assert "several Greenhouse candidates" in caught.value.message
        assert f"(ids {first}, {second})" in caught.value.message
        assert EMAIL not in str(caught.value).lower()

    def test_job_id_keeps_only_candidates_applying_to_the_job(
        self, sim: SandboxGreenhouse, make_sink: MakeSink
    ) -> None:
        sim.add_field("Score", "number", name_key="score")
        sim.add_candidate(EMAIL, job_ids=[11])
        applicant = sim.add_candidate(EMAIL, job_ids=[22, 33])

        receipt = make_sink(sim, job_id="33").deliver(payload(write("score", 9)))

        assert receipt.candidate_id == str(applicant)
        with pytest.raises(AtsError, match="and an application on job 44"):
            make_sink(sim, job_id="44").deliver(payload(write("score", 9)))

    def test_lookup_follows_the_next_links(self, make_sim: MakeSim, make_sink: MakeSink) -> None:
        sim = make_sim(page_size=2)
        ids = [sim.add_candidate(EMAIL) for _ in range(5)]

        with pytest.raises(AtsError) as caught:
            make_sink(sim).deliver(payload(write("score", 1)))

        assert f"(ids {', '.join(map(str, ids))})" in caught.value.message
        assert sim.stats()["requests"]["GET /v3/candidates"] == 3

    def test_candidate_id_must_be_a_number(self, sink: GreenhouseSink) -> None:
        with pytest.raises(AtsError, match="not a Greenhouse candidate id") as caught:
            sink.deliver(payload(write("score", 1), candidate_id="abc"))
        assert not caught.value.retryable

    def test_unknown_candidate_id_is_not_retryable(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        sim.add_field("Score", "number", name_key="score")

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", 1), candidate_id="999"))

        assert (caught.value.status, caught.value.retryable) == (404, False)


class TestNoteFallback:
    def test_missing_and_inactive_fields_go_into_one_note(
        self, sim: SandboxGreenhouse, make_sink: MakeSink
    ) -> None:
        sim.add_field("Score", "number", name_key="score")
        gone = sim.add_field("Level", "short_text", name_key="level")
        sim.delete_field(gone["id"])
        candidate_id = sim.add_candidate(EMAIL)
        sink = make_sink(sim, note_visibility="private")

        receipt = sink.deliver(
            payload(
                write("score", 81.5),
                write("level", "B2", "short_text", field="level"),
                write("assessment_passed", True, "yes_no", field="passed"),
            )
        )

        assert receipt.detail == (
            "1 field written, 2 as a note "
            "(field level is inactive, field assessment_passed is missing)"
        )
        stored = sim.candidate(candidate_id)
        assert stored["custom_fields"] == {"score": 81.5}
        [note] = stored["notes"]
        assert note["body"] == "Assessment result: Level: B2\nAssessment result: Passed: yes"
        assert (note["user_id"], note["visibility"]) == (USER_ID, "private")

    def test_only_a_note_when_no_field_exists(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        candidate_id = sim.add_candidate(EMAIL)

        receipt = sink.deliver(payload(write("score", 70)))

        assert receipt.detail == "0 fields written, 1 as a note (field score is missing)"
        assert "PATCH /v3/candidates/<int:candidate_id>" not in sim.stats()["requests"]
        [note] = sim.candidate(candidate_id)["notes"]
        assert note["body"] == "Assessment result: Score: 70"

    def test_field_deleted_after_caching_moves_to_the_note_on_422(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        sim.add_field("Score", "number", name_key="score")
        level = sim.add_field("Level", "short_text", name_key="level")
        candidate_id = sim.add_candidate(EMAIL)
        sink.deliver(payload(write("score", 1)))  # caches the definitions
        sim.delete_field(level["id"])

        receipt = sink.deliver(
            payload(write("score", 64), write("level", "C1", "short_text", field="level"))
        )

        assert receipt.detail == "1 field written, 1 as a note (field level is inactive)"
        stored = sim.candidate(candidate_id)
        assert stored["custom_fields"] == {"score": 64}
        assert [n["body"] for n in stored["notes"]] == ["Assessment result: Level: C1"]
        requests = sim.stats()["requests"]
        assert requests["GET /v3/custom_fields"] == 2
        assert requests["PATCH /v3/candidates/<int:candidate_id>"] == 3

    def test_bad_value_of_an_existing_field_is_not_retryable(
        self, sim: SandboxGreenhouse, sink: GreenhouseSink
    ) -> None:
        sim.add_field("Score", "number", name_key="score")
        candidate_id = sim.add_candidate(EMAIL)

        with pytest.raises(AtsError) as caught:
            sink.deliver(payload(write("score", "81")))  # a numeric string

        error = caught.value
        assert (error.status, error.retryable) == (422, False)
        assert "Validation error; score: must be a number" in error.message
        stored = sim.candidate(candidate_id)
        assert (stored["custom_fields"], stored["notes"]) == ({}, [])
        assert sim.stats()["requests"]["PATCH /v3/candidates/<int:candidate_id>"] == 1


class TestFieldsAndConnection:
    def test_list_fields_follows_paging_and_keeps_inactive(
        self, make_sim: MakeSim, make_sink: MakeSink
    ) -> None:
        sim = make_sim(page_size=2)
        fields = standard_fields(sim)
        sim.delete_field(fields["assessment_date"]["id"])

        listed = make_sink(sim).list_fields()

        assert [f.key for f in listed] == list(fields)
        assert [f.key for f in listed if not f.active] == ["assessment_date"]
        status = next(f for f in listed if f.key == "assessment_status")
        assert (status.label, status.type) == ("Assessment status", "single_select")
        assert [name for _, name in status.options] == ["Completed", "Expired"]
        assert sim.stats()["requests"]["GET /v3/custom_fields"] == 3

    def test_check_connection(self, sim: SandboxGreenhouse, sink: GreenhouseSink) -> None:
        fields = standard_fields(sim)
        sim.delete_field(fields["assessment_date"]["id"])

        assert sink.check_connection() == (
            "token OK; 4 candidate fields; rate limit 50 requests per window"
        )
