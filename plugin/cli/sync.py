"""``assessment-bridge sync ...`` and ``reconcile``: results and their deliveries, by hand."""

from __future__ import annotations

import typing as t

import click
from flask import Flask
from sqlalchemy import select

from plugin.attempts.unmatched import unmatched_counts
from plugin.cli.context import load_app
from plugin.cli.output import json_option
from plugin.cli.output import print_json
from plugin.cli.output import print_table
from plugin.outbox.report import DeliveryReport
from plugin.runtime.tokens import token_digest
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import VendorConnection
from plugin.sync.reconcile import ReconcileReport


def _attempt_id(app: Flask, attempt: str) -> int:
    """An attempt by id or by its token."""
    with services(app).sessions() as session:
        found = session.scalar(
            select(Attempt.id).where(
                (Attempt.token_hash == token_digest(attempt))
                | (Attempt.id == (int(attempt) if attempt.isdigit() else -1))
            )
        )
    if found is None:
        raise click.ClickException(f"no attempt {attempt!r} (give its id or token)")
    return found


def _deliver_now(app: Flask, delivery_ids: t.Iterable[int]) -> list[dict[str, t.Any]]:
    worker = services(app).delivery_worker
    done = []
    for delivery_id in delivery_ids:
        recorded = worker.deliver(delivery_id)
        done.append(
            {"delivery": delivery_id, "status": recorded.status.value if recorded else "not due"}
        )
    return done


@click.group("sync")
def sync_group() -> None:
    """Results and deliveries: run a sync now, see what is owed, retry what is dead."""


@sync_group.command("attempt")
@click.argument("attempt")
@click.option("--queue", "only_queue", is_flag=True, help="Queue the deliveries for workers.")
@json_option
def sync_attempt(attempt: str, only_queue: bool, as_json: bool) -> None:
    """Fetch ATTEMPT's result now (id or token) and send what changed."""
    app = load_app()
    outcome = services(app).sync.sync(_attempt_id(app, attempt))
    sent = [] if only_queue else _deliver_now(app, outcome.deliveries)
    if as_json:
        print_json({"sync": outcome, "deliveries": sent})
    else:
        click.echo(f"attempt {outcome.attempt_id}: {outcome.state}", nl=False)
        click.echo(f" (v{outcome.version}, {outcome.status})" if outcome.version else "")
        for item in sent:
            click.echo(f"  delivery {item['delivery']}: {item['status']}")
    if outcome.state == "failed":
        raise click.ClickException(outcome.error or "sync failed")


@sync_group.command("status")
@json_option
def status(as_json: bool) -> None:
    """Deliveries by status, attempts owed a sync, each vendor's reconciliation, and the
    signals each vendor connection sent that named no attempt we know."""
    app = load_app()
    counts = DeliveryReport(services(app).sessions).counts()
    cursors = services(app).reconciler.cursors()
    unmatched = unmatched_counts(services(app).sessions)
    if as_json:
        print_json({**counts, "reconciliation": cursors, "unmatched_signals": unmatched})
        return
    for name, count in sorted(counts["deliveries"].items()):
        click.echo(f"{name:>11}: {count}")
    click.echo(f"attempts owed a sync: {counts['attempts_owed_sync']}")
    print_table(
        ["VENDOR", "LAST RUN", "FINISHED", "ERROR"],
        [[c["name"], c["started_at"], c["finished_at"], c["last_error"] or "-"] for c in cursors],
    )
    print_table(
        ["VENDOR", "UNMATCHED SIGNALS", "LAST UNMATCHED"],
        [[u.name, u.count, u.last_at or "-"] for u in unmatched],
    )


@sync_group.command("deliveries")
@click.option("--status", "status_name", default=None, help="pending, failed, dead, ...")
@click.option("--attempt", "attempt", default=None, help="An attempt id or token.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@json_option
def deliveries(status_name: str | None, attempt: str | None, limit: int, as_json: bool) -> None:
    """List deliveries, newest first."""
    app = load_app()
    attempt_id = _attempt_id(app, attempt) if attempt else None
    rows = DeliveryReport(services(app).sessions).rows(
        status=status_name, attempt_id=attempt_id, limit=limit
    )
    if as_json:
        print_json(rows)
        return
    print_table(
        ["ID", "ATTEMPT", "TARGET", "V", "STATUS", "TRIES", "NEXT TRY", "LAST ERROR"],
        [
            [
                *(r.id, r.attempt_id, r.target, r.version, r.status, r.tries),
                r.next_try_at or "-",
                (r.last_error or "-")[:60],
            ]
            for r in rows
        ],
    )


@sync_group.command("show")
@click.argument("delivery_id", type=int)
@json_option
def show(delivery_id: int, as_json: bool) -> None:
    """One delivery and every try of it."""
    found = DeliveryReport(services(load_app()).sessions).tries(delivery_id)
    if found is None:
        raise click.ClickException(f"no delivery {delivery_id}")
    row, tries = found
    if as_json:
        print_json({"delivery": row, "tries": tries})
        return
    click.echo(f"delivery {row.id}: attempt {row.attempt_id} -> {row.target} v{row.version}")
    click.echo(f"status: {row.status} after {row.tries} tries")
    if row.receipt:
        click.echo(f"receipt: {row.receipt}")
    if row.last_error:
        click.echo(f"last error: {row.last_error}")
    print_table(
        ["TRY", "OUTCOME", "HTTP", "AT", "MESSAGE"],
        [[x.number, x.outcome, x.status_code or "-", x.finished_at, x.message] for x in tries],
    )


@sync_group.command("retry")
@click.argument("delivery_ids", type=int, nargs=-1)
@click.option("--all-dead", is_flag=True, help="Every dead delivery.")
def retry(delivery_ids: tuple[int, ...], all_dead: bool) -> None:
    """Queue dead deliveries again, after the cause was fixed."""
    app = load_app()
    ids = list(delivery_ids)
    if all_dead:
        rows = DeliveryReport(services(app).sessions).rows(status="dead", limit=100_000)
        ids.extend(row.id for row in rows)
    if not ids:
        raise click.ClickException("name delivery ids or pass --all-dead")
    count = services(app).outbox.retry_dead(ids)
    for delivery_id in ids:
        services(app).queue.deliver(delivery_id)
    click.echo(f"{count} dead deliveries queued again")


@sync_group.command("sweep")
@json_option
def sweep(as_json: bool) -> None:
    """Send overdue deliveries and run owed syncs now, in this process."""
    from plugin.jobs.tasks import OWED_SYNC_RETRY

    app = load_app()
    synced = [
        services(app).sync.sync(attempt_id).state
        for attempt_id in services(app).sync.owed(retry_after=OWED_SYNC_RETRY)
    ]
    sent = _deliver_now(app, services(app).outbox.overdue())
    if as_json:
        print_json({"syncs": len(synced), "deliveries": sent})
    else:
        click.echo(f"{len(synced)} owed syncs run, {len(sent)} overdue deliveries tried")


@click.command("reconcile")
@click.option("--vendor", "vendor", default=None, help="One vendor connection by name.")
@json_option
def reconcile(vendor: str | None, as_json: bool) -> None:
    """Ask vendors for attempts changed since their cursor and sync them now."""
    app = load_app()
    reconciler = services(app).reconciler
    targets = reconciler.connection_ids()
    if vendor is not None:
        targets = [(cid, name) for cid, name in targets if name == vendor]
        if not targets:
            names = _vendor_names(app)
            raise click.ClickException(f"no vendor connection named {vendor!r} ({names})")
    reports = [
        reconciler.run(connection_id, progress=None if as_json else _progress)
        for connection_id, _ in targets
    ]
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        click.echo(err=True)
        print_table(
            ["VENDOR", "PAGES", "LISTED", "OURS", "CHANGED", "FAILED", "ERROR"],
            [
                [r.name, r.pages, r.listed, r.matched, r.changed, r.failed, r.error or "-"]
                for r in reports
            ],
        )
    if any(r.error for r in reports):
        raise click.ClickException("reconciliation stopped early for some vendors (see ERROR)")


def _progress(report: ReconcileReport) -> None:
    """One status line on stderr, rewritten after every page."""
    click.echo(
        f"\r{report.name}: page {report.pages}, {report.listed} listed, "
        f"{report.matched} ours, {report.changed} changed",
        nl=False,
        err=True,
    )


def _vendor_names(app: Flask) -> str:
    with services(app).sessions() as session:
        names = list(session.scalars(select(VendorConnection.name)))
    return "known: " + (", ".join(names) or "none")
