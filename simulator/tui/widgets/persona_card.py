"""The buyer's card: who they are and where they stand."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.tui.plain import clean


def persona_summary(persona) -> Text:
    text = Text(clean(persona.name), style="bold")
    text.append(f"\n{clean(persona.role)}, {clean(persona.company)}")
    text.append(f"\n{clean(persona.industry)} · {clean(persona.difficulty)}", style="dim")
    text.append(f"\n{clean(persona.situation)}", style="italic")
    return text


class PersonaCard(Static):
    def __init__(self, persona, **kwargs) -> None:
        super().__init__(persona_summary(persona), **kwargs)
