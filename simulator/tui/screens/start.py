"""The start screen: choose a buyer, your name, how you will speak, the engine and the rubric to be scored by."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, RadioButton, RadioSet, Select, Switch
from textual.widgets.option_list import Option

from simulator.tui.plain import clean, plain

MODES = (("voice", "Hands-free voice"), ("ptt", "Push-to-talk"), ("typed", "Typed"))


def persona_option(persona) -> Option:
    text = Text(clean(persona.name), style="bold")
    text.append(f" [{clean(persona.difficulty)}]", style="dim")  # beside the name: never alone on a line
    text.append(f"  {clean(persona.role)}, {clean(persona.company)}")
    text.append(f"\n  {clean(persona.industry)}: {clean(persona.situation)}", style="italic")
    return Option(text, id=persona.id)


def rubric_note(rubric) -> Text:
    """What the rubric picker says under the chosen name: its title and pass mark."""
    mark = "no pass mark" if rubric.pass_mark is None else f"pass mark {rubric.pass_mark:g}"
    return plain(f"{rubric.title or rubric.name} · {mark}")


class StartScreen(Screen):
    """Shows the personas as cards and the practice settings; sends ``StartRequested``."""

    BINDINGS = [
        Binding("ctrl+s", "start", "Start practice"),
        Binding("f2", "app.open_replay", "Replay"),
        Binding("f3", "app.open_progress", "Progress"),
    ]

    class StartRequested(Message):
        def __init__(self, persona_id: str, rep_name: str, mode: str, engine: str, hints: bool,
                     rubric: str = "default") -> None:
            super().__init__()
            self.persona_id, self.rep_name, self.mode, self.engine, self.hints, self.rubric = (
                persona_id, rep_name, mode, engine, hints, rubric)

    def __init__(self, personas: dict, warnings: list[str], *, rep_name: str = "", mode: str = "typed",
                 engine: str = "offline", hints: bool = True, device: str | None = None,
                 rubrics: dict | None = None, rubric: str = "default", rubric_warnings: list[str] = ()) -> None:
        """``rubrics``: name -> :class:`~simulator.conversation.rubric.Rubric` (``rapport rubrics list``; the
        built-in default alone when None), ``rubric`` the name preselected."""
        super().__init__()
        self.personas = personas
        self.warnings = warnings
        if rubrics is None:
            from simulator.conversation.rubric import DEFAULT

            rubrics = {DEFAULT.name: DEFAULT}
        self.rubrics = rubrics
        self.rubric_warnings = list(rubric_warnings)
        self.defaults = {"rep_name": rep_name, "mode": mode, "engine": engine, "hints": hints,
                         "rubric": rubric if rubric in rubrics else next(iter(rubrics))}
        self.device = device

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="start"):
            with Vertical(id="persona-pane"):
                yield Label("Choose your buyer", classes="title")
                yield OptionList(*(persona_option(p) for p in self.personas.values()), id="personas")
                for warning in self.warnings:
                    yield Label(plain(warning), classes="warning")
            with Vertical(id="settings-pane"):
                # The form scrolls on small terminals (80x24); Start sits below it, always on screen,
                # whatever appears in the form later (the voice note arrives when the check finishes).
                with VerticalScroll(id="settings", can_focus=False):  # Tab goes to the name, not the box
                    yield Label("Your name", classes="title")
                    yield Input(value=clean(self.defaults["rep_name"]), placeholder="e.g. Sam", id="rep-name")
                    yield Label("How you will speak", classes="title")
                    with RadioSet(id="mode"):
                        for key, label in MODES:
                            yield RadioButton(label, value=key == self.defaults["mode"], id=f"mode-{key}")
                    yield Label("", classes="warning", id="voice-note")
                    yield Label("Buyer engine", classes="title")
                    yield Select([("Offline (no network)", "offline"), ("OpenAI-compatible LLM", "openai")],
                                 value=self.defaults["engine"], allow_blank=False, id="engine")
                    yield Label("Scored by (team rubric)", classes="title")
                    yield Select([(plain(name), name) for name in self.rubrics],
                                 value=self.defaults["rubric"], allow_blank=False, id="rubric")
                    yield Label(rubric_note(self.rubrics[self.defaults["rubric"]]), id="rubric-note")
                    for warning in self.rubric_warnings:
                        yield Label(plain(warning), classes="warning")
                    with Horizontal(classes="switch-row"):
                        yield Switch(value=self.defaults["hints"], id="hints")
                        yield Label("Live hints")
                yield Button("Start practice", variant="primary", id="start-button")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#personas", OptionList).focus()
        if self.personas:
            self.query_one("#personas", OptionList).highlighted = 0
        # After the first paint: the check imports the audio stack, which would hold the GIL meanwhile.
        self.call_after_refresh(self._check_voice)

    @work(thread=True, exit_on_error=False)
    def _check_voice(self) -> None:
        """Whether voice can run here (PortAudio, a microphone, the model), off the UI thread."""
        from simulator.speech.health import voice_problem

        problem = voice_problem(self.device)
        if problem:
            self.app.call_from_thread(self._show_voice_problem, problem)

    def _show_voice_problem(self, problem: str) -> None:
        """The one-line reason (and fix) under the modes; without a microphone, Typed is preselected."""
        text = problem.rstrip(".")
        if "type" not in text.lower():
            text += "; typed works"
        note = self.query_one("#voice-note", Label)
        note.update(plain(f"{text}."))
        note.display = True
        if problem.startswith("Voice is off"):
            self.query_one("#mode-typed", RadioButton).value = True
        # The note pushes the form down: keep the control the rep is on in view.
        focused = self.focused
        if focused is not None and self.query_one("#settings") in focused.ancestors:
            self.call_after_refresh(focused.scroll_visible, animate=False)

    @on(Select.Changed, "#rubric")
    def _rubric_chosen(self, event: Select.Changed) -> None:
        rubric = self.rubrics.get(str(event.value))
        if rubric is not None:
            self.query_one("#rubric-note", Label).update(rubric_note(rubric))

    def _mode(self) -> str:
        pressed = self.query_one("#mode", RadioSet).pressed_button
        return pressed.id.removeprefix("mode-") if pressed and pressed.id else "typed"

    @on(OptionList.OptionSelected, "#personas")
    def _persona_chosen(self) -> None:
        self.query_one("#rep-name", Input).focus()

    @on(Input.Submitted, "#rep-name")
    @on(Button.Pressed, "#start-button")
    def action_start(self) -> None:
        options = self.query_one("#personas", OptionList)
        if options.highlighted is None:
            self.notify("Choose a buyer first.", severity="warning")
            return
        persona_id = options.get_option_at_index(options.highlighted).id
        self.post_message(self.StartRequested(
            persona_id=persona_id,
            rep_name=self.query_one("#rep-name", Input).value.strip() or "Rep",
            mode=self._mode(),
            engine=str(self.query_one("#engine", Select).value),
            hints=self.query_one("#hints", Switch).value,
            rubric=str(self.query_one("#rubric", Select).value),
        ))
