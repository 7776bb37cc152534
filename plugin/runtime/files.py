"""Files the tool keeps are private to the service user.

The data directory holds the SQLite database and its WAL, the job queue, the file cache
and the launch-state store: callback and attempt tokens, names, e-mails, scores and launch
claims.  Every process sets a umask that makes what it creates readable by its own user
only, and each start tightens what an older release (or a hand-made copy) left more open.
"""

from __future__ import annotations

import os
import stat
import typing as t
from pathlib import Path
from urllib.parse import urlsplit

if t.TYPE_CHECKING:
    from config import Settings

#: Files 0600, folders 0700.
PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def prepare_data_dir(settings: Settings) -> None:
    """Make this process create private files, and the data directory private."""
    os.umask(PRIVATE_UMASK)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)


def seal(settings: Settings) -> list[Path]:
    """Give every file of the tool the private mode; return those that were more open.

    Covers the data directory and everything in it, and SQLite files named by
    ``BRIDGE_DATABASE_URL`` or ``BRIDGE_QUEUE_URL`` outside it (with their ``-wal`` and
    ``-shm`` companions).
    """
    loosened: list[Path] = []
    paths = [settings.data_dir, *settings.data_dir.rglob("*"), *_sqlite_files(settings)]
    for path in paths:
        try:
            info = path.lstat()
        except FileNotFoundError:  # a companion file SQLite has not made (or just removed)
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        wanted = FOLDER_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
        if stat.S_IMODE(info.st_mode) & ~wanted:
            path.chmod(wanted)
            loosened.append(path)
    return loosened


def _sqlite_files(settings: Settings) -> list[Path]:
    files = []
    for url in (settings.database_url, settings.queue_url):
        parts = urlsplit(url)
        if parts.scheme.startswith("sqlite") and parts.path:
            database = Path(parts.path)
            files += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return [path for path in files if settings.data_dir not in path.parents]
