"""Re-encrypting every stored secret with the first key (``assessment-bridge secrets rotate``),
after which the keys after it in ``BRIDGE_SECRET_KEYS`` can be dropped.

Each table is walked in primary-key order, :data:`BATCH_SIZE` rows per transaction, so a
large ``attempt_results`` never holds one long transaction.  A value the first key opens
already is left alone: a second run, or one after an interrupted run, writes only what is
left.  A row is written only if its value is still the one read (compare and swap), so a
value the running tool replaced meanwhile (sealed with the first key already) is not
overwritten with an older one.

The key canary is re-sealed last: it opens with the first key alone only once every other
value does, which is what a start with the old keys dropped checks
(:mod:`plugin.runtime.key_check`).

Values outside the database are not rotated: login state and launch data in the shared
store (sealed, see :mod:`lti.sealed_store`) live minutes to hours, and one sealed with a
dropped key reads as absent, so that login starts again; the AGS token cache holds nothing
sealed.  The vendor adapters and ATS sinks a running process keeps are keyed by their
config's ciphertext, so they are built again from the re-encrypted one.
"""

from __future__ import annotations

import dataclasses
import typing as t

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy import Engine

from plugin.errors import AppError
from plugin.runtime.crypto import SecretBox
from plugin.runtime.crypto import SecretError
from plugin.store.models import AtsConnection
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import Base
from plugin.store.models import KeyCanary
from plugin.store.models import ToolKey
from plugin.store.models import VendorConnection

BATCH_SIZE = 500

#: Every encrypted column, by table, the key canary last.
SEALED_COLUMNS: tuple[tuple[type[Base], tuple[str, ...]], ...] = (
    (ToolKey, ("private_key_encrypted",)),
    (VendorConnection, ("config_encrypted", "callback_token_encrypted", "browser_token_encrypted")),
    (AtsConnection, ("config_encrypted",)),
    (Attempt, ("token_encrypted", "embed_encrypted")),
    (AttemptResult, ("raw_encrypted",)),
    (KeyCanary, ("sealed",)),
)


class RotationError(AppError):
    """A stored value no configured key opens; the batch holding it was not written."""


@dataclasses.dataclass(frozen=True)
class TableRotation:
    """How many values of a table were re-encrypted."""

    table: str
    reencrypted: int


def rotate_secrets(
    engine: Engine, secrets: SecretBox, *, batch_size: int = BATCH_SIZE
) -> list[TableRotation]:
    """Re-encrypt every value of :data:`SEALED_COLUMNS` the first key does not open.

    :raises RotationError: naming the table, row and column of a value no key opens;
        the tables and batches before it stay rotated.
    """
    done = []
    for model, columns in SEALED_COLUMNS:
        table = t.cast("sa.Table", model.__table__)
        count = _rotate_table(engine, secrets, table, columns, batch_size)
        done.append(TableRotation(table.name, count))
    return done


def _rotate_table(
    engine: Engine, secrets: SecretBox, table: sa.Table, columns: tuple[str, ...], batch_size: int
) -> int:
    (key,) = table.primary_key.columns
    query = sa.select(key, *(table.c[name] for name in columns)).order_by(key).limit(batch_size)
    total, last = 0, None
    while True:
        with engine.begin() as connection:
            page = query if last is None else query.where(key > last)
            rows = connection.execute(page).all()
            if not rows:
                return total
            total += _rotate_batch(connection, secrets, table, key, columns, rows)
        last = rows[-1][0]


def _rotate_batch(
    connection: Connection,
    secrets: SecretBox,
    table: sa.Table,
    key: sa.Column[t.Any],
    columns: tuple[str, ...],
    rows: t.Sequence[sa.Row[t.Any]],
) -> int:
    """Write the batch's re-encrypted values (every one is computed before any is written)."""
    changes: dict[str, list[dict[str, t.Any]]] = {name: [] for name in columns}
    for row in rows:
        for position, name in enumerate(columns, start=1):
            old = row[position]
            if old is None or secrets.is_current(old):
                continue
            try:
                new = secrets.rotate(old)
            except SecretError:
                raise RotationError(
                    f"{table.name} row {row[0]}: {name} cannot be decrypted with any key in"
                    " BRIDGE_SECRET_KEYS, so its batch was not re-encrypted (earlier rows"
                    " were); put the key it was written with in BRIDGE_SECRET_KEYS and run"
                    " `secrets rotate` again"
                ) from None
            changes[name].append({"b_key": row[0], "b_old": old, "b_new": new})
    written = 0
    for name, params in changes.items():
        if not params:
            continue
        column = table.c[name]
        swap = (
            sa.update(table)
            .where(key == sa.bindparam("b_key"), column == sa.bindparam("b_old"))
            .values({name: sa.bindparam("b_new")})
        )
        written += connection.execute(swap, params).rowcount
    return written
