from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import ValidationError

from mappings import startexam
from mappings.proctorexam import load_result
from mappings.proctorexam import load_sessions
from mappings.proctorexam import merge_proctoring
from mappings.result import AssessmentResult
from mappings.result import Incident
from mappings.result import Learner
from mappings.result import Proctoring
from mappings.result import ProctoringStatus
from mappings.result import ResultStatus
from tests.unit.mappings.helpers import sample

UTC = dt.UTC


def session() -> dict:
    return sample("proctorexam_student_sessions")["students"][0]


def errors_of(raw: object) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_result(raw)  # type: ignore[arg-type]
    return caught.value.messages  # type: ignore[return-value]


def test_student_session_maps_to_a_proctoring_result() -> None:
    (result,) = load_sessions(sample("proctorexam_student_sessions"))
    started = dt.datetime(2018, 11, 17, 16, 9, 39, 373_000, tzinfo=UTC)
    finished = dt.datetime(2018, 11, 17, 16, 10, 19, 477_000, tzinfo=UTC)
    assert result == AssessmentResult(
        vendor="proctorexam",
        attempt_ref="1",
        status=ResultStatus.COMPLETED,
        test_ref="1",
        started_at=started,
        finished_at=finished,
        duration=finished - started,
        proctoring=Proctoring(
            source="proctorexam",
            status=ProctoringStatus.REVIEWED,
            incidents_count=1,
            incidents=(Incident("1", "comment", finished, dt.timedelta(0)),),
        ),
        learner=Learner(email="student1@example.com", name="Student 1"),
    )


def test_single_session_shapes() -> None:
    expected = load_sessions(sample("proctorexam_student_sessions"))[0]
    assert load_result(sample("proctorexam_student_sessions")) == expected
    assert load_result({"student": session()}) == expected
    assert load_result(session()) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("registered", ResultStatus.NOT_STARTED),
        ("before_check_req_mail", ResultStatus.NOT_STARTED),
        ("email_bounced", ResultStatus.NOT_STARTED),
        ("email_sent", ResultStatus.NOT_STARTED),
        ("after_check_req_mail", ResultStatus.NOT_STARTED),
        ("before_check_req", ResultStatus.NOT_STARTED),
        ("after_check_req", ResultStatus.NOT_STARTED),
        ("in_setup", ResultStatus.NOT_STARTED),
        ("exam_not_started", ResultStatus.NOT_STARTED),
        ("exam_started", ResultStatus.IN_PROGRESS),
        ("exam_finished", ResultStatus.COMPLETED),
    ],
)
def test_session_statuses(status: str, expected: ResultStatus) -> None:
    assert load_result({**session(), "status": status}).status is expected


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ("10", ProctoringStatus.REVIEWED),
        ("11", ProctoringStatus.REVIEWED),
        ("00", ProctoringStatus.PENDING),
        ("01", ProctoringStatus.PENDING),
        (None, ProctoringStatus.PENDING),
    ],
)
def test_review_flags(flags: str | None, status: ProctoringStatus) -> None:
    proctoring = load_result({**session(), "reviewed": flags}).proctoring
    assert proctoring is not None
    assert proctoring.status is status


def test_incident_count_falls_back_to_the_listed_incidents() -> None:
    raw = {key: value for key, value in session().items() if key != "incidents_count"}
    raw["incidents"] = raw["incidents"] * 3
    proctoring = load_result(raw).proctoring
    assert proctoring is not None
    assert proctoring.incidents_count == 3
    assert load_result({**session(), "incidents_count": 7}).proctoring.incidents_count == 7  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"reviewed": "yes"}, "reviewed"),
        ({"status": "archived"}, "status"),
        ({"status": None}, "status"),
        ({"end_time": "2018-11-17T17:00:00.000+01:00"}, "end_time"),
        ({"incidents": [{"created_at": "noon"}]}, "incidents"),
        ({"id": {"a": 1}}, "id"),
    ],
)
def test_invalid_sessions_name_the_field(change: dict, path: str) -> None:
    assert path in errors_of({**session(), **change})


def test_merge_replaces_the_vendor_proctoring_and_changes_the_digest() -> None:
    graded = startexam.load_result(sample("startexam_session_finished"))
    review = load_result(session()).proctoring
    assert review is not None

    merged = merge_proctoring(graded, review)

    assert merged.proctoring == review
    assert merged.score == graded.score
    assert merged.digest != graded.digest
    assert graded.proctoring is not None
    assert graded.proctoring.source == "startexam"
