"""Scores delivered per second to an LMS gradebook: the outbox vs plain pylti1p3.

The sandbox LMS runs in its own process with ``latency_ms`` added to every request it
serves.  The tool is registered on it three times (three platforms in the tool's store),
each with a course; ``--attempts`` completed attempts with their planned LMS deliveries
are written to the tool's SQLite store beforehand (not timed).  Then a thread pool of
``--workers`` threads, as a huey consumer would run them, calls
``DeliveryWorker.deliver`` for every delivery: claim, find or create the line item, take
an access token from the shared cache, post the score, record the outcome.

The baseline, in the same run against the same LMS and latency, posts ``--naive``
scores the way pylti1p3's example does (:mod:`bench.sync_naive`): once with the same
number of threads, once one after the other.

Usage: python -m bench.sync [--attempts N] [--naive N] [--workers W] [--latency-ms MS]
Targets: >= 10x the baseline's scores/s; <= 1 token request per platform per scope set
per token lifetime.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import logging
import math
import os
import resource
import shutil
import tempfile
import time
import typing as t
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import func
from sqlalchemy import select

from bench import sync_naive
from bench.common import free_port
from bench.common import peak_rss_mb
from bench.common import process_tree_cpu_seconds
from bench.common import report
from bench.common import start_process
from bench.common import stop_process
from bench.sync_world import Course
from bench.sync_world import build_courses
from bench.sync_world import learners_per_course
from bench.sync_world import seed_deliveries
from plugin.sandbox.lms import SandboxLms
from plugin.services import services
from plugin.store.models import Delivery

if t.TYPE_CHECKING:
    from flask import Flask

    from plugin.sandbox.server import ServedApp

PLATFORMS = 3
#: Access token lifetime the sandbox LMS grants (``expires_in``).
TOKEN_LIFETIME_S = 3600
TARGET_RATIO = 10


class PoolFullCounter(logging.Filter):
    """Counts (and silences) urllib3's "connection pool is full" warnings: each one is a
    connection closed after one request because more threads share a session than its
    pool keeps."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "pool is full" in record.getMessage():
            self.count += 1
            return False
        return True


def tool_environment(workdir: Path) -> dict[str, str]:
    """The tool's settings; also put in ``os.environ`` so the job module agrees."""
    return {
        "BRIDGE_DATA_DIR": str(workdir / "tool"),
        "BRIDGE_QUEUE_URL": "memory://",
        "BRIDGE_SECRET_KEYS": Fernet.generate_key().decode(),
        "BRIDGE_LOG_LEVEL": "WARNING",
    }


def token_requests(
    before: dict[str, t.Any], after: dict[str, t.Any], clients: t.Iterable[str]
) -> int:
    counted = [
        after["token_requests"].get(c, 0) - before["token_requests"].get(c, 0) for c in clients
    ]
    return sum(counted)


def lms_requests(before: dict[str, t.Any], after: dict[str, t.Any]) -> dict[str, int]:
    """Requests per endpoint the LMS served between two snapshots."""
    counts = collections.Counter(after["requests"])
    counts.subtract(before["requests"])
    return {endpoint: n for endpoint, n in sorted(counts.items()) if n}


def cpu_seconds() -> float:
    """User + system CPU seconds this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_bridge(
    app: Flask,
    lms: SandboxLms,
    lms_pid: int,
    courses: list[Course],
    delivery_ids: list[int],
    workers: int,
) -> dict[str, t.Any]:
    """Deliver every delivery from ``workers`` threads and check where they ended up."""
    worker = services(app).delivery_worker
    before = lms.stats()
    cpu_before, lms_cpu_before = cpu_seconds(), process_tree_cpu_seconds(lms_pid)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(worker.deliver, delivery_ids))
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    lms_cpu = process_tree_cpu_seconds(lms_pid) - lms_cpu_before
    after = lms.stats()
    with services(app).sessions() as session:
        statuses = dict(
            session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
    gradebooks = [lms.gradebook(course.context_id) for course in courses]
    requests = lms_requests(before, after)
    return {
        "scores": len(delivery_ids),
        "wall_s": wall,
        "scores_per_s": len(delivery_ids) / wall,
        "cpu_ms_per_score": cpu * 1000 / len(delivery_ids),
        "lms_cpu_ms_per_score": lms_cpu * 1000 / len(delivery_ids),
        "token_requests": token_requests(before, after, (c.client_id for c in courses)),
        "lms_requests": sum(requests.values()),
        "lms_requests_by_endpoint": requests,
        "statuses": statuses,
        "gradebook_scores": sum(len(book["scores"]) for book in gradebooks),
        "line_items": sum(len(book["line_items"]) for book in gradebooks),
    }


def run_naive(
    lms: SandboxLms, tool: sync_naive.NaiveTool, courses: list[Course], count: int, workers: int
) -> dict[str, t.Any]:
    """Post ``count`` scores the pylti1p3 way from ``workers`` threads."""

    def one(index: int) -> str | None:
        course = courses[index % len(courses)]
        learner = course.learner_ids[(index // len(courses)) % len(course.learner_ids)]
        try:
            sync_naive.put_grade(
                tool,
                tool.client_ids[index % len(courses)],
                course.lineitems_url,
                course.link_ids[0],
                learner,
                float(index % 101),
            )
        except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
            return f"{type(exc).__name__}: {str(exc)[:120]}"
        return None

    before = lms.stats()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        failures = [error for error in pool.map(one, range(count)) if error]
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    after = lms.stats()
    requests = lms_requests(before, after)
    return {
        "scores": count - len(failures),
        "errors": len(failures),
        "first_error": failures[0] if failures else None,
        "wall_s": wall,
        "scores_per_s": (count - len(failures)) / wall,
        "cpu_ms_per_score": cpu * 1000 / count,
        "token_requests": token_requests(before, after, tool.client_ids),
        "lms_requests": sum(requests.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=10_000, help="scores the tool delivers")
    parser.add_argument("--naive", type=int, default=200, help="scores the baseline posts")
    parser.add_argument("--workers", type=int, default=16, help="delivery threads")
    parser.add_argument("--latency-ms", type=int, default=20, help="added by the LMS")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.environ.update(tool_environment(workdir))
    pool_full = PoolFullCounter()
    logging.getLogger("urllib3.connectionpool").addFilter(pool_full)
    lms_port = free_port()
    lms_process = start_process(
        ["-m", "bench.serve", "lms", "--port", str(lms_port)],
        ready_url=f"http://127.0.0.1:{lms_port}/jwks",
    )
    served: list[ServedApp] = []
    try:
        # Imported once BRIDGE_* is in os.environ: the job module builds its queue on import.
        from plugin import create_app
        from plugin.runtime.bootstrap import bootstrap
        from plugin.sandbox.server import serve_app

        setup_started = time.perf_counter()
        lms = SandboxLms(f"http://127.0.0.1:{lms_port}")
        app = create_app()
        bootstrap(app)
        tool_served = serve_app(app)  # the LMS fetches the tool's JWKS from it
        served.append(tool_served)
        learners = learners_per_course(
            args.attempts, PLATFORMS, at_least=math.ceil(args.naive / PLATFORMS)
        )
        courses = build_courses(lms, app, tool_served.url, platforms=PLATFORMS, learners=learners)
        delivery_ids = seed_deliveries(app, courses, args.attempts)
        naive_tool, naive_served = sync_naive.register(lms, PLATFORMS)
        served.append(naive_served)
        setup_s = time.perf_counter() - setup_started
        rss_setup = peak_rss_mb()
        lms.set_faults(latency_ms=args.latency_ms)
        bridge = run_bridge(app, lms, lms_process.pid, courses, delivery_ids, args.workers)
        rss_bridge = peak_rss_mb()
        naive = run_naive(lms, naive_tool, courses, args.naive, args.workers)
        naive_sequential = run_naive(lms, naive_tool, courses, args.naive, 1)
    finally:
        for server in served:
            server.shutdown()
        stop_process(lms_process)
        shutil.rmtree(workdir, ignore_errors=True)
    run = RunInfo(setup_s, rss_setup, rss_bridge, pool_full.count, load_before, os.getloadavg()[0])
    print_report(args, run, bridge, naive, naive_sequential)


@dataclasses.dataclass(frozen=True)
class RunInfo:
    """Figures of the run as a whole: setup, memory, connection reuse, machine load."""

    setup_s: float
    rss_setup: float
    rss_bridge: float
    pool_full: int
    load_before: float
    load_after: float


def print_report(
    args: argparse.Namespace,
    run: RunInfo,
    bridge: dict[str, t.Any],
    naive: dict[str, t.Any],
    naive_sequential: dict[str, t.Any],
) -> None:
    ratio = bridge["scores_per_s"] / naive["scores_per_s"] if naive["scores_per_s"] else math.inf
    ratio_sequential = (
        bridge["scores_per_s"] / naive_sequential["scores_per_s"]
        if naive_sequential["scores_per_s"]
        else math.inf
    )
    lifetimes = max(1, math.ceil(bridge["wall_s"] / TOKEN_LIFETIME_S))
    token_budget = PLATFORMS * lifetimes
    delivered = bridge["statuses"].get("delivered", 0)
    figures = {
        "attempts": args.attempts,
        "platforms": PLATFORMS,
        "workers": args.workers,
        "latency_ms": args.latency_ms,
        "setup_s": round(run.setup_s, 2),
        "bridge_wall_s": round(bridge["wall_s"], 2),
        "bridge_scores_per_s": round(bridge["scores_per_s"], 1),
        "bridge_cpu_ms_per_score": round(bridge["cpu_ms_per_score"], 2),
        "lms_cpu_ms_per_bridge_score": round(bridge["lms_cpu_ms_per_score"], 2),
        "bridge_token_requests": bridge["token_requests"],
        "bridge_lms_requests": bridge["lms_requests"],
        "bridge_lms_requests_by_endpoint": bridge["lms_requests_by_endpoint"],
        "bridge_delivery_statuses": bridge["statuses"],
        "bridge_delivered": delivered,
        "gradebook_scores": bridge["gradebook_scores"],
        "gradebook_line_items": bridge["line_items"],
        "connections_dropped_pool_full": run.pool_full,
        "peak_rss_mb_after_setup": round(run.rss_setup, 1),
        "peak_rss_mb": round(run.rss_bridge, 1),
        "naive_scores": naive["scores"],
        "naive_errors": naive["errors"] + naive_sequential["errors"],
        "naive_first_error": naive["first_error"] or naive_sequential["first_error"],
        "naive_scores_per_s": round(naive["scores_per_s"], 1),
        "naive_cpu_ms_per_score": round(naive["cpu_ms_per_score"], 2),
        "naive_token_requests": naive["token_requests"],
        "naive_lms_requests": naive["lms_requests"],
        "naive_sequential_scores_per_s": round(naive_sequential["scores_per_s"], 1),
        "naive_sequential_token_requests": naive_sequential["token_requests"],
        "ratio": round(ratio, 2),
        "ratio_vs_sequential": round(ratio_sequential, 2),
        "target_ratio": TARGET_RATIO,
        "ratio_met": ratio >= TARGET_RATIO,
        "token_budget": token_budget,
        "token_target_met": bridge["token_requests"] <= token_budget,
        "load_average_before": round(run.load_before, 2),
        "load_average_after": round(run.load_after, 2),
        "all_delivered": delivered == args.attempts and bridge["gradebook_scores"] == args.attempts,
    }
    rows = [
        [
            "bridge outbox",
            args.workers,
            bridge["scores"],
            bridge["wall_s"],
            bridge["scores_per_s"],
            bridge["cpu_ms_per_score"],
            bridge["token_requests"],
            bridge["lms_requests"],
        ],
        [
            "pylti1p3 example",
            args.workers,
            naive["scores"],
            naive["wall_s"],
            naive["scores_per_s"],
            naive["cpu_ms_per_score"],
            naive["token_requests"],
            naive["lms_requests"],
        ],
        [
            "pylti1p3 example",
            1,
            naive_sequential["scores"],
            naive_sequential["wall_s"],
            naive_sequential["scores_per_s"],
            naive_sequential["cpu_ms_per_score"],
            naive_sequential["token_requests"],
            naive_sequential["lms_requests"],
        ],
    ]
    report(
        f"Scores to the sandbox LMS ({PLATFORMS} platforms, {args.latency_ms} ms added per "
        f"request; setup {run.setup_s:.1f} s untimed; ratio {ratio:.1f}x at equal threads, "
        f"{ratio_sequential:.1f}x vs one thread)\n"
        f"delivered {delivered}/{args.attempts}, statuses {bridge['statuses']}, gradebook "
        f"{bridge['gradebook_scores']} scores on {bridge['line_items']} line items; "
        f"peak RSS {run.rss_bridge:.0f} MB ({run.rss_setup:.0f} MB after setup); "
        f"connections dropped (pool full) {run.pool_full}; load average "
        f"{run.load_before:.2f} before, {run.load_after:.2f} after",
        [
            "implementation",
            "threads",
            "scores",
            "wall s",
            "scores/s",
            "CPU ms/score",
            "token requests",
            "LMS requests",
        ],
        rows,
        figures,
    )


if __name__ == "__main__":
    main()
