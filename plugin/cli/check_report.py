"""How ``vendor test`` prints a connection check: credentials apart from the catalogue."""

from __future__ import annotations

import dataclasses
import typing as t

import click

from plugin.cli.output import print_json

if t.TYPE_CHECKING:
    from plugin.vendors.base import ConnectionReport


def show_report(report: ConnectionReport, *, as_json: bool) -> None:
    """Print ``report``; warnings go to stderr.

    :raises click.ClickException: (exit 1) credentials refused, or the catalogue
        readable in no plausible form.
    """
    if as_json:
        print_json({**dataclasses.asdict(report), "ok": report.ok})
    elif report.auth_ok:
        click.echo(f"credentials: accepted ({report.detail})")
        if report.catalogue is not None:
            click.echo(f"catalogue: {report.catalogue}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not report.auth_ok:
        raise click.ClickException(f"credentials: refused — {report.detail}")
    if report.catalogue is None:
        raise click.ClickException(f"catalogue: unreadable — {report.problem}")
    if report.problem is not None:
        raise click.ClickException(report.problem)
