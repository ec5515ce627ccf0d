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


def turn_text(turn: Turn, buyer_name: str, previous_trust: float | None = None) -> Text:
    if turn.speaker == "rep":
        who = clean(turn.rep_name or "You")
        text = Text(f"{who}: ", style="bold cyan")
        text.append(clean(turn.text))
        for label in turn.labels:
            text.append("  ")
            text.append(f" {clean(label).replace('_', ' ')} ", style=label_style(label))
        return text
    text = Text(f"{clean(buyer_name)}: ", style="bold magenta")
    text.append(clean(turn.text))
    if turn.trust is not None:
        delta = "" if previous_trust is None else f" {turn.trust - previous_trust:+.0f}"
        text.append(f"   trust {turn.trust:.0f}{delta}", style="dim")
    if turn.revealed:
        text.append(f"   ✦ {clean(', '.join(turn.revealed))}", style="italic yellow")
    return text


class TurnView(Static):
    """One turn in the conversation log."""

    def __init__(self, turn: Turn, buyer_name: str, previous_trust: float | None = None, **kwargs) -> None:
        super().__init__(turn_text(turn, buyer_name, previous_trust), classes=f"turn {turn.speaker}", **kwargs)
        self.turn = turn
