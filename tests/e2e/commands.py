"""``assessment-bridge`` commands run as subprocesses, their output in a file each, and
stopped (process group and all) at the end of the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import typing as t
from pathlib import Path


class Command:
    """One running ``python -m plugin ...`` with its stdout and stderr in ``log``."""

    def __init__(self, args: t.Sequence[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "plugin", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output:
            if self.process.poll() is not None:
                raise AssertionError(f"exited {self.process.returncode}:\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} after {seconds} s:\n{self.output}")
            time.sleep(0.1)

    def signal(self, number: int) -> None:
        """Signal the process group (``serve`` has children), if any of it is left."""
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            return

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL when it is not gone 30 s later."""
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=10)


class Commands:
    """Every command a test started; :meth:`stop_all` ends them."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[Command] = []

    def start(self, *args: str, env: dict[str, str] | None = None) -> Command:
        log = self.logs / f"{len(self.started)}-{args[0]}.log"
        command = Command(args, {**self.env, **(env or {})}, log)
        self.started.append(command)
        return command

    def stop_all(self) -> None:
        for command in self.started:
            command.signal(signal.SIGTERM)
        for command in self.started:
            command.stop()
