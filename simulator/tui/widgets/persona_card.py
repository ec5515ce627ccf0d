"""The buyer's card: who they are and where they stand."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def persona_summary(persona) -> Text:
    text = Text(persona.name, style="bold")
    text.append(f"\n{persona.role}, {persona.company}")
    text.append(f"\n{persona.industry} · {persona.difficulty}", style="dim")
    text.append(f"\n{persona.situation}", style="italic")
    return text


class PersonaCard(Static):
    def __init__(self, persona, **kwargs) -> None:
        super().__init__(persona_summary(persona), **kwargs)
