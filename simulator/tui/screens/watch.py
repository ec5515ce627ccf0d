"""Watch: a read-only live view of a session that another process (or machine) is recording.

A worker thread follows the session through the store (``simulator.session.follow``: it polls
every 0.2 s, so a turn shows within a second of its commit) and posts each event to the screen.
With no id the screen follows the newest running session, waiting for one to start if none is
running; ``l`` lists the running sessions to pick another.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from simulator.conversation.live import live_figures
from simulator.errors import RapportError
from simulator.session import events as ev
from simulator.session import wording
from simulator.tui.plain import clean, plain
from simulator.tui.screens.dialogs import Choose
from simulator.tui.screens.replay import leave, when
from simulator.tui.widgets.meters import Gauge, TrustMeter, meters_title
from simulator.tui.widgets.persona_card import persona_summary
from simulator.tui.widgets.timeline import coach_line
from simulator.tui.widgets.turns import TurnView

WAIT_S = 0.5
PERSONA_FIELDS = ("name", "role", "company", "industry", "difficulty", "situation")


def persona_view(persona: dict, fallback: str) -> SimpleNamespace:
    """A stored persona snapshot with every field the persona card shows."""
    values = {k: clean(persona.get(k) or "") for k in PERSONA_FIELDS}
    values["name"] = values["name"] or clean(fallback)
    return SimpleNamespace(**values)


class WatchScreen(Screen):
    """Follows one running session; nothing here changes it."""

    BINDINGS = [
        Binding("l", "pick", "Running sessions"),
        Binding("f2", "replay", "Replay it"),
        Binding("escape", "back", "Back"),
    ]

    class Update(Message):
        """Something from the follower thread: ``kind`` is following, event, waiting or failed."""

        def __init__(self, generation: int, kind: str, payload=None) -> None:
            super().__init__()
            self.generation, self.kind, self.payload = generation, kind, payload

    def __init__(self, options, *, session_id: str | None = None) -> None:
        super().__init__()
        self.options = options
        self.session_id = session_id
        self.generation = 0
        self.turns: dict[int, object] = {}
        #: the last widget shown for each turn (its TurnView, then the coach notes made at it)
        self.anchors: dict[int, object] = {}
        self.buyer_name = "Buyer"
        self.topics: dict[str, str] = {}
        self.title_parts: tuple[str, str, float] | None = None  # (session id, buyer name, started at)
        self.reps: list[str] = []
        self.rep_now: str | None = None
        self.last_trust: float | None = None
        self.ended: ev.SessionEnded | None = None
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("looking for a running session…", id="watch-title")
        with Horizontal(id="watch"):
            with Vertical(id="watch-main"):
                yield VerticalScroll(id="watch-log")
                yield Static("", id="watch-status", classes="dim")
            with Vertical(id="watch-sidebar"):
                yield Static("", id="watch-persona-card")
                yield TrustMeter(id="watch-trust")
                yield Label("The rep's meters", classes="title", id="watch-meters-title")
                yield Gauge("talk share", maximum=100, threshold=50, good="low", fmt="{:.0f}%", id="watch-talk")
                yield Gauge("questions", maximum=14, threshold=1, id="watch-questions")
                yield Gauge("listening", maximum=10, threshold=1, id="watch-listening")
                yield Gauge("pitch/close", maximum=10, threshold=0, good="low", id="watch-transactional")
        yield Footer()

    def on_mount(self) -> None:
        self.follow(self.session_id)

    def on_unmount(self) -> None:
        self._stop.set()

    # ---- the follower (worker thread) -----------------------------------------------------------
    def follow(self, session_id: str | None) -> None:
        """Stop following whatever was followed and follow ``session_id`` (None: the newest running)."""
        self._stop.set()
        self._stop = threading.Event()
        self.generation += 1
        self.turns.clear()
        self.anchors.clear()
        self.last_trust, self.ended = None, None
        self.query_one("#watch-log", VerticalScroll).remove_children()
        self._follow(session_id, self.generation, self._stop)

    @work(thread=True, group="watch")
    def _follow(self, session_id: str | None, generation: int, stop: threading.Event) -> None:
        from simulator.session.follow import follow
        from simulator.session.store import Store

        def post(kind: str, payload=None) -> None:
            self.post_message(self.Update(generation, kind, payload))

        try:
            store = Store.open(self.options.db_url)
        except RapportError as exc:
            post("failed", str(exc))
            return
        try:
            sid = session_id
            while sid is None and not stop.is_set():
                running = store.list_sessions(status="running", limit=1)
                if running:
                    sid = running[0].id
                else:
                    post("waiting")
                    stop.wait(WAIT_S)
            if sid is None:
                return
            session = store.get(sid)
            post("following", session)
            for event in follow(store, session.id, stop=stop):
                post("event", event)
        except RapportError as exc:
            post("failed", str(exc))
        finally:
            store.close()

    # ---- what the follower reports --------------------------------------------------------------
    @on(Update)
    def _update(self, message: Update) -> None:
        if message.generation != self.generation:
            return  # from a follower that was replaced
        if message.kind == "waiting":
            self.query_one("#watch-title", Static).update(
                "No session is running yet: waiting for one to start (`rapport practice` in another terminal)…")
        elif message.kind == "failed":
            self.query_one("#watch-title", Static).update(plain(message.payload, style="bold red"))
            self.notify(message.payload, severity="error", timeout=10)
        elif message.kind == "following":
            self._following(message.payload)
        elif message.kind == "event":
            self._event(message.payload)

    def _following(self, session) -> None:
        s = session.summary
        self.session_id = s.id
        persona = persona_view(session.persona, s.persona_id)
        self.buyer_name = persona.name
        self.topics = wording.fact_topics(session.persona)
        self.title_parts = (s.id, persona.name, s.started_at)
        self.reps = list(s.reps[:1])
        self.rep_now = s.reps[0] if s.reps else None
        self._title()
        card = self.query_one("#watch-persona-card", Static)
        card.update(persona_summary(persona))
        card.add_class("shown")
        status = plain(f"{s.status} · read-only · F2 replays it · l other sessions")
        self.query_one("#watch-status", Static).update(status)

    def _title(self) -> None:
        """``Watching k7m2q9xa · Dave · rep Alex (after Sam) · started ...``: the rep in the hot seat now."""
        if self.title_parts is None:
            return
        sid, buyer, started = self.title_parts
        title = Text(f"Watching {clean(sid)}", style="bold")
        earlier = [r for r in self.reps if r != self.rep_now]
        after = f" (after {clean(', '.join(earlier))})" if earlier else ""
        title.append(f" · {buyer} · rep {clean(self.rep_now or '?')}{after} · started {when(started)} UTC",
                     style="dim")
        self.query_one("#watch-title", Static).update(title)

    def _rep_spoke(self, name: str | None) -> None:
        if name and name != self.rep_now:
            self.rep_now = name
            if name not in self.reps:
                self.reps.append(name)
            self._title()

    def _event(self, event: ev.Event) -> None:
        log = self.query_one("#watch-log", VerticalScroll)
        if isinstance(event, ev.TurnCompleted):
            if event.index in self.turns:
                return
            self.turns[event.index] = event.turn
            view = TurnView(event.turn, self.buyer_name, self.last_trust, topics=self.topics)
            self.anchors[event.index] = view
            log.mount(view)
            if event.turn.speaker == "rep":
                self._rep_spoke(event.turn.rep_name)
            if event.turn.speaker == "buyer" and event.turn.trust is not None:
                meter = self.query_one("#watch-trust", TrustMeter)
                meter.delta = 0 if self.last_trust is None else event.turn.trust - self.last_trust
                meter.trust = event.turn.trust
                self.last_trust = event.turn.trust
            self._meters()
        elif isinstance(event, ev.CoachAction):
            note = Static(plain(coach_line(event)), classes="turn coach")
            anchor = self.anchors.get(event.turn_index) if event.turn_index is not None else None
            if anchor is not None:  # under the turn it was made at, even when it arrives later
                log.mount(note, after=anchor)
                self.anchors[event.turn_index] = note
            else:
                log.mount(note)
            if event.kind == "handover":
                self._rep_spoke(event.text or event.rep_name)
                self._meters()
        elif isinstance(event, ev.SessionEnded):
            self.ended = event
            overall = (event.scorecard or {}).get("overall")
            score = f" · overall {overall}/100" if overall is not None else ""
            self.query_one("#watch-status", Static).update(
                plain(f"Session ended ({event.reason}){score} · F2 replays it · l other sessions", style="bold"))
        log.scroll_end(animate=False)

    def _meters(self) -> None:
        """The meters of the rep in the hot seat: after a hand-over, only their part of the session (their turns
        and the buyer's answers, as their own scorecard counts), and the title says whose turns they are."""
        rep = self.rep_now if len(self.reps) > 1 else None
        live = live_figures([self.turns[i] for i in sorted(self.turns)], rep=rep, default=self.reps[0] if self.reps
                            else "")
        self.query_one("#watch-meters-title", Label).update(plain(meters_title("The rep's meters", rep)))
        self.query_one("#watch-talk", Gauge).value = live.talk_share * 100
        self.query_one("#watch-questions", Gauge).value = live.questions
        self.query_one("#watch-listening", Gauge).value = live.listening
        self.query_one("#watch-transactional", Gauge).value = live.transactional

    # ---- intents -----------------------------------------------------------------------------
    def action_pick(self) -> None:
        self._list_running()

    @work(thread=True, exclusive=True, group="watch-list")
    def _list_running(self) -> None:
        from simulator.session.store import Store

        try:
            with Store.open(self.options.db_url) as store:
                running = store.list_sessions(status="running")
        except RapportError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._pick, running)

    def _pick(self, running: list) -> None:
        if not running:
            self.notify("No session is running right now.")
            return
        choices = [(s.id, f"{s.id}  {s.persona_id}  {', '.join(s.reps) or '?'}  {when(s.started_at)} UTC  "
                          f"{s.turn_count} turns") for s in running]  # fmt: skip

        def chosen(session_id: str | None) -> None:
            if session_id and session_id != self.session_id:
                self.follow(session_id)

        self.app.push_screen(Choose("Follow which running session?", choices), chosen)

    def action_replay(self) -> None:
        if self.session_id:
            self.app.action_open_replay(self.session_id)

    def action_back(self) -> None:
        leave(self.app)
