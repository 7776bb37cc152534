"""Vendor connections: stored encrypted, turned into adapters on demand.

An adapter (with its pooled HTTP session) is built once per connection and
process and reused; changing or removing a connection drops it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import threading
import typing as t

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from plugin.errors import AppError
from plugin.http.sessions import DEFAULT_MAX_RESPONSE_BYTES
from plugin.http.sessions import make_session
from plugin.runtime.crypto import SecretBox
from plugin.runtime.tokens import new_token
from plugin.runtime.tokens import token_digest
from plugin.store.models import Assessment
from plugin.store.models import VendorConnection
from plugin.vendors.base import CompletionUrls
from plugin.vendors.base import VendorAdapter
from plugin.vendors.base import VendorConfigurer
from plugin.vendors.registry import VendorKind
from plugin.vendors.registry import kind_named

if t.TYPE_CHECKING:
    from lti.interfaces import SharedStore

MASK = "********"


class VendorConnectionError(AppError):
    """A connection operation cannot be done; the message says why."""


@dataclasses.dataclass(frozen=True)
class VendorConnectionInfo:
    """A connection as admins see it: secrets masked, plus the URLs to give the vendor.

    :ivar browser_url: for a vendor whose completion signal comes through the learner's
        browser, the URL to configure there instead of ``callback_url`` (``None`` for
        the others).
    :ivar exit_url: the exit page, for a vendor that sends every learner of a test to one
        URL after it (Mettl's ``exitRedirectionUrl``); it carries no secret.
    """

    id: int
    name: str
    kind: str
    settings: dict[str, t.Any]
    callback_url: str
    created_at: dt.datetime
    exit_url: str
    browser_url: str | None = None

    def listing(self) -> dict[str, t.Any]:
        """What a listing may print: no callback or browser URL (they carry the tokens)
        and no settings beyond the vendor's base URL."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "base_url": self.settings.get("base_url", ""),
            "created_at": self.created_at,
        }


class VendorConnectionService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        secrets_box: SecretBox,
        *,
        base_url: str,
        shared_store: SharedStore,
        timeouts: tuple[float, float] = (5.0, 20.0),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """:param shared_store: where the adapters of vendors with signal nonces remember
            them, seen by every worker and host.
        :param timeouts: connect and read timeouts of every vendor request, in seconds.
        :param max_response_bytes: the largest answer read from a vendor."""
        self._sessions = sessions
        self._secrets = secrets_box
        self._shared_store = shared_store
        self._base_url = base_url.rstrip("/")
        self._timeouts = timeouts
        self._max_response_bytes = max_response_bytes
        self._adapters: dict[int, tuple[bytes, VendorAdapter]] = {}
        self._lock = threading.Lock()

    def add(self, kind_name: str, name: str, values: t.Mapping[str, t.Any]) -> VendorConnectionInfo:
        """Validate and store a connection.

        :raises VendorConnectionError: unknown kind, bad setting, or name taken.
        """
        try:
            kind = kind_named(kind_name)
            config = kind.parse_config(values)
        except ValueError as exc:
            raise VendorConnectionError(str(exc)) from exc
        if not name.strip():
            raise VendorConnectionError("a connection needs a name")
        callback_token, browser_token = new_token(), new_token()
        row = VendorConnection(
            name=name,
            kind=kind.name,
            config_encrypted=self._secrets.encrypt(json.dumps(dataclasses.asdict(config)).encode()),
            callback_token_hash=token_digest(callback_token),
            callback_token_encrypted=self._secrets.encrypt(callback_token.encode()),
            browser_token_hash=token_digest(browser_token),
            browser_token_encrypted=self._secrets.encrypt(browser_token.encode()),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError as exc:
            raise VendorConnectionError(f"a connection named {name!r} exists already") from exc
        return self.get(name)

    def update(self, name: str, changes: t.Mapping[str, str]) -> VendorConnectionInfo:
        """Change some settings of a connection; the others, its tokens and its URLs stay.

        The merged settings are validated as ``add`` validates them; an adapter built from
        the old settings is replaced on its next use.

        :raises VendorConnectionError: unknown connection or setting, or a bad value.
        """
        with self._sessions.begin() as session:
            row = session.scalar(select(VendorConnection).where(VendorConnection.name == name))
            if row is None:
                raise VendorConnectionError(f"no vendor connection named {name!r}")
            kind = kind_named(row.kind)
            current = json.loads(self._secrets.decrypt(row.config_encrypted))
            merged = {key: str(value) for key, value in current.items() if value is not None}
            try:
                config = kind.parse_config({**merged, **changes})
            except ValueError as exc:
                raise VendorConnectionError(str(exc)) from exc
            plain = json.dumps(dataclasses.asdict(config)).encode()
            row.config_encrypted = self._secrets.encrypt(plain)
        return self.get(name)

    def list(self) -> list[VendorConnectionInfo]:
        with self._sessions() as session:
            rows = list(session.scalars(select(VendorConnection).order_by(VendorConnection.id)))
        return [self._info(row) for row in rows]

    def get(self, name: str) -> VendorConnectionInfo:
        return self._info(self._row(name))

    def remove(self, name: str) -> VendorConnectionInfo:
        """:raises VendorConnectionError: unknown, or still used by assessments."""
        with self._sessions.begin() as session:
            row = session.scalar(select(VendorConnection).where(VendorConnection.name == name))
            if row is None:
                raise VendorConnectionError(f"no vendor connection named {name!r}")
            used = session.scalar(
                select(Assessment.id).where(
                    (Assessment.connection_id == row.id)
                    | (Assessment.proctoring_connection_id == row.id)
                )
            )
            if used is not None:
                raise VendorConnectionError(
                    f"connection {name!r} is used by assessment {used}; remove it first"
                )
            info = self._info(row)
            session.delete(row)
        with self._lock:
            self._adapters.pop(info.id, None)
        return info

    def adapter(self, connection_id: int) -> VendorAdapter:
        """The adapter of a connection (built once per process)."""
        with self._sessions() as session:
            row = session.get(VendorConnection, connection_id)
            if row is None:
                raise VendorConnectionError(f"no vendor connection with id {connection_id}")
            return self._adapter_of(row)

    def callback_adapter(self, connection_id: int, kind: str, token: str) -> VendorAdapter | None:
        """The adapter of connection ``connection_id`` when ``token`` is its callback secret
        and ``kind`` its vendor; ``None`` otherwise (one read on the callback path)."""
        with self._sessions() as session:
            row = session.get(VendorConnection, connection_id)
            if (
                row is None
                or row.kind != kind
                or not secrets.compare_digest(row.callback_token_hash, token_digest(token))
            ):
                return None
            return self._adapter_of(row)

    def browser_adapter(self, connection_id: int, kind: str, token: str) -> VendorAdapter | None:
        """The adapter of connection ``connection_id`` when ``token`` is its browser token,
        ``kind`` its vendor and that vendor signals through the learner's browser;
        ``None`` otherwise."""
        with self._sessions() as session:
            row = session.get(VendorConnection, connection_id)
            if (
                row is None
                or row.kind != kind
                or not kind_named(row.kind).browser_callback
                or not secrets.compare_digest(row.browser_token_hash, token_digest(token))
            ):
                return None
            return self._adapter_of(row)

    def _adapter_of(self, row: VendorConnection) -> VendorAdapter:
        connection_id, encrypted, kind = row.id, row.config_encrypted, row.kind
        with self._lock:
            cached = self._adapters.get(connection_id)
            if cached is not None and cached[0] == encrypted:
                return cached[1]
        vendor = kind_named(kind)
        http = make_session(
            connect_timeout=self._timeouts[0],
            read_timeout=self._timeouts[1],
            resend_reads=vendor.resend_reads,
            max_response_bytes=self._max_response_bytes,
        )
        nonces: dict[str, t.Any] = {}
        if vendor.signal_nonces:
            nonces = {"nonce_store": self._shared_store, "nonce_scope": f"vendor-{connection_id}"}
        adapter = vendor.adapter(self._config(vendor, encrypted), session=http, **nonces)
        with self._lock:
            self._adapters[connection_id] = (encrypted, adapter)
        return adapter

    def adapter_by_name(self, name: str) -> VendorAdapter:
        return self.adapter(self._row(name).id)

    def callback_url(self, row: VendorConnection) -> str:
        token = self._secrets.decrypt(row.callback_token_encrypted).decode()
        return f"{self._base_url}/callbacks/{row.kind}/{row.id}?token={token}"

    def browser_url(self, row: VendorConnection) -> str:
        """The URL a vendor sends the learner's browser to when an attempt ends.

        Its token (in ``token=``, which every log masks) only lets the browser ask for a
        sync of the participant it names; the answer never shows another attempt.
        """
        token = self._secrets.decrypt(row.browser_token_encrypted).decode()
        return f"{self._base_url}/callbacks/{row.kind}/{row.id}/browser?token={token}"

    def exit_url(self, connection_id: int) -> str:
        """Where a vendor sends the learner's browser after a test of this connection
        (``plugin/web/exit_page.py``)."""
        return f"{self._base_url}/return/finished/{connection_id}"

    def configure_test(self, connection_id: int, test_id: str) -> tuple[str, ...] | None:
        """Point vendor test ``test_id`` at this connection's notification and exit URLs,
        when the vendor has an API for it (:class:`VendorConfigurer`).

        :returns: what was set, the callback token masked; None when the vendor has no
            such API (the admin pastes what ``vendor show`` prints).
        :raises VendorConnectionError: unknown connection.
        :raises plugin.vendors.errors.VendorError: the vendor refused or failed.
        """
        adapter = self.adapter(connection_id)
        if not isinstance(adapter, VendorConfigurer):
            return None
        with self._sessions() as session:
            row = session.get(VendorConnection, connection_id)
            if row is None:
                raise VendorConnectionError(f"no vendor connection with id {connection_id}")
            urls = CompletionUrls(self.callback_url(row), self.exit_url(connection_id))
            token = self._secrets.decrypt(row.callback_token_encrypted).decode()
        return tuple(line.replace(token, MASK) for line in adapter.configure_test(test_id, urls))

    def callback_url_for(self, connection_id: int) -> str:
        with self._sessions() as session:
            row = session.get(VendorConnection, connection_id)
            if row is None:
                raise VendorConnectionError(f"no vendor connection with id {connection_id}")
            return self.callback_url(row)

    def _row(self, name: str) -> VendorConnection:
        with self._sessions() as session:
            row = session.scalar(select(VendorConnection).where(VendorConnection.name == name))
        if row is None:
            raise VendorConnectionError(f"no vendor connection named {name!r}")
        return row

    def _config(self, kind: VendorKind, encrypted: bytes) -> t.Any:
        return kind.config(**json.loads(self._secrets.decrypt(encrypted)))

    def _info(self, row: VendorConnection) -> VendorConnectionInfo:
        kind = kind_named(row.kind)
        settings = dataclasses.asdict(self._config(kind, row.config_encrypted))
        for field in kind.secret_fields:
            settings[field] = MASK
        return VendorConnectionInfo(
            row.id,
            row.name,
            row.kind,
            settings,
            self.callback_url(row),
            row.created_at,
            self.exit_url(row.id),
            browser_url=self.browser_url(row) if kind.browser_callback else None,
        )
