"""What the voice loop reports while it runs: its phase, the microphone level, partial text, problems.

Pure data.  The practice session's own events (turns, hints, coach actions, the end) build on these
in ``simulator.session.events``, which re-exports them: the session imports speech, never the other
way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

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
class Problem(Event):
    """Something went wrong but the session goes on (e.g. the LLM timed out; offline answered)."""

    message: str


EventSink = Callable[[Event], None]
