"""Running figures for the practice screen's meters, recomputed after every turn.

Cheap and pure: talk share, questions, listening moves, transactional moves and the rep's longest
monologue so far (the figure the scorecard reports; it stays after the buyer answers).  Times are
used when every turn has them, words otherwise (the same rule as the scorecard).  After a hand-over,
``live_figures(turns, rep="Alex")`` counts only Alex's part: his turns and the buyer's answers to them,
the part his own scorecard is built from (:func:`simulator.conversation.segments.split_by_rep`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simulator.conversation.moves import TRANSACTIONAL
from simulator.conversation.segments import split_by_rep
from simulator.conversation.turns import Turn

#: Top performers talk about 43% of the time (Gong Labs, 25,537 calls).
TALK_SHARE_REFERENCE = 0.43


@dataclass(frozen=True)
class LiveFigures:
    talk_share: float  # 0..1, rep's share of speaking
    questions: int
    listening: int
    transactional: int
    monologue: float  # the rep's longest stretch so far (as the scorecard's "longest rep monologue")
    monologue_unit: str  # "s" or "words"


def _size(turn: Turn, timed: bool) -> float:
    if timed and turn.duration_s is not None:
        return turn.duration_s
    return float(len(turn.text.split()))


def live_figures(turns: Sequence[Turn], rep: str | None = None, default: str = "") -> LiveFigures:
    """The meters over ``turns``, or over ``rep``'s part of them (rep turns without a name are ``default``'s)."""
    if rep is not None:
        turns = split_by_rep(turns, default=default).get(rep, [])
    timed = bool(turns) and all(t.duration_s is not None for t in turns)
    rep = sum(_size(t, timed) for t in turns if t.speaker == "rep")
    total = sum(_size(t, timed) for t in turns)
    monologue = stretch = 0.0
    for turn in turns:
        stretch = stretch + _size(turn, timed) if turn.speaker == "rep" else 0.0
        monologue = max(monologue, stretch)
    return LiveFigures(
        talk_share=rep / total if total else 0.0,
        questions=sum("question" in t.labels for t in turns if t.speaker == "rep"),
        listening=sum("listening" in t.labels for t in turns if t.speaker == "rep"),
        transactional=sum(bool(TRANSACTIONAL & set(t.labels)) for t in turns if t.speaker == "rep"),
        monologue=monologue,
        monologue_unit="s" if timed else "words",
    )
