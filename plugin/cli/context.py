"""Building the application for a command, with errors turned into CLI messages."""

from __future__ import annotations

import contextlib
import typing as t

import click
from flask import Flask

from config import SettingsError


def load_app(*, prepare: bool = True) -> Flask:
    """Create the app and check that the keys open the stored secrets; with ``prepare``,
    upgrade the schema and create the first key too.

    What was created on first run is reported on stderr; keys that cannot open the stored
    secrets stop the command with one line saying so.
    """
    from plugin import create_app
    from plugin.runtime.bootstrap import bootstrap
    from plugin.runtime.crypto import SecretError
    from plugin.runtime.key_check import WrongKeysError
    from plugin.services import services
    from plugin.store.migrate import SchemaTooNewError

    try:
        app = create_app()
    except SettingsError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc
    try:
        if prepare:
            notes = bootstrap(app)
        else:
            services(app).key_check.before_upgrade()
            notes = []
    except (WrongKeysError, SecretError, SchemaTooNewError) as exc:
        raise click.ClickException(str(exc)) from exc
    for note in notes:
        click.echo(note, err=True)
    return app


@contextlib.contextmanager
def reported(*errors: type[Exception]) -> t.Iterator[None]:
    """Turn the expected ``errors`` into a one-line CLI error (stderr, exit code 1)."""
    try:
        yield
    except errors as exc:
        # str() of a KeyError is the repr of its message; show the message itself.
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise click.ClickException(str(message)) from exc
