"""The Textual app: screens, the event relay, and what happens when a screen asks for something.

``make_app(options)`` is shared by the command line and the tests (pilot and snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from textual import on
from textual.app import App
from textual.binding import Binding

from simulator.session.events import Event
from simulator.tui.commands_palette import KeysProvider
from simulator.tui.messages import SessionEvent


@dataclass
class AppOptions:
    """What the command line asked for. ``start`` is the first screen: start, practice, replay,
    watch or progress."""

    start: str = "start"
    persona: str | None = None
    rep_name: str = ""
    mode: str = "typed"  # voice | ptt | typed
    engine: str = "offline"
    #: the command line named ``--engine``: a retry uses it instead of the engine of the session it retries
    engine_given: bool = False
    hints: bool = True
    exam: bool = False
    audio_file: Path | None = None
    personas_dirs: tuple[Path, ...] = ()
    db_url: str | None = None
    seed: int | None = None
    save: bool = True
    session_id: str | None = None
    rep_filter: str | None = None
    #: microphone and buyer-voice output (index or part of the name); None: the system default
    device: str | None = None
    output_device: str | None = None
    #: the buyer stops when the rep talks over it
    barge_in: bool = True
    #: open speakers in a room: the microphone closes while the buyer speaks (no barge-in)
    loudspeakers: bool = False
    #: ``--stt-model``: for ``simulator.speech.transcriber.make_transcriber`` (None: RAPPORT_STT_MODEL or the default)
    stt_model: str | None = None
    extra: dict = field(default_factory=dict)


class EventRelay:
    """An event sink that forwards to whichever screen is showing the session (any thread)."""

    def __init__(self) -> None:
        self.target = None

    def __call__(self, event: Event) -> None:
        target = self.target
        if target is not None:
            target.post_message(SessionEvent(event))


class RapportApp(App):
    CSS_PATH = ["rapport.tcss", "history.tcss"]
    COMMANDS = App.COMMANDS | {KeysProvider}
    TITLE = "Rapport"
    SUB_TITLE = "practise asking and listening"
    BINDINGS = [Binding("question_mark", "help", "Help", key_display="?"), Binding("ctrl+q", "quit", "Quit")]

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions()
        self.relay = EventRelay()
        self.last_choice: AppOptions | None = None
        #: the team rubrics the start screen offers, by name
        self.rubrics: dict = {}

    def notify(self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every notification (screens' and widgets' ``notify`` come here) shows its text exactly as
        written: never read as markup (messages carry names, paths and LLM problems, and no message
        here uses markup), control characters removed."""
        from simulator.tui.plain import clean

        super().notify(clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False)

    # ---- first screen -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        start = self.options.start
        if start == "practice" and self.options.persona:
            self.begin_practice(self.options)
        elif start == "replay":
            self.action_open_replay(self.options.session_id)
        elif start == "watch":
            self.action_open_watch(self.options.session_id)
        elif start == "progress":
            self.action_open_progress()
        else:
            self.show_start()

    def show_start(self) -> None:
        from simulator.persona.loader import load_all
        from simulator.session.rubrics import available
        from simulator.tui.screens.start import StartScreen

        personas, warnings = load_all(self.options.personas_dirs)
        found, rubric_warnings = available()  # as `rapport rubrics list` shows them
        self.rubrics = {name: rubric for name, (rubric, _where) in found.items()}
        given = self.options.extra.get("rubric")  # --rubric (a name, or a file outside the rubrics folders)
        if given is not None:
            self.rubrics[given.name] = given
        self.push_screen(StartScreen(personas, warnings, rep_name=self.options.rep_name, mode=self.options.mode,
                                     engine=self.options.engine, hints=self.options.hints,
                                     device=self.options.device, rubrics=self.rubrics,
                                     rubric=given.name if given is not None else "default",
                                     rubric_warnings=rubric_warnings))

    # ---- practice ------------------------------------------------------------------------------------
    @on(SessionEvent)
    def _stray_event(self, message: SessionEvent) -> None:
        """Events that arrive when no practice screen is showing are dropped."""

    def on_start_screen_start_requested(self, message) -> None:
        extra = {k: v for k, v in self.options.extra.items() if k != "rubric"}
        rubric = self.rubrics.get(message.rubric)
        if rubric is not None and not rubric.is_default:
            extra["rubric"] = rubric  # the session is scored under it (and stored with its name and hash)
        choice = replace(self.options, persona=message.persona_id, rep_name=message.rep_name, mode=message.mode,
                         engine=message.engine, hints=message.hints, extra=extra)
        self.begin_practice(choice)

    def begin_practice(self, options: AppOptions) -> None:
        """Show the practice screen at once; the session (store, engine, voice) opens in its worker."""
        from simulator.errors import RapportError
        from simulator.persona.loader import get
        from simulator.tui.screens.practice import PracticeScreen

        self.last_choice = options
        try:
            persona = get(options.persona, options.personas_dirs)
        except RapportError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            self.practice_failed()
            return

        def opener():
            from simulator.session.start import open_practice

            if options.extra.get("drill") is not None:  # a drill ("": the one for the rep's weakest figure)
                from simulator.session.drills import open_drill

                session = open_drill(options.extra["drill"] or None, persona_id=options.persona,
                                     rep_name=options.rep_name, seed=options.seed, db_url=options.db_url,
                                     save=options.save, sinks=[self.relay], personas_dirs=options.personas_dirs)
                return session, self._voice(options, session)
            if options.extra.get("retry_from"):  # a retry from a moment of a stored session
                from simulator.session.branch import open_branch

                # the retried session's engine (with its stored settings) and rubric, unless the command line
                # named them
                session = open_branch(options.extra["retry_from"], engine=options.engine if options.engine_given
                                      else None, rep_name=options.rep_name,
                                      db_url=options.db_url, save=options.save, sinks=[self.relay],
                                      settings={"mode": options.mode, "hints": options.hints, "exam": options.exam},
                                      engine_settings=options.extra.get("model") and {"model": options.extra["model"]},
                                      rubric=options.extra.get("rubric"))
                return session, self._voice(options, session)
            session = open_practice(persona_id=options.persona, engine=options.engine, rep_name=options.rep_name,
                                    seed=options.seed, personas_dirs=options.personas_dirs,
                                    db_url=options.db_url, save=options.save, sinks=[self.relay],
                                    settings={"mode": options.mode, "hints": options.hints, "exam": options.exam},
                                    engine_settings=options.extra.get("model") and {"model": options.extra["model"]},
                                    rubric=options.extra.get("rubric"))
            return session, self._voice(options, session)

        voice = options.mode != "typed" or options.audio_file is not None
        self.push_screen(PracticeScreen(persona, opener, hints=options.hints, exam=options.exam, voice=voice))

    def practice_failed(self) -> None:
        """A session that could not open: back to where the user chose it (or the start screen)."""
        from simulator.tui.screens.practice import PracticeScreen

        if isinstance(self.screen, PracticeScreen):
            self.pop_screen()
        if len(self.screen_stack) <= 1:
            self.show_start()

    def _voice(self, options: AppOptions, session):
        if options.mode == "typed" and options.audio_file is None:
            return None
        from simulator.tui.voice import VoiceBridge

        return VoiceBridge(self, session, options)

    def show_scorecard(self, session) -> None:
        from simulator.tui.screens.scorecard import ScorecardScreen

        title = f"Scorecard: {session.persona.name}"
        # a retry (simulator.session.branch) knows the session it retries: its scorecard starts with the comparison
        retry_of = getattr(session, "parent_id", "") or None
        db_url = (self.last_choice or self.options).db_url
        whole = session.scorecard()  # a group's rep scorecards keep its moments' suggestions; shown first
        cards = session.scorecards_by_rep(whole)
        self.switch_screen(ScorecardScreen(cards, title=title, session_id=session.session_id, retry_of=retry_of,
                                           db_url=db_url, whole=whole))

    def action_practise_again(self) -> None:
        if self.last_choice is not None:
            self.pop_screen()
            self.begin_practice(self.last_choice)

    def action_drill(self, key: str = "") -> None:
        """A drill on the rep's weakest figure (or drill ``key``), in the practice screen."""
        from simulator.errors import RapportError
        from simulator.persona.loader import load_all
        from simulator.session.drills import BY_KEY, weakest
        from simulator.session.store import Store

        base = self.last_choice or self.options
        try:
            if key:
                chosen = BY_KEY[key]
            else:
                with Store.open(base.db_url, read=True) as store:
                    chosen, _ = weakest(store, base.rep_name or None)
        except (RapportError, KeyError) as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        personas = [p for p in load_all(base.personas_dirs)[0].values() if p.concerns or chosen.opening != "concern"]
        persona = base.persona if base.persona else (personas[0].id if personas else None)
        extra = {k: v for k, v in base.extra.items() if k not in ("retry_from", "drill")}
        self.notify(f"Drill: {chosen.title}. {chosen.brief}", timeout=15)
        self.begin_practice(replace(base, start="practice", persona=persona, audio_file=None,
                                    extra={**extra, "drill": chosen.key}))

    def action_retry(self, session_id: str, turn: int | None = None) -> None:
        """Practise a moment of a stored session again (turn: 1-based rep turn; None: its costliest moment)."""
        from simulator.errors import RapportError
        from simulator.session.store import Store

        try:
            with Store.open(self.options.db_url, read=True) as store:
                parent = store.get(session_id)
        except RapportError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        base = self.last_choice or self.options
        ref = parent.id if turn is None else f"{parent.id}:{turn}"
        # the engine and rubric are the retried session's unless the command line named them (not the last
        # practice's choice on the start screen, which may have been another session's)
        extra = {k: v for k, v in base.extra.items() if k not in ("retry_from", "drill", "rubric")}
        if "rubric" in self.options.extra:
            extra["rubric"] = self.options.extra["rubric"]
        self.begin_practice(replace(base, start="practice", persona=parent.summary.persona_id, audio_file=None,
                                    save=True, engine_given=self.options.engine_given, engine=self.options.engine,
                                    extra={**extra, "retry_from": ref}))

    # ---- other screens ----------------------------------------------------------------------------------
    def action_open_replay(self, session_id: str | None = None) -> None:
        from simulator.tui.screens.replay import ReplayScreen

        self.push_screen(ReplayScreen(self.options, session_id=session_id))

    def action_open_watch(self, session_id: str | None = None) -> None:
        from simulator.tui.screens.watch import WatchScreen

        self.push_screen(WatchScreen(self.options, session_id=session_id))

    def action_open_progress(self) -> None:
        from simulator.tui.screens.progress import ProgressScreen

        self.push_screen(ProgressScreen(self.options, rep=self.options.rep_filter))

    def action_help(self) -> None:
        from simulator.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())


def make_app(options: AppOptions | None = None) -> RapportApp:
    return RapportApp(options)
