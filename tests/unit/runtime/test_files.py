"""The tool's files are private to its user: new ones, and those an older release left open."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from plugin import create_app
from plugin.runtime.bootstrap import bootstrap
from plugin.runtime.files import seal
from plugin.services import services


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_files_an_older_release_left_open_are_made_private(
    tmp_path: Path, base_settings: dict[str, str]
) -> None:
    data = Path(base_settings["BRIDGE_DATA_DIR"])
    (data / "cache").mkdir(parents=True)
    os.chmod(data, 0o755)
    os.chmod(data / "cache", 0o755)
    old = data / "cache" / "entry"
    old.write_text("launch claims")
    os.chmod(old, 0o644)
    database = Path(base_settings["BRIDGE_DATABASE_URL"].removeprefix("sqlite:///"))
    if database.exists():
        os.chmod(database, 0o644)

    app = create_app({**base_settings, "TESTING": True})
    try:
        notes = bootstrap(app)
    finally:
        services(app).engine.dispose()

    assert (mode(data), mode(data / "cache"), mode(old)) == (0o700, 0o700, 0o600)
    if database.exists():
        assert mode(database) == 0o600
    assert any("files private" in note for note in notes)


def test_a_second_start_finds_nothing_to_tighten(
    tmp_path: Path, base_settings: dict[str, str]
) -> None:
    app = create_app({**base_settings, "TESTING": True})
    try:
        bootstrap(app)
        assert seal(services(app).settings) == []
    finally:
        services(app).engine.dispose()


def test_what_the_process_creates_next_is_private(
    tmp_path: Path, base_settings: dict[str, str]
) -> None:
    app = create_app({**base_settings, "TESTING": True})
    services(app).engine.dispose()
    created = tmp_path / "new-file"
    created.write_text("x")
    assert mode(created) == 0o600


def test_links_are_left_alone(tmp_path: Path, base_settings: dict[str, str]) -> None:
    data = Path(base_settings["BRIDGE_DATA_DIR"])
    data.mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    (data / "link").symlink_to(outside)
    app = create_app({**base_settings, "TESTING": True})
    try:
        seal(services(app).settings)
    finally:
        services(app).engine.dispose()
    assert mode(outside) == 0o644
