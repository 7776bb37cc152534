"""``assessment-bridge keys``: the tool's signing keys."""

from __future__ import annotations

import datetime as dt

import click

from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table
from plugin.registrations.tool_keys import KeyInfo
from plugin.registrations.tool_keys import NoSigningKeyError
from plugin.registrations.tool_keys import ToolKeyService
from plugin.services import services


def _service() -> ToolKeyService:
    service: ToolKeyService = services(load_app()).keys
    return service


def _rows(keys: list[KeyInfo]) -> list[list[object]]:
    return [
        [
            k.kid,
            k.state.value,
            k.created_at.isoformat(timespec="seconds"),
            k.signs_from.isoformat(timespec="seconds"),
            k.retires_at.isoformat(timespec="seconds") if k.retires_at else "-",
        ]
        for k in keys
    ]


@click.group("keys")
def keys_group() -> None:
    """The RSA keys the tool signs with (published at /lti/jwks)."""


@keys_group.command("list")
@json_option
def list_keys(as_json: bool) -> None:
    """List keys: next (published, not signing yet), signing, previous, retired."""
    keys = _service().list_keys()
    if as_json:
        print_json(keys)
    else:
        print_table(["KID", "STATE", "CREATED", "SIGNS FROM", "RETIRES"], _rows(keys))


@keys_group.command("rotate")
@click.option(
    "--overlap",
    type=click.IntRange(0, 30 * 86400),
    default=3600,
    show_default=True,
    help="Seconds the new key is published before it signs, and the old one stays after.",
)
@click.option(
    "--keep-old",
    type=click.IntRange(0, 30 * 86400),
    default=None,
    help="Seconds the old key stays published once the new one signs [default: OVERLAP].",
)
@json_option
def rotate(overlap: int, keep_old: int | None, as_json: bool) -> None:
    """Add a key: published now, signing after OVERLAP; the current key retires OVERLAP later."""
    keep = None if keep_old is None else dt.timedelta(seconds=keep_old)
    key = _service().rotate(overlap=dt.timedelta(seconds=overlap), keep_old=keep)
    if as_json:
        print_json(key)
    else:
        signs_from = key.signs_from.isoformat(timespec="seconds")
        click.echo(f"new key {key.kid} published; it signs from {signs_from}")


# A kid is a base64url thumbprint and may start with "-": take it as the argument, never as
# options (so no short option either, not even -h).
@keys_group.command(
    "retire", context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]}
)
@click.argument("kid")
def retire(kid: str) -> None:
    """Withdraw KID from the JWKS now (it must not be the only key able to sign)."""
    with reported(LookupError, NoSigningKeyError):
        key = _service().retire(kid)
    click.echo(f"key {key.kid} retired")
