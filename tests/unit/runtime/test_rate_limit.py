"""Counters of the shared store and the rate limiter on them, on every backend."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import threading
import time
import typing as t
from pathlib import Path

import pytest

from plugin.runtime.rate_limit import RateLimiter
from plugin.runtime.shared_store import CountingStore
from plugin.runtime.shared_store import FileStore
from plugin.runtime.shared_store import MemoryStore
from plugin.runtime.shared_store import RedisStore

REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "")
BACKENDS = ["file", "memory", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> t.Iterator[CountingStore]:
    if request.param == "file":
        yield FileStore(tmp_path)
    elif request.param == "memory":
        yield MemoryStore()
    else:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        yield RedisStore(client, prefix=f"test:{secrets.token_hex(8)}:")
        client.close()


def test_a_counter_counts_and_expires(store: CountingStore) -> None:
    """Two seconds: the file store keeps whole seconds, so a counter lives at least one."""
    assert [store.incr("c", 2).value for _ in range(3)] == [1, 2, 3]
    assert 0 < store.incr("c", 2).expires_in <= 2
    time.sleep(2.1)
    assert store.incr("c", 2).value == 1


def test_the_limit_refuses_until_the_window_closes(store: CountingStore) -> None:
    limiter = RateLimiter(store, name="login", limit=3, window_seconds=60)
    assert [limiter.hit("10.0.0.1").allowed for _ in range(3)] == [True] * 3
    refused = limiter.hit("10.0.0.1")
    assert not refused.allowed and 1 <= refused.retry_after <= 60
    assert limiter.hit("10.0.0.2").allowed
    short = RateLimiter(store, name="short", limit=1, window_seconds=2)
    assert short.hit("a").allowed and not short.hit("a").allowed
    time.sleep(2.1)
    assert short.hit("a").allowed


def test_a_limit_of_zero_counts_nothing(store: CountingStore) -> None:
    limiter = RateLimiter(store, name="login", limit=0, window_seconds=60)
    assert all(limiter.hit("10.0.0.1").allowed for _ in range(100))
    assert store.incr("rate:login:10.0.0.1", 60).value == 1


def test_threads_lose_no_count(store: CountingStore) -> None:
    barrier = threading.Barrier(8)

    def count() -> None:
        barrier.wait()
        for _ in range(25):
            store.incr("shared", 60)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.incr("shared", 60).value == 201


def _count_in_files(directory: str, times: int) -> None:
    store = FileStore(Path(directory))
    for _ in range(times):
        store.incr("shared", 60)


def test_file_counters_lose_no_count_across_processes_or_to_prune(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.incr("expired", 1)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_count_in_files, args=(str(tmp_path), 50)) for _ in range(3)]
    for worker in workers:
        worker.start()
    time.sleep(1.1)
    while any(worker.is_alive() for worker in workers):
        store.prune()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    assert store.incr("shared", 60).value == 151
    assert store.incr("expired", 60).value == 1
