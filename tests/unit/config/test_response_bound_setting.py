"""``BRIDGE_HTTP_MAX_RESPONSE_BYTES``: the bound of vendor and ATS answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import SettingsError
from config import load_settings
from plugin.http.sessions import DEFAULT_MAX_RESPONSE_BYTES
from plugin.http.sessions import MAX_RESPONSE_SETTING


def test_the_default_is_the_sessions_default(tmp_path: Path) -> None:
    settings = load_settings({"BRIDGE_DATA_DIR": str(tmp_path)})
    assert settings.http_max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 8 * 1024 * 1024


def test_a_bound_is_read_and_nonsense_is_refused(tmp_path: Path) -> None:
    base = {"BRIDGE_DATA_DIR": str(tmp_path)}
    settings = load_settings({**base, MAX_RESPONSE_SETTING: "2097152"})
    assert settings.http_max_response_bytes == 2 * 1024 * 1024
    for wrong in ("1000", "8MB", str(2 * 1024**3)):
        with pytest.raises(SettingsError, match=MAX_RESPONSE_SETTING):
            load_settings({**base, MAX_RESPONSE_SETTING: wrong})
