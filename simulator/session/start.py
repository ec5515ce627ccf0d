"""Open a practice session the way the app does: persona, engine, and (unless told not to) a
recorder that stores every turn as it completes.

Shared by the TUI and the headless commands so they wire the flow the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from simulator.conversation.segments import split_by_rep
from simulator.conversation.session_json import check_name
from simulator.conversation.turns import Turn
from simulator.persona.factory import make_engine
from simulator.persona.loader import get
from simulator.safe_text import strip_controls
from simulator.session.events import EventSink, Problem
from simulator.session.loop import PracticeSession, practice_scorecard
from simulator.session.rescore import in_session, part_alternatives


class StoredPractice(PracticeSession):
    """A practice session that knows its store id, can score each rep of a group separately, and
    may be driven from several threads at once (typed turns, the voice pipeline, coach keys)."""

    session_id: str | None = None
    recorder = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.RLock()
        self.first_rep = self.rep_name or "Rep"

    def rep_turn(self, text: str, **kwargs) -> Turn:
        with self._lock:
            return super().rep_turn(text, **kwargs)

    def coach(self, kind: str, text: str = "", **kwargs):
        with self._lock:
            return super().coach(kind, text, **kwargs)

    def hand_over(self, rep_name: str):
        rep_name = _name(rep_name)
        with self._lock:
            return super().hand_over(rep_name)

    def end(self, reason: str = "finished"):
        with self._lock:
            return super().end(reason)

    def scorecards_by_rep(self, whole: dict | None = None) -> dict[str, dict]:
        """One scorecard per rep (a single entry when one rep practised); each rep's trust figures start from
        the buyer's trust when that rep first spoke, and a moment also in ``whole`` (the whole session's
        scorecard, default: scored now) keeps its "try instead"."""
        parts = split_by_rep(self.turns, default=self.first_rep)
        if len(parts) <= 1:
            return {self.rep_name or "": whole or self.scorecard()}
        whole = whole or self.scorecard()
        trust_at_start: dict[str, float] = {}
        trust = float(self.persona.starting_trust)
        for turn in self.turns:
            if turn.speaker == "rep":
                trust_at_start.setdefault(turn.rep_name or self.first_rep, trust)
            elif turn.trust is not None:
                trust = turn.trust
        positions: dict[str, list[int]] = {}
        current = self.first_rep
        for i, turn in enumerate(self.turns):
            if turn.speaker == "rep":
                current = turn.rep_name or self.first_rep
            positions.setdefault(current, []).append(i)
        return {rep: in_session(practice_scorecard(turns, self.persona, trust_start=trust_at_start.get(rep, trust),
                                                   rubric=self.rubric,
                                                   alternatives=part_alternatives(whole, positions[rep])),
                                positions[rep])
                for rep, turns in parts.items()}


def _name(name: str) -> str:
    """A rep name typed or pasted in the app: control sequences and undecodable bytes removed, then checked
    (1-80 characters), so a name that cannot be stored never reaches the store."""
    cleaned = strip_controls(name.encode("utf-8", "replace").decode("utf-8")).strip()
    return check_name(cleaned or name)


def open_practice(
    *,
    persona_id: str,
    engine: str = "offline",
    rep_name: str = "",
    seed: int | None = None,
    personas_dirs: Iterable[str | Path] = (),
    db_url: str | None = None,
    audio_dir: str | Path | None = None,
    save: bool = True,
    save_audio: bool = True,
    sinks: Iterable[EventSink] = (),
    settings: dict | None = None,
    engine_settings=None,
    rubric=None,
) -> StoredPractice:
    """A ready PracticeSession; with ``save`` its turns are committed to the store as they happen.
    ``rubric``: the coach's :class:`~simulator.conversation.rubric.Rubric` to score with (default: the default)."""
    persona = get(persona_id, personas_dirs)
    if rep_name:
        rep_name = _name(rep_name)
    buyer = make_engine(engine, seed=seed, settings=engine_settings)
    sinks = list(sinks)
    session = StoredPractice(persona, buyer, seed=seed, rep_name=rep_name or None, sinks=sinks, rubric=rubric)
    if rubric is not None:
        settings = {**(settings or {}), "rubric": rubric.name, "rubric_hash": rubric.hash}
    if save:
        from simulator.session.engine_choice import stored_settings
        from simulator.session.recorder import start_recorder

        recorder = start_recorder(
            persona, engine, {**(settings or {}), **stored_settings(buyer), "seed": seed}, db_url, audio_dir=audio_dir,
            reps=[rep_name] if rep_name else [], save_audio=save_audio,
            on_problem=lambda text: session.emit(Problem(message=f"session store: {text}")),
        )
        session.sinks.insert(0, recorder)
        session.session_id = recorder.session_id
        session.recorder = recorder
    return session
