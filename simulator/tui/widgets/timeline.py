"""A stored session turn by turn: one row per turn (moves, cues, trust, coach notes, costly moments)
and the detail of the highlighted turn.

Pure formatting over a ``StoredSession`` (see ``simulator.session.records``): the replay screen owns
the store and hands the session in.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from simulator.conversation.turns import Turn
from simulator.session import wording
from simulator.tui.plain import clean
from simulator.tui.widgets.turns import label_style


def coach_line(event) -> str:
    """``coach · 0:16 · note: good question`` for a coach event, stored or live (control characters removed)."""
    return clean(f"coach · {wording.clock(event.t)} · {wording.coach_text(event)}")


def notes_by_turn(session) -> dict[int, list]:
    """Coach events grouped by the turn they were made at (events without a turn go to the last turn)."""
    last = max(0, len(session.turns) - 1)
    notes: dict[int, list] = {}
    for event in session.coach_events:
        index = event.turn_index if event.turn_index is not None else last
        notes.setdefault(min(max(0, index), last), []).append(event)
    return notes


def moments_by_turn(card: dict | None) -> dict[int, tuple[int, dict]]:
    """Costly moments by turn index -> (rank starting at 1, moment)."""
    out: dict[int, tuple[int, dict]] = {}
    for rank, moment in enumerate((card or {}).get("moments") or [], 1):
        if isinstance(moment, dict) and isinstance(moment.get("turn_index"), int):
            out.setdefault(moment["turn_index"], (rank, moment))
    return out


def trust_before(turns: list[Turn], start: float | None) -> list[float | None]:
    """The buyer's trust before each turn (the starting trust, then the last buyer turn's)."""
    out, current = [], start
    for turn in turns:
        out.append(current)
        if turn.speaker == "buyer" and turn.trust is not None:
            current = turn.trust
    return out


def _chips(text: Text, labels) -> None:
    for label in labels:
        text.append("  ")
        text.append(f" {clean(label).replace('_', ' ')} ", style=label_style(label))


def row_text(index: int, turn: Turn, buyer_name: str, before: float | None, notes: list,
             moment: tuple[int, dict] | None, topics: dict[str, str] | None = None) -> Text:
    """One timeline row: number (from 1), speaker, words, moves or trust, recording mark, notes, cost."""
    text = Text(f"{index + 1:>3} ", style="dim")
    if turn.speaker == "rep":
        text.append(f"{clean(turn.rep_name or 'Rep')}: ", style="bold cyan")
        text.append(clean(turn.text))
        _chips(text, turn.labels)
    else:
        text.append(clean(buyer_name), style="bold magenta")
        if turn.trust is not None:  # beside the name, so it never wraps onto a line of its own
            delta = "" if before is None or turn.trust == before else f"\u00a0{turn.trust - before:+.0f}"
            text.append(f" (trust\u00a0{turn.trust:.0f}{delta})", style="dim")
        text.append(": ", style="bold magenta")
        text.append(clean(turn.text))
        if turn.revealed:
            text.append(f"\n     ✦ learned: {_topics(turn, topics)}", style="italic yellow")
    if turn.audio:
        text.append("  [rec]", style="dim")
    if moment is not None:
        rank, data = moment
        text.append(f"\n     costly moment #{rank}: cost {clean(data.get('cost', '?'))}", style="bold red")
    for event in notes:
        text.append(f"\n     {coach_line(event)}", style="italic yellow")
    return text


def _topics(turn: Turn, topics: dict[str, str] | None) -> str:
    return clean(", ".join((topics or {}).get(f, f) for f in turn.revealed))


def detail_text(index: int, turn: Turn, buyer_name: str, before: float | None, notes: list,
                moment: tuple[int, dict] | None, recording: str, topics: dict[str, str] | None = None) -> Text:
    """Everything about one turn, for the detail pane."""
    who = clean((turn.rep_name or "Rep") if turn.speaker == "rep" else buyer_name)
    text = Text(f"Turn {index + 1} · {who} ({clean(turn.speaker)})\n", style="bold")
    text.append(f"“{clean(turn.text)}”\n")
    if turn.speaker == "rep":
        text.append("\nmoves:", style="bold")
        if turn.labels:
            _chips(text, turn.labels)
        else:
            text.append(" none", style="dim")
        if turn.cues:
            text.append("\ncues: ", style="bold")
            text.append(clean(", ".join(turn.cues)), style="italic")
    elif turn.trust is not None:
        text.append("\ntrust: ", style="bold")
        text.append("?" if before is None else f"{before:.0f}")
        text.append(f" → {turn.trust:.0f}")
        if before is not None and turn.trust != before:
            text.append(f" ({turn.trust - before:+.0f})", style="green" if turn.trust > before else "red")
        if turn.revealed:
            text.append("\nlearned: ", style="bold")
            text.append(_topics(turn, topics), style="italic yellow")
    text.append("\nrecording: ", style="bold")
    text.append(clean(recording), style="dim")
    if moment is not None:
        rank, data = moment
        text.append(f"\n\nCostly moment #{rank} (cost {clean(data.get('cost', '?'))})", style="bold red")
        if data.get("why"):
            text.append(f"\nWhy it cost: {clean(data['why'])}", style="italic")
        if data.get("alternative"):
            text.append("\nTry instead: ", style="bold green")
            text.append(f"“{clean(data['alternative'])}”", style="green")
    if notes:
        text.append("\n\nCoach", style="bold")
        for event in notes:
            text.append(f"\n{coach_line(event)}", style="italic yellow")
    return text


class Timeline(OptionList):
    """The turns of a stored session; the highlighted option is the current turn (id ``turn-<i>``)."""

    def show(self, session, buyer_name: str, start_trust: float | None) -> None:
        """(Re)fill with ``session``'s turns, keeping the highlighted turn."""
        keep = self.highlighted
        notes = notes_by_turn(session)
        moments = moments_by_turn(session.scorecard)
        befores = trust_before(session.turns, start_trust)
        topics = wording.fact_topics(session.persona)
        self.clear_options()
        self.add_options([
            Option(row_text(i, turn, buyer_name, befores[i], notes.get(i, []), moments.get(i), topics),
                   id=f"turn-{i}")
            for i, turn in enumerate(session.turns)
        ])  # fmt: skip
        if session.turns:
            self.highlighted = min(keep or 0, len(session.turns) - 1)
