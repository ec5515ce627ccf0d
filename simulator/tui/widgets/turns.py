"""How one turn of the conversation looks: the rep's words with their moves, the buyer's with trust."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.conversation.moves import CONSULTATIVE, TRANSACTIONAL
from simulator.conversation.turns import Turn
from simulator.tui.plain import clean


def label_style(label: str) -> str:
    if label in CONSULTATIVE:
        return "bold black on green"
    if label in TRANSACTIONAL:
        return "bold white on red"
    return "black on grey70"


def turn_text(turn: Turn, buyer_name: str, previous_trust: float | None = None,
              topics: dict[str, str] | None = None) -> Text:
    """A turn as the log shows it; the buyer's trust sits beside their name (it never wraps onto a line of
    its own) and revealed facts show their topics (``topics``: fact id -> topic)."""
    if turn.speaker == "rep":
        who = clean(turn.rep_name or "You")
        text = Text()
        text.append(f"{who}: ", style="bold cyan")
        text.append(clean(turn.text))
        for label in turn.labels:
            text.append("  ")
            text.append(f"\u00a0{clean(label).replace('_', chr(0xa0))}\u00a0", style=label_style(label))
        return text
    text = Text()
    text.append(clean(buyer_name), style="bold magenta")
    if turn.trust is not None:
        delta = "" if previous_trust is None or turn.trust == previous_trust else \
            f"\u00a0{turn.trust - previous_trust:+.0f}"
        text.append(f" (trust\u00a0{turn.trust:.0f}{delta})", style="dim")
    text.append(": ", style="bold magenta")
    text.append(clean(turn.text))
    if turn.revealed:
        shown = ", ".join(clean((topics or {}).get(f, f)) for f in turn.revealed)
        text.append(f"\n  ✦ you learned: {shown}", style="italic yellow")
    return text


class TurnView(Static):
    """One turn in the conversation log."""

    def __init__(self, turn: Turn, buyer_name: str, previous_trust: float | None = None, *,
                 topics: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(turn_text(turn, buyer_name, previous_trust, topics), classes=f"turn {turn.speaker}",
                         **kwargs)
        self.turn = turn
