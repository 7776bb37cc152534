from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from lti.sealed_store import SealedStore
from lti.state import LaunchStateStore
from plugin.runtime.crypto import SecretBox
from plugin.runtime.crypto import SecretError
from plugin.runtime.shared_store import FileStore


def sealed(files: FileStore, *keys: str) -> SealedStore:
    return SealedStore(files, SecretBox(keys), unreadable=SecretError)


def stored_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in directory.iterdir())


def test_values_are_sealed_in_the_store_underneath(tmp_path: Path) -> None:
    store = sealed(FileStore(tmp_path), Fernet.generate_key().decode())
    store.put("launch", {"email": "ada@example.edu", "name": "Ada Lovelace"}, 60)
    assert b"ada@example.edu" not in stored_bytes(tmp_path)
    assert b"Ada Lovelace" not in stored_bytes(tmp_path)
    assert store.get("launch") == {"email": "ada@example.edu", "name": "Ada Lovelace"}
    assert store.take("launch") == {"email": "ada@example.edu", "name": "Ada Lovelace"}
    assert store.take("launch") is None
    assert store.add("lock", "me", 60) and not store.add("lock", "you", 60)


def test_login_state_keeps_its_nonce_sealed(tmp_path: Path) -> None:
    states = LaunchStateStore(
        sealed(FileStore(tmp_path), Fernet.generate_key().decode()), ttl_seconds=60
    )
    state = states.begin(issuer="https://lms.example", client_id="c")
    assert state.nonce.encode() not in stored_bytes(tmp_path)
    assert states.take(state.state) == state


def test_a_value_no_key_opens_or_one_stored_unsealed_reads_as_absent(tmp_path: Path) -> None:
    files = FileStore(tmp_path)
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed(files, old_key).put("state", {"nonce": "n"}, 60)
    assert sealed(files, new_key, old_key).get("state") == {"nonce": "n"}
    assert sealed(files, new_key).get("state") is None
    files.put("legacy", {"nonce": "n"}, 60)  # as the release before this one stored it
    assert sealed(files, new_key).take("legacy") is None
