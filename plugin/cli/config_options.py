"""Command-line options generated from a connection's settings dataclass, so every
setting of every vendor and ATS kind is an option with the right help and prompting."""

from __future__ import annotations

import dataclasses
import typing as t

import click


def config_options(config: type[t.Any], secret_fields: frozenset[str]) -> list[click.Parameter]:
    """One ``--setting-name`` option per field; secrets are prompted for (hidden) when
    required and omitted."""
    params: list[click.Parameter] = []
    for field in dataclasses.fields(config):
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        secret = field.name in secret_fields
        params.append(
            click.Option(
                ["--" + field.name.replace("_", "-"), field.name],
                required=required and not secret,
                prompt=f"{field.name} (hidden)" if secret and required else False,
                hide_input=secret,
                default=None,
                help=("Secret; prompted for when omitted. " if secret else "")
                + (f"{field.metadata['help']} " if "help" in field.metadata else "")
                + ("" if required or field.default == "" else f"Default: {field.default}."),
            )
        )
    return params
