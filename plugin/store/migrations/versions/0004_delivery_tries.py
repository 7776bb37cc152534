"""delivery tries: ``delivery_attempts`` becomes ``delivery_tries`` and
``deliveries.attempts`` becomes ``deliveries.tries`` ("attempt" is the learner's).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_COLUMNS = "id, delivery_id, number, outcome, status_code, message, started_at, finished_at"


def _create_tries_table(name: str) -> None:
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f(f'fk_{name}_delivery_id_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}'))
    )
    op.create_index(op.f(f'ix_{name}_delivery_id'), name, ['delivery_id'], unique=False)


def _move_rows(source: str, target: str) -> None:
    """Copy every row (a new table, not a rename, so constraint names follow the table
    on every backend), then drop the old table; nothing references it."""
    op.execute(f"INSERT INTO {target} ({_COLUMNS}) SELECT {_COLUMNS} FROM {source}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{target}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {target}), 0) + 1, false)"
        )
    op.drop_index(op.f(f'ix_{source}_delivery_id'), table_name=source)
    op.drop_table(source)


def upgrade() -> None:
    # RENAME COLUMN (SQLite 3.25+, PostgreSQL) keeps the table: no copy of deliveries.
    op.execute("ALTER TABLE deliveries RENAME COLUMN attempts TO tries")
    _create_tries_table('delivery_tries')
    _move_rows('delivery_attempts', 'delivery_tries')


def downgrade() -> None:
    _create_tries_table('delivery_attempts')
    _move_rows('delivery_tries', 'delivery_attempts')
    op.execute("ALTER TABLE deliveries RENAME COLUMN tries TO attempts")
