"""The practice screen: the conversation as it happens, the buyer's card and the live meters.

It only shows state and sends intents: the practice loop (``simulator.session.loop``) and the
voice pipeline do the work in worker threads and report through events, which arrive here as
``SessionEvent`` messages on the UI thread.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from simulator.conversation.live import TALK_SHARE_REFERENCE, live_figures
from simulator.conversation.moves import TRANSACTIONAL
from simulator.session import events as ev
from simulator.tui.messages import SessionEvent
from simulator.tui.plain import plain
from simulator.tui.screens.dialogs import AskText, Choose
from simulator.tui.widgets.meters import Gauge, LevelMeter, TrustMeter, meters_title
from simulator.tui.widgets.persona_card import PersonaCard
from simulator.tui.widgets.timeline import coach_line
from simulator.tui.widgets.turns import TurnView

PHASES = {
    "idle": "ready",
    "loading": "loading the speech model…",
    "listening": "listening",
    "hearing": "hearing you",
    "transcribing": "transcribing",
    "thinking": "buyer thinking",
    "speaking": "buyer speaking",
    "paused": "paused",
    "ended": "session ended",
}
STEERS = [("concern", "Raise a concern next"), ("harder", "Make the buyer harder"), ("softer", "Make the buyer softer"),
          ("normal", "Back to the buyer's normal")]
COACH_KEYS = "coach: F5 note · F6/F7 flag good/bad · F8 steer · F9 pause · F10 next rep"
#: What Ctrl+Q offers during a session.
LEAVE = [("end", "End the session and show the scorecard"), ("quit", "Quit without a scorecard (kept as interrupted)"),
         ("stay", "Keep practising")]


class PracticeScreen(Screen):
    """One live practice session."""

    #: below 30 rows the side panel drops its margins and the reference line (rapport.tcss: ``.-short``)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    BINDINGS = [
        Binding("f2", "talk", "Talk (push-to-talk)"),
        Binding("f3", "mute", "Mute buyer"),
        Binding("f4", "toggle_hints", "Hints"),
        # the coach's keys are listed under the input (the footer cannot hold them all at 80 columns)
        Binding("f5", "note", "Coach note", show=False),
        Binding("f6", "flag('good')", "Flag good", show=False),
        Binding("f7", "flag('bad')", "Flag bad", show=False),
        Binding("f8", "steer", "Steer buyer", show=False),
        Binding("f9", "pause", "Pause", show=False),
        Binding("f10", "hand_over", "Next rep", show=False),
        Binding("ctrl+e", "end", "End session", priority=True),
        Binding("ctrl+q", "leave", "Quit", priority=True),
    ]

    def __init__(self, persona, opener, *, hints: bool = True, exam: bool = False, voice: bool = True) -> None:
        """``opener()`` returns ``(session, voice or None)``; it runs in a worker after the first paint
        (opening the store and the buyer engine takes a moment) and may raise RapportError.  ``voice``
        False (typed mode) hides the voice-only controls: the microphone meter and F2 Talk."""
        super().__init__()
        self.voice_mode = voice
        self.fact_topics = {f.id: f.topic for f in getattr(persona, "facts", None) or []}
        self.persona = persona
        self.opener = opener
        self.session = None
        self.voice = None
        self.hints = hints and not exam
        self.exam = exam
        self.muted = False
        self.paused = False
        self._last_trust: float | None = None

    # ---- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        persona = self.persona
        yield Header()
        with Horizontal(id="practice"):
            with Vertical(id="conversation"):
                yield VerticalScroll(id="log")
                yield Static("", id="partial")
                yield Static("", id="hint")
                yield Input(placeholder="Type what you'd say, Enter sends", id="typed")
                yield Static(COACH_KEYS, id="coach-keys", classes="dim")
            # everything fits an 80x24 terminal (short screens drop the margins and the reference line); on a
            # smaller one the panel scrolls rather than cut off the meters
            with VerticalScroll(id="sidebar", can_focus=False):
                yield PersonaCard(persona, id="persona-card")
                yield TrustMeter(id="trust")
                yield Label(PHASES["idle"], id="phase")
                level = LevelMeter(id="level")
                level.display = self.voice_mode
                yield level
                yield Label("Your meters", classes="title", id="meters-title")
                yield Gauge("talk share", maximum=100, threshold=TALK_SHARE_REFERENCE * 100 + 7, good="low",
                            fmt="{:.0f}%", id="talk-share")
                yield Label(f"  reference: top reps ~{TALK_SHARE_REFERENCE:.0%}", classes="dim", id="talk-reference")
                yield Gauge("questions", maximum=14, threshold=1, id="questions")
                yield Gauge("listening", maximum=10, threshold=1, id="listening")
                yield Gauge("pitch/close", maximum=10, threshold=0, good="low", id="transactional")
                yield Gauge("monologue", maximum=150, threshold=112, good="low", fmt="{:.0f} words", id="monologue")
                yield Label("", id="rep-name", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        self.session_relay_target(self)
        self.query_one("#typed", Input).focus()
        self.query_one("#phase", Label).update("getting ready…")
        self._start()

    def session_relay_target(self, target) -> None:
        relay = getattr(self.app, "relay", None)
        if relay is not None:
            relay.target = target

    # ---- work in threads ----------------------------------------------------------------------
    @work(thread=True, group="session")
    def _start(self) -> None:
        from simulator.errors import RapportError

        try:
            session, voice = self.opener()
        except RapportError as exc:
            self.app.call_from_thread(self._could_not_open, str(exc))
            return
        self.app.call_from_thread(self._opened, session, voice)
        if voice is not None:
            voice.start()  # the buyer's voice speaks the opening line once the models are loaded
        else:
            session.start()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Voice-only keys are hidden in typed mode."""
        return action != "talk" or self.voice_mode

    def _opened(self, session, voice) -> None:
        self.session, self.voice = session, voice
        if voice is None and self.voice_mode:  # typed after all: no microphone to show
            self.voice_mode = False
            self.query_one("#level", LevelMeter).display = False
            self.refresh_bindings()
        self.query_one("#rep-name", Label).update(plain(f"in the hot seat: {session.rep_name or 'you'}"))
        if self.muted and voice is not None:
            voice.set_muted(True)

    def _could_not_open(self, message: str) -> None:
        self.notify(message, severity="error", timeout=10)
        self.call_after_refresh(self.app.practice_failed)  # once this screen has finished mounting

    def _ready(self) -> bool:
        if self.session is None:
            self.notify("Still getting the buyer ready…")
            return False
        return True

    @work(thread=True, group="session")
    def _rep_turn(self, text: str) -> None:
        self.session.rep_turn(text)

    # ---- events from the session ----------------------------------------------------------------
    @on(SessionEvent)
    def _on_event(self, message: SessionEvent) -> None:
        event = message.event
        if isinstance(event, ev.TurnCompleted):
            self._add_turn(event.turn)
        elif isinstance(event, ev.PhaseChanged):
            self.query_one("#phase", Label).update(PHASES.get(event.phase, event.phase))
            if event.phase in ("listening", "thinking"):
                self.query_one("#partial", Static).update("")
        elif isinstance(event, ev.Level):
            self.query_one("#level", LevelMeter).level = event.rms
        elif isinstance(event, ev.PartialText):
            self.query_one("#partial", Static).update(plain(f"… {event.text}"))
        elif isinstance(event, ev.BuyerChunk):
            partial = self.query_one("#partial", Static)
            partial.update(plain(f"{self.persona.name}: {event.text}"))
        elif isinstance(event, ev.Hint):
            if self.hints:
                self.query_one("#hint", Static).update(plain(f"hint: {event.text}"))
        elif isinstance(event, ev.Problem):
            self.notify(event.message, severity="warning", timeout=8)
        elif isinstance(event, ev.CoachAction):
            self._add_coach(event)
        elif isinstance(event, ev.SessionEnded):
            self.query_one("#phase", Label).update(PHASES["ended"])

    def _add_turn(self, turn) -> None:
        log = self.query_one("#log", VerticalScroll)
        log.mount(TurnView(turn, self.persona.name, self._last_trust, topics=self.fact_topics))
        log.scroll_end(animate=False)
        if turn.speaker == "buyer" and turn.trust is not None:
            meter = self.query_one("#trust", TrustMeter)
            meter.delta = 0 if self._last_trust is None else turn.trust - self._last_trust
            meter.trust = turn.trust
            self._last_trust = turn.trust
            self.query_one("#partial", Static).update("")
        if turn.speaker == "rep" and not (set(turn.labels) & TRANSACTIONAL):
            self.query_one("#hint", Static).update("")
        self._update_meters()

    def _add_coach(self, event: ev.CoachAction) -> None:
        log = self.query_one("#log", VerticalScroll)
        log.mount(Static(plain(coach_line(event)), classes="turn coach"))
        log.scroll_end(animate=False)
        if event.kind == "handover" and event.rep_name:
            self.query_one("#rep-name", Label).update(plain(f"in the hot seat: {event.rep_name}"))
            self._update_meters()

    def _update_meters(self) -> None:
        """The meters of the rep in the hot seat: after a hand-over, only their own part of the session (their
        turns and the buyer's answers), the part their scorecard is built from, and the title says so."""
        session = self.session
        rep = session.rep_name if any(e.kind == "handover" for e in session.coach_events) else None
        live = live_figures(session.turns, rep=rep, default=getattr(session, "first_rep", None) or "")
        self.query_one("#meters-title", Label).update(plain(meters_title("Your meters", rep)))
        self.query_one("#talk-share", Gauge).value = live.talk_share * 100
        self.query_one("#questions", Gauge).value = live.questions
        self.query_one("#listening", Gauge).value = live.listening
        self.query_one("#transactional", Gauge).value = live.transactional
        monologue = self.query_one("#monologue", Gauge)
        timed = live.monologue_unit == "s"
        monologue.fmt = "{:.0f} " + ("s" if timed else "words")
        # the scorecard's limit: 45 s, or about 112 words at 150 words a minute
        monologue.maximum, monologue.threshold = (60, 45) if timed else (150, 112)
        monologue.value = live.monologue
        monologue.refresh()  # the unit may have changed while the value did not

    # ---- intents ------------------------------------------------------------------------------
    @on(Input.Submitted, "#typed")
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if not text:
            return
        if not self._ready():
            return
        if self.paused:
            self.notify("The session is paused (F9 resumes).", severity="warning")
            return
        if self.session.state.ended:
            self.notify("The buyer has ended the meeting. Ctrl+E shows your scorecard.")
            return
        self._rep_turn(text)

    def action_talk(self) -> None:
        if self.voice is None:
            self.notify("Voice is off in this session: type instead.", severity="warning")
            return
        if not self.voice.push_to_talk:
            self.notify("Hands-free: just speak, the turn ends when you pause (F9 pauses the microphone).")
            return
        self.voice.toggle_talk()

    def action_mute(self) -> None:
        self.muted = not self.muted
        if self.voice is not None:
            self.voice.set_muted(self.muted)
        self.notify("Buyer voice muted." if self.muted else "Buyer voice on.")

    def action_toggle_hints(self) -> None:
        if self.exam:
            self.notify("Exam mode: hints stay hidden.")
            return
        self.hints = not self.hints
        if not self.hints:
            self.query_one("#hint", Static).update("")
        self.notify("Hints on." if self.hints else "Hints hidden.")

    def action_note(self) -> None:
        if not self._ready():
            return

        def done(text: str | None) -> None:
            if text:
                self.session.coach("note", text)
        self.app.push_screen(AskText("Coach note on this moment"), done)

    def action_flag(self, verdict: str) -> None:
        if not self._ready():
            return
        self.session.coach(f"flag_{verdict}", "")

    def action_steer(self) -> None:
        if not self._ready():
            return

        def done(choice: str | None) -> None:
            if choice:
                self.session.coach("steer", choice)
        self.app.push_screen(Choose("Steer the buyer", STEERS), done)

    def action_pause(self) -> None:
        if not self._ready():
            return
        self.paused = not self.paused
        self.session.coach("pause" if self.paused else "resume", "")
        if self.voice is not None:
            self.voice.set_paused(self.paused)
        self.query_one("#phase", Label).update(PHASES["paused" if self.paused else "idle"])

    def action_hand_over(self) -> None:
        if not self._ready():
            return

        def done(name: str | None) -> None:
            if name:
                self.session.hand_over(name)
        self.app.push_screen(AskText("Hand over to the next rep", "their name"), done)

    def action_end(self) -> None:
        if self._ready():
            self._finish()

    def action_leave(self) -> None:
        """Ctrl+Q: ask whether to end and score the session, quit without a scorecard, or stay."""
        if self.session is None or self.session.ended:
            self.app.exit()
            return

        def chosen(choice: str | None) -> None:
            if choice == "end":
                self._finish()
            elif choice == "quit":
                self._quit_unscored()
        self.app.push_screen(Choose("Leave this session?", LEAVE), chosen)

    @work(thread=True, exclusive=True, group="finish")
    def _quit_unscored(self) -> None:
        if self.voice is not None:
            self.voice.stop()
        recorder = getattr(self.session, "recorder", None)
        if recorder is not None:
            recorder.close("interrupted", "quit")
        self.app.call_from_thread(self.app.exit)

    @work(thread=True, exclusive=True, group="finish")
    def _finish(self) -> None:
        if self.voice is not None:
            self.voice.stop()
        if not self.session.ended:
            self.session.end("finished")
        self.app.call_from_thread(self.app.show_scorecard, self.session)
