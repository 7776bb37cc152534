"""Small fakes of the vendor side and the job queue, for unit tests of the services.

Only what talks to the outside world is faked: the vendor adapter (scripted results,
errors and pages), the vendor connection service that hands adapters out, and the job
queue.  The store, the outbox, the planner and the secret box are the real ones.  Each
fake keeps its real counterpart's contract:

- :class:`FakeVendorAdapter` implements :class:`plugin.vendors.base.VendorAdapter`:
  a start is idempotent per attempt token, an unknown reference is a
  :class:`NotFoundError`, a bad signal a :class:`SignalRejectedError`;
- :class:`FakeVendorConnections` answers like
  :class:`plugin.vendors.connections.VendorConnectionService`: the callback secret and
  kind are the stored connection's, an unknown connection is a
  :class:`VendorConnectionError`;
- :class:`RecordingJobQueue` implements :class:`plugin.jobs.queue.JobQueue` and fails
  any wake-up for a delivery that is not committed yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import typing as t

from sqlalchemy import select

from plugin.runtime.crypto import SecretBox
from plugin.runtime.tokens import token_digest
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import Delivery
from plugin.store.models import VendorConnection
from plugin.store.models import utcnow
from plugin.vendors.base import ActionOutcome
from plugin.vendors.base import AdminAction
from plugin.vendors.base import ChangesPage
from plugin.vendors.base import CompletionSignal
from plugin.vendors.base import ConnectionReport
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import RawResult
from plugin.vendors.base import SignalKind
from plugin.vendors.base import StartedAttempt
from plugin.vendors.base import StartRequest
from plugin.vendors.base import VendorTest
from plugin.vendors.connections import VendorConnectionError
from plugin.vendors.errors import CursorError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.errors import VendorError
from plugin.vendors.errors import VendorRefusedError

if t.TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

    from plugin.vendors.base import VendorAdapter

T = t.TypeVar("T")
#: The header a signal must carry, with the adapter's secret, to count as authenticated.
SIGNATURE_HEADER = "X-Fake-Signature"


class _Script(t.Generic[T]):
    """Outcomes handed out in turn; the last one is repeated, as a vendor repeats itself."""

    def __init__(self, outcomes: t.Sequence[T | VendorError]) -> None:
        if not outcomes:
            raise ValueError("script at least one outcome")
        self._outcomes = list(outcomes)

    def next(self) -> T:
        outcome = self._outcomes.pop(0) if len(self._outcomes) > 1 else self._outcomes[0]
        if isinstance(outcome, VendorError):
            raise outcome
        return outcome


class FakeVendorAdapter:
    """A vendor adapter whose vendor is a script.

    Results are scripted per vendor reference (payloads, or errors to raise), pages per
    cursor; every call is recorded.  Signals are JSON bodies
    ``{"kind", "vendor_ref", "attempt_token", "status"}``, authenticated when the
    :data:`SIGNATURE_HEADER` carries :attr:`secret`.
    """

    kind: t.ClassVar[str] = "mettl"
    supported_actions: t.ClassVar[frozenset[AdminAction]] = frozenset()

    def __init__(
        self, *, secret: str = "fake-signing-secret", embed: bool = False, refs: str = ""
    ) -> None:
        self.secret = secret
        #: Prefix of the vendor references a start hands out (default: the kind).
        self.refs = refs or self.kind
        #: Start attempts in an embedded player instead of sending the browser away.
        self.embed = embed
        self._results: dict[str, _Script[dict[str, t.Any]]] = {}
        self._pages: dict[str | None, _Script[ChangesPage]] = {}
        self._start_errors: list[VendorError] = []
        self._enrolled: dict[str, StartedAttempt] = {}
        self.fetches: list[tuple[str, str]] = []
        self.listed: list[str | None] = []
        self.starts: list[StartRequest] = []

    # Scripting.

    def script_result(self, vendor_ref: str, *outcomes: dict[str, t.Any] | VendorError) -> None:
        """What fetching ``vendor_ref`` gives, call after call (the last one repeats)."""
        self._results[vendor_ref] = _Script(outcomes)

    def script_page(self, cursor: str | None, *outcomes: ChangesPage | VendorError) -> None:
        """What listing changes since ``cursor`` gives, call after call."""
        self._pages[cursor] = _Script(outcomes)

    def fail_next_start(self, error: VendorError) -> None:
        self._start_errors.append(error)

    # The adapter contract.

    def start_attempt(self, request: StartRequest) -> StartedAttempt:
        self.starts.append(request)
        if self._start_errors:
            raise self._start_errors.pop(0)
        token = request.attempt_token
        if token not in self._enrolled:
            ref = f"{self.refs}-{len(self._enrolled) + 1}"
            if self.embed:
                started = StartedAttempt(ref, embed={"player": "fake", "session": ref})
            else:
                started = StartedAttempt(ref, redirect_url=f"https://vendor.example/take/{ref}")
            self._enrolled[token] = started
        return self._enrolled[token]

    def parse_signal(self, request: IncomingRequest) -> CompletionSignal:
        try:
            body = json.loads(request.body or b"null")
            kind = SignalKind(body.get("kind", SignalKind.CALLBACK.value))
        except (ValueError, AttributeError) as exc:
            raise SignalRejectedError(f"fake: unusable signal: {exc}") from exc
        signature = request.header(SIGNATURE_HEADER) or ""
        return CompletionSignal(
            kind,
            vendor_ref=body.get("vendor_ref"),
            attempt_token=body.get("attempt_token"),
            status_hint=body.get("status"),
            authenticated=secrets.compare_digest(signature, self.secret),
        )

    def fetch_result(self, vendor_ref: str, *, test_id: str) -> RawResult:
        self.fetches.append((vendor_ref, test_id))
        script = self._results.get(vendor_ref)
        if script is None:
            raise NotFoundError(f"no attempt {vendor_ref}", vendor=self.kind, status=404)
        return RawResult(vendor_ref, json.loads(json.dumps(script.next())), utcnow())

    def list_changes(self, cursor: str | None) -> ChangesPage:
        self.listed.append(cursor)
        script = self._pages.get(cursor)
        if script is None:
            raise CursorError(f"fake: no page scripted after cursor {cursor!r}")
        return script.next()

    def list_tests(self) -> list[VendorTest]:
        return [VendorTest("t1", "Final")]

    def perform(self, action: AdminAction, vendor_ref: str, *, test_id: str) -> ActionOutcome:
        raise VendorRefusedError(f"{action.value} is not supported", vendor=self.kind)

    def check_connection(self) -> ConnectionReport:
        return ConnectionReport(
            auth_ok=True, detail=f"fake {self.kind}", catalogue=f"{len(self.list_tests())} tests"
        )


class FakeVendorConnections:
    """Hands out the adapters given to :meth:`use`; URLs, kinds and callback secrets are
    those of the stored ``vendor_connections`` rows, as the real service's are."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        secrets_box: SecretBox,
        *,
        base_url: str = "https://bridge.example",
    ) -> None:
        self._sessions = sessions
        self._secrets = secrets_box
        self._base_url = base_url
        self._adapters: dict[int, VendorAdapter] = {}

    def use(self, connection_id: int, adapter: VendorAdapter) -> VendorAdapter:
        self._adapters[connection_id] = adapter
        return adapter

    def adapter(self, connection_id: int) -> VendorAdapter:
        adapter = self._adapters.get(connection_id)
        if adapter is None:
            raise VendorConnectionError(f"no vendor connection with id {connection_id}")
        return adapter

    def callback_adapter(self, connection_id: int, kind: str, token: str) -> VendorAdapter | None:
        row = self._row(connection_id)
        if row is None or row.kind != kind:
            return None
        if not secrets.compare_digest(row.callback_token_hash, token_digest(token)):
            return None
        return self.adapter(connection_id)

    def callback_url_for(self, connection_id: int) -> str:
        row = self._row(connection_id)
        if row is None:
            raise VendorConnectionError(f"no vendor connection with id {connection_id}")
        token = self._secrets.decrypt(row.callback_token_encrypted).decode()
        return f"{self._base_url}/callbacks/{row.kind}/{row.id}?token={token}"

    def _row(self, connection_id: int) -> VendorConnection | None:
        with self._sessions() as session:
            return session.get(VendorConnection, connection_id)


@dataclasses.dataclass
class RecordingJobQueue:
    """Records wake-ups; a wake-up for a delivery another session cannot see yet (not
    committed) raises, so "woken only after the commit" is checked on every call."""

    sessions: sessionmaker[Session]
    syncs: list[int] = dataclasses.field(default_factory=list)
    batches: list[list[int]] = dataclasses.field(default_factory=list)
    scheduled: list[tuple[int, dt.datetime | None]] = dataclasses.field(default_factory=list)

    @property
    def woken(self) -> list[int]:
        """Every delivery id woken, in order."""
        return [delivery_id for batch in self.batches for delivery_id in batch] + [
            delivery_id for delivery_id, _ in self.scheduled
        ]

    def sync(self, attempt_id: int) -> None:
        self.syncs.append(attempt_id)

    def deliver(self, delivery_id: int, *, eta: dt.datetime | None = None) -> None:
        self._check_committed([delivery_id])
        self.scheduled.append((delivery_id, eta))

    def deliver_many(self, delivery_ids: t.Sequence[int]) -> None:
        self._check_committed(delivery_ids)
        self.batches.append(list(delivery_ids))

    def _check_committed(self, delivery_ids: t.Sequence[int]) -> None:
        with self.sessions() as session:
            visible = set(
                session.scalars(select(Delivery.id).where(Delivery.id.in_(list(delivery_ids))))
            )
        missing = sorted(set(delivery_ids) - visible)
        if missing:
            raise AssertionError(f"deliveries {missing} woken before they were committed")


def connection_of(sessions: sessionmaker[Session], attempt_id: int) -> int:
    """The vendor connection id of an attempt's assessment."""
    with sessions() as session:
        connection_id = session.scalar(
            select(Assessment.connection_id)
            .join(Attempt, Attempt.assessment_id == Assessment.id)
            .where(Attempt.id == attempt_id)
        )
    assert connection_id is not None, f"no attempt {attempt_id}"
    return connection_id


def mettl_result(
    status: str = "Completed", *, marks: float = 1.0, max_marks: float = 2.0
) -> dict[str, t.Any]:
    """A Mettl candidate result (the kind of the connections ``make_attempt`` writes):
    ``Completed`` with marks, or ``InProgress``/``ToBeTaken`` without."""
    test_status: dict[str, t.Any] = {"status": status}
    if status != "ToBeTaken":
        test_status["startTime"] = "Fri, 18 Feb 2022 01:09:52 GMT"
    if status == "Completed":
        test_status["endTime"] = "Fri, 18 Feb 2022 01:10:37 GMT"
        test_status["result"] = {"totalMarks": marks, "maxMarks": max_marks}
    return {"email": "ada@example.edu", "testStatus": test_status}
