"""Refusing to run with keys that cannot open what is stored.

A wrong ``BRIDGE_SECRET_KEYS`` used to go unnoticed until the first request that needed a
secret: ``/healthz`` said ok while every callback answered 500.  Every start (``serve``,
``worker`` and each command) now opens one stored value before anything else touches the
database (:meth:`KeyCheck.before_upgrade`): before the schema upgrade too, as a migration may
encrypt with the keys (0008), and values sealed with a wrong key would then sit beside the
right ones.  Once the schema is current the start makes sure the key canary exists
(:meth:`KeyCheck.ensure_canary`), and ``/healthz`` reports whether it opens
(:meth:`KeyCheck.status`).

The canary is sealed with the key that opens the oldest stored value, not always with the
first key: on a database from a release before the canary, started with the new key in
front of the old one, a canary sealed with the new key would keep opening after the old key
was dropped although every older secret had stopped opening.  ``secrets rotate``
(:mod:`plugin.runtime.rotation`) re-seals it last, after every other value.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from plugin.errors import AppError
from plugin.runtime.crypto import SecretBox
from plugin.runtime.crypto import SecretError
from plugin.store.models import KeyCanary
from plugin.store.models import utcnow

CANARY_ID = 1
CANARY_PLAINTEXT = b"assessment-bridge key canary"

#: Encrypted values a database without a canary may hold, the oldest kind first, as
#: ``(table, primary key, column)``: the tables of releases before the canary.
OLDER_VALUES = (
    ("tool_keys", "id", "private_key_encrypted"),
    ("vendor_connections", "id", "config_encrypted"),
    ("ats_connections", "id", "config_encrypted"),
    ("attempt_results", "attempt_id", "raw_encrypted"),
)


class WrongKeysError(AppError):
    """The configured keys cannot open the secrets the database holds."""


class KeyCheck:
    """Checks that the configured keys open the stored secrets.

    :param key_file: where the keys came from when ``BRIDGE_SECRET_KEYS`` is unset (the
        generated key file), for the message.
    """

    def __init__(self, engine: Engine, secrets: SecretBox, *, key_file: Path | None) -> None:
        self._engine = engine
        self._secrets = secrets
        self._key_file = key_file
        self._canary_opened = False

    def before_upgrade(self) -> None:
        """Open the canary, or on a database without one the oldest encrypted value; on a
        database with neither (new, or no secret stored yet) there is nothing to check.
        Reads whatever schema the database is at and writes nothing.

        :raises WrongKeysError: when no configured key opens it.
        """
        with self._engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            canary = _canary(connection) if KeyCanary.__tablename__ in tables else None
            sealed = canary if canary is not None else _oldest_value(connection, tables)
        if sealed is not None:
            self._open(sealed)
        if canary is not None:
            self._canary_opened = True

    def ensure_canary(self) -> bool:
        """Open the canary, or write it when the schema has none yet (after the upgrade);
        True when this call wrote it.

        :raises WrongKeysError: when no configured key opens the canary or, before there is
            one, the oldest encrypted value.
        """
        if self._canary_opened:
            return False
        with self._engine.connect() as connection:
            canary = _canary(connection)
            oldest = None
            if canary is None:
                oldest = _oldest_value(connection, set(sa.inspect(connection).get_table_names()))
        if canary is not None:
            self._open(canary)
            self._canary_opened = True
            return False
        sealed = self._seal_like(oldest)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    sa.insert(KeyCanary).values(id=CANARY_ID, sealed=sealed, created_at=utcnow())
                )
        except IntegrityError:
            # Another process starting at the same moment wrote it first: open theirs.
            with self._engine.connect() as connection:
                canary = _canary(connection)
            assert canary is not None
            self._open(canary)
            return False
        self._canary_opened = True
        return True

    def status(self) -> str:
        """``"ok"`` when the keys open the canary, else ``"error: ..."``; for ``/healthz``.

        Once the canary opened in this process it is not read again: the keys of a process
        do not change.

        :raises sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
        """
        if self._canary_opened:
            return "ok"
        with self._engine.connect() as connection:
            canary = _canary(connection)
        if canary is None:
            return "error: no key canary yet (a start writes it)"
        try:
            self._open(canary)
        except WrongKeysError:
            return "error: the configured keys cannot decrypt the stored secrets"
        self._canary_opened = True
        return "ok"

    def _open(self, sealed: bytes) -> None:
        try:
            self._secrets.decrypt(sealed)
        except SecretError:
            raise WrongKeysError(self._message()) from None

    def _seal_like(self, oldest: bytes | None) -> bytes:
        if oldest is None:
            return self._secrets.encrypt(CANARY_PLAINTEXT)
        try:
            return self._secrets.encrypt_like(oldest, CANARY_PLAINTEXT)
        except SecretError:
            raise WrongKeysError(self._message()) from None

    def _message(self) -> str:
        if self._key_file is None:
            return (
                "BRIDGE_SECRET_KEYS cannot decrypt this database's secrets (written with"
                " another key); put the key it was written with back in BRIDGE_SECRET_KEYS"
                " (the new key first, the old ones after it)"
            )
        return (
            f"the key in {self._key_file} (BRIDGE_SECRET_KEYS is unset) cannot decrypt this"
            " database's secrets (written with another key); set BRIDGE_SECRET_KEYS to the"
            " key it was written with (the new key first, the old ones after it)"
        )


def _canary(connection: Connection) -> bytes | None:
    sealed: bytes | None = connection.scalar(
        sa.select(KeyCanary.sealed).where(KeyCanary.id == CANARY_ID)
    )
    return sealed


def _oldest_value(connection: Connection, tables: set[str]) -> bytes | None:
    """The first encrypted value of the first table of :data:`OLDER_VALUES` holding one."""
    for name, key, column in OLDER_VALUES:
        if name not in tables:
            continue
        table = sa.table(name, sa.column(key), sa.column(column, sa.LargeBinary))
        sealed: bytes | None = connection.scalar(
            sa.select(table.c[column]).order_by(table.c[key]).limit(1)
        )
        if sealed is not None:
            return sealed
    return None
