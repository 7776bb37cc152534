"""``assessment-bridge secrets``: encryption keys for secrets at rest."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet

from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table


@click.group("secrets")
def secrets_group() -> None:
    """Encryption keys for stored secrets (BRIDGE_SECRET_KEYS)."""


@secrets_group.command("generate")
def generate() -> None:
    """Print a new Fernet key; put it first in BRIDGE_SECRET_KEYS, keep the old ones after it."""
    click.echo(Fernet.generate_key().decode())


@secrets_group.command("rotate")
@json_option
def rotate(as_json: bool) -> None:
    """Re-encrypt every stored secret with the first key of BRIDGE_SECRET_KEYS.

    Afterwards the keys after it can be dropped. Safe to run again, and while the tool runs.
    """
    from plugin.runtime.rotation import RotationError
    from plugin.runtime.rotation import rotate_secrets
    from plugin.services import services

    registry = services(load_app())
    with reported(RotationError):
        done = rotate_secrets(registry.engine, registry.secrets)
    if as_json:
        print_json({"reencrypted": {table.table: table.reencrypted for table in done}})
        return
    print_table(["table", "re-encrypted"], [(table.table, table.reencrypted) for table in done])
    click.echo(
        "every stored secret opens with the first key; the keys after it can be dropped"
        " from BRIDGE_SECRET_KEYS"
    )
