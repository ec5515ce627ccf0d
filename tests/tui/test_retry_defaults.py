"""`rapport practice --from SESSION:TURN` retries with the session's own engine (the LLM buyer, with the settings
stored with the session) and rubric by default; an explicit --engine / --rubric overrides them.  The options
come from the real command (the app's launch is replaced by a capture), the app runs them in a pilot, and the
LLM buyer is a real HTTP server streaming scripted words (tests/llm_server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input

from simulator.cli import cli
from simulator.persona.llm_settings import LLMSettings
from simulator.session.rubrics import load
from simulator.session.start import open_practice
from simulator.session.store import Store
from simulator.tui.app import make_app
from simulator.tui.screens.practice import PracticeScreen
from simulator.tui.screens.scorecard import ScorecardScreen
from simulator.tui.widgets.turns import TurnView
from tests.llm_server import fault_server  # noqa: F401 - fixture
from tests.tui.history_seed import wait_for

RUBRICS = Path(__file__).resolve().parents[2] / "docs" / "rubrics"
LINES = ["Thanks for making the time today, Rosa.", "How do the custom orders come in at the moment?",
         "Our app fixes all of that, sign up today."]
ANSWERS = ["Oh, it's no trouble, come in.", "Mostly on the phone, and on paper.", "Hmm. I'm not sure about that."]


@pytest.fixture
def llm_parent(fault_server, monkeypatch):  # noqa: F811
    """A session answered by the LLM buyer (model "parent-model", the fault server, 7 s timeout), scored under
    the discovery-first rubric; returns its id."""
    monkeypatch.setenv("RAPPORT_RUBRICS", str(RUBRICS))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-stored")
    settings = LLMSettings(model="parent-model", base_url=fault_server.url("script"), api_key="sk-test-never-stored",
                           timeout_s=7).checked()
    fault_server.script.extend(ANSWERS)
    session = open_practice(persona_id="bakery-owner", engine="openai", engine_settings=settings, seed=4,
                            rubric=load("discovery-first"))
    session.start()
    for line in LINES:
        session.rep_turn(line)
    session.end()
    session.recorder.store.close()
    return session.session_id


def options_of(monkeypatch, *args: str):
    """The AppOptions `rapport practice ARGS` would open the app with."""
    captured = []
    monkeypatch.setattr("simulator.commands.tui._run", captured.append)
    result = CliRunner().invoke(cli, ["practice", *args])
    assert result.exit_code == 0, result.output
    return captured[0]


def test_the_session_stores_how_it_reached_the_llm_never_the_key(llm_parent):
    with Store.open() as store:
        parent = store.get(llm_parent)
    assert parent.summary.engine == "openai"
    stored = parent.settings["llm"]
    assert stored["model"] == "parent-model" and stored["timeout_s"] == 7 and stored["reply_limit"] == 120
    assert stored["base_url"].startswith("http://127.0.0.1:")
    assert "sk-test-never-stored" not in repr(parent.settings) and "api_key" not in stored


async def test_practice_from_uses_the_sessions_llm_engine_and_rubric(llm_parent, fault_server, monkeypatch):  # noqa: F811
    options = options_of(monkeypatch, "--from", f"{llm_parent}:6", "--text")
    assert not options.engine_given and options.persona == "bakery-owner"
    app = make_app(options)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.session is not None
                       and len(app.screen.query(TurnView)) == 5)
        session = app.screen.session
        assert session.engine.name == "openai"
        assert (session.engine.settings.model, session.engine.settings.base_url, session.engine.settings.timeout_s) \
            == ("parent-model", fault_server.url("script"), 7.0)
        assert session.rubric.name == "discovery-first"
        fault_server.script.append("Well, the mornings are chaos, honestly.")
        app.screen.query_one("#typed", Input).value = "What does a busy morning look like for you?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen.query(TurnView)) == 7)
        assert session.turns[-1].text == "Well, the mornings are chaos, honestly."  # the LLM answered
        retry_id = session.session_id
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        assert "(discovery-first, " in str(app.screen.query_one(".rubric-line").render())
    with Store.open() as store:
        retry = store.get(retry_id)
    assert retry.summary.engine == "openai" and retry.settings["llm"]["model"] == "parent-model"
    assert retry.scorecard["rubric"]["name"] == "discovery-first"


async def test_explicit_engine_and_rubric_override_the_sessions(llm_parent, monkeypatch):
    options = options_of(monkeypatch, "--from", f"{llm_parent}:6", "--text", "--engine", "offline",
                         "--rubric", "default")
    assert options.engine_given and options.engine == "offline"
    app = make_app(options)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.session is not None)
        assert app.screen.session.engine.name == "offline"
        assert app.screen.session.rubric.is_default


def test_model_overrides_only_the_stored_model(llm_parent, monkeypatch):
    from simulator.session.branch import open_branch

    retry = open_branch(f"{llm_parent}:6", engine_settings={"model": "other-model"}, save=False)
    assert retry.engine.name == "openai"
    assert (retry.engine.settings.model, retry.engine.settings.timeout_s) == ("other-model", 7.0)
