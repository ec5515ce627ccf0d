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
import sys
from pathlib import Path

from simulator.errors import RapportError
from tools.local_server import LocalServer, free_port, run

__all__ = ["DEFAULT_MODEL", "LlamaServer", "free_port", "main", "missing"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / ".cache" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def missing(model: Path = DEFAULT_MODEL) -> str | None:
    """Why a local server cannot be started (``None`` when it can)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run `make llm`)"
    if not Path(model).is_file():
        return f"{Path(model).name} is missing (run `make llm`)"
    return None


class LlamaServer(LocalServer):
    """A running llama.cpp server; stop it with ``stop()`` or by leaving the ``with`` block."""

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
        # passive OpenMP threads, since spinning threads starve everyone on a busy machine
        env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, "PYTHONUNBUFFERED": "1"}
        return cls.launch(cmd, port=port, log=log, env=env, what="the local LLM server", health="/v1/models",
                          startup_s=startup_s)


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
        return run("llm_local", args.command, env)


if __name__ == "__main__":
    sys.exit(main())
