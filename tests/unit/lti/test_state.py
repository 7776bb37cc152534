from __future__ import annotations

from pathlib import Path

from lti.state import STATE_PREFIX
from lti.state import LaunchStateStore
from plugin.runtime.shared_store import FileStore


def test_a_state_is_taken_once(tmp_path: Path) -> None:
    store = LaunchStateStore(FileStore(tmp_path), ttl_seconds=60)
    state = store.begin(issuer="https://lms", client_id="c")
    assert store.peek(state.state) == state
    assert store.take(state.state) == state
    assert store.take(state.state) is None
    assert store.peek(state.state) is None


def test_states_and_nonces_are_unguessable_and_distinct(tmp_path: Path) -> None:
    store = LaunchStateStore(FileStore(tmp_path), ttl_seconds=60)
    issued = [store.begin(issuer="i", client_id="c") for _ in range(50)]
    assert len({s.state for s in issued}) == 50
    assert len({s.nonce for s in issued}) == 50
    assert all(len(s.nonce) >= 32 for s in issued)


def test_an_expired_state_is_gone(tmp_path: Path) -> None:
    store = LaunchStateStore(FileStore(tmp_path), ttl_seconds=-1)
    state = store.begin(issuer="i", client_id="c")
    assert store.peek(state.state) is None
    assert store.take(state.state) is None


def test_a_state_stored_by_the_previous_release_still_launches(tmp_path: Path) -> None:
    """States stored with the login parameters (before the upgrade) are read without them."""
    files = FileStore(tmp_path)
    stored = {"state": "state-old", "nonce": "n", "issuer": "i", "client_id": "c"}
    files.put(STATE_PREFIX + "state-old", {**stored, "login_params": {"iss": "i"}}, 60)
    taken = LaunchStateStore(files, ttl_seconds=60).take("state-old")
    assert taken is not None and (taken.nonce, taken.issuer) == ("n", "i")
