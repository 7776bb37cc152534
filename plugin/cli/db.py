"""``assessment-bridge db``: schema migrations."""

from __future__ import annotations

import click

from plugin.cli.context import load_app
from plugin.store import migrate


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration (serve does this on start)."""
    app = load_app(prepare=False)
    engine = app.extensions["bridge.engine"]
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    if before == after:
        click.echo(f"schema already at {after}")
    else:
        click.echo(f"schema upgraded from {before or 'empty'} to {after}")


@db_group.command("current")
def current() -> None:
    """Show the schema revision the database is at."""
    app = load_app(prepare=False)
    click.echo(
        migrate.current_revision(app.extensions["bridge.engine"]) or "empty (run `db upgrade`)"
    )
