"""The scorecard at the end of a session (and in replay): figures, overall, costliest moments."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Sparkline, Static, TabbedContent, TabPane

from simulator.tui.plain import clean, plain, plain_content

VERDICT_STYLE = {"good": "green", "ok": "yellow", "poor": "red", "n/a": "dim"}


def format_value(figure: dict) -> str:
    value = figure.get("value")
    unit = figure.get("unit") or ""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if unit == "%":
            return f"{value:.0f}%"
        return f"{value:.1f} {unit}".strip()
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    return f"{value} {unit}".strip()


class ScorecardView(Vertical):
    """One scorecard (a dict in the ``rapport score --json`` shape)."""

    def __init__(self, card: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.card = card

    def compose(self) -> ComposeResult:
        card = self.card
        overall = card.get("overall", 0)
        style = "green" if overall >= 70 else "yellow" if overall >= 45 else "red"
        yield Static(Text.assemble(("Overall ", "bold"), (f"{overall}", f"bold {style}"), " / 100"),
                     classes="overall")
        discovery = card.get("discovery") or {}
        if discovery.get("total"):
            yield Label(plain(f"Discovery: {discovery.get('revealed', 0)} of {discovery['total']} hidden facts "
                              "uncovered"))
        curve = [float(x) for x in card.get("trust_curve") or [] if x is not None]
        if curve:
            yield Label(f"Trust: {curve[0]:.0f} → {curve[-1]:.0f}", classes="title")
            yield Sparkline(curve, id="trust-curve")
        table = DataTable(id="figures", zebra_stripes=True, cursor_type="row")
        yield table
        moments = card.get("moments") or []
        if moments:
            yield Label("The moments that cost the most", classes="title")
            for i, moment in enumerate(moments, 1):
                text = Text(f"{i}. You said: ", style="bold")
                text.append(f"“{clean(moment.get('text') or moment.get('rep_text', ''))}”")
                why = moment.get("why")
                if why:
                    text.append(f"\n   Why it cost: {clean(why)}", style="italic")
                alternative = moment.get("alternative")
                if alternative:
                    text.append("\n   Try instead: ", style="bold green")
                    text.append(f"“{clean(alternative)}”", style="green")
                yield Static(text, classes="moment")
        if card.get("formula"):
            yield Static(plain(f"How the overall is computed: {card['formula']}", style="dim"), classes="formula")

    def on_mount(self) -> None:
        table = self.query_one("#figures", DataTable)
        table.add_columns("figure", "you", "verdict", "reference")
        for figure in self.card.get("figures", []):
            verdict = str(figure.get("verdict", ""))
            table.add_row(plain(figure.get("name", "")), plain(format_value(figure)),
                          plain(verdict, style=VERDICT_STYLE.get(verdict, "")), plain(figure.get("reference", "")))


class ScorecardScreen(Screen):
    """Scorecards for a finished session: one tab per rep when a group took turns."""

    BINDINGS = [
        Binding("ctrl+r", "again", "Practise again"),
        Binding("f2", "replay", "Replay"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, cards: dict[str, dict], *, title: str = "Scorecard", session_id: str | None = None) -> None:
        super().__init__()
        self.cards = cards
        self.title_text = title
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(plain(self.title_text), classes="title", id="scorecard-title")
        if len(self.cards) == 1:
            with VerticalScroll():
                yield ScorecardView(next(iter(self.cards.values())))
        else:
            with TabbedContent():
                for rep, card in self.cards.items():
                    with TabPane(plain_content(rep)), VerticalScroll():
                        yield ScorecardView(card)
        with Horizontal(classes="hint-row"):
            yield Label("Ctrl+R practise again · F2 replay this session · Esc back", classes="dim")
        yield Footer()

    def action_again(self) -> None:
        self.app.action_practise_again()

    def action_replay(self) -> None:
        self.app.action_open_replay(self.session_id)

    def action_back(self) -> None:
        """Back to what was underneath; the start screen when practice was the first screen
        (``rapport practice --persona``), never the app's empty base screen."""
        if len(self.app.screen_stack) <= 2:
            self.app.pop_screen()
            self.app.show_start()
        else:
            self.app.pop_screen()
