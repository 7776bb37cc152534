"""Assessments: a vendor test offered through the tool (deep linking creates them later;
for now ``assessment-bridge assessment add``), and the platforms each one is offered to.

An assessment with no platform rows is open to every registered platform, the admin's
explicit choice; one with rows launches only from a platform one of them admits
(:meth:`Tenant.admits`), so one school's course cannot open another school's assessment.
"""

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
from plugin.attempts.start import AttemptError
from plugin.errors import AppError
from plugin.registrations.launches import LaunchSummary
from plugin.store.models import Assessment
from plugin.store.models import AssessmentPlatform
from plugin.store.models import Deployment
from plugin.store.models import Platform
from plugin.store.models import VendorConnection
from plugin.vendors.errors import VendorError

NOT_OFFERED = "This assessment is not offered to this course's platform."
#: The largest id the store's INTEGER key holds (PostgreSQL's is 32-bit).
_MAX_ID = 2**31 - 1


#: Points a vendor test at a connection's notification and exit URLs: (connection id,
#: test id) -> what was set, or None when the vendor has no API for it
#: (:meth:`plugin.vendors.connections.VendorConnectionService.configure_test`).
ConfigureTest = t.Callable[[int, str], "tuple[str, ...] | None"]


class AssessmentError(AppError):
    """An assessment cannot be created or found; the message says why."""


class VendorSetupError(AssessmentError):
    """The vendor refused or failed to configure its test; the message says why."""


@dataclasses.dataclass(frozen=True)
class Tenant:
    """A platform an assessment is offered to: an issuer (every client id of it), or one
    client id, or one deployment."""

    issuer: str
    client_id: str | None = None
    deployment_id: str | None = None

    def admits(self, issuer: str, client_id: str, deployment_id: str) -> bool:
        """Whether a launch from ``issuer``, ``client_id`` and ``deployment_id`` is ours."""
        return (
            self.issuer == issuer
            and self.client_id in (None, client_id)
            and self.deployment_id in (None, deployment_id)
        )

    def label(self) -> str:
        """``issuer``, with ``[client id C, deployment D]`` when narrowed."""
        narrowed = [
            f"{name} {value}"
            for name, value in (("client id", self.client_id), ("deployment", self.deployment_id))
            if value is not None
        ]
        return f"{self.issuer} [{', '.join(narrowed)}]" if narrowed else self.issuer


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
    #: Who may launch it; empty: every registered platform.
    platforms: tuple[Tenant, ...] = ()
    #: What ``add`` or ``configure`` just set at the vendor, one line each; None when
    #: nothing was (not asked, or the vendor has no API for it, or a listing).
    vendor_setup: tuple[str, ...] | None = None


class AssessmentService:
    """:param configure_test: sets a vendor test's URLs (see :data:`ConfigureTest`)."""

    def __init__(self, sessions: sessionmaker[Session], configure_test: ConfigureTest) -> None:
        self._sessions = sessions
        self._configure_test = configure_test

    def add(
        self,
        *,
        connection: str,
        test_id: str,
        title: str = "",
        proctoring: str | None = None,
        policy: t.Mapping[str, t.Any] | None = None,
        create_line_item: bool = False,
        platforms: t.Iterable[str] = (),
        configure_vendor: bool = False,
    ) -> AssessmentInfo:
        """Create an assessment; ``proctoring`` is ``CONNECTION:EXAM_ID`` of a ProctorExam one.

        :param policy: :class:`mappings.ags.ScorePolicy` fields (how results become grades).
        :param create_line_item: whether results of a placement whose launch names no line
            item may go to a gradebook column the tool finds or creates (by default they
            are shown to the learner and sent to no gradebook).
        :param platforms: the issuers (every client id of each) that may launch it; none:
            every registered platform.
        :param configure_vendor: point the vendor's test at the tool first, where the
            vendor has an API for it. Every other check runs before the vendor is called
            (a dry run of the insert), and a vendor refusal stores nothing: the command
            can simply be run again. The vendor call is made outside any transaction.
        :raises AssessmentError: unknown connection, wrong kinds, empty test id, bad policy,
            an issuer that is not a registered platform.
        :raises VendorSetupError: the vendor refused or failed to configure the test.
        """
        new = _NewAssessment(
            connection=connection,
            test_id=test_id,
            title=title,
            proctoring=proctoring,
            policy_json=_policy_json(policy or {}),
            create_line_item=create_line_item,
            platforms=tuple(dict.fromkeys(platforms)),
        )
        if not test_id.strip():
            raise AssessmentError("the test id cannot be empty")
        setup = None
        if configure_vendor:
            with self._sessions() as session:
                connection_id = new.insert(session).connection_id
                session.rollback()
            setup = self._configured(connection_id, test_id)
        with self._sessions.begin() as session:
            assessment_id = new.insert(session).id
        return dataclasses.replace(self.get(assessment_id), vendor_setup=setup)

    def configure(self, assessment_id: int) -> AssessmentInfo:
        """Point the vendor test of an assessment at the tool (again): after
        ``configure_vendor=False``, a change of base URL, or by hand at the vendor.

        :raises AssessmentError: unknown assessment, or a vendor without such an API.
        :raises VendorSetupError: the vendor refused or failed.
        """
        with self._sessions() as session:
            row = _require_assessment(session, assessment_id)
            connection_id, test_id = row.connection_id, row.test_id
        setup = self._configured(connection_id, test_id)
        info = self.get(assessment_id)
        if setup is None:
            raise AssessmentError(
                f"{info.kind} has no API to configure its tests;"
                f" set the URLs `vendor show {info.connection}` prints by hand"
            )
        return dataclasses.replace(info, vendor_setup=setup)

    def _configured(self, connection_id: int, test_id: str) -> tuple[str, ...] | None:
        try:
            return self._configure_test(connection_id, test_id)
        except VendorError as exc:
            raise VendorSetupError(f"the vendor did not configure test {test_id!r}: {exc}") from exc

    def assign(
        self,
        assessment_id: int,
        issuer: str,
        client_id: str | None = None,
        deployment_id: str | None = None,
    ) -> AssessmentInfo:
        """Offer the assessment to a platform: the issuer's every client id, or one client
        id, or one deployment (deep linking records the placing platform so).  The first
        platform closes an assessment that was open to every one; assigning one again
        changes nothing.

        :raises AssessmentError: unknown assessment, an issuer, client id or deployment
            that is not registered.
        """
        tenant = Tenant(issuer, client_id or None, deployment_id or None)
        with self._sessions.begin() as session:
            _require_assessment(session, assessment_id)
            _require_registered(session, tenant)
            if tenant not in _tenants(session, assessment_id):
                session.add(
                    AssessmentPlatform(
                        assessment_id=assessment_id,
                        issuer=tenant.issuer,
                        client_id=tenant.client_id,
                        deployment_id=tenant.deployment_id,
                    )
                )
        return self.get(assessment_id)

    def unassign(
        self,
        assessment_id: int,
        issuer: str,
        client_id: str | None = None,
        deployment_id: str | None = None,
        *,
        open_to_every_platform: bool = False,
    ) -> AssessmentInfo:
        """Stop offering the assessment to a platform row given exactly as it was assigned.

        :param open_to_every_platform: must be set to remove the last row, which leaves the
            assessment open to every registered platform.
        :raises AssessmentError: unknown assessment, no such row, or the last row without
            ``open_to_every_platform``.
        """
        tenant = Tenant(issuer, client_id or None, deployment_id or None)
        with self._sessions.begin() as session:
            _require_assessment(session, assessment_id)
            rows = list(
                session.scalars(
                    select(AssessmentPlatform).where(
                        AssessmentPlatform.assessment_id == assessment_id
                    )
                )
            )
            matching = [row for row in rows if _tenant(row) == tenant]
            if not matching:
                raise AssessmentError(
                    f"assessment {assessment_id} is not offered to {tenant.label()};"
                    f" see `assessment-bridge assessment show {assessment_id}`"
                )
            if len(matching) == len(rows) and not open_to_every_platform:
                raise AssessmentError(
                    f"{tenant.label()} is the last platform of assessment {assessment_id};"
                    " without it the assessment is open to every registered platform:"
                    " pass --open-to-every-platform if that is meant"
                )
            for row in matching:
                session.delete(row)
        return self.get(assessment_id)

    def offered_to(
        self, assessment_id: int, issuer: str, client_id: str, deployment_id: str
    ) -> bool:
        """Whether a launch from ``issuer``, ``client_id`` and ``deployment_id`` may open the
        assessment: it has no platform rows, or one of them admits the launch.

        :raises AssessmentError: unknown assessment.
        """
        with self._sessions() as session:
            _require_assessment(session, assessment_id)
            tenants = _tenants(session, assessment_id)
        return _admitted(tenants, issuer, client_id, deployment_id)

    def check_launch(self, launch: LaunchSummary) -> None:
        """Refuse a launch naming an assessment that is not offered to its platform, before
        anything of the launch is stored.  A launch naming no assessment, or one that does
        not exist, is left to the attempt service to answer.

        :raises AttemptError: (HTTP 403) the assessment is not offered to the platform.
        """
        assessment_id = _assessment_id(launch.custom.get("assessment", ""))
        if assessment_id is None:
            return
        platform = launch.platform
        with self._sessions() as session:
            if session.get(Assessment, assessment_id) is None:
                return
            tenants = _tenants(session, assessment_id)
        if not _admitted(tenants, platform.issuer, platform.client_id, launch.deployment_id):
            raise AttemptError(
                NOT_OFFERED,
                admin_hint=(
                    f"The launch came from {platform.issuer} (client id {platform.client_id},"
                    f" deployment {launch.deployment_id or '-'}). See which platforms may"
                    f" launch assessment {assessment_id} with `assessment-bridge assessment"
                    f" show {assessment_id}`; to offer it to this one too, run"
                    f" `assessment-bridge assessment platform add {assessment_id}"
                    f" --platform {platform.issuer}`."
                ),
                status=403,
            )

    def get(self, assessment_id: int) -> AssessmentInfo:
        with self._sessions() as session:
            return _info(session, _require_assessment(session, assessment_id))

    def list(self) -> list[AssessmentInfo]:
        with self._sessions() as session:
            rows = session.scalars(select(Assessment).order_by(Assessment.id))
            return [_info(session, row) for row in rows]


@dataclasses.dataclass(frozen=True)
class _NewAssessment:
    """What ``add`` was given, checked and inserted in one session."""

    connection: str
    test_id: str
    title: str
    proctoring: str | None
    policy_json: str | None
    create_line_item: bool
    platforms: tuple[str, ...]

    def insert(self, session: Session) -> Assessment:
        """Check everything and add the rows (flushed, not committed).

        :raises AssessmentError: see :meth:`AssessmentService.add`.
        """
        main = _connection(session, self.connection)
        if main.kind == "proctorexam":
            raise AssessmentError(
                "ProctorExam is a proctoring layer;"
                " name it with --proctoring beside the main vendor"
            )
        row = Assessment(
            connection_id=main.id,
            test_id=self.test_id,
            title=self.title,
            score_policy_json=self.policy_json,
            create_line_item=self.create_line_item,
        )
        if self.proctoring:
            name, _, exam_id = self.proctoring.partition(":")
            proctor = _connection(session, name)
            if proctor.kind != "proctorexam" or not exam_id:
                raise AssessmentError("--proctoring takes PROCTOREXAM_CONNECTION:EXAM_ID")
            row.proctoring_connection_id, row.proctoring_exam_id = proctor.id, exam_id
        session.add(row)
        session.flush()
        for issuer in self.platforms:
            _require_registered(session, Tenant(issuer))
            session.add(AssessmentPlatform(assessment_id=row.id, issuer=issuer))
        session.flush()
        return row


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


def _assessment_id(text: str) -> int | None:
    """The id a launch's ``assessment`` custom parameter names, or None when it names none
    the store could hold (``"²"`` is a digit to :meth:`str.isdigit`, not to :func:`int`)."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= _MAX_ID else None


def _require_assessment(session: Session, assessment_id: int) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise AssessmentError(f"no assessment with id {assessment_id}")
    return row


def _require_registered(session: Session, tenant: Tenant) -> None:
    """Refuse a tenant naming an issuer, client id or deployment the tool does not know:
    a typo would otherwise close the assessment to everyone."""
    query = select(Platform.id).where(Platform.issuer == tenant.issuer)
    if not session.scalars(query).first():
        raise AssessmentError(
            f"no platform registered with issuer {tenant.issuer!r};"
            " see `assessment-bridge platform list`"
        )
    if tenant.client_id is not None:
        query = query.where(Platform.client_id == tenant.client_id)
        if not session.scalars(query).first():
            raise AssessmentError(
                f"issuer {tenant.issuer!r} has no client id {tenant.client_id!r};"
                " see `assessment-bridge platform list`"
            )
    if tenant.deployment_id is not None:
        deployments = select(Deployment.id).where(
            Deployment.platform_id.in_(query), Deployment.deployment_id == tenant.deployment_id
        )
        if not session.scalars(deployments).first():
            raise AssessmentError(
                f"{tenant.label()} is not a recorded deployment;"
                f" see `assessment-bridge platform show --issuer {tenant.issuer}`"
            )


def _admitted(tenants: t.Sequence[Tenant], issuer: str, client_id: str, deployment_id: str) -> bool:
    """The tenant rule: no rows admit every platform, else one row must admit the launch."""
    return not tenants or any(tenant.admits(issuer, client_id, deployment_id) for tenant in tenants)


def _tenant(row: AssessmentPlatform) -> Tenant:
    return Tenant(row.issuer, row.client_id, row.deployment_id)


def _tenants(session: Session, assessment_id: int) -> tuple[Tenant, ...]:
    rows = session.scalars(
        select(AssessmentPlatform)
        .where(AssessmentPlatform.assessment_id == assessment_id)
        .order_by(AssessmentPlatform.id)
    )
    return tuple(_tenant(row) for row in rows)


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
        platforms=_tenants(session, row.id),
    )
