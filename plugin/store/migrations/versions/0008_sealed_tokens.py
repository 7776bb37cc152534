"""sealed tokens: attempt tokens, callback tokens and the player settings (which carry
the attempt's event URL) are no longer stored in clear; each token is kept as its
SHA-256 for lookups and Fernet-encrypted to build URLs again.  Connections get a
separate browser token; a key canary lets every process check its keys at start.

Encrypting needs the tool's keys: the migration runs through the tool
(``assessment-bridge db upgrade`` or any start), which hands them over.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:10:00
"""

from __future__ import annotations

import hashlib
import secrets
import typing as t

import sqlalchemy as sa
from alembic import context
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _box(rows: int) -> t.Any:
    box = context.config.attributes.get("secrets")
    if box is None and rows:
        raise RuntimeError(
            "migration 0008 encrypts stored tokens and needs the tool's keys:"
            " run it with `assessment-bridge db upgrade`"
        )
    return box


def _count(table: str) -> int:
    return int(op.get_bind().execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() or 0)


def upgrade() -> None:
    # Refuse before any change: SQLite applies DDL at once, outside the transaction.
    box = _box(_count('attempts') + _count('vendor_connections'))
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('token_encrypted', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('embed_encrypted', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('vendor_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('callback_token_encrypted', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('browser_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('browser_token_encrypted', sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    attempts = bind.execute(sa.text("SELECT id, token, embed_json FROM attempts")).all()
    connections = bind.execute(sa.text("SELECT id, callback_token FROM vendor_connections")).all()
    for attempt_id, token, embed_json in attempts:
        bind.execute(
            sa.text(
                "UPDATE attempts SET token_hash = :hash, token_encrypted = :sealed,"
                " embed_encrypted = :embed WHERE id = :id"
            ),
            {
                "hash": _digest(token),
                "sealed": box.encrypt(token.encode()),
                "embed": box.encrypt(embed_json.encode()) if embed_json else None,
                "id": attempt_id,
            },
        )
    for connection_id, callback_token in connections:
        browser_token = secrets.token_urlsafe(32)
        bind.execute(
            sa.text(
                "UPDATE vendor_connections SET callback_token_hash = :hash,"
                " callback_token_encrypted = :sealed, browser_token_hash = :browser_hash,"
                " browser_token_encrypted = :browser_sealed WHERE id = :id"
            ),
            {
                "hash": _digest(callback_token),
                "sealed": box.encrypt(callback_token.encode()),
                "browser_hash": _digest(browser_token),
                "browser_sealed": box.encrypt(browser_token.encode()),
                "id": connection_id,
            },
        )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_attempts_token', type_='unique')
        batch_op.drop_column('token')
        batch_op.drop_column('embed_json')
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('token_encrypted', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_attempts_token_hash'), ['token_hash'])
    with op.batch_alter_table('vendor_connections', schema=None) as batch_op:
        batch_op.drop_constraint('uq_vendor_connections_callback_token', type_='unique')
        batch_op.drop_column('callback_token')
        for column, kind in (
            ('callback_token_hash', sa.String(length=64)),
            ('callback_token_encrypted', sa.LargeBinary()),
            ('browser_token_hash', sa.String(length=64)),
            ('browser_token_encrypted', sa.LargeBinary()),
        ):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_vendor_connections_callback_token_hash'), ['callback_token_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_vendor_connections_browser_token_hash'), ['browser_token_hash'])
    op.create_table('key_canary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_canary'))
    )


def downgrade() -> None:
    box = _box(_count('attempts') + _count('vendor_connections'))
    op.drop_table('key_canary')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('embed_json', sa.Text(), nullable=True))
    with op.batch_alter_table('vendor_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_token', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    attempts = bind.execute(sa.text("SELECT id, token_encrypted, embed_encrypted FROM attempts")).all()
    connections = bind.execute(sa.text("SELECT id, callback_token_encrypted FROM vendor_connections")).all()
    for attempt_id, sealed, embed in attempts:
        bind.execute(
            sa.text("UPDATE attempts SET token = :token, embed_json = :embed WHERE id = :id"),
            {
                "token": box.decrypt(sealed).decode(),
                "embed": box.decrypt(embed).decode() if embed else None,
                "id": attempt_id,
            },
        )
    for connection_id, sealed in connections:
        bind.execute(
            sa.text("UPDATE vendor_connections SET callback_token = :token WHERE id = :id"),
            {"token": box.decrypt(sealed).decode(), "id": connection_id},
        )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_attempts_token_hash', type_='unique')
        batch_op.drop_column('token_hash')
        batch_op.drop_column('token_encrypted')
        batch_op.drop_column('embed_encrypted')
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_attempts_token'), ['token'])
    with op.batch_alter_table('vendor_connections', schema=None) as batch_op:
        batch_op.drop_constraint('uq_vendor_connections_callback_token_hash', type_='unique')
        batch_op.drop_constraint('uq_vendor_connections_browser_token_hash', type_='unique')
        for column in ('callback_token_hash', 'callback_token_encrypted', 'browser_token_hash', 'browser_token_encrypted'):
            batch_op.drop_column(column)
        batch_op.alter_column('callback_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_vendor_connections_callback_token'), ['callback_token'])
