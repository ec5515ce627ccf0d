"""The buyer's trust as a small bar chart with its axes labelled: 0, 50 and 100 up the side, and the
bars left to right from the start of the session to the buyer's last turn.  It fits its width: bars are
3, 2 or 1 columns wide with a gap as room allows, and with more readings than columns, readings are taken
at even steps (the first and the last always shown); no line is ever wider than the widget, so a bar row
never wraps."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"
ROWS = 5
AXIS = 5  # "100 ┤"
#: The x axis's caption, and a shorter one for a narrow chart (the first that fits is shown).
CAPTION = ("start → after each buyer turn", "start → each buyer turn")


def _style(value: float) -> str:
    return "red" if value < 35 else "yellow" if value < 60 else "green"


def sample(values: list[float], slots: int) -> list[float]:
    """At most ``slots`` of ``values`` at even steps, first and last kept."""
    if len(values) <= slots or slots < 2:
        return list(values[: max(1, slots)]) if slots < 2 else list(values)
    step = (len(values) - 1) / (slots - 1)
    return [values[round(i * step)] for i in range(slots)]


def trust_chart(values: list[float], width: int, rows: int = ROWS, caption: str | tuple[str, ...] = "") -> Text:
    """``values`` (0-100) as bars ``width`` columns wide, with a y axis (0/50/100) and an x axis line; ``caption``
    one text or several, longest first (the first that fits is shown, else the last cut short)."""
    plot = max(2, width - AXIS)
    shown = sample(values, plot)
    # the widest bars (3, 2 or 1 columns, each with a gap) whose row still fits; else 1-column bars, no gap
    bar, gap = next(((b, 1) for b in (3, 2, 1) if len(shown) * (b + 1) <= plot), (1, 0))
    text = Text()
    for r in range(rows - 1, -1, -1):
        label = "100" if r == rows - 1 else "50" if r == rows // 2 else "0" if r == 0 else ""
        text.append(f"{label:>3} {'┤' if label else '│'}", style="dim")
        for value in shown:
            fill = max(0.0, min(1.0, value / 100 * rows - r))
            text.append(BLOCKS[round(fill * 8)] * bar, style=_style(value))
            text.append(" " * gap)
        text.append("\n")
    text.append("    └" + "─" * min(plot, len(shown) * (bar + gap)), style="dim")
    if caption:
        room = max(1, width - AXIS)
        options = (caption,) if isinstance(caption, str) else caption
        shown_caption = next((c for c in options if len(c) <= room), options[-1][: room - 1].rstrip() + "…")
        text.append(f"\n     {shown_caption}", style="dim")
    return text


class TrustChart(Widget):
    """Trust readings (0-100) with labelled axes; give ``values`` and an optional ``caption``."""

    DEFAULT_CSS = """
    TrustChart { height: auto; }
    """

    def __init__(self, values: list[float] | None = None, *, caption: str | tuple[str, ...] = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.values = list(values or [])
        self.caption = caption

    def show(self, values: list[float], caption: str | tuple[str, ...] | None = None) -> None:
        self.values = list(values)
        if caption is not None:
            self.caption = caption
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001 (Textual sizes)
        if not self.values:
            return 1
        return ROWS + 1 + (1 if self.caption else 0)

    def render(self) -> Text:
        if not self.values:
            return Text("no trust readings", style="dim")
        return trust_chart(self.values, self.size.width, caption=self.caption)
