"""``assessment-bridge secrets``: encryption keys for secrets at rest."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet


@click.group("secrets")
def secrets_group() -> None:
    """Encryption keys for stored secrets (BRIDGE_SECRET_KEYS)."""


@secrets_group.command("generate")
def generate() -> None:
    """Print a new Fernet key; put it first in BRIDGE_SECRET_KEYS, keep the old ones after it."""
    click.echo(Fernet.generate_key().decode())
