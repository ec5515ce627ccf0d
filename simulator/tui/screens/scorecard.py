"""The scorecard at the end of a session (and in replay): figures, overall, costliest moments; for a retry,
first the comparison with the session it retries (``simulator.tui.widgets.comparison``)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static, TabbedContent, TabPane, Tabs

from simulator.errors import RapportError
from simulator.session import wording
from simulator.session.rubrics import rubric_line
from simulator.tui.plain import clean, plain, plain_content
from simulator.tui.widgets.comparison import RetryComparison
from simulator.tui.widgets.figures import figures_table, format_value, moment_grid  # noqa: F401 (tests use them)
from simulator.tui.widgets.trust_chart import CAPTION, TrustChart


def overall_style(overall: int) -> str:
    return "green" if overall >= 70 else "yellow" if overall >= 45 else "red"


class ScorecardView(Vertical):
    """One scorecard (a dict in the ``rapport score --json`` shape); ``whose``: what it scores ("whole
    session", "Sam's turns"), said beside the overall when a group took turns."""

    def __init__(self, card: dict, *, whose: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.card = card
        self.whose = whose

    def compose(self) -> ComposeResult:
        card = self.card
        overall = card.get("overall", 0)
        yield Static(Text.assemble(("Overall ", "bold"), (f"{overall}", f"bold {overall_style(overall)}"), " / 100",
                                   (f" ({clean(self.whose)})" if self.whose else "", "dim")),
                     classes="overall")
        scored_by = rubric_line(card)
        if scored_by:
            yield Label(plain(f"Rubric: {scored_by}"), classes="rubric-line")
        discovery = card.get("discovery") or {}
        if discovery.get("total"):
            yield Label(plain(f"Discovery: {discovery.get('revealed', 0)} of {discovery['total']} hidden facts "
                              "uncovered"))
        curve = [float(x) for x in card.get("trust_curve") or [] if x is not None]
        if curve:
            yield Label(f"Buyer trust: {wording.number(curve[0])} → {wording.number(curve[-1])} (of 100)",
                        classes="title")
            yield TrustChart(curve, caption=CAPTION, id="trust-curve")
        yield Static(figures_table(card), id="figures")
        moments = card.get("moments") or []
        if moments:
            yield Label("The moments that cost the most", classes="title")
            for i, moment in enumerate(moments, 1):
                yield Static(moment_grid(i, moment), classes="moment")
        if card.get("formula"):
            yield Static(plain(f"How the overall is computed: {card['formula']}", style="dim"), classes="formula")


class ScorecardScreen(Screen):
    """Scorecards for a finished session: one tab per rep when a group took turns, after a tab for the whole
    session (``whole``), whose overall also heads the screen.  Everything scrolls in one area (PageDown,
    End... work whichever tab is shown)."""

    BINDINGS = [
        Binding("ctrl+r", "again", "Practise again"),
        Binding("f2", "replay", "Replay"),
        Binding("t", "retry", "Retry costliest moment", show=False),  # in the hint line and Ctrl+P
        # a retry's comparison: its figures through the buyer's reaction or over the whole session
        Binding("w", "switch_comparison", "Compare the whole session / the moment", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, cards: dict[str, dict], *, title: str = "Scorecard", session_id: str | None = None,
                 retry_of: str | None = None, db_url: str | None = None, whole: dict | None = None) -> None:
        """``cards``: one scorecard per rep; ``whole``: the whole session's, for a group session (shown first);
        ``retry_of``: the session this one retries (its comparison is read from the store at ``db_url``)."""
        super().__init__()
        self.cards = cards
        self.whole = whole if len(cards) > 1 else None
        self.title_text = title
        self.session_id = session_id
        self.retry_of = retry_of or None
        self.db_url = db_url

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(plain(self.title_text), classes="title", id="scorecard-title")
        with VerticalScroll(id="scorecard-scroll"):
            if len(self.cards) == 1:
                if self.retry_of:
                    yield RetryComparison(self.retry_of, id="retry-comparison")
                yield ScorecardView(next(iter(self.cards.values())))
            else:
                if self.whole is not None:
                    yield Static(self._group_line(), id="group-overall")
                with TabbedContent():
                    if self.retry_of:
                        with TabPane("Compared with the original"):
                            yield RetryComparison(self.retry_of, id="retry-comparison")
                    if self.whole is not None:
                        with TabPane("Whole session"):
                            yield ScorecardView(self.whole, whose="whole session")
                    for rep, card in self.cards.items():
                        with TabPane(plain_content(rep)):
                            yield ScorecardView(card, whose=f"{rep}'s turns")
        with Horizontal(classes="hint-row"):
            yield Label("Ctrl+R practise again · T retry the costliest moment · F2 replay · Esc back", classes="dim")
        yield Footer()

    def _group_line(self) -> Text:
        """``Whole session 43 / 100 · Sam 38 · Alex 51``: the session's overall first, as the exports lead."""
        overall = (self.whole or {}).get("overall", 0)
        line = Text.assemble(("Whole session ", "bold"), (f"{overall}", f"bold {overall_style(overall)}"), " / 100")
        for rep, card in self.cards.items():
            line.append(f" · {clean(rep)} {card.get('overall', 0)}", style="dim")
        return line

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.query_one("#scorecard-scroll", VerticalScroll).scroll_home(animate=False)

    def on_mount(self) -> None:
        if len(self.cards) > 1:  # ←/→ switch tabs; ↑/↓, PageDown, End... reach the scroll area around them
            self.query_one(Tabs).focus()
        if self.retry_of:
            if self.session_id:
                self._read_comparison(self.session_id)
            else:
                self._comparison_failed("This retry was not stored, so it cannot be compared with the original.")

    @work(thread=True, exclusive=True, group="scorecard-compare")
    def _read_comparison(self, retry_id: str) -> None:
        """The comparison as ``rapport compare`` reads it (the store and the scoring stay in simulator.session)."""
        from simulator.session.branch_compare import compare
        from simulator.session.store import Store

        try:
            with Store.open(self.db_url, read=True) as store:
                doc = compare(store, retry_id)
        except RapportError as exc:
            problem = str(exc)
        except Exception as exc:  # a broken store is one line on the screen, never a traceback
            problem = f"{type(exc).__name__}: {exc}"
        else:
            self.app.call_from_thread(self._comparison_shown, doc)
            return
        first = (problem.strip().splitlines() or ["unknown problem"])[0]
        self.app.call_from_thread(self._comparison_failed, f"The comparison with the original could not be read: "
                                                           f"{first}")

    def _comparison_shown(self, doc: dict) -> None:
        for widget in self.query(RetryComparison):
            widget.show(doc)

    def _comparison_failed(self, message: str) -> None:
        for widget in self.query(RetryComparison):
            widget.failed(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_comparison":
            return bool(self.retry_of)  # only a retry has a comparison (and only then is W in Ctrl+P)
        return True

    def action_switch_comparison(self) -> None:
        for widget in self.query(RetryComparison):
            widget.switch()

    def action_again(self) -> None:
        self.app.action_practise_again()

    def action_retry(self) -> None:
        if self.session_id:
            self.app.action_retry(self.session_id)
        else:
            self.notify("This session was not stored, so it cannot be retried.", severity="warning")

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
