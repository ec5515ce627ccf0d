"""Small gauges for the practice screen: a labelled bar against a reference, and the trust meter."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

BAR = "█"
EMPTY = "░"


def meters_title(title: str, rep: str | None) -> str:
    """``Your meters``; after a hand-over ``Your meters (Alex's turns)``: whose turns the meters count."""
    return f"{title} ({rep}'s turns)" if rep else title


def bar(fraction: float, width: int) -> str:
    fraction = max(0.0, min(1.0, fraction))
    filled = round(fraction * width)
    return BAR * filled + EMPTY * (width - filled)


class Gauge(Widget):
    """``label  ██████░░░░  value`` with a style that says whether the value is on the good side.

    ``good`` is "low" when smaller is better (talk share, transactional moves), "high" otherwise.
    """

    DEFAULT_CSS = """
    Gauge { height: 1; }
    """

    value: reactive[float] = reactive(0.0)

    def __init__(self, label: str, *, maximum: float, threshold: float, good: str = "high",
                 fmt: str = "{:.0f}", id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.maximum = maximum
        self.threshold = threshold
        self.good = good
        self.fmt = fmt

    def render(self) -> Text:
        width = max(4, self.size.width - 24)
        ok = self.value >= self.threshold if self.good == "high" else self.value <= self.threshold
        style = "green" if ok else "yellow"
        text = Text(f"{self.label:<12}", style="bold")
        text.append(bar(self.value / self.maximum if self.maximum else 0, width), style=style)
        text.append(f" {self.fmt.format(self.value):>8}")
        return text


class TrustMeter(Widget):
    """The buyer's trust, 0-100, with the change the last turn made."""

    DEFAULT_CSS = """
    TrustMeter { height: 1; }
    """

    trust: reactive[float] = reactive(0.0)
    delta: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        width = max(4, self.size.width - 16)
        style = "red" if self.trust < 35 else "yellow" if self.trust < 60 else "green"
        text = Text("trust ", style="bold")
        text.append(bar(self.trust / 100, width), style=style)
        text.append(f" {self.trust:3.0f}")
        if self.delta:
            text.append(f" {self.delta:+.0f}", style="green" if self.delta > 0 else "red")
        return text


class LevelMeter(Widget):
    """Microphone level, updated many times a second."""

    DEFAULT_CSS = """
    LevelMeter { height: 1; }
    """

    level: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        width = max(4, self.size.width - 6)
        text = Text("mic ", style="bold")
        text.append(bar(min(1.0, self.level * 4), width), style="cyan")
        return text
