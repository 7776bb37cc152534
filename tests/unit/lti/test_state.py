from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_caching import Cache

from lti.state import LaunchStateStore


def file_cache(tmp_path: Path) -> Cache:
    app = Flask(__name__)
    return Cache(app, config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path)})


def test_a_state_is_taken_once(tmp_path: Path) -> None:
    store = LaunchStateStore(file_cache(tmp_path), ttl_seconds=60)
    state = store.begin(issuer="https://lms", client_id="c", login_params={"iss": "https://lms"})
    assert store.peek(state.state) == state
    assert store.take(state.state) == state
    assert store.take(state.state) is None
    assert store.peek(state.state) is None


def test_a_nonce_is_consumed_once_and_only_with_its_state(tmp_path: Path) -> None:
    store = LaunchStateStore(file_cache(tmp_path), ttl_seconds=60)
    first = store.begin(issuer="https://lms", client_id="c", login_params={})
    second = store.begin(issuer="https://lms", client_id="c", login_params={})
    assert not store.consume_nonce(first.nonce, second.state)
    assert store.consume_nonce(first.nonce, first.state)
    assert not store.consume_nonce(first.nonce, first.state)
    assert not store.consume_nonce("never-issued", first.state)


def test_states_and_nonces_are_unguessable_and_distinct(tmp_path: Path) -> None:
    store = LaunchStateStore(file_cache(tmp_path), ttl_seconds=60)
    issued = [store.begin(issuer="i", client_id="c", login_params={}) for _ in range(50)]
    assert len({s.state for s in issued}) == 50
    assert len({s.nonce for s in issued}) == 50
    assert all(len(s.nonce) >= 32 for s in issued)
