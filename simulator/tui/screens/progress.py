"""Progress: one rep's trends across their scored sessions (overall score, talk share, questions,
listening and transactional moves), oldest to newest, their drills, with a rep selector.

The trends and drills come from ``simulator.session.progress.progress`` (the same numbers as
``rapport progress``); each trend is drawn as a Sparkline with its first, last and best values; under
them, each drill tried: attempts, passes, and the last attempt (passed or failed, when, and why).
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from simulator.errors import RapportError
from simulator.session.wording import counted
from simulator.tui.plain import plain
from simulator.tui.screens.replay import leave, when
from simulator.tui.widgets.charts import TrendChart

#: the charts shown, in order: (figure name in the scorecard, title on screen)
CHARTS = (
    ("overall", "Overall score"),
    ("rep talk share", "Talk share (best near the ~43% of top reps)"),
    ("questions", "Questions asked"),
    ("listening", "Listening moves"),
    ("transactional moves", "Transactional moves (pitch, benefit, leading, rebuttal, close)"),
)


def drills_table(drills: list[dict]) -> Table:
    """The drills tried (``progress()["drills"]``): each one's passes of its attempts and its last attempt,
    passed or failed, when (UTC) and why; the reasons wrap."""
    from simulator.session.drills import BY_KEY

    table = Table(expand=True, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("drill", ratio=2, overflow="fold")
    table.add_column("passed", width=8, no_wrap=True)
    table.add_column("last", width=6, no_wrap=True)
    table.add_column("when (UTC)", width=16, no_wrap=True)
    table.add_column("why", ratio=5, overflow="fold")
    for row in drills:
        last = row["last"]
        known = BY_KEY.get(row["drill"])
        at = last.get("at") or ""
        table.add_row(plain(known.title if known else row["drill"]), f"{row['passed']} of {row['attempts']}",
                      Text("passed", style="green") if last["passed"] else Text("failed", style="red"),
                      f"{at[:10]} {at[11:16]}".strip(), plain(last.get("reason") or ""))
    return table


class ProgressScreen(Screen):
    """Trend charts for one rep (or everyone); Enter on a session replays it."""

    BINDINGS = [
        Binding("f5", "reload", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, options, *, rep: str | None = None) -> None:
        super().__init__()
        self.options = options
        self.rep = rep
        self._reps_filled = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="progress-top"):
            yield Label("rep", classes="filter-label")
            yield Select([], prompt="all reps", id="progress-rep")
            yield Static("loading…", id="progress-summary", classes="dim")
        with VerticalScroll(id="charts"):
            pass
        with VerticalScroll(id="progress-drills-box"):  # shown when the rep has tried a drill
            yield Label("", classes="title", id="progress-drills-title")
            yield Static("", id="progress-drills")
        yield Label("Sessions in these trends (oldest first) · Enter replays one", classes="title",
                    id="progress-table-title")
        yield DataTable(id="progress-sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#progress-sessions", DataTable)
        # fixed widths: the table looks the same however soon after loading it is drawn
        narrow = self.app.size.width < 110  # every column on screen at 80 columns
        for label, width in (("started (UTC)", 16), ("id", 8), ("persona", 18 if narrow else 26),
                             ("reps", 12 if narrow else 24), ("score", 5)):
            table.add_column(label, width=width)
        self._load(self.rep)

    # ---- reading (worker thread) ----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="progress")
    def _load(self, rep: str | None) -> None:
        from simulator.session.progress import progress
        from simulator.session.store import Store

        try:
            with Store.open(self.options.db_url, read=True) as store:
                everyone = store.list_sessions()
                doc = progress(store, rep)
        except RapportError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        reps = sorted({r for s in everyone for r in s.reps})
        by_id = {s.id: s for s in everyone}
        rows = [by_id[sid] for sid in doc["session_ids"] if sid in by_id]
        self.app.call_from_thread(self._show, doc, reps, rows)

    def _failed(self, message: str) -> None:
        self.query_one("#progress-summary", Static).update(plain(message, style="bold red"))
        self.notify(message, severity="error", timeout=10)

    def _show(self, doc: dict, reps: list[str], rows: list) -> None:
        if not self._reps_filled:
            self._reps_filled = True
            select = self.query_one("#progress-rep", Select)
            with self.prevent(Select.Changed):
                select.set_options([(plain(r), r) for r in reps])
                if self.rep in reps:
                    select.value = self.rep
        who = doc["rep"] or "all reps"
        summary = self.query_one("#progress-summary", Static)
        if doc["sessions"]:
            summary.update(plain(f"{who}: {counted(doc['sessions'], 'scored session')}, "
                                 f"{when(rows[0].started_at) if rows else ''} to "
                                 f"{when(rows[-1].started_at) if rows else ''} UTC"))
        else:
            summary.update(plain(f"No scored sessions for {who} yet: practise, then come back."))
        trends = {f["name"]: f for f in doc["figures"]}
        charts = self.query_one("#charts", VerticalScroll)
        charts.remove_children()
        if doc["sessions"]:
            charts.mount_all([TrendChart(title, trends.get(name)) for name, title in CHARTS])
        drills = doc.get("drills") or []  # shown also when no session is scored yet: drills are not in the trends
        self.query_one("#progress-drills-box").display = bool(drills)
        if drills:
            attempts, passed = sum(d["attempts"] for d in drills), sum(d["passed"] for d in drills)
            self.query_one("#progress-drills-title", Label).update(plain(
                f"Drills: {passed} of {counted(attempts, 'attempt')} passed (Ctrl+P → Drill your weakest figure)"))
            self.query_one("#progress-drills", Static).update(drills_table(drills))
        table = self.query_one("#progress-sessions", DataTable)
        table.clear()
        for s in rows:
            score = Text("–" if s.overall is None else f"{s.overall:.0f}", justify="right")
            table.add_row(when(s.started_at), plain(s.id), plain(s.persona_id), plain(", ".join(s.reps) or "–"), score,
                          key=s.id)

    # ---- intents -----------------------------------------------------------------------------
    @on(Select.Changed, "#progress-rep")
    def _rep_chosen(self, event: Select.Changed) -> None:
        rep = None if event.value == Select.NULL else str(event.value)
        if rep != self.rep:  # filling the selector must not load the same trends twice
            self.rep = rep
            self._load(rep)

    @on(DataTable.RowSelected, "#progress-sessions")
    def _replay(self, event: DataTable.RowSelected) -> None:
        self.app.action_open_replay(str(event.row_key.value))

    def action_reload(self) -> None:
        self._load(self.rep)

    def action_back(self) -> None:
        leave(self.app)
