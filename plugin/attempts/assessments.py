"""Assessments: a vendor test offered through the tool (deep linking creates them later;
for now ``assessment-bridge assessment add``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from mappings.ags import ScorePolicy
from plugin.errors import AppError
from plugin.store.models import Assessment
from plugin.store.models import VendorConnection


class AssessmentError(AppError):
    """An assessment cannot be created or found; the message says why."""


@dataclasses.dataclass(frozen=True)
class AssessmentInfo:
    id: int
    title: str
    connection: str
    kind: str
    test_id: str
    proctoring_connection: str | None
    proctoring_exam_id: str | None
    score_policy: dict[str, t.Any]
    create_line_item: bool
    created_at: dt.datetime


class AssessmentService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(
        self,
        *,
        connection: str,
        test_id: str,
        title: str = "",
        proctoring: str | None = None,
        policy: t.Mapping[str, t.Any] | None = None,
        create_line_item: bool = False,
    ) -> AssessmentInfo:
        """Create an assessment; ``proctoring`` is ``CONNECTION:EXAM_ID`` of a ProctorExam one.

        :param policy: :class:`mappings.ags.ScorePolicy` fields (how results become grades).
        :param create_line_item: whether results of a placement whose launch names no line
            item may go to a gradebook column the tool finds or creates (by default they
            are shown to the learner and sent to no gradebook).
        :raises AssessmentError: unknown connection, wrong kinds, empty test id, bad policy.
        """
        policy_json = _policy_json(policy or {})
        if not test_id.strip():
            raise AssessmentError("the test id cannot be empty")
        with self._sessions.begin() as session:
            main = _connection(session, connection)
            if main.kind == "proctorexam":
                raise AssessmentError(
                    "ProctorExam is a proctoring layer;"
                    " name it with --proctoring beside the main vendor"
                )
            row = Assessment(
                connection_id=main.id,
                test_id=test_id,
                title=title,
                score_policy_json=policy_json,
                create_line_item=create_line_item,
            )
            if proctoring:
                name, _, exam_id = proctoring.partition(":")
                proctor = _connection(session, name)
                if proctor.kind != "proctorexam" or not exam_id:
                    raise AssessmentError("--proctoring takes PROCTOREXAM_CONNECTION:EXAM_ID")
                row.proctoring_connection_id, row.proctoring_exam_id = proctor.id, exam_id
            session.add(row)
            session.flush()
            assessment_id = row.id
        return self.get(assessment_id)

    def get(self, assessment_id: int) -> AssessmentInfo:
        with self._sessions() as session:
            row = session.get(Assessment, assessment_id)
            if row is None:
                raise AssessmentError(f"no assessment with id {assessment_id}")
            return _info(session, row)

    def list(self) -> list[AssessmentInfo]:
        with self._sessions() as session:
            rows = session.scalars(select(Assessment).order_by(Assessment.id))
            return [_info(session, row) for row in rows]


def _policy_json(values: t.Mapping[str, t.Any]) -> str | None:
    """The policy as stored, after :class:`ScorePolicy` has accepted it."""
    if not values:
        return None
    given = dict(values)
    if given.get("max_points") is not None:
        try:
            given["max_points"] = decimal.Decimal(str(given["max_points"]))
        except decimal.InvalidOperation:
            raise AssessmentError("score policy: max_points must be a number") from None
    try:
        ScorePolicy(**given)
    except (TypeError, ValueError) as exc:
        raise AssessmentError(f"score policy: {exc}") from exc
    stored = {k: (str(v) if isinstance(v, decimal.Decimal) else v) for k, v in given.items()}
    return json.dumps(stored, sort_keys=True)


def _connection(session: Session, name: str) -> VendorConnection:
    row = session.scalar(select(VendorConnection).where(VendorConnection.name == name))
    if row is None:
        raise AssessmentError(f"no vendor connection named {name!r}")
    return row


def _info(session: Session, row: Assessment) -> AssessmentInfo:
    main = session.get(VendorConnection, row.connection_id)
    proctor = (
        session.get(VendorConnection, row.proctoring_connection_id)
        if row.proctoring_connection_id
        else None
    )
    assert main is not None
    return AssessmentInfo(
        id=row.id,
        title=row.title,
        connection=main.name,
        kind=main.kind,
        test_id=row.test_id,
        proctoring_connection=proctor.name if proctor else None,
        proctoring_exam_id=row.proctoring_exam_id,
        score_policy=json.loads(row.score_policy_json) if row.score_policy_json else {},
        create_line_item=row.create_line_item,
        created_at=row.created_at,
    )
