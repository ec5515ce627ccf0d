"""Streaming Silero VAD: one speech probability per 512-sample window, state carried between calls.

Uses the ONNX model that ships with faster-whisper (``assets/silero_vad_v6.onnx``) through
onnxruntime.  Run window by window, carrying the recurrent state (h, c) and the last 64 samples
as context, it gives the same probabilities as faster-whisper's batch call on the whole file.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import BLOCK

CONTEXT = 64


@functools.lru_cache(maxsize=1)
def _session():
    try:
        import onnxruntime
        from faster_whisper.utils import get_assets_path
    except ImportError as exc:  # pragma: no cover - both ship with faster-whisper
        missing = exc.name
        raise RapportError(
            f"voice activity detection needs onnxruntime and faster-whisper ({missing} missing)"
        ) from None
    path = Path(get_assets_path()) / "silero_vad_v6.onnx"
    if not path.is_file():
        raise RapportError(f"Silero VAD model missing at {path}: reinstall faster-whisper")
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"], sess_options=opts)


class StreamingVad:
    """Speech probability of each consecutive 512-sample window of a stream.

    Feed any number of samples with :meth:`feed`; it returns one probability per complete
    window and keeps the remainder for the next call.  :meth:`reset` starts a new stream.
    """

    def __init__(self) -> None:
        self._session = _session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def window(self, samples: np.ndarray) -> float:
        """The speech probability (0..1) of exactly one 512-sample window."""
        x = np.concatenate([self._context, samples.reshape(1, BLOCK).astype(np.float32, copy=False)], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = x[:, -CONTEXT:]
        return float(np.asarray(out).reshape(-1)[0])

    def feed(self, samples: np.ndarray) -> list[float]:
        """Probabilities for every complete window in (remainder + samples)."""
        buf = np.concatenate([self._pending, samples]) if self._pending.size else samples
        n = buf.size // BLOCK
        probs = [self.window(buf[i * BLOCK : (i + 1) * BLOCK]) for i in range(n)]
        self._pending = buf[n * BLOCK :].copy()
        return probs
