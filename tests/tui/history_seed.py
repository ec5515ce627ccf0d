"""Deterministic stored sessions for the history screens' tests (replay, watch, progress, snapshots).

Each session is a real conversation: the rep lines go through the analyser and the seeded
offline buyer (``PracticeSession``), then the turns, coach notes and scorecard are stored with a
fixed start time and a fixed id, so snapshots never see a clock or a random id.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.commands.simulate import run_script
from simulator.persona.loader import get
from simulator.session.loop import PracticeSession
from simulator.session.store import Store

#: 2025-03-03 09:00 UTC
BASE = 1_740_992_400.0
DAY = 86_400.0
PERSONA = "bakery-owner"

PITCHY = [
    "Hi, thanks for the time.",
    "Our platform has forty features and we serve three hundred bakeries.",
    "You'll cut your waste in half, guaranteed.",
    "Shall I send the agreement today?",
]
CURIOUS = [
    "Thanks for making the time. What made you take this meeting?",
    "What happens on a day when you bake too much?",
    "That sounds frustrating. How does it affect the team?",
    "Our tool fixes that, and you'll save thousands.",
    "What would a good week look like for you?",
]
CONSULTATIVE = [
    "Thanks for having me. What's on your mind this week?",
    "How do you decide how much to bake each morning?",
    "So the guesswork is the hard part. What does a bad guess cost you?",
    "Who else feels it when that happens?",
    "What have you tried so far?",
]

#: (rep, days after BASE, rep lines): three sessions for Sam improving, one for Ana
SESSIONS = [("Sam", 0, PITCHY), ("Sam", 2, CURIOUS), ("Ana", 3, CURIOUS), ("Sam", 5, CONSULTATIVE)]


def fixed_ids(monkeypatch) -> None:
    """Session ids ``seed2223``, ``seed2224`` ... instead of random ones (stable snapshots)."""
    import simulator.session.store.rows as store_module
    from simulator.session.records import ID_ALPHABET

    counter = iter(range(1, 31**4))

    def next_id() -> str:
        n, tail = next(counter), ""
        for _ in range(4):
            n, digit = divmod(n, len(ID_ALPHABET))
            tail = ID_ALPHABET[digit] + tail
        return "seed" + tail

    monkeypatch.setattr(store_module, "new_id", next_id)


def conversation(lines: list[str], rep: str, seed: int = 1, persona_id: str = PERSONA) -> PracticeSession:
    """Play ``lines`` against the seeded offline buyer (stops early if the buyer ends the meeting)."""
    return run_script(get(persona_id), lines, seed=seed, rep_name=rep)


def store_session(store: Store, session: PracticeSession, started_at: float, *, finish: bool = True,
                  notes: tuple[tuple[int, str, str], ...] = ()) -> str:  # fmt: skip
    """Store a played conversation as if it had been recorded at ``started_at``; returns its id."""
    persona = session.persona.model_dump(mode="json")
    sid = store.create_session(persona["id"], persona, "offline", {"mode": "typed", "seed": session.seed},
                               [session.rep_name], started_at=started_at,
                               status="running" if not finish else "finished")  # fmt: skip
    for index, turn in enumerate(session.turns):
        store.add_turn(sid, index, turn)
    for index, kind, text in notes:
        store.add_coach_event(sid, kind, text, t_s=float(index * 5), turn_index=index)
    if finish:
        store.add_scorecard(sid, session.scorecard(), "test", "test")
        store.finish(sid, "finished", "finished")
    return sid


def seed_history(store: Store) -> list[str]:
    """The four sessions of ``SESSIONS`` (ids in that order); the second carries coach notes."""
    ids = []
    for n, (rep, days, lines) in enumerate(SESSIONS):
        notes = ((2, "note", "good open question"), (5, "flag_bad", "")) if n == 1 else ()
        ids.append(store_session(store, conversation(lines, rep, seed=n + 1), BASE + days * DAY + n * 600,
                                 notes=notes))
    return ids


def tone(path: Path, seconds: float = 0.3, hz: float = 440.0) -> Path:
    """A short sine tone written as FLAC (a stand-in turn recording)."""
    from simulator.speech.audio import SAMPLE_RATE, write_audio

    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return write_audio(path, (0.2 * np.sin(2 * np.pi * hz * t)).astype(np.float32))


class NullPlayer:
    """A player that plays to nowhere: it records what it was given (the replay screen's null output)."""

    def __init__(self) -> None:
        self.played: list[tuple[int, int]] = []
        self.stopped = 0
        self.playing = False

    def play(self, samples, rate: int = 16_000) -> bool:
        self.played.append((len(samples), rate))
        return True

    def stop(self) -> None:
        self.stopped += 1


async def wait_for(pilot, predicate, tries: int = 300) -> None:
    """Let the app run until ``predicate()`` holds (workers report asynchronously)."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("condition not reached")


def capture_notes(app) -> list[str]:
    """Every notification the app shows from now on (the messages, in order)."""
    notes: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        notes.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    return notes
