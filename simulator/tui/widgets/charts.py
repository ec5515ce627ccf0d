"""A trend chart for the progress screen: the figure's name, a Sparkline of its values across
sessions (oldest to newest), and the numbers that matter (first, last, best, which way it goes)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static

TREND_STYLE = {"improving": "green", "worsening": "red", "steady": "yellow", "single": "dim"}


def number(value: float, unit: str) -> str:
    """``43%``, ``61/100``, ``12 questions``, ``1 move``, ``2.5 s`` (one of a counted unit is singular)."""
    shown = f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"
    if unit in ("%", "/100"):
        return f"{shown}{unit}"
    if shown in ("1", "-1") and unit.endswith("s") and unit != "s":
        unit = unit[:-1]
    return f"{shown} {unit}".strip()


def trend_numbers(trend: dict) -> Text:
    """``40/100 → 62/100   best 62/100   improving (+22 since the first of 3 sessions)``: the word
    compares the last value with the first (talk share: which is nearer 43%)."""
    from simulator.session.progress import TARGET

    unit = trend.get("unit") or ""
    text = Text(f"{number(trend['first'], unit)} → ", style="dim")
    text.append(number(trend["last"], unit), style="bold")
    near = f" (nearest {TARGET[trend['name']]:g}%)" if trend.get("name") in TARGET else ""
    text.append(f"   best {number(trend['best'], unit)}{near}   ", style="dim")
    word = trend.get("trend", "")
    text.append(word, style=TREND_STYLE.get(word, ""))
    if word != "single":
        change = number(abs(trend.get("change", 0)), unit)
        sign = "+" if trend.get("change", 0) >= 0 else "−"
        text.append(f" ({sign}{change} since the first of {len(trend['values'])} sessions)", style="dim")
    return text


class TrendChart(Vertical):
    """One figure's trend (a ``simulator.session.progress`` trend dict)."""

    def __init__(self, title: str, trend: dict | None, **kwargs) -> None:
        super().__init__(classes="trend", **kwargs)
        self.title_text = title
        self.trend = trend

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, classes="trend-title")
        if not self.trend or not self.trend.get("values"):
            yield Static(Text("not measured in these sessions", style="dim"), classes="trend-numbers")
            return
        with Horizontal(classes="trend-row"):
            yield Sparkline([float(v) for v in self.trend["values"]], classes="trend-spark")
            yield Static(trend_numbers(self.trend), classes="trend-numbers")
