"""Has the rep finished their turn?  Smart Turn v3.2 judges it from the sound of the last 8 seconds.

Smart Turn (pipecat-ai, BSD-2-Clause) is a small Whisper-encoder classifier trained on where people
finish speaking: intonation, a trailing "and", a half-said phrase.  Its ONNX file ships inside the
``pipecat-ai`` wheel, which setup installs without its dependencies; nothing of pipecat is imported:
only the file is read.  Its input is Whisper's 80-band log-mel of the last 8 s of 16 kHz audio
(padded with silence in front), the waveform first normalised to zero mean and unit variance;
faster-whisper's feature extractor computes exactly that (checked against pipecat's to 1e-5).
One inference takes about 65 ms on one core.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
WINDOW_S = 8
#: set to a folder holding the model file to use another copy
MODEL_ENV = "RAPPORT_TURN_MODEL"


def model_path() -> Path:
    """Where the Smart Turn model is (RapportError when it is not installed)."""
    override = os.environ.get(MODEL_ENV)
    if override:
        path = Path(override)
        path = path / MODEL_FILE if path.is_dir() else path
    else:
        spec = importlib.util.find_spec("pipecat")  # finds the package without importing it
        folders = list(spec.submodule_search_locations or []) if spec else []
        path = Path(folders[0] if folders else ".") / "audio" / "turn" / "smart_turn" / "data" / MODEL_FILE
    if not path.is_file():
        raise RapportError(f"the end-of-turn model is missing ({path}): run `make setup` "
                           "(pip install --no-deps pipecat-ai==1.14.0)")
    return path


@functools.lru_cache(maxsize=1)
def _session():
    try:
        import onnxruntime
    except ImportError:  # pragma: no cover - installed with faster-whisper
        raise RapportError("the end-of-turn model needs onnxruntime (installed with faster-whisper)") from None
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.enable_mem_pattern = False  # ~6 MB less resident, no slower on these inputs (measured 3 Dec)
    opts.log_severity_level = 4
    try:
        return onnxruntime.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"], sess_options=opts)
    except RapportError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file
        raise RapportError(f"the end-of-turn model could not be loaded: {exc}") from None


@functools.lru_cache(maxsize=1)
def _features():
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80, chunk_length=WINDOW_S)


def features(audio: np.ndarray) -> np.ndarray:
    """The model's input for ``audio`` (16 kHz mono): shape (1, 80, 800)."""
    n = WINDOW_S * SAMPLE_RATE
    x = np.asarray(audio, dtype=np.float32).reshape(-1)[-n:]
    if x.size < n:
        x = np.concatenate([np.zeros(n - x.size, np.float32), x])
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    mel = _features()(x.astype(np.float32), padding=0)
    return mel[np.newaxis, :, : n // 160].astype(np.float32)


class TurnModel:
    """``probability(audio)``: how likely the speaker has finished, from the turn's audio so far."""

    def __init__(self) -> None:
        self._session = _session()

    def probability(self, audio: np.ndarray) -> float:
        out = self._session.run(None, {"input_features": features(audio)})
        return float(np.asarray(out[0]).reshape(-1)[0])


def available() -> str | None:
    """None when the model can run here, else the one-line reason."""
    try:
        TurnModel()
    except RapportError as exc:
        return str(exc)
    return None
