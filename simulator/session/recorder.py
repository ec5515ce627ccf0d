"""An EventSink that saves a practice session as it happens.

Attach it to a PracticeSession (``sinks=[recorder]``): each completed turn and each coach
event is committed the moment it arrives, so a crash loses at most the turn in progress.
The recordings the voice pipeline wrote are copied into the store's audio folder (one file per
turn) unless ``save_audio`` is off, in which case only the transcript is kept.

If the database fails (disk full, PostgreSQL gone), the event is kept in memory, the problem is
reported once through ``on_problem`` (one line), and every later event first retries what is
pending, so nothing is lost if the database comes back before the session ends.  Without an
``on_problem`` callback the failure is raised as a RapportError.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.conversation.analyser import ANALYSER_VERSION
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session.events import CoachAction, Event, SessionEnded, TurnCompleted
from simulator.session.store import Store

Problem = Callable[[str], None]


class Recorder:
    """Persists the events of one session into a Store (thread-safe; use as an EventSink)."""

    def __init__(
        self, store: Store, session_id: str, *, save_audio: bool = True, on_problem: Problem | None = None
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.save_audio = save_audio
        self.on_problem = on_problem
        self.pending: list[Event] = []
        self.problems: list[str] = []
        self.turn_indexes: set[int] = set()
        self.ended = False
        self._lock = threading.Lock()

    @classmethod
    def start(
        cls,
        store: Store,
        persona_id: str,
        persona: dict,
        engine: str,
        settings: dict | None = None,
        reps: list[str] | tuple[str, ...] = (),
        *,
        save_audio: bool = True,
        on_problem: Problem | None = None,
    ) -> Recorder:
        """Create the session row (status running, owned by this process) and a recorder for it."""
        sid = store.create_session(persona_id, persona, engine, settings, reps)
        return cls(store, sid, save_audio=save_audio, on_problem=on_problem)

    def __call__(self, event: Event) -> None:
        if not isinstance(event, TurnCompleted | CoachAction | SessionEnded):
            return
        with self._lock:
            if isinstance(event, TurnCompleted):
                self.turn_indexes.add(event.index)
            self.pending.append(event)
            self._flush()

    def flush(self) -> bool:
        """Retry what is pending; True when everything is stored."""
        with self._lock:
            return self._flush()

    def unsaved(self) -> str | None:
        """After a last retry, None when every event is stored; else one line saying what the store lost,
        e.g. ``the session store failed: kept 0 of 11 turns of session k7m2q9xa, not the scorecard (disk
        full: ...)``.  A caller that reports the session as saved must check this first."""
        with self._lock:
            try:
                if self._flush():
                    return None
            except RapportError:  # no on_problem: _flush raised what it already noted in self.problems
                pass
            lost_turns = {e.index for e in self.pending if isinstance(e, TurnCompleted)}
            kept = len(self.turn_indexes - lost_turns)
            lost = [f"kept {kept} of {len(self.turn_indexes)} turns of session {self.session_id}"]
            notes = sum(isinstance(e, CoachAction) for e in self.pending)
            if notes:
                lost.append(f"not {notes} coach note(s)")
            if any(isinstance(e, SessionEnded) and e.scorecard for e in self.pending):
                lost.append("not the scorecard")
            cause = f" ({self.problems[-1]})" if self.problems else ""
            return f"the session store failed: {', '.join(lost)}{cause}"

    def close(self, status: str = "interrupted", reason: str = "stopped") -> None:
        """End a session that never got a SessionEnded (e.g. the app quit): keeps what was stored."""
        with self._lock:
            self._flush()
            if not self.ended and not self.pending:
                self.store.finish(self.session_id, status, reason)
                self.ended = True

    def _flush(self) -> bool:
        while self.pending:
            try:
                self._write(self.pending[0])
            except RapportError as exc:
                self._problem(str(exc))
                return False
            self.pending.pop(0)
        return True

    def _problem(self, text: str, *, fatal: bool = True) -> None:
        """Report a problem once; without ``on_problem``, a fatal one is raised."""
        if not (self.problems and self.problems[-1] == text):
            self.problems.append(text)
            if self.on_problem is not None:
                self.on_problem(text)
                return
        if fatal and self.on_problem is None:
            raise RapportError(text)

    def _write(self, event: Event) -> None:
        sid = self.session_id
        if isinstance(event, TurnCompleted):
            self.store.add_turn(sid, event.index, self._with_audio(event.index, event.turn))
        elif isinstance(event, CoachAction):
            self.store.add_coach_event(
                sid, event.kind, event.text, t_s=event.t, turn_index=event.turn_index, rep_name=event.rep_name
            )
        elif isinstance(event, SessionEnded):
            if event.scorecard:
                self.store.add_scorecard(
                    sid, event.scorecard, ANALYSER_VERSION, event.scorecard.get("scorer_version")
                )
            status = "interrupted" if event.reason in ("interrupted", "crashed", "error") else "finished"
            self.store.finish(sid, status, event.reason)
            self.ended = True

    def _with_audio(self, index: int, turn: Turn) -> Turn:
        """The turn as stored: its recording copied into the audio folder, or dropped (--no-audio)."""
        if not turn.audio:
            return turn
        if not self.save_audio:
            return dataclasses.replace(turn, audio=None)
        try:
            ref = self.store.save_audio(self.session_id, index, turn.speaker, Path(turn.audio))
        except RapportError as exc:
            if "disk full" in str(exc):
                raise
            self._problem(str(exc), fatal=False)  # a missing recording: keep the transcript
            return dataclasses.replace(turn, audio=None)
        return dataclasses.replace(turn, audio=ref)


def _warn(text: str) -> None:
    print(f"rapport: warning: session store: {text}", file=sys.stderr, flush=True)


def start_recorder(
    persona: Any,
    engine: str,
    settings: dict | None = None,
    db_url: str | None = None,
    *,
    audio_dir: str | Path | None = None,
    reps: list[str] | tuple[str, ...] = (),
    save_audio: bool = True,
    on_problem: Problem | None = _warn,
) -> Recorder:
    """Open the store (``--db`` / RAPPORT_DB / data folder) and start recording a session with ``persona``
    (a Persona: its ``model_dump()`` is the snapshot).  Problems go to stderr as warnings by default."""
    store = Store.open(db_url, audio_dir)
    snapshot = persona.model_dump(mode="json") if hasattr(persona, "model_dump") else dict(persona)
    try:
        return Recorder.start(
            store, snapshot["id"], snapshot, engine, settings, reps, save_audio=save_audio, on_problem=on_problem
        )
    except BaseException:  # e.g. disk full before the session row: do not keep the database open
        store.close()
        raise
