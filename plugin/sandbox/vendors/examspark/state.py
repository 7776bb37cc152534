"""The simulated workspace: records, SDK tokens and page tokens behind one lock."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import secrets
import threading
import typing as t
import uuid

from plugin.sandbox.vendors.examspark.errors import ApiError
from plugin.sandbox.vendors.examspark.models import COMPLETE
from plugin.sandbox.vendors.examspark.models import IN_PROGRESS
from plugin.sandbox.vendors.examspark.models import NOT_STARTED
from plugin.sandbox.vendors.examspark.models import Attempt
from plugin.sandbox.vendors.examspark.models import ExamConfig
from plugin.sandbox.vendors.examspark.models import Session
from plugin.sandbox.vendors.examspark.models import make_items
from plugin.sandbox.vendors.examspark.models import session_id

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

SDK_TOKEN_LIFETIME_S = 8 * 3600


@dataclasses.dataclass
class Settings:
    """What the control API can change.

    :ivar callback_url: where the player page posts the ``submitted`` event.
    :ivar outcome_format: ``pox`` or ``json`` grade-passback bodies.
    :ivar retry_delays: seconds between passback tries after a non-2xx answer.
    :ivar answer_shape: how ``GET /api/workspace/:id`` answers (the vendor's page shows
        no body): ``wrapped`` ``{"workspace": {...}}`` or ``bare`` ``{...}``.
    """

    callback_url: str | None = None
    outcome_format: str = "pox"
    retry_delays: tuple[float, ...] = (2.0, 10.0, 60.0, 300.0)
    page_token_ttl_s: float = 600.0
    answer_shape: str = "wrapped"


@dataclasses.dataclass(frozen=True)
class _PageGrant:
    kind: str
    filter_key: str
    after_seq: int
    expires_at: float


class Workspace:
    """All state of one simulated workspace; every method takes the lock."""

    def __init__(
        self, *, workspace_id: str, app_key: str, app_secret: str, clock: Callable[[], float]
    ) -> None:
        self.workspace_id = workspace_id
        self.app_key = app_key
        self.app_secret = app_secret
        self.clock = clock
        self.lock = threading.RLock()
        self.settings = Settings()
        self.configs: dict[str, ExamConfig] = {}
        self.sessions: dict[str, Session] = {}
        self._sdk_tokens: dict[str, tuple[str, float]] = {}
        self._page_tokens: dict[str, _PageGrant] = {}
        self._seq = itertools.count(1)

    def add_config(self, spec: Mapping[str, t.Any]) -> ExamConfig:
        """A new exam config (and its exam) from a control-API body."""
        config_id = str(spec.get("id") or uuid.uuid4())
        count = int(spec.get("questions", 3))
        if not 1 <= count <= 20 or config_id in self.configs:
            raise ApiError(400, "questions must be 1..20 and the id must be new")
        config = ExamConfig(
            id=config_id,
            exam_id=str(spec.get("examId") or uuid.uuid4()),
            exam_name=str(spec.get("examName") or "Financial literacy"),
            name=str(spec.get("name") or "Default"),
            allow_retakes=bool(spec.get("allowRetakes", False)),
            resolution=str(spec.get("attemptResolution", "HIGHEST")),
            items=make_items(config_id, count),
            description=str(spec.get("description") or ""),
        )
        with self.lock:
            self.configs[config_id] = config
        return config

    def config(self, config_id: str) -> ExamConfig:
        with self.lock:
            if config_id not in self.configs:
                raise ApiError(404, f"Exam config {config_id} not found")
            return self.configs[config_id]

    def session(self, id_: str) -> Session:
        with self.lock:
            if id_ not in self.sessions:
                raise ApiError(404, f"Exam session {id_} not found")
            return self.sessions[id_]

    def ensure_session(self, config: ExamConfig, fields: Mapping[str, str]) -> Session:
        """Create the deterministic session, or refresh the outcome target of an existing one."""
        key = (fields["user_id"], fields.get("context_id", ""), fields.get("resource_link_id", ""))
        id_ = session_id(config.id, *key)
        now = self.clock()
        with self.lock:
            session = self.sessions.get(id_)
            if session is None:
                name = " ".join(
                    part
                    for part in (
                        fields.get("lis_person_name_given", ""),
                        fields.get("lis_person_name_family", ""),
                    )
                    if part
                )
                session = Session(
                    id=id_,
                    seq=next(self._seq),
                    config_id=config.id,
                    user_id=key[0],
                    context_id=key[1],
                    resource_link_id=key[2],
                    name=name or key[0],
                    person_sourcedid=fields.get("lis_person_sourcedid", ""),
                    outcome_url="",
                    result_sourcedid="",
                    created_at=now,
                    updated_at=now,
                )
                self.sessions[id_] = session
            if fields.get("lis_outcome_service_url"):
                session.outcome_url = fields["lis_outcome_service_url"]
                session.result_sourcedid = fields.get("lis_result_sourcedid", "")
            return session

    def open(self, session: Session) -> None:
        """The player shows the exam: the current attempt starts."""
        with self.lock:
            if session.maturity == NOT_STARTED:
                session.maturity = IN_PROGRESS
                session.current.started_at = self.clock()
                session.updated_at = self.clock()

    def submit(self, session: Session, responses: Mapping[str, int], *, score: bool) -> None:
        """Record responses; scoring completes the session.

        :raises ApiError: 400 when the session is already complete.
        """
        config = self.config(session.config_id)
        with self.lock:
            if session.maturity == COMPLETE:
                raise ApiError(400, "Exam session is complete; reopen or retake it first")
            now = self.clock()
            attempt = session.current
            attempt.started_at = attempt.started_at or now
            attempt.responses.update(responses)
            if score:
                attempt.points = sum(
                    1 for item in config.items if attempt.responses.get(item.id) == item.key
                )
                attempt.submitted_at = now
                session.maturity = COMPLETE
            elif session.maturity == NOT_STARTED:
                session.maturity = IN_PROGRESS
            session.updated_at = now

    def retake(self, session: Session) -> None:
        config = self.config(session.config_id)
        with self.lock:
            if not config.allow_retakes:
                raise ApiError(400, "Exam config does not allow retakes")
            if session.maturity != COMPLETE:
                raise ApiError(400, "Only a complete exam session can be retaken")
            session.attempts.append(Attempt(len(session.attempts) + 1, started_at=self.clock()))
            session.maturity = IN_PROGRESS
            session.updated_at = self.clock()

    def reset(self, session: Session) -> None:
        with self.lock:
            session.attempts = [Attempt(1)]
            session.maturity = NOT_STARTED
            session.updated_at = self.clock()

    def reopen(self, session: Session) -> None:
        with self.lock:
            if session.maturity != COMPLETE:
                raise ApiError(400, "Only a complete exam session can be reopened")
            session.current.points = None
            session.current.submitted_at = None
            session.maturity = IN_PROGRESS
            session.updated_at = self.clock()

    def mint_sdk_token(self, email: str) -> str:
        claims = {"email": email, "workspaceId": self.workspace_id, "jti": secrets.token_hex(8)}
        token = base64.b64encode(json.dumps(claims).encode()).decode()
        with self.lock:
            self._sdk_tokens[token] = (email, self.clock() + SDK_TOKEN_LIFETIME_S)
        return token

    def check_sdk_token(self, token: str) -> None:
        """:raises ApiError: 401 for an unknown or expired token."""
        with self.lock:
            grant = self._sdk_tokens.get(token)
        if grant is None:
            raise ApiError(401, "Invalid SDK auth token")
        if grant[1] <= self.clock():
            raise ApiError(401, "SDK auth token has expired")

    def forget_sdk_tokens(self) -> int:
        """The vendor forgets every SDK token it issued (as after a restart)."""
        with self.lock:
            count = len(self._sdk_tokens)
            self._sdk_tokens.clear()
        return count

    def issue_page_token(self, kind: str, filter_key: str, last_id: str, after_seq: int) -> str:
        sort_key = "exam-session" if kind == "sessions" else "exam"
        raw = json.dumps([f"id={last_id}|sk={sort_key}|v={secrets.token_hex(4)}"])
        token = base64.b64encode(raw.encode()).decode()
        expires = self.clock() + self.settings.page_token_ttl_s
        with self.lock:
            self._page_tokens[token] = _PageGrant(kind, filter_key, after_seq, expires)
        return token

    def redeem_page_token(self, token: str, kind: str, filter_key: str) -> int:
        """The position a token continues from.

        :raises ApiError: 400 for an unknown, expired or mismatched token.
        """
        with self.lock:
            grant = self._page_tokens.get(token)
        if grant is None or grant.kind != kind:
            raise ApiError(400, "Invalid nextToken")
        if grant.expires_at <= self.clock():
            raise ApiError(400, "nextToken has expired; start the listing again")
        if grant.filter_key != filter_key:
            raise ApiError(400, "nextToken does not belong to this filter")
        return grant.after_seq

    def expire_page_tokens(self) -> int:
        with self.lock:
            count = len(self._page_tokens)
            self._page_tokens = {
                token: dataclasses.replace(grant, expires_at=0.0)
                for token, grant in self._page_tokens.items()
            }
        return count
