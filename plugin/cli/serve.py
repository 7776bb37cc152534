"""``assessment-bridge serve`` and ``worker``: the web app and the job consumer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click

from plugin.cli.context import load_app
from plugin.cli.context import reported
from plugin.runtime.server import HEADER_TIMEOUT_SECONDS
from plugin.runtime.server import run_gunicorn
from plugin.services import services
from plugin.store.migrate import SchemaTooNewError

#: Threads of serve's consumer on SQLite: every write takes the one database lock, and a
#: second consumer thread holding it makes web requests wait in SQLite's busy back-off (the
#: intake benchmark's p99 went from about 20 ms to 87 ms with two threads).  Running the
#: consumer at a lower CPU priority did not help there: a descheduled consumer holding the
#: lock makes the web wait longer (p99 15 to 48 ms over three runs, 18 to 19 ms without).
SQLITE_CONSUMER_THREADS = 1


def _default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=_default_workers,
    show_default="2 x cores + 1, at most 8",
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option(
    "--no-consumer", is_flag=True, help="Do not start the job consumer beside the web workers."
)
@click.option(
    "--consumer-threads",
    default=None,
    type=click.IntRange(1, 64),
    show_default="1 on SQLite, 4 otherwise",
    help="Threads of the job consumer.",
)
@click.option(
    "--header-timeout",
    default=HEADER_TIMEOUT_SECONDS,
    show_default=True,
    type=click.FloatRange(0.5, 300),
    help="Seconds a connection has to send its request line and headers.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    no_consumer: bool,
    consumer_threads: int | None,
    header_timeout: float,
) -> None:
    """Run the web app with gunicorn and one job consumer beside it (periodic jobs run there).

    Upgrades the database schema first (one process at a time: another one starting
    meanwhile waits, then finds it done).  Meant to sit behind a buffering reverse proxy
    (README, "Deployment").
    """
    with reported(SchemaTooNewError):
        app = load_app()
    registry = services(app)
    settings = registry.settings
    click.echo(
        f"Assessment Bridge on http://{host}:{port} (public URL {settings.base_url})", err=True
    )
    click.echo(f"manual registration details: {settings.base_url}/lti/config", err=True)
    if consumer_threads is None:
        consumer_threads = (
            SQLITE_CONSUMER_THREADS if settings.database_url.startswith("sqlite") else 4
        )
    consumer = None if no_consumer else _start_consumer(consumer_threads)
    try:
        run_gunicorn(
            app,
            bind=f"{host}:{port}",
            workers=workers,
            engine=registry.engine,
            data_dir=settings.data_dir,
            header_timeout=header_timeout,
        )
    finally:
        if consumer is not None:
            consumer.send_signal(signal.SIGTERM)
            consumer.wait(timeout=30)


def _start_consumer(threads: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "plugin", "worker", "--threads", str(threads)]
    )


@click.command()
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not run periodic jobs (use on all workers but one when several run).",
)
@click.option(
    "--nice",
    default=0,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower the consumer's CPU priority by this much (for machines it shares).",
)
def worker(threads: int, no_periodic: bool, nice: int) -> None:
    """Run a job consumer (RedisHuey: start as many as you like, on any machine).

    Never changes the schema: until ``serve`` or ``db upgrade`` brought it to this
    release's, it waits (saying so in its log); it refuses a schema a newer release made.
    """
    if nice:
        os.nice(nice)
    from plugin.runtime.bootstrap import bootstrap
    from plugin.runtime.crypto import SecretError
    from plugin.runtime.key_check import WrongKeysError

    app = load_app(prepare=False)
    with reported(SchemaTooNewError, WrongKeysError, SecretError):
        notes = bootstrap(app, upgrade=False)
    for note in notes:
        click.echo(note, err=True)
    huey = services(app).huey
    consumer = huey.create_consumer(
        workers=threads, worker_type="thread", periodic=not no_periodic, check_worker_health=True
    )
    consumer.run()
