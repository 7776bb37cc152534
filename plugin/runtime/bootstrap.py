"""First-run and every-run preparation: schema up to date, a tool key to sign with."""

from __future__ import annotations

from flask import Flask

from plugin.services import services
from plugin.store import migrate


def bootstrap(app: Flask) -> list[str]:
    """Upgrade the schema and create the first tool key; return what was created."""
    registry = services(app)
    engine = registry.engine
    notes: list[str] = []
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    if before is None:
        notes.append(f"created the database: {engine.url.render_as_string(hide_password=True)}")
    if registry.keys.ensure_key():
        notes.append("generated a signing key: none could sign (see `assessment-bridge keys list`)")
    if notes:
        notes.insert(0, f"data directory: {registry.settings.data_dir}")
    return notes
