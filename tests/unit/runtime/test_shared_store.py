from __future__ import annotations

import os
import secrets
import threading
import typing as t
from pathlib import Path

import pytest

from plugin.runtime.shared_store import ExpiringStore
from plugin.runtime.shared_store import FileStore
from plugin.runtime.shared_store import MemoryStore
from plugin.runtime.shared_store import RedisStore

REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "")
BACKENDS = ["file", "memory", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> t.Iterator[ExpiringStore]:
    if request.param == "file":
        yield FileStore(tmp_path)
    elif request.param == "memory":
        yield MemoryStore()
    else:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        yield RedisStore(client, prefix=f"test:{os.getpid()}:{id(tmp_path)}:")
        client.close()


def test_put_get_take(store: ExpiringStore) -> None:
    store.put("k", {"a": [1, 2]}, 60)
    assert store.get("k") == {"a": [1, 2]}
    assert store.take("k") == {"a": [1, 2]}
    assert store.take("k") is None and store.get("k") is None


def test_expired_values_are_invisible_and_pruned(store: ExpiringStore) -> None:
    store.put("old", "x", -5)
    store.put("new", "y", 60)
    assert store.get("old") is None and store.take("old") is None
    store.prune()
    assert store.get("new") == "y"


def test_take_hands_the_value_to_exactly_one_of_many_threads(store: ExpiringStore) -> None:
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


def test_add_stores_only_when_the_key_holds_no_live_value(store: ExpiringStore) -> None:
    key, old = f"add-{secrets.token_hex(4)}", f"add-old-{secrets.token_hex(4)}"
    assert store.add(key, {"v": 1}, 60) is True
    assert store.add(key, {"v": 2}, 60) is False
    assert store.get(key) == {"v": 1}
    store.put(old, "stale", -5)
    assert store.add(old, "fresh", 60) is True
    assert store.get(old) == "fresh"
    assert store.take(key) == {"v": 1}
    assert store.add(key, {"v": 3}, 60) is True


def test_add_refuses_a_ttl_that_is_not_positive(store: ExpiringStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.add("add-nonpositive", 1, 0)
    assert store.get("add-nonpositive") is None


@pytest.mark.parametrize("expired_before", [False, True])
def test_add_succeeds_for_exactly_one_of_many_threads(
    store: ExpiringStore, expired_before: bool
) -> None:
    for round_ in range(20):
        key = f"add-race-{secrets.token_hex(4)}-{round_}"
        if expired_before:
            store.put(key, "expired", -5)
        barrier = threading.Barrier(8)
        won: list[int] = []

        def grab(
            number: int,
            key: str = key,
            barrier: threading.Barrier = barrier,
            won: list[int] = won,
        ) -> None:
            barrier.wait()
            if store.add(key, number, 60):
                won.append(number)

        threads = [threading.Thread(target=grab, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1
        assert store.get(key) == won[0]


def test_file_add_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.add("a", 1, 60)
    store.add("a", 2, 60)
    store.put("b", 0, -5)
    store.add("b", 3, 60)
    assert len(list(tmp_path.iterdir())) == 2
