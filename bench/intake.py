"""Vendor callbacks per second into ``assessment-bridge serve``, and the syncs they trigger.

``serve`` runs as an administrator runs it (gunicorn workers plus its job consumer, SQLite
store and SqliteHuey queue in a temporary data directory), the sandbox LMS and the Mettl
simulator each in their own process.  Mettl's finish notification is the signal: unsigned,
authenticated only by the per-connection token in the callback URL, one small JSON body.
The simulator holds a completed result for every candidate and the tool's store a started
attempt for each (written before ``serve`` starts), so every callback leads to a real
fetch, mapping, stored result and AGS score.

Callbacks are sent open-loop at ``--rate`` per second for ``--seconds``, one per attempt
(:mod:`bench.intake_load`); latency counts from each request's due time.  Then the run
waits, at most ``--drain-timeout`` seconds, until every attempt that got a callback has a
stored result and a delivered score, and reads the LMS gradebook.  Reconciliation is set
to once a day so that only the callbacks cause syncs.

Usage: python -m bench.intake [--rate 200] [--seconds 30] [--workers 2] [--senders 16]
Target: p99 < 25 ms at 200 callbacks/s for 30 s, and every callback synced.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import and_
from sqlalchemy import select

from bench import intake_world
from bench.common import ROOT
from bench.common import free_port
from bench.common import percentile
from bench.common import process_tree_cpu_seconds
from bench.common import report
from bench.common import start_process
from bench.common import stop_process
from bench.intake_load import Sample
from bench.intake_load import fire
from bench.serve import METTL_PRIVATE_KEY
from bench.serve import METTL_PUBLIC_KEY
from plugin.outbox.deliveries import LMS_TARGET
from plugin.sandbox.lms import SandboxLms
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import Delivery

if t.TYPE_CHECKING:
    from flask import Flask

TARGET_P99_MS = 25
#: Job consumer threads ``serve`` starts (``assessment-bridge worker``'s default).
CONSUMER_THREADS = 4
#: The LMS and the vendor stand in for remote services; on this machine they run at a lower
#: CPU priority, so that what competes at normal priority is the load generator and
#: ``serve`` (its web workers and its job consumer).
SIMULATOR_NICENESS = 10
_POLL_S = 0.5


def tool_environment(workdir: Path, port: int) -> dict[str, str]:
    """Settings shared by ``serve`` and this process (which writes the store first)."""
    return {
        "BRIDGE_DATA_DIR": str(workdir / "tool"),
        "BRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
        "BRIDGE_SECRET_KEYS": Fernet.generate_key().decode(),
        "BRIDGE_LOG_LEVEL": "WARNING",
        "BRIDGE_RECONCILE_MINUTES": "1440",
    }


def start_serve(port: int, workers: int, log: Path, timeout: float = 60) -> subprocess.Popen[bytes]:
    """``assessment-bridge serve``; ready once ``/healthz`` shows a live job consumer.

    Its output goes to ``log`` (a pipe nobody reads would fill up and stall it).
    """
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "plugin",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited: {log.read_text()[-2000:]}")
        try:
            health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            if health.status_code == 200 and health.json()["consumer"]["last_seen"]:
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"serve did not become ready: {log.read_text()[-2000:]}")


def queued_jobs(app: Flask) -> int:
    """Jobs waiting in the tool's queue, SqliteHuey or RedisHuey (scheduled retries not
    counted)."""
    from plugin.jobs.queue import inspect_queue

    return len(inspect_queue(services(app).settings))


def progress(app: Flask, refs: set[str]) -> dict[str, int]:
    """How many of the attempts named by ``refs`` have a result and a delivered score."""
    with services(app).sessions() as session:
        rows = session.execute(
            select(Attempt.vendor_ref, AttemptResult.attempt_id, Delivery.status)
            .outerjoin(AttemptResult, AttemptResult.attempt_id == Attempt.id)
            .outerjoin(
                Delivery, and_(Delivery.attempt_id == Attempt.id, Delivery.target == LMS_TARGET)
            )
        ).all()
    counts = {"synced": 0, "delivered": 0, "failed": 0, "dead": 0}
    for ref, result, status in rows:
        if ref not in refs:
            continue
        counts["synced"] += result is not None
        for state in ("delivered", "failed", "dead"):
            counts[state] += status == state
    return counts


def wait_for_drain(app: Flask, refs: set[str], timeout: float) -> tuple[float, dict[str, int]]:
    """Poll until every attempt in ``refs`` is synced and delivered, or ``timeout`` passes.

    :return: seconds waited and the last counts (with the queue depth when waiting began).
    """
    started = time.perf_counter()
    backlog = queued_jobs(app)
    while True:
        counts = progress(app, refs)
        waited = time.perf_counter() - started
        if counts["synced"] == counts["delivered"] == len(refs) or waited >= timeout:
            return waited, {**counts, "queued_at_end_of_load": backlog}
        time.sleep(_POLL_S)


def latency_figures(samples: list[Sample], start: float) -> dict[str, t.Any]:
    latencies = [s.latency * 1000 for s in samples]
    services = [s.service * 1000 for s in samples]
    sends = [s.sent for s in samples]
    errors = [s for s in samples if not s.ok]
    return {
        "callbacks": len(samples),
        "errors": len(errors),
        "first_error": f"{errors[0].status}: {errors[0].error}" if errors else None,
        "achieved_rate": (len(samples) - 1) / (max(sends) - min(sends)),
        "p50_ms": percentile(latencies, 0.50),
        "p90_ms": percentile(latencies, 0.90),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "service_p50_ms": percentile(services, 0.50),
        "service_p99_ms": percentile(services, 0.99),
        "max_send_lag_ms": max(s.sent - s.due for s in samples) * 1000,
        "load_s": max(s.answered for s in samples) - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200, help="callbacks per second")
    parser.add_argument("--seconds", type=float, default=30, help="how long to send")
    parser.add_argument("--workers", type=int, default=2, help="serve's gunicorn workers")
    parser.add_argument("--senders", type=int, default=16, help="load generator threads")
    parser.add_argument("--drain-timeout", type=float, default=120)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    count = round(args.rate * args.seconds)
    workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    tool_port, lms_port, mettl_port = free_port(), free_port(), free_port()
    os.environ.update(tool_environment(workdir, tool_port))
    mettl_keys = (secrets.token_hex(8), secrets.token_urlsafe(24))
    processes = [
        start_process(
            ["-m", "bench.serve", "lms", "--port", str(lms_port)],
            ready_url=f"http://127.0.0.1:{lms_port}/jwks",
            nice=SIMULATOR_NICENESS,
        )
    ]
    try:
        processes.append(
            start_process(
                ["-m", "bench.serve", "mettl", "--port", str(mettl_port)],
                env={METTL_PUBLIC_KEY: mettl_keys[0], METTL_PRIVATE_KEY: mettl_keys[1]},
                nice=SIMULATOR_NICENESS,
                ready_url=f"http://127.0.0.1:{mettl_port}/sandbox/schedules",
            )
        )
        figures = run(args, count, workdir, processes, lms_port, mettl_port, mettl_keys)
    finally:
        for process in reversed(processes):
            stop_process(process)
        shutil.rmtree(workdir, ignore_errors=True)
    load = {"load_average_before": load_before, "load_average_after": os.getloadavg()[0]}
    print_report(args, {**figures, **load})


def run(
    args: argparse.Namespace,
    count: int,
    workdir: Path,
    processes: list[subprocess.Popen[bytes]],
    lms_port: int,
    mettl_port: int,
    mettl_keys: tuple[str, str],
) -> dict[str, t.Any]:
    # Imported once BRIDGE_* is in os.environ: the job module builds its queue on import.
    from plugin import create_app
    from plugin.runtime.bootstrap import bootstrap

    tool_url = os.environ["BRIDGE_BASE_URL"]
    lms = SandboxLms(f"http://127.0.0.1:{lms_port}")
    setup_started = time.perf_counter()
    app = create_app()
    bootstrap(app)
    world = intake_world.build(
        app,
        lms,
        tool_url=tool_url,
        mettl_url=f"http://127.0.0.1:{mettl_port}",
        mettl_keys=mettl_keys,
        count=count,
    )
    services(app).engine.dispose()
    serve = start_serve(int(tool_url.rsplit(":", 1)[1]), args.workers, workdir / "serve.log")
    processes.append(serve)
    setup_s = time.perf_counter() - setup_started
    bodies = [
        json.dumps(intake_world.notification(email, instance=n)).encode()
        for n, email in enumerate(world.emails)
    ]
    cpu_before = process_tree_cpu_seconds(serve.pid)
    start, samples = fire(world.callback_url, bodies, rate=args.rate, senders=args.senders)
    load = latency_figures(samples, start)
    cpu_load = process_tree_cpu_seconds(serve.pid) - cpu_before
    refs = {f"{intake_world.ACCESS_KEY}/{world.emails[s.index]}" for s in samples if s.ok}
    drain_s, counts = wait_for_drain(app, refs, args.drain_timeout)
    cpu_total = process_tree_cpu_seconds(serve.pid) - cpu_before
    gradebook = lms.gradebook(world.context_id)
    return {
        **load,
        "setup_s": setup_s,
        "attempts": count,
        "drain_s": drain_s,
        "end_to_end_s": load["load_s"] + drain_s,
        "callbacks_ok": len(refs),
        **counts,
        "gradebook_scores": len(gradebook["scores"]),
        "serve_cpu_ms_per_callback_during_load": cpu_load * 1000 / len(samples),
        "serve_cpu_ms_per_callback_synced_and_delivered": cpu_total * 1000 / len(samples),
    }


def print_report(args: argparse.Namespace, f: dict[str, t.Any]) -> None:
    all_synced = f["synced"] == f["delivered"] == f["callbacks_ok"] == f["gradebook_scores"]
    figures = {
        "rate": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "consumer_threads": CONSUMER_THREADS,
        "senders": args.senders,
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in f.items()},
        "target_p99_ms": TARGET_P99_MS,
        "p99_met": f["p99_ms"] < TARGET_P99_MS,
        "all_synced": all_synced,
    }
    rows = [
        ["from due time", f["p50_ms"], f["p90_ms"], f["p99_ms"], f["max_ms"]],
        ["service time", f["service_p50_ms"], "", f["service_p99_ms"], ""],
    ]
    report(
        f"Mettl callbacks into serve ({args.workers} gunicorn workers x 4 threads, consumer "
        f"{CONSUMER_THREADS} threads): {f['callbacks']} sent at {f['achieved_rate']:.1f}/s "
        f"(asked {args.rate:g}/s for {args.seconds:g} s), {f['errors']} errors, sender lag "
        f"max {f['max_send_lag_ms']:.1f} ms\n"
        f"synced {f['synced']}/{f['callbacks_ok']}, delivered {f['delivered']} "
        f"(failed {f['failed']}, dead {f['dead']}), gradebook {f['gradebook_scores']} scores; "
        f"{f['queued_at_end_of_load']} jobs queued when the load ended, drained in "
        f"{f['drain_s']:.1f} s (all done {f['end_to_end_s']:.1f} s after the first callback); "
        f"serve CPU {f['serve_cpu_ms_per_callback_synced_and_delivered']:.1f} ms per callback "
        f"synced and delivered; setup {f['setup_s']:.1f} s untimed; load average "
        f"{f['load_average_before']:.2f} before, {f['load_average_after']:.2f} after",
        ["latency ms", "p50", "p90", "p99", "max"],
        rows,
        figures,
    )


if __name__ == "__main__":
    main()
