"""A job consumer killed (SIGKILL) in the middle of a delivery: the next one finishes it.

The tool runs as an administrator runs it: ``serve --no-consumer`` for the web and
``worker`` processes for jobs, on SQLite + SqliteHuey, or on PostgreSQL + RedisHuey
when the suite runs against them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import typing as t

import pytest
from sqlalchemy import select

from plugin.outbox.deliveries import LMS_TARGET
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import serve_lms
from plugin.services import services
from plugin.store.models import DeliveryTry
from tests.conftest import REDIS_URL
from tests.e2e.conftest import RunningTool
from tests.e2e.conftest import free_port
from tests.e2e.mettl_class import delivery_rows
from tests.e2e.mettl_class import mettl_class
from tests.e2e.test_serve import wait_for

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator
    from pathlib import Path

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms.models import Score
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration

pytestmark = pytest.mark.e2e

LEASE_SECONDS = 2


class ToolProcesses:
    """The web server and the job consumers of one installation."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.processes: list[subprocess.Popen[bytes]] = []
        self.worker: subprocess.Popen[bytes] | None = None

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "plugin", *args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start_web(self) -> None:
        self._start("serve", "--no-consumer", "--port", str(self.port), "--workers", "1")
        wait_for(f"http://127.0.0.1:{self.port}/healthz", lambda r: r.status_code in (200, 503))

    def start_worker(self) -> None:
        self.worker = self._start("worker", "--threads", "2")

    def kill_worker(self) -> None:
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def served_lms(lms_profile: str) -> Iterator[ServedApp]:
    """The sandbox LMS of :func:`tests.e2e.conftest.lms`, kept at hand to read every score
    it stored (its gradebook view shows only the latest per learner)."""
    served = serve_lms(profile=lms_profile)
    try:
        yield served
    finally:
        served.shutdown()


@pytest.fixture
def lms(served_lms: ServedApp) -> SandboxLms:
    return SandboxLms(served_lms.url)


def stored_scores(served_lms: ServedApp, user_id: str) -> list[Score]:
    """Every score the LMS stored for ``user_id``, oldest first."""
    state = served_lms.app.extensions["sandbox_lms"].state
    with state.lock:
        return [score for score in state.scores if score.user_id == user_id]


def score_posts(lms: SandboxLms) -> int:
    """Score POSTs the LMS has received (counted on arrival, before its latency)."""
    requests = lms.stats()["requests"]
    return sum(n for rule, n in requests.items() if rule.startswith("POST ") and "/scores" in rule)


@pytest.fixture
def processes(tmp_path: Path, database_url: str, secret_keys: str) -> Iterator[ToolProcesses]:
    port = free_port()
    env = {
        **os.environ,
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_QUEUE_URL": REDIS_URL or f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": REDIS_URL or f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
        "BRIDGE_SECRET_KEYS": secret_keys,  # the key of the prepared database
        "BRIDGE_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "BRIDGE_RETRY_FIRST_SECONDS": "0.2",
    }
    running = ToolProcesses(env, port)
    try:
        yield running
    finally:
        running.stop()
        if REDIS_URL:  # leave no jobs behind in the shared Redis database
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter("huey.*assessment-bridge*"):
                client.delete(key)


@pytest.fixture
def tool(make_app: Callable[..., Flask], processes: ToolProcesses) -> RunningTool:
    """The installation as the test sets it up: an app on the same store, and the processes."""
    settings = {
        k: v
        for k, v in processes.env.items()
        if k.startswith("BRIDGE_") and k != "BRIDGE_QUEUE_URL"
    }
    app = make_app(**settings)
    processes.start_web()
    return RunningTool(url=processes.env["BRIDGE_BASE_URL"], app=app)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {seconds}s")
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_leaves_the_grade_to_the_next_one(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    processes: ToolProcesses,
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    user = klass.add_learner("Crash Test", "crash@example.edu")
    browser, page = klass.start(user)
    processes.start_worker()
    lms.set_faults(latency_ms=4000)  # every LMS answer now takes 4 s

    klass.finish(browser, page, right=3)
    wait_until(
        lambda: any(d.status == "sending" for d in delivery_rows(tool.app, LMS_TARGET)),
        30,
        "no delivery was being sent",
    )
    processes.kill_worker()
    lms.set_faults()
    (sending,) = delivery_rows(tool.app, LMS_TARGET)
    assert sending.status == "sending" and sending.tries == 1

    time.sleep(LEASE_SECONDS + 0.5)  # the killed worker's claim runs out
    processes.start_worker()  # and a new worker sweeps when it starts
    wait_until(
        lambda: klass.grades().get(user, {}).get("gradingProgress") == "FullyGraded",
        30,
        "the grade did not reach the gradebook",
    )

    assert klass.grades()[user]["scoreGiven"] == 75.0
    # The worker records the LMS's answer just after the gradebook has the score.
    wait_until(
        lambda: delivery_rows(tool.app, LMS_TARGET)[0].status == "delivered",
        10,
        "the delivery was not recorded as delivered",
    )
    (delivered,) = delivery_rows(tool.app, LMS_TARGET)
    assert delivered.tries == 2


def test_a_worker_killed_after_the_lms_took_the_score_sends_it_again(
    lms: SandboxLms,
    served_lms: ServedApp,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    processes: ToolProcesses,
) -> None:
    """Delivery is at least once: a worker that dies after the LMS stored the score but
    before recording it leaves a ``sending`` row, and once its lease runs out the next
    worker posts the same score again (a later timestamp, as every send gets).  The
    gradebook then keeps two entries of the same value, the latest of which is the grade;
    the outbox shows one delivery, delivered, whose first try was never recorded."""
    klass = mettl_class(lms, tool, registration, course, serve)
    user = klass.add_learner("Twice Sent", "twice@example.edu")
    browser, page = klass.start(user)
    processes.start_worker()
    lms.set_faults(latency_ms=3000)  # every LMS answer now takes 3 s

    klass.finish(browser, page, right=3)
    wait_until(lambda: score_posts(lms) == 1, 30, "the score was not posted")
    processes.kill_worker()  # the LMS has the request and stores it; nobody reads its answer
    lms.set_faults()
    wait_until(lambda: len(stored_scores(served_lms, user)) == 1, 10, "the LMS stored no score")
    (sending,) = delivery_rows(tool.app, LMS_TARGET)
    assert sending.status == "sending" and sending.tries == 1

    time.sleep(LEASE_SECONDS + 0.5)  # the killed worker's claim runs out
    processes.start_worker()
    wait_until(
        lambda: delivery_rows(tool.app, LMS_TARGET)[0].status == "delivered",
        30,
        "the delivery was not recorded as delivered",
    )

    first, again = stored_scores(served_lms, user)
    assert first.body["scoreGiven"] == again.body["scoreGiven"] == 75.0
    assert {k: v for k, v in first.body.items() if k != "timestamp"} == {
        k: v for k, v in again.body.items() if k != "timestamp"
    }
    assert again.timestamp > first.timestamp
    assert klass.grades()[user]["scoreGiven"] == 75.0
    assert score_posts(lms) == 2
    (delivered,) = delivery_rows(tool.app, LMS_TARGET)
    assert delivered.tries == 2
    with services(tool.app).sessions() as session:
        tries = session.execute(
            select(DeliveryTry.number, DeliveryTry.outcome).where(
                DeliveryTry.delivery_id == delivered.id
            )
        ).all()
    assert [tuple(row) for row in tries] == [(2, "delivered")]


def test_a_wiped_queue_loses_no_grade(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    processes: ToolProcesses,
) -> None:
    from config import load_settings
    from plugin.jobs.queue import inspect_queue

    klass = mettl_class(lms, tool, registration, course, serve)
    user = klass.add_learner("Lost Queue", "lost@example.edu")
    klass.take(user, right=2)  # no consumer runs: the syncs wait in the queue
    queue = inspect_queue(load_settings(processes.env))
    wait_until(lambda: len(queue) >= 1, 10, "the web process queued no sync")
    queue.flush()
    assert len(queue) == 0 and klass.grades() == {}

    processes.start_worker()  # finds the owed sync in the database when it starts
    wait_until(
        lambda: klass.grades().get(user, {}).get("scoreGiven") == 50.0,
        30,
        "the grade did not reach the gradebook",
    )
