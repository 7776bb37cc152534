"""Alembic environment: runs against the engine the application hands over."""

from __future__ import annotations

from alembic import context

from plugin.store.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    foreign_keys = sqlite and connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    if foreign_keys:
        # A batch migration copies a table and drops the old one; with foreign keys on,
        # SQLite's DROP TABLE would first cascade into every row that references it.
        # The pragma only takes effect outside a transaction: it is the first statement.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if foreign_keys:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
