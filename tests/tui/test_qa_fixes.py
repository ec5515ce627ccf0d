"""What a new user ran into: native libraries scribbling over the screen, an empty screen after the
scorecard, a push-to-talk key that pretended to work in hands-free mode, a Start button out of reach
on an 80x24 terminal."""

from __future__ import annotations

import os
import sys

import pytest
from textual.widgets import Button, Input

from simulator.tui.app import AppOptions, make_app
from simulator.tui.screens.practice import PracticeScreen
from simulator.tui.screens.scorecard import ScorecardScreen
from simulator.tui.screens.start import StartScreen
from simulator.tui.terminal import native_stderr_to
from simulator.tui.widgets.turns import TurnView


async def wait_for(pilot, predicate, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("condition not reached")


def first_persona() -> str:
    from simulator.persona.loader import load_all

    return next(iter(load_all()[0]))


def test_native_stderr_goes_to_the_log_and_python_keeps_the_terminal(tmp_path, capfd):
    """ALSA's "underrun occurred" is written by C code to fd 2: it lands in the log, not on the
    screen, while what Python (Textual) writes to stderr still reaches the terminal."""
    log = tmp_path / "logs" / "native.log"
    with native_stderr_to(log) as where:
        assert where == log
        os.write(2, b"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\n")
        sys.__stderr__.write("drawn by the app\n")
        sys.__stderr__.flush()
    os.write(2, b"after the app\n")
    seen = capfd.readouterr().err
    assert "underrun" not in seen
    assert "drawn by the app" in seen and "after the app" in seen
    assert "underrun occurred" in log.read_text()


def test_native_stderr_unwritable_log_runs_as_before(tmp_path, capfd):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with native_stderr_to(blocker / "logs" / "native.log") as where:
        assert where is None
        os.write(2, b"still visible\n")
    assert "still visible" in capfd.readouterr().err


async def test_scorecard_back_goes_to_the_start_screen_when_practice_came_first():
    """``rapport practice --persona X``: Ctrl+E, then Esc must not leave an empty screen."""
    app = make_app(AppOptions(start="practice", persona=first_persona(), mode="typed", seed=1, save=False))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.query(TurnView))
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        assert app.screen.query_one("#personas").option_count >= 1


async def test_scorecard_back_after_the_start_screen_returns_to_it():
    app = make_app(AppOptions(seed=1, save=False))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("enter")
        app.screen.query_one("#rep-name", Input).value = "Sam"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.query(TurnView))
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        assert len(app.screen_stack) == 2  # the base screen and one start screen, not two


async def test_push_to_talk_key_in_hands_free_mode_says_so(monkeypatch):
    """F2 in hands-free voice does not pretend to open the microphone (the phase stays as it was)."""
    from simulator.tui.voice import VoiceBridge

    # no microphone needed for the key: the session starts as if the voice had spoken the opening line
    monkeypatch.setattr(VoiceBridge, "start", lambda self: self.session.start())
    app = make_app(AppOptions(start="practice", persona=first_persona(), mode="voice", seed=1, save=False))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.query(TurnView))
        screen = app.screen
        assert screen.voice is not None and not screen.voice.push_to_talk
        before = str(screen.query_one("#phase").render())
        await pilot.press("f2")
        await pilot.pause(0.2)
        assert screen.voice.talking is False
        assert str(screen.query_one("#phase").render()) == before
        assert any("Hands-free" in str(n.message) for n in app._notifications)


async def test_start_button_reachable_on_an_80x24_terminal(monkeypatch):
    monkeypatch.setattr("simulator.speech.health.voice_problem", lambda *a, **k: "Voice is off: no input device found")
    app = make_app(AppOptions(mode="voice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        button = app.screen.query_one("#start-button", Button)
        button.focus()
        note = app.screen.query_one("#voice-note")
        # The voice check ends in its own time (later on a busy machine): wait for its note, then look.
        await wait_for(pilot, lambda: "Voice is off" in str(note.render()))
        await wait_for(pilot, lambda: button.region.height > 0 and button.region.bottom <= 24 - 1)  # above the footer


async def test_voice_note_wraps_in_full_and_typed_is_preselected_without_a_microphone(monkeypatch):
    from textual.widgets import Label, RadioSet

    problem = ("Voice is off: no input device found. Fix: connect a microphone, start PulseAudio/PipeWire, "
               "or pick one with --device (see `rapport devices`); you can still type your turns.")
    monkeypatch.setattr("simulator.speech.health.voice_problem", lambda *a, **k: problem)
    app = make_app(AppOptions(mode="voice"))
    async with app.run_test(size=(140, 45)) as pilot:
        note = app.screen.query_one("#voice-note", Label)
        await wait_for(pilot, lambda: "Voice is off" in str(note.render()))
        await pilot.pause(0.1)
        assert note.region.height >= 2  # wrapped onto several lines
        assert note.region.width <= app.screen.query_one("#settings").region.width
        assert app.screen.query_one("#mode", RadioSet).pressed_button.id == "mode-typed"


async def test_practice_uses_the_chosen_microphone_and_falls_back_to_typing():
    """``rapport practice --device NAME``: a microphone that does not exist is one notification and
    typed practice goes on."""
    app = make_app(AppOptions(start="practice", persona=first_persona(), mode="voice", seed=1, save=False,
                              device="no-such-microphone-anywhere"))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: any("type your turns instead" in str(n.message) for n in app._notifications),
                       tries=400)
        message = next(str(n.message) for n in app._notifications if "type your turns instead" in str(n.message))
        assert "no-such-microphone-anywhere" in message or "PortAudio" in message
        screen = app.screen
        screen.query_one("#typed", Input).value = "What does a normal week look like for you?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.query(TurnView)) == 3)


def test_practice_command_offers_device_choice():
    from click.testing import CliRunner

    from simulator.commands.tui import practice

    out = CliRunner().invoke(practice, ["--help"]).output
    assert "--device" in out and "--output-device" in out


def test_loudspeakers_turns_barge_in_off_in_the_pipeline_settings(tmp_path, monkeypatch):
    """``--loudspeakers`` reaches the voice pipeline as ``barge_in=False``."""
    from click.testing import CliRunner

    import simulator.commands.tui as tui_command
    from simulator.tui.voice import VoiceBridge

    seen = []
    monkeypatch.setattr(tui_command, "_run", seen.append)
    result = CliRunner().invoke(tui_command.practice, ["--persona", first_persona(), "--loudspeakers",
                                                       "--device", "USB", "--output-device", "3"])
    assert result.exit_code == 0, result.output
    options = seen[0]
    assert (options.barge_in, options.loudspeakers, options.device, options.output_device) == (False, True, "USB", "3")

    captured = {}

    def fake_build(session, persona_voice, setup, events):
        captured["setup"] = setup
        raise RuntimeError("stop here")

    monkeypatch.setattr("simulator.speech.run.build_pipeline", fake_build)

    class App:
        relay = staticmethod(lambda event: None)

    class Session:
        session_id = "s1"
        persona = type("P", (), {"voice": None})()

    bridge = VoiceBridge(App(), Session(), options)
    with pytest.raises(RuntimeError, match="stop here"):
        bridge._build()
    setup = captured["setup"]
    assert setup.loudspeakers is True and setup.barge_in is False
    assert (setup.device, setup.output_device) == ("USB", "3")


async def test_start_button_stays_on_screen_when_the_voice_note_appears_after_focus(monkeypatch):
    """The voice check finishes whenever it finishes: a note that appears after the rep has focused
    Start must not push Start off an 80x24 screen (this was the cause of an order-dependent failure)."""
    monkeypatch.setattr("simulator.speech.health.voice_problem", lambda *a, **k: None)
    app = make_app(AppOptions(mode="voice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        button = screen.query_one("#start-button", Button)
        button.focus()
        await pilot.pause(0.2)
        screen._show_voice_problem("Voice is off: no input device found. Fix: connect a microphone, start "
                                   "PulseAudio/PipeWire, or pick one with --device (see `rapport devices`)")
        await wait_for(pilot, lambda: button.region.height > 0 and button.region.bottom <= 24 - 1)
