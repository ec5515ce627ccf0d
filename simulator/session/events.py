"""Typed events that the practice loop emits.

The TUI shows them, the session store persists them, ``simulate`` prints them. Every step of
the flow (end of turn, transcription, analyser, buyer, voice) reports through these, so no
step needs to know who is listening.  Pure data: no UI, audio or network imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from simulator.conversation.turns import Turn

#: What the session is doing now, as the practice screen shows it.
Phase = Literal["idle", "loading", "listening", "hearing", "transcribing", "thinking", "speaking", "paused", "ended"]


@dataclass(frozen=True)
class Event:
    """Base class. ``t`` is seconds since the session started (0 when unknown)."""

    t: float = field(default=0.0, kw_only=True)


@dataclass(frozen=True)
class PhaseChanged(Event):
    phase: Phase
    detail: str = ""


@dataclass(frozen=True)
class Level(Event):
    """Microphone level, 0..1 (high rate: consumers may drop all but the latest)."""

    rms: float


@dataclass(frozen=True)
class PartialText(Event):
    """Words recognised so far while the rep is still speaking."""

    text: str


@dataclass(frozen=True)
class TurnCompleted(Event):
    """A finished turn, rep or buyer, with its index in the conversation (0-based)."""

    index: int
    turn: Turn


@dataclass(frozen=True)
class BuyerChunk(Event):
    """Part of the buyer's reply as it streams in (before TurnCompleted for that reply)."""

    text: str


@dataclass(frozen=True)
class Hint(Event):
    """A short, kind coaching hint for the rep (hidden in exam mode)."""

    text: str


@dataclass(frozen=True)
class CoachAction(Event):
    """Something a coach did: note, flag_good, flag_bad, steer, pause, resume, handover."""

    kind: str
    text: str = ""
    turn_index: int | None = None
    rep_name: str | None = None


@dataclass(frozen=True)
class Problem(Event):
    """Something went wrong but the session goes on (e.g. the LLM timed out; offline answered)."""

    message: str


@dataclass(frozen=True)
class SessionEnded(Event):
    reason: str = "finished"
    scorecard: dict | None = None


EventSink = Callable[[Event], None]
