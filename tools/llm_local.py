"""Starting and stopping a local llama.cpp server (``python -m llama_cpp.server``) on 127.0.0.1.

A developer tool (not in the wheel), used by the LLM tests and to benchmark the LLM buyer;
``make llm`` (``scripts/llm.sh``) installs llama-cpp-python and puts SmolLM2-135M-Instruct in
``.cache/models``::

    with LlamaServer.start(model_path) as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url

From the command line, ``python -m tools.llm_local COMMAND ...`` runs COMMAND with ``OPENAI_BASE_URL``
pointing at a server started for it and stopped after it (``make bench`` runs ``rapport bench`` this
way). When ``OPENAI_BASE_URL`` is already set, or llama.cpp or the model is not installed, COMMAND runs
as it is (with a one-line note for the latter).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import RapportError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / ".cache" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing(model: Path = DEFAULT_MODEL) -> str | None:
    """Why a local server cannot be started (``None`` when it can)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run `make llm`)"
    if not Path(model).is_file():
        return f"{Path(model).name} is missing (run `make llm`)"
    return None


@dataclass
class LlamaServer:
    """A running llama.cpp server; stop it with ``stop()`` or by leaving the ``with`` block."""

    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @classmethod
    def start(cls, model: Path = DEFAULT_MODEL, log: Path | None = None, startup_s: float = 90.0,
              threads: int = 1) -> LlamaServer:
        """Start the server on a free port and wait until ``/v1/models`` answers."""
        reason = missing(model)
        if reason:
            raise RapportError(f"cannot start the local LLM server: {reason}")
        port = free_port()
        log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"rapport-llama-{port}.log"
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads)]
        # a log file, not a pipe (a full pipe would block the server); passive OpenMP threads, since
        # spinning threads starve everyone on a busy machine
        with open(log, "wb") as out:
            process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                       env={"OMP_WAIT_POLICY": "PASSIVE", **os.environ, "PYTHONUNBUFFERED": "1"})
        server = cls(port, process, log)
        try:
            server._wait(startup_s)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait(self, startup_s: float) -> None:
        deadline = time.monotonic() + startup_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise RapportError(f"the local LLM server exited ({self.process.returncode}): {tail[0]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RapportError(f"the local LLM server did not start within {startup_s:.0f} s (log: {self.log})")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> LlamaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.llm_local [--model GGUF] COMMAND ...``: run COMMAND against a local server."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.llm_local", description=main.__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="GGUF model (default: SmolLM2-135M)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, e.g. rapport bench llm")
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("give the command to run, e.g. rapport bench llm")
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        reason = None if env.get("OPENAI_BASE_URL") else missing(args.model)
        if reason:
            print(f"llm_local: no local LLM server: {reason}; running without one", file=sys.stderr)
        elif not env.get("OPENAI_BASE_URL"):
            try:
                server = stack.enter_context(LlamaServer.start(args.model))
            except RapportError as exc:
                print(f"llm_local: {exc}", file=sys.stderr)
                return 1
            env["OPENAI_BASE_URL"] = server.base_url
        try:
            return subprocess.run(args.command, env=env).returncode
        except OSError as exc:
            print(f"llm_local: cannot run {args.command[0]}: {exc.strerror}", file=sys.stderr)
            return 127


if __name__ == "__main__":
    sys.exit(main())
