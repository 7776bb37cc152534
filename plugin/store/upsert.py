"""``INSERT ... ON CONFLICT DO UPDATE ... RETURNING id`` for SQLite and PostgreSQL.

Statements are built once per shape and reused with fresh parameters: building
an ``ON CONFLICT`` clause costs more than running it on the launch path.
"""

from __future__ import annotations

import functools
import typing as t

from sqlalchemy import func
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from plugin.store.models import Base


def upsert(
    session: Session,
    model: type[Base],
    *,
    keys: t.Mapping[str, t.Any],
    values: t.Mapping[str, t.Any],
    keep_when_empty: t.Iterable[str] = (),
) -> int:
    """Insert or update one row identified by ``keys``; return its id.

    Columns named in ``keep_when_empty`` keep their stored value when the new one is
    empty (a platform that omits the name on one launch does not erase it).
    """
    statement = _statement(
        model,
        session.get_bind().dialect.name,
        tuple(keys),
        tuple(values),
        frozenset(keep_when_empty),
    )
    row_id: int = session.execute(statement, {**keys, **values}).scalar_one()
    return row_id


@functools.cache
def _statement(
    model: type[Base],
    dialect_name: str,
    key_names: tuple[str, ...],
    value_names: tuple[str, ...],
    keep_when_empty: frozenset[str],
) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = model.__table__
    statement = dialect.insert(table)
    excluded = statement.excluded
    update = {
        name: (
            func.coalesce(func.nullif(excluded[name], ""), table.c[name])
            if name in keep_when_empty
            else excluded[name]
        )
        for name in value_names
    }
    upserting: Insert = statement.on_conflict_do_update(
        index_elements=list(key_names), set_=update
    ).returning(table.c.id)
    return upserting


def insert_if_absent(session: Session, model: type[Base], values: t.Mapping[str, t.Any]) -> None:
    """Insert one row unless a row with the same primary or unique key exists."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model.__table__).on_conflict_do_nothing(), dict(values))


def put(
    session: Session,
    model: type[Base],
    *,
    keys: t.Mapping[str, t.Any],
    values: t.Mapping[str, t.Any],
) -> None:
    """Insert one row identified by ``keys`` (its primary or unique key), or overwrite the
    ``values`` of the row that exists."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model.__table__)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: statement.excluded[name] for name in values}
        ),
        {**keys, **values},
    )
