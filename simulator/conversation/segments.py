"""Split a group session into each rep's part, so every rep in the hot seat gets a scorecard.

A buyer turn belongs to the rep who spoke just before it (the opening line belongs to the
first rep).  Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.conversation.turns import Turn


def split_by_rep(turns: Sequence[Turn], default: str = "") -> dict[str, list[Turn]]:
    """Each rep's turns and the buyer turns that answered them, in order of first appearance."""
    first_rep = next((t.rep_name or default for t in turns if t.speaker == "rep"), default)
    parts: dict[str, list[Turn]] = {}
    current = first_rep
    for turn in turns:
        if turn.speaker == "rep":
            current = turn.rep_name or default
        parts.setdefault(current, []).append(turn)
    return parts
