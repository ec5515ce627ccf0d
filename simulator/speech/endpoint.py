"""End of turn: when has the rep finished speaking?

Pure logic, fed one 512-sample window and its Silero speech probability at a time.  A turn
starts at the first speech window and ends after a pause; the pause needed depends on the
words so far (a speculative transcript made as soon as silence begins):

* a finished question (ends in ``?``) or sentence of three words or more (``.``, ``!``) ends
  the turn sooner,
* a trailing ``and``, ``so``, ``um``... waits longer (the rep is still thinking),
* anything else waits the normal pause.

Bursts with less speech than ``min_speech_ms`` are noise, not turns.  All times are audio
time (samples fed), so a file gives the same turns fast or paced like a live microphone.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from simulator.speech.audio import BLOCK, SAMPLE_RATE

WINDOW_MS = BLOCK * 1000 / SAMPLE_RATE  # 32 ms

#: Words after which a speaker is usually not finished.
_TRAILING = "and so um uh er erm hmm but because or like the a an to of with if that which"
TRAILING_WORDS = frozenset(_TRAILING.split())


@dataclass(frozen=True)
class EndpointSettings:
    """End-of-turn policy. Every value is in milliseconds of audio unless named otherwise."""

    #: normal pause that ends a turn
    pause_ms: int = 600
    #: pause that ends a turn whose words so far are a finished question or sentence
    finished_pause_ms: int = 320
    #: pause needed after a trailing "and", "so", "um"...
    trailing_pause_ms: int = 1400
    #: Silero probability at or above which a window is speech
    threshold: float = 0.5
    #: less speech than this in a turn is a noise, not a turn
    min_speech_ms: int = 250
    #: silence after the last speech window before the speculative transcript starts
    speculate_after_ms: int = 32
    #: audio kept before the first speech window (so the first word is not clipped)
    preroll_ms: int = 256
    #: ask for partial text every this much speech (0: never)
    partial_every_ms: int = 1500
    #: a turn longer than this ends anyway
    max_turn_s: float = 60.0

    def windows(self, ms: float) -> int:
        return max(1, int(round(ms / WINDOW_MS)))


def ending_of(text: str) -> str:
    """How the words so far end: ``"finished"``, ``"trailing"`` or ``"open"``."""
    stripped = text.strip()
    if not stripped:
        return "open"
    words = re.findall(r"[a-z']+", stripped.lower())
    if stripped.endswith(("...", "…", ",", "-")) or (words and words[-1] in TRAILING_WORDS and stripped[-1] != "?"):
        return "trailing"
    if stripped.endswith("?") or (stripped.endswith((".", "!")) and len(words) >= 3):
        return "finished"  # a short "Hi, Dana." or "Okay." is often a preamble: wait the normal pause
    return "open"


# -- actions the endpointer asks of its owner ---------------------------------------------------


@dataclass(frozen=True)
class SpeechStarted:
    start_s: float


@dataclass(frozen=True)
class Speculate:
    """Transcribe this audio now, in the background; the result is the final text unless speech resumes."""

    turn: int
    audio: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class NeedText:
    """The decision needs the speculative transcript of ``turn``: call :meth:`Endpointer.set_text`."""

    turn: int


@dataclass(frozen=True)
class Partial:
    """Optional: transcribe the speech so far to show partial text."""

    turn: int
    audio: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class SpeechResumed:
    """Speech came back before the turn ended: drop the speculative transcript."""

    turn: int


@dataclass(frozen=True)
class TurnEnded:
    """A finished turn. ``audio`` is what was transcribed speculatively (same samples)."""

    turn: int
    audio: np.ndarray = field(repr=False)
    start_s: float
    end_s: float
    #: audio time at which the decision was made (end_s + the pause actually waited)
    decided_s: float
    ending: str


@dataclass(frozen=True)
class NoiseIgnored:
    start_s: float
    end_s: float


Action = SpeechStarted | Speculate | NeedText | Partial | SpeechResumed | TurnEnded | NoiseIgnored


class Endpointer:
    """Turn-taking state machine over (window, probability) pairs.

    ``feed`` returns the actions for that window.  When it returns :class:`NeedText`, the owner
    must call :meth:`set_text` (with the speculative transcript) before feeding more audio.
    """

    def __init__(self, settings: EndpointSettings | None = None) -> None:
        self.s = settings or EndpointSettings()
        # the preroll plus the first speech window itself
        self._preroll: deque[np.ndarray] = deque(maxlen=self.s.windows(self.s.preroll_ms) + 1)
        self._n = 0  # windows fed
        self._turn = 0
        self._blocks: list[np.ndarray] | None = None  # current turn's audio, None when idle
        self._reset_turn()

    # state of the current turn
    def _reset_turn(self) -> None:
        self._blocks = None
        self._start_win = 0
        self._first_block_win = 0
        self._last_speech_win = 0  # index (exclusive) of the end of the last speech window
        self._speech_windows = 0
        self._speculated = False
        self._text: str | None = None
        self._asked = False
        self._next_partial = 0

    @property
    def in_turn(self) -> bool:
        return self._blocks is not None

    @property
    def time_s(self) -> float:
        """Audio time fed so far."""
        return self._n * WINDOW_MS / 1000

    def _silence_windows(self) -> int:
        return self._n - self._last_speech_win

    def _audio_until(self, end_win: int) -> np.ndarray:
        assert self._blocks is not None
        count = max(0, end_win - self._first_block_win)
        return np.concatenate(self._blocks[:count]) if count else np.zeros(0, np.float32)

    def _spec_end(self) -> int:
        return self._last_speech_win + self.s.windows(self.s.speculate_after_ms)

    def feed(self, block: np.ndarray, prob: float) -> list[Action]:
        """One 512-sample window and its speech probability."""
        self._n += 1
        speech = prob >= self.s.threshold
        if self._blocks is None:
            self._preroll.append(block)
            if not speech:
                return []
            self._turn += 1
            self._blocks = list(self._preroll)
            self._first_block_win = self._n - len(self._blocks)
            self._start_win = self._n - 1
            self._last_speech_win = self._n
            self._speech_windows = 1
            self._next_partial = self._n + self.s.windows(self.s.partial_every_ms)
            return [SpeechStarted(self._start_win * WINDOW_MS / 1000)]
        self._blocks.append(block)
        actions: list[Action] = []
        if speech:
            if self._speculated:
                actions.append(SpeechResumed(self._turn))
            self._speculated, self._text, self._asked = False, None, False
            self._last_speech_win = self._n
            self._speech_windows += 1
            # a partial decode holds the (single) decoder for ~0.2 s: start one only in confident
            # speech, not as the voice fades, when the final transcript is likely to be wanted next
            if self.s.partial_every_ms and self._n >= self._next_partial and prob >= 0.9:
                self._next_partial = self._n + self.s.windows(self.s.partial_every_ms)
                actions.append(Partial(self._turn, self._audio_until(self._n)))
            if (self._n - self._start_win) * WINDOW_MS / 1000 >= self.s.max_turn_s:
                actions.append(self._end("open"))
            return actions
        return actions + self._on_silence()

    def _is_noise(self) -> bool:
        return self._speech_windows * WINDOW_MS < self.s.min_speech_ms

    def _on_silence(self) -> list[Action]:
        silent = self._silence_windows()
        s = self.s
        if self._is_noise():
            if silent >= s.windows(s.pause_ms):
                start, end = self._start_win * WINDOW_MS / 1000, self._last_speech_win * WINDOW_MS / 1000
                self._reset_turn()
                return [NoiseIgnored(start, end)]
            return []
        actions: list[Action] = []
        if not self._speculated and silent >= s.windows(s.speculate_after_ms):
            self._speculated = True
            actions.append(Speculate(self._turn, self._audio_until(self._spec_end())))
        if silent >= s.windows(s.finished_pause_ms) and self._text is None:
            if not self._asked:
                self._asked = True
                actions.append(NeedText(self._turn))
            return actions
        return actions + self._decide()

    def set_text(self, turn: int, text: str) -> list[Action]:
        """The speculative transcript for ``turn`` (ignored if speech has resumed since)."""
        if turn != self._turn or self._blocks is None or not self._speculated:
            return []
        self._text = text
        return self._decide()

    def _decide(self) -> list[Action]:
        if self._text is None:
            return []
        ending = ending_of(self._text)
        needed = {"finished": self.s.finished_pause_ms, "trailing": self.s.trailing_pause_ms}.get(
            ending, self.s.pause_ms
        )
        if self._silence_windows() >= self.s.windows(needed):
            return [self._end(ending)]
        return []

    def _end(self, ending: str) -> TurnEnded:
        end_win = min(self._spec_end(), self._n)
        result = TurnEnded(
            turn=self._turn,
            audio=self._audio_until(end_win),
            start_s=self._start_win * WINDOW_MS / 1000,
            end_s=self._last_speech_win * WINDOW_MS / 1000,
            decided_s=self.time_s,
            ending=ending,
        )
        self._preroll.clear()
        self._reset_turn()
        return result

    def flush(self) -> list[Action]:
        """End of the stream: end a turn in progress (if it is not noise)."""
        if self._blocks is None:
            return []
        if self._is_noise():
            start, end = self._start_win * WINDOW_MS / 1000, self._last_speech_win * WINDOW_MS / 1000
            self._reset_turn()
            return [NoiseIgnored(start, end)]
        return [self._end(ending_of(self._text or ""))]
