"""pylti1p3's launch data storage on our ephemeral store (no session cookie needed:
the launch id is unguessable and only ever handed to the browser that launched)."""

from __future__ import annotations

import typing as t

from pylti1p3.launch_data_storage.base import LaunchDataStorage

if t.TYPE_CHECKING:
    from lti.interfaces import SharedStore

DEFAULT_LIFETIME_SECONDS = 4 * 3600


class EphemeralLaunchDataStorage(LaunchDataStorage):  # type: ignore[misc]
    def __init__(
        self, store: SharedStore, lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS
    ) -> None:
        super().__init__()
        self._store = store
        self._lifetime = lifetime_seconds

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> t.Any:
        return self._store.get(self._prepare_key(key))

    def set_value(self, key: str, value: t.Any, exp: int | None = None) -> None:
        self._store.put(self._prepare_key(key), value, exp or self._lifetime)

    def check_value(self, key: str) -> bool:
        return self._store.get(self._prepare_key(key)) is not None
