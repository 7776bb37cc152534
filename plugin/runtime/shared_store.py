"""Short-lived values with an atomic one-time ``take``: OIDC login state and launch data.

Flask-Caching's file backend cannot give "exactly one reader" semantics (its
``delete`` reports success for a file that is already gone) and keeps a file
counter that is rewritten on every write.  Launch state needs both speed and a
take that succeeds once, so it gets this small store with two backends:

* files in a directory (the embedded default): a write is a temp file renamed
  into place; a take renames the file to a unique name first, which exactly one
  caller can do; expired files are removed by :meth:`FileStore.prune`, run
  periodically by the job consumer;
* Redis: ``SET ... EX`` and ``GETDEL``.

``add`` stores a value only when the key holds no live one (put-if-absent), which the
token cache uses as a lock across workers and processes: a hard link of a complete
temporary file (fails when the name exists, so no reader sees a half-written value),
``SET NX EX`` on Redis, a lock in memory.

``incr`` counts (the login rate limit): a counter starts at its first count and expires
``ttl_seconds`` later.  Files: the counter's file is rewritten under an exclusive
``flock`` (``prune`` leaves a locked file alone); Redis: ``INCR`` and ``EXPIRE`` in one
script.

Values are JSON.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import threading
import time
import typing as t
from pathlib import Path
from urllib.parse import urlsplit

from lti.interfaces import SharedStore

if t.TYPE_CHECKING:
    import redis

Json = t.Any

_CLAIM_SECONDS = 5


class ExpiringStore(SharedStore, t.Protocol):
    """A :class:`lti.interfaces.SharedStore` the job consumer can prune."""

    def prune(self) -> int:
        """Remove expired entries; return how many."""


class Count(t.NamedTuple):
    """A counter after one more count, and how long until it expires (seconds)."""

    value: int
    expires_in: float


class Counters(t.Protocol):
    """Counters seen by every worker and process."""

    def incr(self, key: str, ttl_seconds: int) -> Count:
        """Add one to the counter at ``key``; a counter that does not exist (or expired)
        starts at 1 and expires ``ttl_seconds`` later, whatever counts follow."""


class CountingStore(ExpiringStore, Counters, t.Protocol):
    """What :func:`store_for` returns: the shared store with counters."""


class FileStore:
    """One file per key: 8 bytes of expiry (unix seconds, big-endian) then JSON."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._dir.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self._dir / (hashlib.sha256(key.encode()).hexdigest() + ".v")

    def put(self, key: str, value: Json, ttl_seconds: int) -> None:
        expires = int(time.time()) + ttl_seconds
        tmp = self._dir / f".{secrets.token_hex(8)}.tmp"
        tmp.write_bytes(expires.to_bytes(8, "big") + json.dumps(value).encode())
        os.replace(tmp, self._path(key))

    def get(self, key: str) -> Json | None:
        return self._read(self._path(key))

    def take(self, key: str) -> Json | None:
        claimed = self._dir / f".{secrets.token_hex(8)}.taken"
        try:
            os.rename(self._path(key), claimed)
        except FileNotFoundError:
            return None
        try:
            return self._read(claimed)
        finally:
            claimed.unlink(missing_ok=True)

    def add(self, key: str, value: Json, ttl_seconds: int) -> bool:
        _check_ttl(ttl_seconds)
        path = self._path(key)
        tmp = self._write_temp(int(time.time()) + ttl_seconds, value)
        try:
            for _ in range(3):
                if _link(tmp, path):
                    return True
                if self._read(path) is not None:
                    return False
                replaced = self._replace_expired(path, tmp)
                if replaced is not None:
                    return replaced
            return False
        finally:
            tmp.unlink(missing_ok=True)

    def _replace_expired(self, path: Path, tmp: Path) -> bool | None:
        """Swap the expired value at ``path`` for ``tmp`` under a short claim on the key.

        The claim (a file beside the value, expiring after a few seconds so ``prune``
        clears one left by a dead process) keeps two callers from both removing the
        expired value and each linking their own.

        :return: whether ``tmp`` was stored; None when another caller holds the claim.
        """
        claim = path.with_suffix(".claim")
        claim_tmp = self._write_temp(int(time.time()) + _CLAIM_SECONDS, True)
        try:
            claimed = _link(claim_tmp, claim)
        finally:
            claim_tmp.unlink(missing_ok=True)
        if not claimed:
            if self._read(claim) is None:
                claim.unlink(missing_ok=True)  # left by a caller that died
            return None
        try:
            if self._read(path) is not None:
                return False
            path.unlink(missing_ok=True)
            return _link(tmp, path)
        finally:
            claim.unlink(missing_ok=True)

    def _write_temp(self, expires: int, value: Json) -> Path:
        tmp = self._dir / f".{secrets.token_hex(8)}.tmp"
        tmp.write_bytes(expires.to_bytes(8, "big") + json.dumps(value).encode())
        return tmp

    def incr(self, key: str, ttl_seconds: int) -> Count:
        _check_ttl(ttl_seconds)
        path = self._path(key)
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if not _still_at(fd, path):
                    continue  # pruned or replaced while this call waited for the lock
                now = time.time()
                raw = os.read(fd, 64)
                expires = int.from_bytes(raw[:8], "big")
                value = json.loads(raw[8:]) + 1 if len(raw) > 8 and expires >= now else 1
                if value == 1:
                    expires = int(now) + ttl_seconds
                data = expires.to_bytes(8, "big") + json.dumps(value).encode()
                os.pwrite(fd, data, 0)
                os.ftruncate(fd, len(data))
                return Count(value, expires - now)
            finally:
                os.close(fd)

    def prune(self) -> int:
        """Remove expired values and temporary files left for more than a minute (by a
        process that died between writing and renaming them)."""
        now, removed = time.time(), 0
        for path in self._dir.iterdir():
            if path.suffix in {".tmp", ".taken"}:
                try:
                    stale = path.stat().st_mtime < now - 60
                except FileNotFoundError:
                    continue
                if stale:
                    path.unlink(missing_ok=True)
                    removed += 1
            elif _remove_expired(path, now):
                removed += 1
        return removed

    @staticmethod
    def _read(path: Path) -> Json | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        if int.from_bytes(raw[:8], "big") < time.time():
            return None
        return json.loads(raw[8:])


#: ``INCR``, and a counter that has no expiry yet (its first count) gets one, atomically.
_INCR_SCRIPT = """
local value = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {value, ttl}
"""


class RedisStore:
    def __init__(self, client: redis.Redis, prefix: str = "bridge:eph:") -> None:
        self._redis = client
        self._prefix = prefix
        self._incr = client.register_script(_INCR_SCRIPT)

    def put(self, key: str, value: Json, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            self._redis.delete(self._prefix + key)
            return
        self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_seconds)

    def get(self, key: str) -> Json | None:
        raw = self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def take(self, key: str) -> Json | None:
        raw = self._redis.getdel(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def add(self, key: str, value: Json, ttl_seconds: int) -> bool:
        _check_ttl(ttl_seconds)
        stored = self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_seconds, nx=True)
        return bool(stored)

    def incr(self, key: str, ttl_seconds: int) -> Count:
        _check_ttl(ttl_seconds)
        value, expires_ms = self._incr(keys=[self._prefix + key], args=[ttl_seconds * 1000])
        return Count(int(value), int(expires_ms) / 1000)

    def prune(self) -> int:
        return 0  # Redis expires keys itself.


class MemoryStore:
    """For a single process (tests and ``memory://``)."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, Json]] = {}
        self._lock = threading.Lock()

    def put(self, key: str, value: Json, ttl_seconds: int) -> None:
        with self._lock:
            self._values[key] = (time.time() + ttl_seconds, value)

    def get(self, key: str) -> Json | None:
        with self._lock:
            entry = self._values.get(key)
        return entry[1] if entry and entry[0] >= time.time() else None

    def take(self, key: str) -> Json | None:
        with self._lock:
            entry = self._values.pop(key, None)
        return entry[1] if entry and entry[0] >= time.time() else None

    def add(self, key: str, value: Json, ttl_seconds: int) -> bool:
        _check_ttl(ttl_seconds)
        with self._lock:
            now = time.time()
            entry = self._values.get(key)
            if entry is not None and entry[0] >= now:
                return False
            self._values[key] = (now + ttl_seconds, value)
            return True

    def incr(self, key: str, ttl_seconds: int) -> Count:
        _check_ttl(ttl_seconds)
        with self._lock:
            now = time.time()
            entry = self._values.get(key)
            if entry is None or entry[0] < now:
                entry = (now + ttl_seconds, 0)
            self._values[key] = (entry[0], entry[1] + 1)
        return Count(entry[1] + 1, entry[0] - now)

    def prune(self) -> int:
        now = time.time()
        with self._lock:
            expired = [key for key, (expires, _) in self._values.items() if expires < now]
            for key in expired:
                del self._values[key]
        return len(expired)


def _link(source: Path, target: Path) -> bool:
    """Give ``source`` the name ``target`` unless that name exists (atomic)."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    return True


def _still_at(fd: int, path: Path) -> bool:
    """Whether the open file ``fd`` is still the one at ``path``."""
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _remove_expired(path: Path, now: float) -> bool:
    """Remove ``path`` if it holds an expired value, under its lock: a file a
    :meth:`FileStore.incr` has locked is left alone (it would count on in a file removed
    from under it), and one it refreshed while this waited is kept."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if not _still_at(fd, path) or int.from_bytes(os.read(fd, 8), "big") >= now:
            return False
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def _check_ttl(ttl_seconds: int) -> None:
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")


def store_for(cache_url: str, data_dir: Path) -> CountingStore:
    """The store matching ``BRIDGE_CACHE_URL``: files beside the cache, or the same Redis."""
    parts = urlsplit(cache_url)
    if parts.scheme == "filesystem":
        return FileStore(Path(parts.path) / "ephemeral")
    if parts.scheme in {"redis", "rediss"}:
        import redis

        return RedisStore(redis.Redis.from_url(cache_url))
    return MemoryStore()
