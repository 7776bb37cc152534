"""Helpers shared by the benchmarks: server subprocesses, percentiles, reporting."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import requests
from flask import Flask

from plugin.runtime.tokens import new_token
from plugin.runtime.tokens import token_digest
from plugin.services import services

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_process(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    ready_url: str,
    timeout: float = 60,
    nice: int = 0,
) -> subprocess.Popen[bytes]:
    """Start ``python args...`` from the project root and wait until ``ready_url`` answers.

    :param nice: lower the process's CPU priority (for simulators that stand in for remote
        services, so that they do not take the measured server's CPU).
    """
    prefix = ["nice", "-n", str(nice)] if nice else []
    process = subprocess.Popen(
        [*prefix, sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{args} exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
            )
        try:
            if requests.get(ready_url, timeout=1).status_code < 500:
                return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{args} did not answer at {ready_url}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its live descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def percentile(samples: t.Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(
    title: str, headers: list[str], rows: list[list[t.Any]], figures: dict[str, t.Any]
) -> None:
    """Print an aligned table, then the figures as the last line (JSON)."""
    cells = [headers] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(headers))]
    print(title)
    for row in cells:
        print(
            "  ".join(
                str(c).rjust(w) if i else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(json.dumps(figures, sort_keys=True))


def _fmt(value: t.Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def sealed_attempt_token(app: Flask, token: str | None = None) -> dict[str, t.Any]:
    """The ``attempts`` columns that hold an attempt token (a new one by default), for
    benchmarks that write attempts in bulk."""
    token = token or new_token(24)
    return {
        "token_hash": token_digest(token),
        "token_encrypted": services(app).secrets.encrypt(token.encode()),
    }
