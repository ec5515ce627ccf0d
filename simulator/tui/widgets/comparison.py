"""A retry's scorecard compared with the session it retries: the two buyer reactions side by side and each
figure before, after and its change, through the buyer's reaction or over the whole session (W switches).

It shows the dict of ``simulator.session.branch_compare.compare`` (the same as ``rapport compare RETRY``) and
computes nothing: the words come from stored transcripts, so every one goes through ``clean`` into a ``Text``
(never read as markup).
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from simulator.session import wording
from simulator.tui.plain import clean, plain

CHANGE_STYLE = {"better": "bold green", "worse": "bold red", "same": "dim", "n/a": "dim"}
TITLES = {"moment": "Through the buyer's reaction", "whole": "Whole session"}
KEYS = {"moment": "W: show the whole session", "whole": "W: show the figures through the buyer's reaction"}


def _trust(side: dict) -> Text:
    before, after = side.get("trust_before"), side.get("trust_after")
    if not isinstance(before, int | float) or not isinstance(after, int | float):
        return Text("—", style="dim")
    style = "green" if after > before else "red" if after < before else ""
    return Text.assemble(f"{wording.number(before)} → ", (wording.number(after), style))


def _then(side: dict) -> str:
    return "; ".join(words for flag, words in (("next_step", "the buyer offered a next step"),
                                               ("ended", "the buyer ended the meeting")) if side.get(flag))


def reactions_table(doc: dict) -> Table:
    """What the rep said (and its moves) and how the buyer reacted, in the original and in the retry."""
    table = Table(expand=True, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("", no_wrap=True, style="bold")
    table.add_column("The original", ratio=1, overflow="fold")
    table.add_column("This retry", ratio=1, overflow="fold")
    before, after = doc.get("before") or {}, doc.get("after") or {}

    def row(title: str, show) -> None:
        table.add_row(title, show(before), show(after))

    row("You said", lambda s: Text(f"“{clean(s['said'])}”") if s.get("said") else Text("—", style="dim"))
    row("Moves", lambda s: plain(", ".join(str(x).replace("_", " ") for x in s.get("labels") or []) or "no move",
                                 style="italic"))
    row("The buyer", lambda s: Text(f"“{clean(s['reply'])}”") if s.get("reply")
        else Text("— (no reply yet)", style="dim"))
    row("Trust", _trust)
    row("Revealed", lambda s: plain(", ".join(str(x) for x in s.get("revealed") or []))
        if s.get("revealed") else Text("nothing new", style="dim"))
    if _then(before) or _then(after):
        row("Then", lambda s: plain(_then(s)))
    return table


def _shown(value: object, unit: str, yes_no: bool) -> str:
    if not isinstance(value, int | float):
        return "–"
    if yes_no:
        return "yes" if value else "no"
    return wording.figure_value({"value": value, "unit": unit})


def figures_change_table(rows: list[dict], title: str) -> Table:
    """Each figure before (the original), after (the retry) and its change, as ``compare`` judged it."""
    table = Table(title=title, title_justify="left", title_style="bold", expand=True, header_style="bold",
                  box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("figure", ratio=3, overflow="fold")
    table.add_column("before", ratio=2, overflow="fold", justify="right")
    table.add_column("after", ratio=2, overflow="fold", justify="right")
    table.add_column("change", width=7, no_wrap=True)
    for r in rows:
        unit = str(r.get("unit") or "")
        # a yes/no figure (the buyer's next step) arrives as 0 or 1 without a unit, as on the progress screen
        yes_no = not unit and {r.get("before"), r.get("after")} <= {0, 1, None}
        change = clean(r.get("change") or "")
        table.add_row(plain(r.get("name")), plain(_shown(r.get("before"), unit, yes_no)),
                      plain(_shown(r.get("after"), unit, yes_no)), Text(change, style=CHANGE_STYLE.get(change, "")))
    return table


class RetryComparison(Vertical):
    """The comparison section of a retry's scorecard; ``show(doc)`` once it is read, or ``failed(message)``."""

    def __init__(self, parent_id: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.parent_id = parent_id
        self.doc: dict | None = None
        self.view = "moment"

    def compose(self) -> ComposeResult:
        yield Label(plain(f"Compared with the original (session {self.parent_id})"), classes="title",
                    id="retry-title")
        yield Static(plain("Reading the original session…", style="dim"), id="retry-reactions")
        figures, key = Static("", id="retry-figures"), Label("", classes="dim", id="retry-key")
        figures.display = key.display = False  # until the comparison is read
        yield figures
        yield key

    def show(self, doc: dict) -> None:
        self.doc = doc
        self.query_one("#retry-title", Label).update(
            plain(f"Compared with the original (session {doc.get('parent')}, turn {doc.get('turn')})"))
        self.query_one("#retry-reactions", Static).update(reactions_table(doc))
        self.query_one("#retry-figures", Static).display = self.query_one("#retry-key", Label).display = True
        self._show_figures()

    def failed(self, message: str) -> None:
        self.query_one("#retry-reactions", Static).update(plain(message, style="bold red"))

    def switch(self) -> bool:
        """Between the figures through the buyer's reaction and the whole session's; False before the
        comparison is shown."""
        if self.doc is None:
            return False
        self.view = "whole" if self.view == "moment" else "moment"
        self._show_figures()
        return True

    def _show_figures(self) -> None:
        rows = [r for r in (self.doc or {}).get(self.view) or [] if isinstance(r, dict)]
        self.query_one("#retry-figures", Static).update(figures_change_table(rows, TITLES[self.view]))
        self.query_one("#retry-key", Label).update(KEYS[self.view])
