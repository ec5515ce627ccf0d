"""The buyer's voice: pyttsx3 with espeak-ng, synthesised to a file and read back as an array.

pyttsx3's espeak driver plays through ``aplay`` when asked to speak and prints a line when it
saves a file; both would disturb the terminal app, so we only ever save to a file, silence the
driver's ``print`` (module-level, thread-safe: a redirect of stdout would swallow the TUI's
output too), and play the array ourselves (``playback.py``).  Calls go to pyttsx3's espeak
driver directly, because its command queue loses settings and files when calls follow quickly.
libespeak-ng keeps global state, so every call runs on one dedicated thread.

A persona's voice is resolved against the voices espeak-ng lists (``espeak_voices.py``: ``en-gb``
is the file ``gmw/en``), tried, and replaced by the default voice when it cannot be loaded or
gives no sound: one line in :attr:`Synthesizer.warnings` per voice, never an exception.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import ctypes
import re
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE, as_mono_float, resample
from simulator.speech.espeak_voices import Catalogue, VoiceChoice, fallback, list_voices, resolve

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
        """The name as written plus the gender's variant (``en-gb+f3``).  espeak-ng may not know it:
        the synthesiser resolves the voice against the voices espeak lists (:meth:`Synthesizer.voice_for`)."""
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
        self._catalogue: Catalogue | None = None
        self._choices: dict[tuple[str, str | None], VoiceChoice] = {}
        #: one line per persona voice that could not be used as asked (what it fell back to, and why)
        self.warnings: list[str] = []
        self._pool.submit(self._init).result()
        # release pyttsx3 while the interpreter is whole: its DriverProxy.__del__ run during module
        # teardown prints "Exception ignored ... 'NoneType' object has no attribute 'suppress'"
        ref = weakref.ref(self)
        atexit.register(lambda: (synth := ref()) is not None and synth._release())

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

    def _release(self) -> None:
        """Drop pyttsx3's engine (its driver unhooks from libespeak-ng) and the temporary folder."""
        self._engine = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def _driver(self):
        driver = getattr(getattr(self._engine, "proxy", None), "_driver", None)
        return driver if driver is not None and hasattr(driver, "startLoop") else None

    # -- the voice: resolved, tried, and replaced by the default when it fails (synth thread) -----
    def _set_voice(self, name: str) -> str | None:
        """Hand ``name`` to espeak-ng; None when it took it, else why not."""
        target = self._driver() or self._engine
        if target is None:
            raise RapportError("the buyer's voice was shut down")
        try:
            target.setProperty("voice", name)
        except (ValueError, KeyError, RuntimeError, ctypes.ArgumentError):
            return f"espeak-ng could not load {name}"
        return None

    def _fall_back(self, key: tuple[str, str | None], choice: VoiceChoice, why: str) -> VoiceChoice | None:
        """Switch to the default voice after ``choice`` failed; None when that is the one that failed
        (or it will not load either)."""
        default = fallback(choice, key[1], self._catalogue or Catalogue(), why)
        if default.espeak_name == choice.espeak_name or self._set_voice(default.espeak_name) is not None:
            return None
        return self._remember(key, default)

    def _remember(self, key: tuple[str, str | None], choice: VoiceChoice) -> VoiceChoice:
        self._choices[key] = choice
        if choice.warning and choice.warning not in self.warnings:
            self.warnings.append(choice.warning)
        return choice

    def _select(self, settings: VoiceSettings) -> VoiceChoice:
        """Set ``settings``' voice in espeak-ng (resolving it the first time) and say which it is."""
        key = (settings.voice, settings.gender)
        choice = self._choices.get(key)
        if choice is None:
            if self._catalogue is None:
                self._catalogue = list_voices()
            choice = resolve(settings.voice, settings.gender, self._catalogue)
        why = self._set_voice(choice.espeak_name)
        if why is not None:
            default = self._fall_back(key, choice, why)
            if default is None:
                raise RapportError(f"espeak-ng has no usable voice ({why}): reinstall espeak-ng-data")
            return default
        return self._remember(key, choice) if key not in self._choices else choice

    def _render(self, text: str, settings: VoiceSettings) -> np.ndarray:
        import soundfile as sf

        self._count += 1
        path = self._dir / f"u{self._count}.wav"
        driver = self._driver()
        if driver is not None:
            # Straight to the espeak driver: pyttsx3 2.99's command queue applies property changes
            # late and sometimes saves an empty file when saves follow each other.
            driver.setProperty("rate", settings.rate)
            driver.save_to_file(text, str(path))
            driver.startLoop()  # synthesises, writes the file, returns when espeak is done
        else:  # another pyttsx3 layout: the public API
            self._engine.setProperty("rate", settings.rate)
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
        try:
            data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        except (OSError, RuntimeError):  # no file written: no sound
            return np.zeros(0, dtype=np.float32)
        finally:
            path.unlink(missing_ok=True)
        return resample(as_mono_float(data), rate, SAMPLE_RATE)

    def _synth(self, text: str, settings: VoiceSettings) -> np.ndarray:
        choice = self._select(settings)
        audio = self._render(text, settings)
        if _silent(audio) and any(ch.isalnum() for ch in text):
            # loaded, but it says nothing (an mbrola voice without mbrola, a broken variant file)
            why = f"{choice.espeak_name} gave no sound"
            if self._fall_back((settings.voice, settings.gender), choice, why) is not None:
                audio = self._render(text, settings)
        return audio

    def _voice_for(self, settings: VoiceSettings, test_phrase: str | None) -> tuple[VoiceChoice, np.ndarray | None]:
        audio = self._synth(test_phrase, settings) if test_phrase else None
        if audio is None:
            self._select(settings)
        return self._choices[(settings.voice, settings.gender)], audio

    def voice_for(self, settings: VoiceSettings | None = None, test_phrase: str | None = None) -> VoiceChoice:
        """The espeak-ng voice ``settings`` get: resolved, loaded, and with ``test_phrase`` spoken
        (so a voice that loads but gives no sound is caught); ``.warning`` is one line when it fell
        back to the default voice.  Blocking."""
        return self.try_voice(settings, test_phrase)[0]

    def try_voice(
        self, settings: VoiceSettings | None = None, test_phrase: str | None = None
    ) -> tuple[VoiceChoice, np.ndarray | None]:
        """:meth:`voice_for` and the test phrase's audio (None without a phrase)."""
        return self._pool.submit(self._voice_for, settings or VoiceSettings(), test_phrase).result()

    def catalogue(self) -> Catalogue:
        """The voices and variants libespeak-ng lists here, and its version (read once)."""
        def listed() -> Catalogue:
            if self._catalogue is None:
                self._catalogue = list_voices()
            return self._catalogue

        return self._pool.submit(listed).result()

    def synth(self, text: str, settings: VoiceSettings | None = None) -> np.ndarray:
        """Speech for ``text`` (blocking; runs on the synthesiser's own thread)."""
        if not text.strip():
            return np.zeros(0, dtype=np.float32)
        return self._pool.submit(self._synth, text, settings or VoiceSettings()).result()

    def synth_async(self, text: str, settings: VoiceSettings | None = None) -> concurrent.futures.Future:
        """Queue ``text`` for synthesis (in order) and return a future of its samples."""
        return self._pool.submit(self._synth, text, settings or VoiceSettings())

    def close(self) -> None:
        try:
            self._pool.submit(self._release)
        except RuntimeError:  # the interpreter is shutting down: the pool takes no more work
            self._release()
        self._pool.shutdown(wait=False)


def _silent(audio: np.ndarray) -> bool:
    return audio.size == 0 or float(np.abs(audio).max()) < 1e-4


_shared: Synthesizer | None = None
_shared_lock = threading.Lock()


def shared_synthesizer() -> Synthesizer:
    """The process's synthesiser (libespeak-ng allows one)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Synthesizer()
        return _shared
