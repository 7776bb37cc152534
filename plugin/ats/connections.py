"""ATS connections: stored encrypted with their field maps, linked to assessments,
turned into sinks on demand (one per connection and process)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import typing as t
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from mappings.ats_map import FieldMapError
from mappings.ats_map import plan_field_writes
from plugin.ats.base import AtsFieldDefinition
from plugin.ats.base import AtsSink
from plugin.ats.field_check import contradictions
from plugin.ats.registry import AtsKind
from plugin.ats.registry import kind_named
from plugin.errors import AppError
from plugin.http.sessions import DEFAULT_MAX_RESPONSE_BYTES
from plugin.http.sessions import make_session
from plugin.runtime.crypto import SecretBox
from plugin.store.models import Assessment
from plugin.store.models import AssessmentAts
from plugin.store.models import AtsConnection

MASK = "********"


class AtsConnectionError(AppError):
    """An ATS connection operation cannot be done; the message says why."""


@dataclasses.dataclass(frozen=True)
class AtsConnectionInfo:
    """A connection as admins see it: secrets masked."""

    id: int
    name: str
    kind: str
    settings: dict[str, t.Any]
    field_map: dict[str, t.Any] | None
    assessments: tuple[int, ...]
    created_at: dt.datetime

    def listing(self) -> dict[str, t.Any]:
        """What a listing may print: no settings, since besides the masked credentials
        they hold URLs (a webhook's) that can themselves be secrets."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "fields": len(self.field_map["fields"]) if self.field_map else 0,
            "assessments": list(self.assessments),
            "created_at": self.created_at,
        }


class AtsConnectionService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        secrets_box: SecretBox,
        *,
        timeouts: tuple[float, float] = (5.0, 20.0),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """:param timeouts: connect and read timeouts of every ATS request, in seconds.
        :param max_response_bytes: the largest answer read from an ATS."""
        self._sessions = sessions
        self._secrets = secrets_box
        self._timeouts = timeouts
        self._max_response_bytes = max_response_bytes
        self._sinks: dict[int, tuple[bytes, AtsSink]] = {}
        self._lock = threading.Lock()

    def add(self, kind_name: str, name: str, values: t.Mapping[str, t.Any]) -> AtsConnectionInfo:
        """:raises AtsConnectionError: unknown kind, bad setting, or name taken."""
        try:
            kind = kind_named(kind_name)
            config = kind.parse_config(values)
        except ValueError as exc:
            raise AtsConnectionError(str(exc)) from exc
        if not name.strip():
            raise AtsConnectionError("an ATS connection needs a name")
        row = AtsConnection(
            name=name.strip(),
            kind=kind.name,
            config_encrypted=self._secrets.encrypt(json.dumps(dataclasses.asdict(config)).encode()),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError as exc:
            raise AtsConnectionError(f"an ATS connection named {name!r} exists already") from exc
        return self.get(name)

    def list(self) -> list[AtsConnectionInfo]:
        with self._sessions() as session:
            rows = list(session.scalars(select(AtsConnection).order_by(AtsConnection.id)))
            return [self._info(session, row) for row in rows]

    def get(self, name: str) -> AtsConnectionInfo:
        """:raises AtsConnectionError: no such connection."""
        with self._sessions() as session:
            return self._info(session, self._row(session, name))

    def remove(self, name: str) -> AtsConnectionInfo:
        """Remove a connection, its links and its deliveries.

        :raises AtsConnectionError: no such connection.
        """
        with self._sessions.begin() as session:
            row = self._row(session, name)
            info = self._info(session, row)
            session.delete(row)
        with self._lock:
            self._sinks.pop(info.id, None)
        return info

    def set_field_map(
        self,
        name: str,
        document: t.Mapping[str, t.Any],
        *,
        definitions: Sequence[AtsFieldDefinition] | None = None,
    ) -> AtsConnectionInfo:
        """Validate and store the field map (its ``target`` is the connection's kind).

        :param definitions: the fields the ATS defines; when given, a map they contradict
            (:mod:`plugin.ats.field_check`) is refused.
        :raises AtsConnectionError: listing every problem of the map; nothing is stored.
        """
        with self._sessions.begin() as session:
            row = self._row(session, name)
            document = {"target": row.kind, **document}
            if document["target"] != row.kind:
                raise AtsConnectionError(
                    f"the map is for {document['target']!r} but {name!r} is a {row.kind} connection"
                )
            try:
                plan = plan_field_writes(document)
            except FieldMapError as exc:
                raise AtsConnectionError(str(exc)) from exc
            problems = contradictions(plan, definitions) if definitions is not None else []
            if problems:
                raise AtsConnectionError(
                    "the field map contradicts the ATS's fields: " + "; ".join(problems)
                )
            row.field_map_json = json.dumps(document, sort_keys=True)
            return self._info(session, row)

    def link(self, name: str, assessment_id: int) -> AtsConnectionInfo:
        """Send results of ``assessment_id`` to this connection from now on.

        :raises AtsConnectionError: unknown connection or assessment.
        """
        with self._sessions.begin() as session:
            row = self._row(session, name)
            if session.get(Assessment, assessment_id) is None:
                raise AtsConnectionError(f"no assessment with id {assessment_id}")
            if session.get(AssessmentAts, (assessment_id, row.id)) is None:
                session.add(AssessmentAts(assessment_id=assessment_id, ats_connection_id=row.id))
            session.flush()
            return self._info(session, row)

    def unlink(self, name: str, assessment_id: int) -> AtsConnectionInfo:
        """:raises AtsConnectionError: unknown connection."""
        with self._sessions.begin() as session:
            row = self._row(session, name)
            session.execute(
                delete(AssessmentAts).where(
                    AssessmentAts.assessment_id == assessment_id,
                    AssessmentAts.ats_connection_id == row.id,
                )
            )
            return self._info(session, row)

    def sink(self, connection_id: int) -> AtsSink:
        """The sink of a connection (built once per process, rebuilt when its config changes).

        :raises AtsConnectionError: the connection was removed.
        """
        with self._sessions() as session:
            row = session.get(AtsConnection, connection_id)
            if row is None:
                raise AtsConnectionError(f"no ATS connection with id {connection_id}")
            encrypted, kind_name = row.config_encrypted, row.kind
        with self._lock:
            cached = self._sinks.get(connection_id)
            if cached is not None and cached[0] == encrypted:
                return cached[1]
        kind = kind_named(kind_name)
        # Writes are never sent twice by the HTTP layer; the outbox decides about retries.
        http = make_session(
            connect_timeout=self._timeouts[0],
            read_timeout=self._timeouts[1],
            resend_reads=False,
            max_response_bytes=self._max_response_bytes,
        )
        sink = kind.sink(self._config(kind, encrypted), session=http)
        with self._lock:
            previous = self._sinks.get(connection_id)
            self._sinks[connection_id] = (encrypted, sink)
        if previous is not None:
            previous[1].close()
        return sink

    def sink_by_name(self, name: str) -> AtsSink:
        with self._sessions() as session:
            connection_id = self._row(session, name).id
        return self.sink(connection_id)

    def close(self) -> None:
        with self._lock:
            sinks, self._sinks = list(self._sinks.values()), {}
        for _, sink in sinks:
            sink.close()

    @staticmethod
    def _row(session: Session, name: str) -> AtsConnection:
        row = session.scalar(select(AtsConnection).where(AtsConnection.name == name))
        if row is None:
            raise AtsConnectionError(
                f"no ATS connection named {name!r} (see `assessment-bridge ats list`)"
            )
        return row

    def _config(self, kind: AtsKind, encrypted: bytes) -> t.Any:
        return kind.config(**json.loads(self._secrets.decrypt(encrypted)))

    def _info(self, session: Session, row: AtsConnection) -> AtsConnectionInfo:
        kind = kind_named(row.kind)
        settings = dataclasses.asdict(self._config(kind, row.config_encrypted))
        for field in kind.secret_fields:
            settings[field] = MASK
        linked = session.scalars(
            select(AssessmentAts.assessment_id)
            .where(AssessmentAts.ats_connection_id == row.id)
            .order_by(AssessmentAts.assessment_id)
        )
        return AtsConnectionInfo(
            id=row.id,
            name=row.name,
            kind=row.kind,
            settings=settings,
            field_map=json.loads(row.field_map_json) if row.field_map_json else None,
            assessments=tuple(linked),
            created_at=row.created_at,
        )
