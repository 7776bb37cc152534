"""``assessment-bridge db``: schema migrations."""

from __future__ import annotations

import click

from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.services import services
from plugin.store import migrate


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration (serve does this on start)."""
    app = load_app(prepare=False)
    engine = services(app).engine
    before = migrate.current_revision(engine)
    with reported(migrate.SchemaTooNewError):
        migrate.upgrade(engine, secrets=services(app).secrets)
    after = migrate.current_revision(engine)
    if before == after:
        click.echo(f"schema already at {after}")
    else:
        click.echo(f"schema upgraded from {before or 'empty'} to {after}")


@db_group.command("current")
@json_option
def current(as_json: bool) -> None:
    """Show the schema revision the database is at, and the newest one this code knows."""
    app = load_app(prepare=False)
    revision = migrate.current_revision(services(app).engine)
    if as_json:
        print_json({"current": revision, "head": migrate.head_revision()})
        return
    click.echo(revision or "empty (run `db upgrade`)")
