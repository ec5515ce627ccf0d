"""Typed events that the practice loop emits.

The TUI shows them, the session store persists them, ``simulate`` prints them. Every step of
the flow (end of turn, transcription, analyser, buyer, voice) reports through these, so no
step needs to know who is listening.  The voice loop's own events (phase, level, partial text,
problems) are defined in ``simulator.speech.events`` and re-exported here.  Pure data: no UI,
audio or network imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.conversation.turns import Turn
from simulator.speech.events import Event, EventSink, Level, PartialText, Phase, PhaseChanged, Problem

__all__ = ["BuyerChunk", "CoachAction", "Event", "EventSink", "Hint", "Level", "PartialText", "Phase",
           "PhaseChanged", "Problem", "SessionEnded", "TurnCompleted"]


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
class SessionEnded(Event):
    reason: str = "finished"
    scorecard: dict | None = None

