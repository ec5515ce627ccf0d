"""The buyer's voice: pyttsx3 with espeak-ng, synthesised to a file and read back as an array.

pyttsx3's espeak driver plays through ``aplay`` when asked to speak and prints a line when it
saves a file; both would disturb the terminal app, so we only ever save to a file, silence the
driver's ``print`` (module-level, thread-safe: a redirect of stdout would swallow the TUI's
output too), and play the array ourselves (``playback.py``).  Calls go to pyttsx3's espeak
driver directly, because its command queue loses settings and files when calls follow quickly.
libespeak-ng keeps global state, so every call runs on one dedicated thread.
"""

from __future__ import annotations

import concurrent.futures
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE, as_mono_float, resample

ESPEAK_RATE = 22_050


@dataclass(frozen=True)
class VoiceSettings:
    """How a persona sounds. ``voice`` is an espeak-ng voice name (``en-us``, ``en-gb``...)."""

    voice: str = "en-us"
    #: words per minute
    rate: int = 170
    #: "female", "male" or None; picks an espeak-ng variant when ``voice`` names none
    gender: str | None = None

    @classmethod
    def from_persona(cls, spec: object | None) -> VoiceSettings:
        """From a persona's ``voice`` (an object or dict with ``voice``, ``rate``, ``gender``; all optional)."""
        if spec is None:
            return cls()
        get = spec.get if isinstance(spec, dict) else (lambda k, d=None: getattr(spec, k, d))
        return cls(
            voice=str(get("voice") or cls.voice),
            rate=int(get("rate") or cls.rate),
            gender=(str(get("gender")).lower() if get("gender") else None),
        )

    @property
    def espeak_name(self) -> str:
        if "+" in self.voice or not self.gender:
            return self.voice
        variant = {"female": "+f3", "f": "+f3", "male": "+m3", "m": "+m3"}.get(self.gender, "")
        return self.voice + variant


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, so the first one can be spoken while the rest is still coming."""
    parts = re.split(r"(?<=[.!?…])\s+", text.strip())
    return [p.strip() for p in parts if p.strip()]


def espeak_available() -> bool:
    """True when the espeak-ng (or espeak) library can be loaded."""
    import ctypes.util

    found = ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")
    return bool(found or shutil.which("espeak-ng"))


class Synthesizer:
    """Text -> 16 kHz mono float32 speech, with one persona's voice settings per call."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rapport-tts")
        self._engine = None
        self._dir = Path(tempfile.mkdtemp(prefix="rapport-tts-"))
        self._count = 0
        self._lock = threading.Lock()
        self._pool.submit(self._init).result()

    def _init(self) -> None:
        try:
            import pyttsx3
            import pyttsx3.drivers.espeak as driver
        except ImportError:
            raise RapportError("the buyer's voice needs pyttsx3: pip install pyttsx3") from None
        except (OSError, RuntimeError):
            raise RapportError("espeak-ng is missing: install it (apt install espeak-ng) to hear the buyer") from None
        driver.print = lambda *args, **kwargs: None  # it announces saved files on stdout
        try:
            self._engine = pyttsx3.init("espeak")
        except Exception:  # noqa: BLE001
            raise RapportError("espeak-ng is missing: install it (apt install espeak-ng) to hear the buyer") from None

    def _synth(self, text: str, settings: VoiceSettings) -> np.ndarray:
        import soundfile as sf

        self._count += 1
        path = self._dir / f"u{self._count}.wav"
        driver = getattr(getattr(self._engine, "proxy", None), "_driver", None)
        if driver is not None and hasattr(driver, "startLoop"):
            # Straight to the espeak driver: pyttsx3 2.99's command queue applies property changes
            # late and sometimes saves an empty file when saves follow each other.
            driver.setProperty("voice", settings.espeak_name)
            driver.setProperty("rate", settings.rate)
            driver.save_to_file(text, str(path))
            driver.startLoop()  # synthesises, writes the file, returns when espeak is done
        else:  # another pyttsx3 layout: the public API
            self._engine.setProperty("voice", settings.espeak_name)
            self._engine.setProperty("rate", settings.rate)
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
        try:
            data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        finally:
            path.unlink(missing_ok=True)
        return resample(as_mono_float(data), rate, SAMPLE_RATE)

    def synth(self, text: str, settings: VoiceSettings | None = None) -> np.ndarray:
        """Speech for ``text`` (blocking; runs on the synthesiser's own thread)."""
        if not text.strip():
            return np.zeros(0, dtype=np.float32)
        return self._pool.submit(self._synth, text, settings or VoiceSettings()).result()

    def synth_async(self, text: str, settings: VoiceSettings | None = None) -> concurrent.futures.Future:
        """Queue ``text`` for synthesis (in order) and return a future of its samples."""
        return self._pool.submit(self._synth, text, settings or VoiceSettings())

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        shutil.rmtree(self._dir, ignore_errors=True)


_shared: Synthesizer | None = None
_shared_lock = threading.Lock()


def shared_synthesizer() -> Synthesizer:
    """The process's synthesiser (libespeak-ng allows one)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Synthesizer()
        return _shared
