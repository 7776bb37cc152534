from __future__ import annotations

import os
import secrets
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests

from lti.ags import DEFAULT_SCOPES
from lti.interfaces import PlatformRecord
from lti.interfaces import SharedStore
from lti.service_token import AccessToken
from lti.service_token import TokenRequestError
from lti.service_token import request_access_token
from lti.token_cache import SingleFlight
from lti.token_cache import TokenCache
from lti.token_cache import token_cache_key
from plugin.runtime.shared_store import FileStore
from plugin.runtime.shared_store import MemoryStore
from plugin.runtime.shared_store import RedisStore

if t.TYPE_CHECKING:
    from tests.unit.lti.conftest import RunningLms
    from tests.unit.lti.conftest import RunningTool

REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "")
BACKENDS = ["file", "memory", *(["redis"] if REDIS_URL else [])]
PLATFORM = PlatformRecord(
    id=1,
    issuer="https://lms.example",
    client_id="client-1",
    auth_login_url="https://lms.example/auth",
    auth_token_url="https://lms.example/token",
    key_set_url="https://lms.example/jwks",
)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> t.Iterator[SharedStore]:
    if request.param == "file":
        yield FileStore(tmp_path)
    elif request.param == "memory":
        yield MemoryStore()
    else:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        yield RedisStore(client, prefix=f"test:{secrets.token_hex(8)}:")
        client.close()


class CountingFetch:
    """Hands out numbered tokens that expire ``lifetime`` seconds from now."""

    def __init__(self, lifetime: float = 3600) -> None:
        self.calls = 0
        self.lifetime = lifetime
        self._lock = threading.Lock()

    def __call__(self) -> AccessToken:
        with self._lock:
            self.calls += 1
            number = self.calls
        return AccessToken(
            f"token-{number}", frozenset(DEFAULT_SCOPES), time.time() + self.lifetime
        )


def test_a_token_is_reused_whatever_the_scope_order(store: SharedStore) -> None:
    cache, fetch = TokenCache(store), CountingFetch()
    first = cache.token(PLATFORM, DEFAULT_SCOPES, fetch)
    again = cache.token(PLATFORM, reversed(DEFAULT_SCOPES), fetch)
    assert fetch.calls == 1
    assert again == first
    assert token_cache_key("i", "c", ["b", "a"]) == token_cache_key("i", "c", ["a", "b", "a"])


def test_tokens_are_kept_apart_per_client_and_scopes(store: SharedStore) -> None:
    cache, fetch = TokenCache(store), CountingFetch()
    other_client = PlatformRecord(**{**vars(PLATFORM), "client_id": "client-2"})
    tokens = {
        cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token,
        cache.token(other_client, DEFAULT_SCOPES, fetch).token,
        cache.token(PLATFORM, DEFAULT_SCOPES[:1], fetch).token,
    }
    assert len(tokens) == 3 and fetch.calls == 3


def test_a_token_near_its_expiry_is_not_handed_out(store: SharedStore) -> None:
    cache = TokenCache(store, refresh_margin_seconds=60)
    short = CountingFetch(lifetime=30)
    cache.token(PLATFORM, DEFAULT_SCOPES, short)
    cache.token(PLATFORM, DEFAULT_SCOPES, short)
    assert short.calls == 2
    long = CountingFetch(lifetime=3600)
    cache.token(PLATFORM, DEFAULT_SCOPES, long)
    cache.token(PLATFORM, DEFAULT_SCOPES, long)
    assert long.calls == 1


def test_invalidate_forgets_only_the_refused_token(store: SharedStore) -> None:
    cache, fetch = TokenCache(store), CountingFetch()
    token = cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token
    cache.invalidate(PLATFORM, DEFAULT_SCOPES, "some-older-token")
    assert cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token == token
    cache.invalidate(PLATFORM, DEFAULT_SCOPES, token)
    assert cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token == "token-2"


def test_a_failed_fetch_releases_the_lock_for_the_next_caller(store: SharedStore) -> None:
    cache = TokenCache(store, flight=SingleFlight(store, wait_seconds=0.5))

    def refuse() -> AccessToken:
        raise TokenRequestError("down", status=503, retryable=True)

    with pytest.raises(TokenRequestError):
        cache.token(PLATFORM, DEFAULT_SCOPES, refuse)
    fetch = CountingFetch()
    assert cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token == "token-1"
    assert fetch.calls == 1


def test_a_lock_left_by_a_dead_holder_lapses(store: SharedStore) -> None:
    key = token_cache_key(PLATFORM.issuer, PLATFORM.client_id, DEFAULT_SCOPES)
    assert store.add(key + ":lock", "dead-worker", 1)
    cache = TokenCache(store, flight=SingleFlight(store, lock_ttl_seconds=1, wait_seconds=30))
    fetch = CountingFetch()
    assert cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token == "token-1"
    assert fetch.calls == 1


def test_waiting_for_a_holder_is_bounded(store: SharedStore) -> None:
    key = token_cache_key(PLATFORM.issuer, PLATFORM.client_id, DEFAULT_SCOPES)
    assert store.add(key + ":lock", "stuck-worker", 60)
    cache = TokenCache(store, flight=SingleFlight(store, wait_seconds=0.2))
    fetch = CountingFetch()
    assert cache.token(PLATFORM, DEFAULT_SCOPES, fetch).token == "token-1"
    assert store.get(key + ":lock") == "stuck-worker"


@pytest.mark.parametrize("backend", BACKENDS)
def test_eight_threads_at_once_make_one_token_request(
    backend: str,
    tmp_path: Path,
    running_lms: RunningLms,
    tool: RunningTool,
    platform: PlatformRecord,
) -> None:
    shared = {
        "file": lambda: FileStore(tmp_path / "shared"),
        "memory": MemoryStore,
        "redis": lambda: tool.store,  # the app's own store is Redis when REDIS_URL is set
    }[backend]()
    running_lms.client.set_faults(latency_ms=200)
    cache = TokenCache(shared)
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def worker() -> None:
        with requests.Session() as session:

            def fetch() -> AccessToken:
                key = tool.keys.signing_key()
                return request_access_token(platform, key, DEFAULT_SCOPES, session=session)

            barrier.wait()
            tokens.append(cache.token(platform, DEFAULT_SCOPES, fetch).token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 8 and len(set(tokens)) == 1
    assert running_lms.token_requests(platform.client_id) == 1
