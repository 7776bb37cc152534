"""Reconciliation of a large Mettl schedule, end to end: listed, mapped, stored, delivered.

A Mettl simulator schedule of N graded candidates, each an attempt the tool knows.
``assessment-bridge reconcile --vendor mettl`` runs as an administrator runs it (its own
process), paging the schedule 100 candidates at a time; a ``worker`` process (huey on
SQLite, 8 threads) sends the scores to the sandbox LMS. The clock stops when the last
score is delivered. The simulator, the LMS and the worker are separate processes.

Usage: python -m bench.reconcile [--sizes 2500,5000,10000]
Targets: 10,000 candidates in < 60 s, peak RSS of the reconcile process < 250 MB, time
linear in candidates.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from bench.common import ROOT
from bench.common import free_port
from bench.common import report
from bench.common import sealed_attempt_token
from bench.common import start_process
from bench.common import stop_process
from bench.serve import METTL_PRIVATE_KEY
from bench.serve import METTL_PUBLIC_KEY
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app
from plugin.services import services

PRIVATE_KEY = "bench-private-key"
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 250.0
WORKER_THREADS = 8


def control(base: str, method: str, path: str, body: t.Any = None) -> t.Any:
    answer = requests.request(method, base + path, json=body, timeout=300)
    answer.raise_for_status()
    return answer.json()


def lms_members(lms: SandboxLms, context_id: str, count: int) -> list[str]:
    ids = []
    for serial in range(count):
        user = lms.add_user(f"Candidate {serial}", email=f"bulk{serial:06d}@sandbox.test")
        lms.enrol(context_id, user["id"], ["Learner"])
        ids.append(str(user["id"]))
    return ids


def prepare(
    size: int, workdir: Path, lms: SandboxLms, mettl_url: str
) -> tuple[dict[str, str], float, ServedApp]:
    """A tool installation knowing ``size`` attempts of one schedule: its env, the setup
    time, and the tool's web app serving its JWKS (the LMS checks token requests with it)."""
    from plugin import create_app
    from plugin.runtime.bootstrap import bootstrap
    from plugin.store.models import Attempt
    from plugin.store.models import LtiContext
    from plugin.store.models import LtiUser
    from plugin.store.models import ResourceLink
    from tests.support.registration import register_by_hand

    started = time.perf_counter()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "BRIDGE_DATA_DIR": str(workdir / "tool"),
        "BRIDGE_BASE_URL": base,
        "BRIDGE_SECRET_KEYS": Fernet.generate_key().decode(),
        "BRIDGE_QUEUE_URL": f"sqlite:///{workdir / 'queue.sqlite3'}",
        "BRIDGE_LOG_LEVEL": "WARNING",
    }
    app = create_app(env)
    bootstrap(app)
    served = serve_app(app, port=port)
    platform, _ = register_by_hand(lms, services(app).platforms, base, name="bridge")
    context = lms.add_context("Reconciled course")
    link = lms.add_resource_link(context["id"], "Aptitude", line_item={"scoreMaximum": 100})
    members = lms_members(lms, context["id"], size)

    schedule = control(
        mettl_url,
        "POST",
        "/sandbox/schedules",
        {"name": "Aptitude", "sections": [{"name": "Basics", "questions": QUESTIONS}]},
    )
    key = schedule["accessKey"]
    control(mettl_url, "POST", f"/sandbox/schedules/{key}/bulk", {"count": size})
    connection = services(app).vendor_connections.add(
        "mettl",
        "mettl",
        {"public_key": "public-key", "private_key": PRIVATE_KEY, "base_url": mettl_url},
    )
    assessment = services(app).assessments.add(
        connection=connection.name,
        test_id=key,
        title="Aptitude",
        # The placements carry only the line item container: the column is found or
        # created by resource link and tag, as an assessment added with --create-line-item.
        create_line_item=True,
    )
    sessions = services(app).sessions
    with sessions.begin() as session:
        platform_id = platform.record.id
        deployment_id = _deployment(session, platform_id)
        ctx = LtiContext(platform_id=platform_id, context_id=context["id"], title="Reconciled")
        session.add(ctx)
        session.flush()
        row = ResourceLink(
            context_id=ctx.id,
            deployment_id=deployment_id,
            resource_link_id=link["id"],
            lineitems_url=f"{lms.url}/api/contexts/{context['id']}/lineitems",
        )
        session.add(row)
        session.flush()
        session.execute(
            insert(LtiUser),
            [
                {
                    "platform_id": platform_id,
                    "subject": member,
                    "email": f"bulk{n:06d}@sandbox.test",
                }
                for n, member in enumerate(members)
            ],
        )
        users = {
            subject: user_id
            for subject, user_id in session.execute(select(LtiUser.subject, LtiUser.id))
        }
        session.execute(
            insert(Attempt),
            [
                {
                    **sealed_attempt_token(app, f"bench-{n}"),
                    "assessment_id": assessment.id,
                    "lti_user_id": users[member],
                    "resource_link_id": row.id,
                    "vendor_ref": f"{key}/bulk{n:06d}@sandbox.test",
                    "status": "started",
                }
                for n, member in enumerate(members)
            ],
        )
    return env, time.perf_counter() - started, served


def _deployment(session: t.Any, platform_id: int) -> int:
    from plugin.store.models import Deployment

    found: int = session.scalar(select(Deployment.id).where(Deployment.platform_id == platform_id))
    return found


QUESTIONS = [
    {"text": f"Question {n}", "choices": ["right", "wrong", "other"], "answer": 0}
    for n in range(10)
]


def delivery_counts(engine: Engine) -> dict[str, int]:
    from plugin.store.models import Delivery

    with engine.connect() as connection:
        rows = connection.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return {status: count for status, count in rows}


def first_dead_reason(engine: Engine) -> str:
    from plugin.store.models import Delivery

    with engine.connect() as connection:
        reason = connection.execute(
            select(Delivery.last_error).where(Delivery.status == "dead").limit(1)
        ).scalar()
    return str(reason)


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(size: int, lms: SandboxLms, mettl_url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as tmp:
        env, setup_s, served = prepare(size, Path(tmp), lms, mettl_url)
        engine = services(served.app).engine
        full_env = {**os.environ, **env}
        worker = subprocess.Popen(
            [sys.executable, "-m", "plugin", "worker", "--threads", str(WORKER_THREADS)],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            started = time.perf_counter()
            reconcile = subprocess.run(
                [sys.executable, "-m", "plugin", "reconcile", "--vendor", "mettl", "--json"],
                cwd=ROOT,
                env=full_env,
                capture_output=True,
                check=False,
            )
            reconciled_s = time.perf_counter() - started
            reconcile_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if reconcile.returncode != 0:
                raise RuntimeError(reconcile.stderr.decode()[-2000:])
            deadline = time.monotonic() + 300
            delivered = 0
            while time.monotonic() < deadline:
                counts = delivery_counts(engine)
                delivered = counts.get("delivered", 0)
                if delivered >= size:
                    break
                if counts.get("dead"):
                    raise RuntimeError(f"a delivery is dead: {first_dead_reason(engine)}")
                time.sleep(0.2)
            total_s = time.perf_counter() - started
            worker_rss = vm_hwm_mb(worker.pid)
        finally:
            stop_process(worker)
            served.shutdown()
            engine.dispose()
    return {
        "candidates": size,
        "setup_s": setup_s,
        "reconcile_s": reconciled_s,
        "total_s": total_s,
        "per_second": size / total_s,
        "delivered": delivered,
        "reconcile_rss_mb": reconcile_rss,
        "worker_rss_mb": worker_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2500,5000,10000")
    args = parser.parse_args()
    sizes = sorted(int(part) for part in args.sizes.split(","))

    lms_port, mettl_port = free_port(), free_port()
    lms_process = start_process(
        ["-m", "bench.serve", "lms", "--port", str(lms_port)],
        ready_url=f"http://127.0.0.1:{lms_port}/.well-known/openid-configuration",
    )
    mettl_process = start_process(
        ["-m", "bench.serve", "mettl", "--port", str(mettl_port)],
        env={METTL_PUBLIC_KEY: "public-key", METTL_PRIVATE_KEY: PRIVATE_KEY},
        ready_url=f"http://127.0.0.1:{mettl_port}/sandbox/notifications",
    )
    try:
        lms = SandboxLms(f"http://127.0.0.1:{lms_port}")
        runs = [run(size, lms, f"http://127.0.0.1:{mettl_port}") for size in sizes]
    finally:
        stop_process(mettl_process)
        stop_process(lms_process)

    largest = runs[-1]
    per_candidate_ms = [r["total_s"] / r["candidates"] * 1000 for r in runs]
    figures = {
        "runs": runs,
        "per_candidate_ms": per_candidate_ms,
        "linearity": max(per_candidate_ms) / min(per_candidate_ms),
        "target_seconds": TARGET_SECONDS,
        "target_rss_mb": TARGET_RSS_MB,
        "meets_time": largest["total_s"] < TARGET_SECONDS,
        "meets_rss": largest["reconcile_rss_mb"] < TARGET_RSS_MB,
    }
    report(
        "Mettl reconciliation: list 100 per page -> map -> store -> deliver to the LMS",
        [
            "candidates",
            "reconcile s",
            "total s",
            "per s",
            "ms per cand.",
            "delivered",
            "reconcile RSS MB",
            "worker RSS MB",
        ],
        [
            [
                r["candidates"],
                r["reconcile_s"],
                r["total_s"],
                r["per_second"],
                ms,
                r["delivered"],
                r["reconcile_rss_mb"],
                r["worker_rss_mb"],
            ]
            for r, ms in zip(runs, per_candidate_ms, strict=True)
        ],
        figures,
    )


if __name__ == "__main__":
    main()
