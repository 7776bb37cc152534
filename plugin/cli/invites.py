"""``assessment-bridge platform registration-url / invites / invite-revoke``: the one-time
URLs through which an LMS registers the tool dynamically."""

from __future__ import annotations

import datetime as dt

import click

from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table
from plugin.registrations.invites import InviteError
from plugin.registrations.invites import RegistrationInvites
from plugin.registrations.invites import parse_lifetime
from plugin.services import services

allow_origin_option = click.option(
    "--allow-origin",
    "allowed_origins",
    multiple=True,
    metavar="ORIGIN",
    help="An origin (https://host[:port]) besides the issuer's the platform's endpoints may"
    " use, for LMSs that really do so. Repeatable.",
)


def _service() -> RegistrationInvites:
    service: RegistrationInvites = services(load_app()).invites
    return service


def _lifetime(ctx: click.Context, param: click.Parameter, value: str) -> dt.timedelta:
    try:
        return parse_lifetime(value)
    except InviteError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


def _when(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


@click.command("registration-url")
@click.option(
    "--expires",
    "lifetime",
    default="24h",
    show_default=True,
    callback=_lifetime,
    help="How long the URL stays usable: 30m, 24h, 7d (1m to 30d).",
)
@click.option("--label", default="", help="A note for people (which LMS it is for).")
@allow_origin_option
@json_option
def registration_url(
    lifetime: dt.timedelta, label: str, allowed_origins: tuple[str, ...], as_json: bool
) -> None:
    """Mint a one-time URL to paste into the LMS's dynamic registration.

    The URL is printed this once: only a hash of it is kept. It registers one platform,
    then stops working.
    """
    with reported(InviteError):
        minted = _service().mint(lifetime=lifetime, label=label, allowed_origins=allowed_origins)
    if as_json:
        print_json(minted)
        return
    click.echo(minted.url)
    click.echo(
        f"invite {minted.id}: registers one platform until {_when(minted.expires_at)};"
        " the URL is not shown again"
    )
    if minted.allowed_origins:
        click.echo("allowed origins: " + " ".join(minted.allowed_origins))


@click.command("invites")
@json_option
def list_invites(as_json: bool) -> None:
    """List registration invites (never their URLs)."""
    invites = _service().list()
    if as_json:
        print_json(invites)
        return
    print_table(
        ["ID", "LABEL", "CREATED", "EXPIRES", "STATE", "PLATFORM", "ALLOWED ORIGINS"],
        [
            [
                i.id,
                i.label or "-",
                _when(i.created_at),
                _when(i.expires_at),
                i.state,
                i.platform_issuer or "-",
                " ".join(i.allowed_origins) or "-",
            ]
            for i in invites
        ],
    )


@click.command("invite-revoke")
@click.argument("invite_id", type=int)
def invite_revoke(invite_id: int) -> None:
    """Revoke an unused registration invite: its URL registers nothing afterwards."""
    with reported(InviteError):
        info = _service().revoke(invite_id)
    click.echo(f"revoked registration invite {info.id}")
