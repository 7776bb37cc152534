"""``assessment-bridge platform``: LTI platform registrations and deployments."""

from __future__ import annotations

import click

from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.invites import allow_origin_option
from plugin.cli.invites import invite_revoke
from plugin.cli.invites import list_invites
from plugin.cli.invites import registration_url
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table
from plugin.registrations.platforms import NewPlatform
from plugin.registrations.platforms import PlatformError
from plugin.registrations.platforms import PlatformInfo
from plugin.registrations.platforms import PlatformService
from plugin.services import services

issuer_option = click.option("--issuer", required=True, help="The platform's issuer (iss).")
client_option = click.option(
    "--client-id", default=None, help="Needed when the issuer has several."
)


def _service() -> PlatformService:
    service: PlatformService = services(load_app()).platforms
    return service


def _show(info: PlatformInfo, as_json: bool) -> None:
    if as_json:
        print_json(info)
        return
    record = info.record
    for label, value in (
        ("issuer", record.issuer),
        ("client id", record.client_id),
        ("name", info.name or "-"),
        ("auth login URL", record.auth_login_url),
        ("auth token URL", record.auth_token_url),
        ("key set URL", record.key_set_url),
        ("auth audience", record.auth_audience or "-"),
        ("allowed origins", " ".join(record.allowed_origins) or "-"),
        ("registered via", info.registered_via),
    ):
        click.echo(f"{label + ':':<16} {value}")
    click.echo("deployments:")
    for d in info.deployments:
        state = "active" if d.active else "INACTIVE (refused at launch)"
        click.echo(f"  {d.deployment_id}  {state}")
    if not info.deployments:
        click.echo("  none")


@click.group("platform")
def platform_group() -> None:
    """LTI platforms (LMSs) the tool is registered with."""


@platform_group.command("add")
@issuer_option
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization endpoint.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token endpoint.")
@click.option("--key-set-url", required=True, help="The platform's JWKS URL.")
@click.option("--auth-audience", default=None, help="aud for token requests, if not the token URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeatable.")
@click.option("--name", default="", help="A label for people.")
@allow_origin_option
@json_option
def add(
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    auth_audience: str | None,
    deployment_ids: tuple[str, ...],
    name: str,
    allowed_origins: tuple[str, ...],
    as_json: bool,
) -> None:
    """Register a platform by hand.

    The login, token and key set URLs must be on the issuer's origin, or on one given with
    --allow-origin.
    """
    new = NewPlatform(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        key_set_url=key_set_url,
        auth_audience=auth_audience,
        name=name,
        deployment_ids=deployment_ids,
        allowed_origins=allowed_origins,
    )
    with reported(PlatformError):
        info = _service().add(new)
    _show(info, as_json)


@platform_group.command("list")
@json_option
def list_platforms(as_json: bool) -> None:
    """List registered platforms."""
    platforms = _service().list()
    if as_json:
        print_json(platforms)
        return
    print_table(
        ["ISSUER", "CLIENT ID", "NAME", "DEPLOYMENTS", "INACTIVE", "VIA"],
        [
            [
                p.record.issuer,
                p.record.client_id,
                p.name or "-",
                sum(d.active for d in p.deployments),
                sum(not d.active for d in p.deployments),
                p.registered_via,
            ]
            for p in platforms
        ],
    )


@platform_group.command("show")
@issuer_option
@client_option
@json_option
def show(issuer: str, client_id: str | None, as_json: bool) -> None:
    """Show one platform with its deployments."""
    with reported(PlatformError):
        info = _service().get(issuer, client_id)
    _show(info, as_json)


@platform_group.command("update")
@issuer_option
@client_option
@allow_origin_option
@click.option("--no-allowed-origins", is_flag=True, help="Allow no origin besides the issuer's.")
@json_option
def update(
    issuer: str,
    client_id: str | None,
    allowed_origins: tuple[str, ...],
    no_allowed_origins: bool,
    as_json: bool,
) -> None:
    """Replace the origins besides the issuer's that the platform's URLs may be on."""
    if bool(allowed_origins) == no_allowed_origins:
        raise click.UsageError("give --allow-origin (repeatable) or --no-allowed-origins")
    with reported(PlatformError):
        info = _service().set_allowed_origins(issuer, client_id, allowed_origins)
    _show(info, as_json)


@platform_group.command("remove")
@issuer_option
@client_option
def remove(issuer: str, client_id: str | None) -> None:
    """Remove a platform and its deployments; its launches are refused afterwards."""
    with reported(PlatformError):
        info = _service().remove(issuer, client_id)
    click.echo(f"removed {info.record.issuer} (client id {info.record.client_id})")


@platform_group.group("deployment")
def deployment_group() -> None:
    """Deployments of a platform."""


@deployment_group.command("add")
@issuer_option
@client_option
@click.option("--deployment-id", required=True)
@json_option
def deployment_add(issuer: str, client_id: str | None, deployment_id: str, as_json: bool) -> None:
    """Add a deployment, or activate one that was refused at launch."""
    with reported(PlatformError):
        info = _service().add_deployment(issuer, client_id, deployment_id)
    _show(info, as_json)


@deployment_group.command("remove")
@issuer_option
@client_option
@click.option("--deployment-id", required=True)
@json_option
def deployment_remove(
    issuer: str, client_id: str | None, deployment_id: str, as_json: bool
) -> None:
    """Remove a deployment; its launches are refused afterwards."""
    with reported(PlatformError):
        info = _service().remove_deployment(issuer, client_id, deployment_id)
    _show(info, as_json)


platform_group.add_command(registration_url)
platform_group.add_command(list_invites)
platform_group.add_command(invite_revoke)
