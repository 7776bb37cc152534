"""``assessment-bridge mapping ...``: see what a vendor result would become.

``mapping preview`` maps one vendor payload and prints the canonical result, the AGS
score and (with ``--ats-map``, format in :mod:`mappings.ats_map`) the ATS field
writes, as one JSON document, so an administrator can check a connection before
turning it on.
"""

from __future__ import annotations

import decimal
import json
import typing as t

import click
from marshmallow import ValidationError

from mappings.ats import FieldMapError
from mappings.ats import FieldValueError
from mappings.errors import flatten_messages
from mappings.preview import build_preview
from mappings.registry import KNOWN_KINDS


def _decimal(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> decimal.Decimal | None:
    """Parse ``--max-points`` exactly (no float rounding)."""
    if value is None:
        return None
    try:
        return decimal.Decimal(value)
    except decimal.InvalidOperation as error:
        raise click.BadParameter(f"{value!r} is not a number.") from error


@click.group(name="mapping")
def mapping_group() -> None:
    """Inspect how vendor results map to gradebook scores and ATS fields."""


@mapping_group.command("preview")
@click.option("--vendor-kind", type=click.Choice(KNOWN_KINDS), required=True)
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="Raw vendor result (JSON); '-' reads standard input.",
)
@click.option(
    "--score-mode",
    type=click.Choice(["points", "percent"]),
    default="percent",
    show_default=True,
)
@click.option("--max-points", callback=_decimal, default=None, help="Line item maximum.")
@click.option(
    "--ats-map",
    "ats_map_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="ATS field map (JSON: target and fields).",
)
def preview(
    vendor_kind: str,
    input_file: t.TextIO,
    score_mode: t.Literal["points", "percent"],
    max_points: decimal.Decimal | None,
    ats_map_file: t.TextIO | None,
) -> None:
    """Print what the bridge would send for one vendor result."""
    raw = _read_json(input_file, "--input")
    ats_map = None if ats_map_file is None else _read_json(ats_map_file, "--ats-map")
    try:
        document = build_preview(
            vendor_kind, raw, score_mode=score_mode, max_points=max_points, ats_map=ats_map
        )
    except ValidationError as error:
        lines = flatten_messages(error.messages)
        raise click.ClickException(_listing(f"invalid {vendor_kind} payload", lines)) from error
    except (FieldMapError, FieldValueError) as error:
        raise click.ClickException(_listing("invalid ATS field map", error.messages)) from error
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _read_json(stream: t.TextIO, option: str) -> t.Any:
    try:
        return json.load(stream)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{option}: not valid JSON ({error}).") from error


def _listing(title: str, lines: list[str]) -> str:
    return "\n  ".join([f"{title}:", *lines])
