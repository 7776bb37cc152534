"""``assessment-bridge ats``: applicant tracking system connections and their field maps."""

from __future__ import annotations

import json
import typing as t

import click

from plugin.ats.base import AtsError
from plugin.ats.base import AtsFieldDefinition
from plugin.ats.connections import AtsConnectionError
from plugin.ats.connections import AtsConnectionInfo
from plugin.ats.connections import AtsConnectionService
from plugin.ats.field_check import CHECKED_TARGETS
from plugin.ats.registry import KINDS
from plugin.ats.registry import AtsKind
from plugin.cli.config_options import config_options
from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table
from plugin.services import services


def _service() -> AtsConnectionService:
    service: AtsConnectionService = services(load_app()).ats_connections
    return service


def _show(info: AtsConnectionInfo, as_json: bool) -> None:
    if as_json:
        print_json(info)
        return
    click.echo(f"{info.name} ({KINDS[info.kind].title}, id {info.id})")
    for key, value in info.settings.items():
        click.echo(f"  {key.replace('_', '-')}: {value}")
    if info.field_map:
        click.echo("field map:")
        for logical, spec in sorted(info.field_map["fields"].items()):
            click.echo(f"  {logical} -> {spec['key']} ({spec['type']})")
    else:
        click.echo("field map: none (set one with `assessment-bridge ats fields NAME --map ...`)")
    linked = ", ".join(str(a) for a in info.assessments) or "none"
    click.echo(f"assessments: {linked}")


@click.group("ats")
def ats_group() -> None:
    """Applicant tracking systems that receive results (credentials stored encrypted)."""


class _AddGroup(click.Group):
    """``ats add KIND``: one command per kind, built when asked for (it loads the sink)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(KINDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        kind = KINDS.get(cmd_name)
        return None if kind is None else _add_command(kind)


@ats_group.group("add", cls=_AddGroup)
def add_group() -> None:
    """Connect an ATS account."""


def _add_command(kind: AtsKind) -> click.Command:
    def add(name: str, as_json: bool, **values: t.Any) -> None:
        with reported(AtsConnectionError):
            info = _service().add(kind.name, name, values)
        _show(info, as_json)

    params: list[click.Parameter] = [
        click.Option(["--name"], required=True, help="A name for this connection."),
        click.Option(["--json", "as_json"], is_flag=True, help="Print JSON."),
        *config_options(kind.config, kind.secret_fields),
    ]
    return click.Command(
        kind.name, callback=add, params=params, help=f"Connect a {kind.title} account."
    )


@ats_group.command("list")
@json_option
def list_connections(as_json: bool) -> None:
    """List ATS connections (no settings or secrets; `ats show` masks them)."""
    rows = [c.listing() for c in _service().list()]
    if as_json:
        print_json(rows)
        return
    print_table(
        ["ID", "NAME", "KIND", "FIELDS", "ASSESSMENTS"],
        [
            [
                r["id"],
                r["name"],
                r["kind"],
                r["fields"],
                ",".join(map(str, r["assessments"])) or "-",
            ]
            for r in rows
        ],
    )


@ats_group.command("show")
@click.argument("name")
@json_option
def show(name: str, as_json: bool) -> None:
    """Show a connection, its field map and the assessments it receives."""
    with reported(AtsConnectionError):
        info = _service().get(name)
    _show(info, as_json)


@ats_group.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove a connection (its undelivered writes go with it)."""
    with reported(AtsConnectionError):
        info = _service().remove(name)
    click.echo(f"removed {info.name}")


@ats_group.command("test")
@click.argument("name")
def test(name: str) -> None:
    """Make one authenticated call and report what the ATS answered."""
    with reported(AtsConnectionError, AtsError):
        line = _service().sink_by_name(name).check_connection()
    click.echo(f"ok: {line}")


@ats_group.command("fields")
@click.argument("name")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="LOGICAL=KEY:TYPE",
    help="Write logical field LOGICAL (score_percent, passed, report_url, ...) to ATS field "
    "KEY of TYPE. Repeat per field. A Greenhouse KEY of digits is a field id.",
)
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="LOGICAL:VALUE=OPTION",
    help="For select fields: the ATS option for a value, e.g. passed:true=101.",
)
@click.option(
    "--clear", "clears", multiple=True, metavar="LOGICAL", help="Clear the field when missing."
)
@click.option(
    "--file",
    "map_file",
    type=click.File(),
    default=None,
    help="A whole field map as JSON (see `mapping preview --ats-map`).",
)
@click.option(
    "--no-check",
    "unchecked",
    is_flag=True,
    help="Store the map without checking it against the fields the ATS defines.",
)
@json_option
def fields(
    name: str,
    mappings: tuple[str, ...],
    options: tuple[str, ...],
    clears: tuple[str, ...],
    map_file: t.TextIO | None,
    unchecked: bool,
    as_json: bool,
) -> None:
    """Set the field map (with --map or --file), or list the fields the ATS defines.

    A map is checked against the ATS's own field definitions (type, options) unless
    --no-check is given; a contradiction is refused.
    """
    service = _service()
    if not mappings and map_file is None:
        with reported(AtsConnectionError, AtsError):
            definitions = service.sink_by_name(name).list_fields()
        if as_json:
            print_json(definitions)
            return
        print_table(
            ["KEY", "LABEL", "TYPE", "OPTIONS"],
            [
                [d.key, d.label, d.type, ", ".join(f"{i}={n}" for i, n in d.options) or "-"]
                for d in definitions
                if d.active
            ],
        )
        return
    with reported(AtsConnectionError):
        kind = service.get(name).kind
        document = (
            json.load(map_file)
            if map_file is not None
            else {"fields": parse_field_options(kind, mappings, options, clears)}
        )
        defined = None if unchecked else _definitions(service, name, kind)
        info = service.set_field_map(name, document, definitions=defined)
    _show(info, as_json)


def _definitions(
    service: AtsConnectionService, name: str, kind: str
) -> list[AtsFieldDefinition] | None:
    """The fields the ATS defines, ``None`` for a kind that defines none (the webhook).

    :raises AtsConnectionError: when the ATS cannot be read.
    """
    if kind not in CHECKED_TARGETS:
        return None
    try:
        return service.sink_by_name(name).list_fields()
    except AtsError as exc:
        raise AtsConnectionError(
            f"cannot check the map against the fields {kind} defines: {exc.message}; "
            "fix the connection, or pass --no-check to store the map unchecked"
        ) from exc


def parse_field_options(
    kind: str, mappings: t.Iterable[str], options: t.Iterable[str], clears: t.Iterable[str]
) -> dict[str, dict[str, t.Any]]:
    """The ``fields`` of a field map from ``--map``/``--option``/``--clear`` values.

    :raises AtsConnectionError: for a value not in the documented form.
    """
    specs: dict[str, dict[str, t.Any]] = {}
    for item in mappings:
        logical, _, rest = item.partition("=")
        key, _, field_type = rest.rpartition(":")
        if not logical or not key or not field_type:
            raise AtsConnectionError(f"--map {item!r}: expected LOGICAL=KEY:TYPE")
        typed_key: str | int = int(key) if kind == "greenhouse" and key.isdigit() else key
        specs[logical.strip()] = {"key": typed_key, "type": field_type.strip()}
    for item in options:
        target, _, option = item.partition("=")
        logical, _, value = target.partition(":")
        if logical not in specs or not value or not option:
            raise AtsConnectionError(
                f"--option {item!r}: expected LOGICAL:VALUE=OPTION for a field given with --map"
            )
        chosen: str | int = int(option) if option.isdigit() else option
        specs[logical].setdefault("options", {})[value] = chosen
    for logical in clears:
        if logical not in specs:
            raise AtsConnectionError(f"--clear {logical!r}: map the field with --map first")
        specs[logical]["when_missing"] = "clear"
    return specs


@ats_group.command("link")
@click.argument("name")
@click.option("--assessment", "assessment_id", type=int, required=True)
def link(name: str, assessment_id: int) -> None:
    """Send the results of an assessment to this ATS from now on."""
    with reported(AtsConnectionError):
        _service().link(name, assessment_id)
    click.echo(f"results of assessment {assessment_id} now go to {name}")


@ats_group.command("unlink")
@click.argument("name")
@click.option("--assessment", "assessment_id", type=int, required=True)
def unlink(name: str, assessment_id: int) -> None:
    """Stop sending an assessment's results to this ATS."""
    with reported(AtsConnectionError):
        _service().unlink(name, assessment_id)
    click.echo(f"results of assessment {assessment_id} no longer go to {name}")
