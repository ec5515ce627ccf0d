"""Replay: the list of past sessions (filter by rep and persona, sort by date or score), and one
session turn by turn (moves, cues, trust, coach notes), with its recordings, costliest moments,
re-scoring and export.

The store is opened and read in worker threads; results come back with ``call_from_thread``.
Playback goes through ``simulator.speech.playback.Player`` (the default output) unless a player
is injected (tests pass one that plays to nowhere).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Select, Static

from simulator.errors import RapportError
from simulator.session import wording
from simulator.tui.plain import clean, plain
from simulator.tui.widgets.export_dialog import ExportDialog, export_target
from simulator.tui.widgets.timeline import Timeline, detail_text, moments_by_turn, notes_by_turn, trust_before
from simulator.tui.widgets.trust_chart import CAPTION, TrustChart

SORTS = ("date", "score")


def when(ts: float | None) -> str:
    """Epoch seconds as ``2025-03-01 09:30`` (UTC, so every machine shows the same)."""
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def leave(app) -> None:
    """Back to the screen underneath; quit when this was the first screen (``rapport replay``)."""
    if len(app.screen_stack) <= 2:
        app.exit()
    else:
        app.pop_screen()


def sort_rows(rows: list, by: str) -> list:
    """Sessions newest first (``date``) or best score first (``score``; unscored last)."""
    if by == "score":
        return sorted(rows, key=lambda s: (s.overall is None, -(s.overall or 0), -s.started_at))
    return sorted(rows, key=lambda s: -s.started_at)


class ReplayScreen(Screen):
    """Past sessions in a table; Enter opens one. ``session_id`` opens that session straight away."""

    BINDINGS = [
        Binding("s", "sort", "Sort date/score"),
        Binding("f5", "reload", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, options, *, session_id: str | None = None, player=None) -> None:
        super().__init__()
        self.options = options
        self.session_id = session_id
        self.player = player
        self.store = None
        self.sort = "date"
        self.rows: list = []
        self._lock = threading.Lock()
        self._choices_filled = False
        self.loaded: tuple[str | None, str | None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Past sessions", classes="title", id="replay-heading")
        with Horizontal(id="replay-filters"):
            yield Label("rep", classes="filter-label")
            yield Select([], prompt="all reps", id="rep-filter")
            yield Label("persona", classes="filter-label")
            yield Select([], prompt="all personas", id="persona-filter")
            yield Label("sorted by date", id="sort-label", classes="dim")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("loading sessions…", id="replay-note", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        # fixed widths: the table looks the same however soon after loading it is drawn
        # narrower persona and reps columns on a narrow terminal, so every column stays on screen
        narrow = self.app.size.width < 110
        for label, width in (("id", 8), ("started (UTC)", 16), ("status", 11), ("persona", 12 if narrow else 26),
                             ("reps", 7 if narrow else 24), ("turns", 5), ("score", 5)):  # fmt: skip
            table.add_column(label, width=width)
        table.focus()
        self._load(self.options.rep_filter, None)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()

    # ---- reading the store (worker thread) -----------------------------------------------------
    def open_store(self):
        """The screen's store, opened on first use (call from a worker thread)."""
        with self._lock:
            if self.store is None:
                from simulator.session.store import Store

                self.store = Store.open(self.options.db_url, read=True)
            return self.store

    @work(thread=True, exclusive=True, group="replay-list")
    def _load(self, rep: str | None, persona: str | None) -> None:
        self.loaded = (rep, persona)
        try:
            store = self.open_store()
            rows = store.list_sessions(rep=rep, persona=persona)
            everything = rows if (rep is None and persona is None) or self._choices_filled else store.list_sessions()
        except RapportError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._fill, rows, everything, rep)

    def _failed(self, message: str) -> None:
        self.query_one("#replay-note", Static).update(plain(message, style="bold red"))
        self.notify(message, severity="error", timeout=10)

    def _fill(self, rows: list, everything: list, rep: str | None) -> None:
        if not self._choices_filled:
            self._choices_filled = True
            reps = sorted({r for s in everything for r in s.reps})
            personas = sorted({s.persona_id for s in everything})
            rep_select = self.query_one("#rep-filter", Select)
            with self.prevent(Select.Changed):
                rep_select.set_options([(plain(r), r) for r in reps])
                if rep in reps:
                    rep_select.value = rep
                self.query_one("#persona-filter", Select).set_options([(plain(p), p) for p in personas])
        self.rows = rows
        self._render_rows()
        if self.session_id:
            session_id, self.session_id = self.session_id, None
            self.open_session(session_id)

    def _render_rows(self) -> None:
        table = self.query_one("#sessions", DataTable)
        table.clear()
        for s in sort_rows(self.rows, self.sort):
            score = Text("–" if s.overall is None else f"{s.overall:.0f}", justify="right")
            table.add_row(plain(s.id), when(s.started_at), plain(s.status), plain(s.persona_id),
                          plain(", ".join(s.reps) or "–"), Text(str(s.turn_count), justify="right"), score, key=s.id)
        note = self.query_one("#replay-note", Static)
        if self.rows:
            note.update(f"{wording.counted(len(self.rows), 'session')} · Enter opens one · s sorts by date or score")
        else:
            note.update("No sessions stored yet: practise first (`rapport practice`)."
                        if not self._filtered() else "No sessions match these filters.")
        self.query_one("#sort-label", Label).update(f"sorted by {self.sort}")

    def _filtered(self) -> bool:
        return any(self.query_one(f"#{w}", Select).value != Select.NULL for w in ("rep-filter", "persona-filter"))

    # ---- intents -----------------------------------------------------------------------------
    def filters(self) -> tuple[str | None, str | None]:
        """The (rep, persona) the list is filtered by (None: all)."""
        rep, persona = (self.query_one(f"#{w}", Select).value for w in ("rep-filter", "persona-filter"))
        return (None if rep == Select.NULL else str(rep), None if persona == Select.NULL else str(persona))

    @on(Select.Changed)
    def _filter(self) -> None:
        if self.filters() != self.loaded:  # filling the drop-downs must not reload the same list
            self._load(*self.filters())

    @on(DataTable.RowSelected, "#sessions")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        self.open_session(str(event.row_key.value))

    def open_session(self, session_id: str) -> None:
        self.app.push_screen(SessionReplayScreen(self, session_id, player=self.player))

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._render_rows()

    def action_reload(self) -> None:
        self._load(*self.filters())

    def action_back(self) -> None:
        leave(self.app)


class SessionReplayScreen(Screen):
    """One stored session, turn by turn. Up/Down move through the turns."""

    BINDINGS = [
        # the status line above the footer lists these (the footer cannot hold them all at 80 columns)
        Binding("p", "play", "Play/stop recording", show=False),
        Binding("c", "costly", "Next costly moment", show=False),
        Binding("r", "rescore", "Re-score", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("t", "retry", "Retry this moment", show=False),
        Binding("o", "scorecard", "Scorecard (a retry's: compared with the original)", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, owner: ReplayScreen, session_id: str, *, player=None) -> None:
        super().__init__()
        self.owner = owner
        self.session_id = session_id
        self.player = player
        self.session = None
        self._moment = -1
        self._playing = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading the session…", id="replay-title")
        with Horizontal(id="replay-body"):
            yield Timeline(id="timeline")
            with VerticalScroll(id="turn-pane"):
                yield Static("", id="turn-detail")
                yield Label("Trust over the session", classes="title", id="trust-heading")
                yield TrustChart([], caption=CAPTION, id="replay-trust")
        yield Static("p play · c costliest · t retry · o scorecard · r re-score · e export · Esc back",
                     id="replay-status",
                     classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline", Timeline).focus()
        self._load()

    def on_unmount(self) -> None:
        if self.player is not None and self._playing:
            self.player.stop()

    # ---- loading -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="replay-session")
    def _load(self, notice: str = "") -> None:
        self._read(notice)

    def _read(self, notice: str = "") -> None:
        """Read the session (in a worker thread) and show it."""
        try:
            session = self.owner.open_store().get(self.session_id)
        except RapportError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, session, notice)

    def _failed(self, message: str) -> None:
        self.query_one("#replay-title", Static).update(plain(message, style="bold red"))
        self.notify(message, severity="error", timeout=10)

    @property
    def buyer_name(self) -> str:
        return clean(self.session.persona.get("name") or self.session.summary.persona_id)

    def _show(self, session, notice: str = "") -> None:
        self.session = session
        s, persona = session.summary, session.persona
        who = clean(", ".join(str(persona[k]) for k in ("role", "company") if persona.get(k)))
        card = session.scorecard or {}
        title = Text(f"Session {clean(s.id)}", style="bold")
        title.append(f" · {self.buyer_name}{f' ({who})' if who else ''}")
        title.append(f" · {clean(', '.join(s.reps)) or 'rep'} · {when(s.started_at)} UTC · {clean(s.status)}",
                     style="dim")
        title.append(f" · overall {clean(card['overall'])}/100" if "overall" in card else " · not scored", style="bold")
        self.query_one("#replay-title", Static).update(title)
        start = persona.get("starting_trust")
        self.query_one("#timeline", Timeline).show(session, self.buyer_name, start)
        curve = [float(t.trust) for t in session.turns if t.speaker == "buyer" and t.trust is not None]
        if curve and start is not None:
            curve.insert(0, float(start))
        self.query_one("#replay-trust", TrustChart).show(curve)
        self._detail()
        if notice:
            self.notify(notice, timeout=8)

    def current(self) -> int | None:
        """The index of the highlighted turn."""
        return self.query_one("#timeline", Timeline).highlighted

    def recording(self, index: int) -> tuple[Path | None, str]:
        """The file of a turn's recording (None when there is none) and a line saying so."""
        ref = self.session.turns[index].audio
        if not ref:
            return None, "none kept for this turn"
        path = self.owner.open_store().audio_path(ref)
        if path is None:
            return None, f"missing ({ref})"
        return path, "p to play"

    @on(OptionList.OptionHighlighted, "#timeline")
    def _detail(self) -> None:
        index = self.current()
        if self.session is None or index is None or index >= len(self.session.turns):
            return
        turns = self.session.turns
        before = trust_before(turns, self.session.persona.get("starting_trust"))[index]
        notes = notes_by_turn(self.session).get(index, [])
        moment = moments_by_turn(self.session.scorecard).get(index)
        text = detail_text(index, turns[index], self.buyer_name, before, notes, moment, self.recording(index)[1],
                           wording.fact_topics(self.session.persona))
        self.query_one("#turn-detail", Static).update(text)

    # ---- intents -----------------------------------------------------------------------------
    def action_costly(self) -> None:
        """Jump to the costliest moment, then the next one on each press (round and round)."""
        moments = [m for m in ((self.session.scorecard or {}).get("moments") or []) if isinstance(m, dict)
                   and isinstance(m.get("turn_index"), int)] if self.session else []  # fmt: skip
        if not moments:
            self.notify("No costly moments in this session.")
            return
        self._moment = (self._moment + 1) % len(moments)
        index = moments[self._moment]["turn_index"]
        timeline = self.query_one("#timeline", Timeline)
        if 0 <= index < timeline.option_count:
            timeline.highlighted = index
            timeline.scroll_to_highlight()

    def action_retry(self) -> None:
        """Practise the highlighted rep turn again (a buyer turn: the rep turn before it; none: the costliest)."""
        if self.session is None:
            return
        index = self.current()
        turns = self.session.turns
        while index is not None and index >= 0 and turns[index].speaker != "rep":
            index -= 1
        self.app.action_retry(self.session_id, None if index is None or index < 0 else index + 1)

    def action_scorecard(self) -> None:
        """The stored scorecard on its own screen; a retry's starts with the comparison with the session it retries."""
        if self.session is None:
            return
        card = self.session.scorecard
        if not card:
            self.notify("This session has not been scored yet: r re-scores it.", severity="warning")
            return
        from simulator.tui.screens.scorecard import ScorecardScreen

        s = self.session.summary
        self.app.push_screen(ScorecardScreen({", ".join(s.reps) or "rep": card},
                                             title=f"Scorecard: session {s.id} · {self.buyer_name}",
                                             session_id=s.id, retry_of=s.parent_id, db_url=self.owner.options.db_url))

    def action_play(self) -> None:
        if self.session is None or self.current() is None:
            return
        if self._playing and self.player is not None:
            self.player.stop()
            return
        index = self.current()
        path, why = self.recording(index)
        if path is None:
            speaker = self.session.turns[index].speaker
            self.notify(f"No recording to play for turn {index} ({speaker}): {why}.", severity="warning")
            return
        self._play(index, path)

    @work(thread=True, exclusive=True, group="replay-play")
    def _play(self, index: int, path: Path) -> None:
        from simulator.speech.audio import SAMPLE_RATE, load_audio

        try:
            if self.player is None:
                from simulator.speech.playback import Player

                self.player = Player()
            samples = load_audio(path)
        except RapportError as exc:
            self.app.call_from_thread(self.notify, f"Cannot play turn {index}: {exc}", severity="error")
            return
        self._playing = True
        self.app.call_from_thread(self._status, f"playing turn {index} (p stops)…")
        try:
            finished = self.player.play(samples, SAMPLE_RATE)
        except Exception as exc:  # noqa: BLE001 - an audio device failing mid-play: one line, no crash
            self.app.call_from_thread(self.notify, f"Playback failed: {exc}", severity="error")
            finished = False
        finally:
            self._playing = False
        self.app.call_from_thread(self._status, f"turn {index}: {'played' if finished else 'stopped'}")

    def _status(self, text: str) -> None:
        self.query_one("#replay-status", Static).update(plain(text))

    def action_rescore(self) -> None:
        if self.session is None:
            return
        if self.session.summary.status == "running":
            self.notify("This session is still running; re-score it once it ends.", severity="warning")
            return
        self._status("re-scoring…")
        self._rescore()

    @work(thread=True, exclusive=True, group="replay-session")
    def _rescore(self) -> None:
        from simulator.session.rescore import rescore

        try:
            result = rescore(self.owner.open_store(), self.session_id)
        except RapportError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        before = "unscored" if result["before"] is None else f"{result['before']:.0f}"
        self._read(f"Re-scored with the current analyser: {before} → {result['after']}")

    def action_export(self) -> None:
        if self.session is None:
            return

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                fmt, text = answer
                self._export(fmt, export_target(text, self.session.id, fmt))

        self.app.push_screen(ExportDialog(self.session.id), chosen)

    @work(thread=True, group="replay-export")
    def _export(self, fmt: str, path: Path) -> None:
        from simulator.session.export import export, write

        try:
            write(export(self.owner.open_store(), self.session_id, fmt, with_audio=fmt == "html"), path)
        except RapportError as exc:
            self.app.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"Exported to {path}", title="Export", timeout=10)
        self.app.call_from_thread(self._status, f"exported to {path}")

    def action_back(self) -> None:
        self.app.pop_screen()
