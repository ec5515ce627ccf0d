"""End of turn: when has the rep finished speaking?

Pure logic, fed one 512-sample window and its Silero speech probability at a time.  A turn starts
at the first speech window.  When the rep falls silent, the owner is asked for two judgements of
whether the turn is complete, and the pause needed to end the turn depends on them:

* from the sound: :class:`Judge` hands over the turn's audio (the owner runs Smart Turn,
  ``turn_model.py``) after ``judge_after_ms`` of silence;
* from the words: :class:`NeedText` asks for the speculative transcript (started as soon as the
  silence began), which ``turn_text.py`` scores.

The two are combined in log-odds: clearly complete, the turn ends at once (``quick_pause_ms``);
in doubt, after ``unsure_pause_ms``; clearly unfinished ("what I'd really like to understand is",
"and um"), only after ``incomplete_pause_ms``, longer than the pauses people make mid-sentence.  Speech
that comes back meanwhile cancels everything.  ``policy="fixed"`` is plain fixed-pause endpointing (the baseline
the benchmark compares with).  While :meth:`Endpointer.hold` is on (push-to-talk), no pause ends
the turn; releasing it ends the turn at once.

Bursts with less speech than ``min_speech_ms`` are noise, not turns.  All times are audio time
(samples fed), so a file gives the same turns fast or paced like a live microphone.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from simulator.speech.audio import BLOCK, SAMPLE_RATE

WINDOW_MS = BLOCK * 1000 / SAMPLE_RATE  # 32 ms


@dataclass(frozen=True)
class EndpointSettings:
    """End-of-turn policy. Every value is in milliseconds of audio unless named otherwise."""

    #: "judged" (sound and words decide the pause) or "fixed" (every turn ends after ``fixed_pause_ms``)
    policy: str = "judged"
    #: the pause that ends a turn under the fixed policy
    fixed_pause_ms: int = 800
    #: silence after which the turn is judged (the owner runs the end-of-turn model on it)
    judge_after_ms: int = 200
    #: pause that ends a turn the judgements call clearly complete
    quick_pause_ms: int = 200
    #: pause that ends a turn the judgements leave in doubt
    unsure_pause_ms: int = 1300
    #: pause that ends a turn the judgements call unfinished (longer than a mid-sentence pause)
    incomplete_pause_ms: int = 1500
    # The three below were chosen with ``python -m tools.turn_taking.tune`` on the development half of the
    # turn-taking set (authors a1, a2), with ``unsure_pause_ms``: 3 of 41 paused turns cut there (7.3%),
    # median decision 200 ms; the only setting at 5% or less needed a median of 1000 ms (docs/voice.md).
    #: weight of the sound's judgement against the words' (0..1), in log-odds
    audio_weight: float = 0.5
    #: combined log-odds of a complete turn from which the pause is quick / unsure (else incomplete)
    quick_above: float = 0.5
    unsure_above: float = -2.5
    #: words' probability of a complete turn from which the turn ends quickly whatever the sound says.
    #: Chosen on the development half: 0.85 ended 13 of 20 finished turns quickly instead of 11, with the
    #: same 3 of 41 paused turns cut (Smart Turn often hears a finished espeak sentence as unfinished)
    words_alone_above: float = 0.85
    #: words' probability of a complete turn below which the turn never ends quickly, whatever the sound says
    #: (at most the unsure pause): Smart Turn heard a comma pause ("I hear you on the budget, | but...") as a
    #: finished turn on an AVX2-only CPU and outweighed words that read as unfinished. Chosen on the development
    #: half on that CPU, the others as above: 0.3 cut 5 of 41 paused turns instead of 7, median decision still
    #: 200 ms; 0.35 and 0.4 cut as many but waited 750 ms (two finished turns read at 0.32 and 0.34). 0: off
    words_veto_below: float = 0.3
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

    def pause_for(self, audio_p: float | None, text_p: float | None) -> tuple[int, str]:
        """The pause (ms) that ends a turn with these judgements, and what it is called.

        Words sure of a complete turn (``words_alone_above``) end it quickly; otherwise the two
        probabilities are combined in log-odds (``audio_weight`` for the sound), and words that lean to an
        unfinished turn (below ``words_veto_below``) keep it from ending quickly; a judgement that could
        not be made (no model) leaves the other to decide alone."""
        if text_p is not None and text_p >= self.words_alone_above:
            return self.quick_pause_ms, "complete"
        weighted = [(w, p) for w, p in ((self.audio_weight, audio_p), (1 - self.audio_weight, text_p))
                    if p is not None and w > 0]
        if not weighted:
            return self.unsure_pause_ms, "unsure"
        total = sum(w for w, _ in weighted)
        score = sum(w * _logit(p) for w, p in weighted) / total
        if score >= self.quick_above and (text_p is None or text_p >= self.words_veto_below):
            return self.quick_pause_ms, "complete"
        if score >= self.unsure_above:
            return self.unsure_pause_ms, "unsure"
        return self.incomplete_pause_ms, "incomplete"


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


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
class Judge:
    """Judge from the sound whether ``turn`` is complete: call :meth:`Endpointer.set_judgement`."""

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
    #: the last pause's probabilities of a complete turn, from the sound and from the words
    audio_p: float | None = None
    text_p: float | None = None


@dataclass(frozen=True)
class NoiseIgnored:
    start_s: float
    end_s: float


Action = SpeechStarted | Speculate | Judge | NeedText | Partial | SpeechResumed | TurnEnded | NoiseIgnored


class Endpointer:
    """Turn-taking state machine over (window, probability) pairs.

    ``feed`` returns the actions for that window.  When it returns :class:`Judge`, the owner calls
    :meth:`set_judgement`; when it returns :class:`NeedText`, :meth:`set_text` (with the speculative
    transcript and its probability of being complete); both before feeding more audio.
    """

    def __init__(self, settings: EndpointSettings | None = None) -> None:
        self.s = settings or EndpointSettings()
        # the preroll plus the first speech window itself
        self._preroll: deque[np.ndarray] = deque(maxlen=self.s.windows(self.s.preroll_ms) + 1)
        self._n = 0  # windows fed
        self._turn = 0
        self._held = False
        self._blocks: list[np.ndarray] | None = None  # current turn's audio, None when idle
        self._reset_turn()

    # state of the current turn
    def _reset_turn(self) -> None:
        self._blocks = None
        self._start_win = 0
        self._first_block_win = 0
        self._last_speech_win = 0  # index (exclusive) of the end of the last speech window
        self._speech_windows = 0
        self._next_partial = 0
        self._reset_pause()

    def _reset_pause(self) -> None:
        """Speech (re)started: whatever was judged of the pause before no longer holds."""
        self._speculated = False
        self._judge_asked = False
        self._text_asked = False
        self._audio_p: float | None = None
        self._judged = False
        self._text: str | None = None
        self._text_p: float | None = None

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

    def hold(self, held: bool) -> list[Action]:
        """Push-to-talk: while held no pause ends the turn; releasing ends the turn in progress now."""
        was, self._held = self._held, held
        if was and not held and self._blocks is not None:
            if self._is_noise():
                return self._noise()
            return [self._end("released")]
        return []

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
            self._reset_pause()
            self._last_speech_win = self._n
            self._speech_windows += 1
            # a partial decode holds the (single) decoder for ~0.2 s: start one only in confident
            # speech, not as the voice fades, when the final transcript is likely to be wanted next
            if self.s.partial_every_ms and self._n >= self._next_partial and prob >= 0.9:
                self._next_partial = self._n + self.s.windows(self.s.partial_every_ms)
                actions.append(Partial(self._turn, self._audio_until(self._n)))
            if (self._n - self._start_win) * WINDOW_MS / 1000 >= self.s.max_turn_s:
                actions.append(self._end("too long"))
            return actions
        return actions + self._on_silence()

    def _is_noise(self) -> bool:
        return self._speech_windows * WINDOW_MS < self.s.min_speech_ms

    def _noise(self) -> list[Action]:
        start, end = self._start_win * WINDOW_MS / 1000, self._last_speech_win * WINDOW_MS / 1000
        self._reset_turn()
        return [NoiseIgnored(start, end)]

    def _on_silence(self) -> list[Action]:
        silent = self._silence_windows()
        s = self.s
        if self._is_noise():
            if silent >= s.windows(max(s.unsure_pause_ms, s.fixed_pause_ms if s.policy == "fixed" else 0)) \
                    and not self._held:
                return self._noise()
            return []
        actions: list[Action] = []
        if not self._speculated and silent >= s.windows(s.speculate_after_ms):
            self._speculated = True
            actions.append(Speculate(self._turn, self._audio_until(self._spec_end())))
        if self._held:
            return actions
        if s.policy == "fixed":
            if silent >= s.windows(s.fixed_pause_ms):
                actions.append(self._end("fixed"))
            return actions
        if silent >= s.windows(s.judge_after_ms):
            if not self._judge_asked:
                self._judge_asked = True
                actions.append(Judge(self._turn, self._audio_until(self._n)))
            if not self._text_asked:
                self._text_asked = True
                actions.append(NeedText(self._turn))
        return actions + self._decide()

    def set_judgement(self, turn: int, audio_p: float | None) -> list[Action]:
        """What the sound says of ``turn`` (None: no judgement could be made)."""
        if turn != self._turn or self._blocks is None or not self._judge_asked:
            return []
        self._audio_p, self._judged = audio_p, True
        return self._decide()

    def set_text(self, turn: int, text: str, text_p: float | None = None) -> list[Action]:
        """The speculative transcript of ``turn`` and how likely it is a complete turn (ignored if speech
        has resumed since)."""
        if turn != self._turn or self._blocks is None or not self._speculated:
            return []
        self._text, self._text_p = text, text_p
        return self._decide()

    def _decide(self) -> list[Action]:
        if self._held or self.s.policy == "fixed" or not self._judged or self._text is None:
            return []
        needed, why = self.s.pause_for(self._audio_p, self._text_p)
        if self._silence_windows() >= self.s.windows(needed):
            return [self._end(why)]
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
            audio_p=self._audio_p,
            text_p=self._text_p,
        )
        self._preroll.clear()
        self._reset_turn()
        return result

    def flush(self) -> list[Action]:
        """End of the stream: end a turn in progress (if it is not noise)."""
        if self._blocks is None:
            return []
        if self._is_noise():
            return self._noise()
        return [self._end("stream ended")]
