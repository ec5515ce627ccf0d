"""A local HTTP server run as a child process for the developer tools (``llm_local``, ``stt_local``).

Started on a free port of 127.0.0.1 with its output in a log file (a pipe could fill and block it), waited for
until a health URL answers 200, and stopped (terminate, then kill) on ``stop()`` or when its ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.errors import RapportError


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalServer:
    """A running server; ``what`` names it in messages ("the local LLM server")."""

    port: int
    process: subprocess.Popen
    log: Path
    what: str
    #: called once the process has ended (e.g. to remove a temporary folder)
    cleanup: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @classmethod
    def launch(cls, cmd: list[str], *, port: int, log: Path, env: dict[str, str], what: str, health: str,
               startup_s: float, cleanup: Callable[[], None] | None = None) -> LocalServer:
        """Start ``cmd`` (which must listen on ``port``) and wait until ``health`` (a URL path) answers 200."""
        with open(log, "wb") as out:
            process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        server = cls(port, process, log, what, cleanup)
        try:
            server._wait(health, startup_s)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait(self, health: str, startup_s: float) -> None:
        deadline = time.monotonic() + startup_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise RapportError(f"{self.what} exited ({self.process.returncode}): {tail[0]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{health}", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RapportError(f"{self.what} did not start within {startup_s:.0f} s (log: {self.log})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.cleanup is not None:
            with contextlib.suppress(OSError):
                self.cleanup()

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run(tool: str, command: list[str], env: dict[str, str]) -> int:
    """Run ``command`` with ``env``; its exit status, or 127 with one line when it cannot be run."""
    try:
        return subprocess.run(command, env=env).returncode
    except OSError as exc:
        print(f"{tool}: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127
