"""First-run and every-run preparation: keys that open the stored secrets, schema up to
date (upgraded, or waited for by a ``worker``), a tool key to sign with, the tool's files
private."""

from __future__ import annotations

import logging

from flask import Flask

from plugin.runtime.files import seal
from plugin.services import services
from plugin.store import migrate

log = logging.getLogger(__name__)


def bootstrap(app: Flask, *, upgrade: bool = True) -> list[str]:
    """Check the keys open the stored secrets, upgrade the schema, create a tool key when
    none can sign and make the tool's files private; return what was done, for the person
    who started it.

    :param upgrade: False for a process that must not change the schema (a ``worker``): it
        waits until someone upgraded it (:func:`plugin.store.migrate.wait_for_schema`).
    :raises plugin.runtime.key_check.WrongKeysError: the keys cannot open the stored
        secrets (nothing was changed then).
    :raises plugin.store.migrate.SchemaTooNewError: a newer release upgraded the schema.
    """
    registry = services(app)
    engine = registry.engine
    notes: list[str] = []
    before = migrate.current_revision(engine)
    # Before the upgrade, which may encrypt stored values (0008) with the keys.
    registry.key_check.before_upgrade()
    if upgrade:
        migrate.upgrade(engine, secrets=registry.secrets)
        if before is None:
            url = engine.url.render_as_string(hide_password=True)
            notes.append(f"created the database: {url}")
    else:
        migrate.wait_for_schema(engine)
    registry.key_check.ensure_canary()
    if registry.keys.ensure_key():
        notes.append("generated a signing key: none could sign (see `assessment-bridge keys list`)")
    loosened = seal(registry.settings)
    if loosened:
        log.warning("made %d files private (0600, folders 0700)", len(loosened))
        notes.append(f"made {len(loosened)} files private: 0600, folders 0700")
    if notes:
        notes.insert(0, f"data directory: {registry.settings.data_dir}")
    return notes
