from __future__ import annotations

import os
import threading
import typing as t
from pathlib import Path

import pytest

from plugin.ephemeral import EphemeralStore
from plugin.ephemeral import FileStore
from plugin.ephemeral import MemoryStore
from plugin.ephemeral import RedisStore

REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "")
BACKENDS = ["file", "memory", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> t.Iterator[EphemeralStore]:
    if request.param == "file":
        yield FileStore(tmp_path)
    elif request.param == "memory":
        yield MemoryStore()
    else:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        yield RedisStore(client, prefix=f"test:{os.getpid()}:{id(tmp_path)}:")
        client.close()


def test_put_get_take(store: EphemeralStore) -> None:
    store.put("k", {"a": [1, 2]}, 60)
    assert store.get("k") == {"a": [1, 2]}
    assert store.take("k") == {"a": [1, 2]}
    assert store.take("k") is None and store.get("k") is None


def test_expired_values_are_invisible_and_pruned(store: EphemeralStore) -> None:
    store.put("old", "x", -5)
    store.put("new", "y", 60)
    assert store.get("old") is None and store.take("old") is None
    store.prune()
    assert store.get("new") == "y"


def test_take_hands_the_value_to_exactly_one_of_many_threads(store: EphemeralStore) -> None:
    for round_ in range(20):
        key = f"race-{round_}"
        store.put(key, round_, 60)
        winners: list[object] = []
        barrier = threading.Barrier(8)

        def grab(
            key: str = key, barrier: threading.Barrier = barrier, winners: list[object] = winners
        ) -> None:
            barrier.wait()
            value = store.take(key)
            if value is not None:
                winners.append(value)

        threads = [threading.Thread(target=grab) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert winners == [round_]


def test_file_prune_removes_expired_files_and_stale_temporaries(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.put("gone", 1, -1)
    store.put("kept", 2, 60)
    stale = tmp_path / ".abandoned.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (0, 0))
    assert store.prune() == 2
    assert store.get("kept") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [next(tmp_path.iterdir()).name]
