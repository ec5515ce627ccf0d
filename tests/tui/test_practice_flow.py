"""Pilot tests of the practice flow: start screen -> typed practice -> scorecard, with the offline buyer."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from simulator.tui.app import AppOptions, make_app
from simulator.tui.screens.practice import PracticeScreen
from simulator.tui.screens.scorecard import ScorecardScreen
from simulator.tui.widgets.meters import Gauge, TrustMeter
from simulator.tui.widgets.turns import TurnView


async def wait_for(pilot, predicate, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("condition not reached")


def turns_shown(app) -> list:
    return [w.turn for w in app.screen.query(TurnView)]


async def test_typed_practice_end_to_end():
    app = make_app(AppOptions(seed=3))
    async with app.run_test(size=(140, 45)) as pilot:
        options = app.screen.query_one("#personas", OptionList)
        assert options.option_count >= 1
        await pilot.press("enter")  # choose the highlighted persona, focus moves to the name
        name = app.screen.query_one("#rep-name", Input)
        name.value = "Sam"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and turns_shown(app))
        screen = app.screen
        opening = turns_shown(app)[0]
        assert opening.speaker == "buyer" and opening.text == screen.session.persona.opening_line

        await pilot.click("#typed")
        for line in ("What made you take this meeting?", "That sounds frustrating. What has it cost you?"):
            count = len(turns_shown(app))
            screen.query_one("#typed", Input).value = line
            await pilot.press("enter")
            await wait_for(pilot, lambda c=count: len(turns_shown(app)) >= c + 2)
        await wait_for(pilot, lambda: len(turns_shown(app)) == 5)
        shown = turns_shown(app)
        assert [t.speaker for t in shown] == ["buyer", "rep", "buyer", "rep", "buyer"]
        assert "question" in shown[1].labels
        assert screen.query_one("#questions", Gauge).value >= 2
        assert screen.query_one("#trust", TrustMeter).trust == shown[-1].trust

        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        card = next(iter(app.screen.cards.values()))
        assert 0 <= card["overall"] <= 100
        assert card["discovery"]["total"] == len(screen.session.persona.facts)
        assert app.screen.query("#figures")


async def test_practice_straight_from_options_and_hint_on_pitch():
    from simulator.persona.loader import load_all

    persona_id = next(iter(load_all()[0]))
    app = make_app(AppOptions(start="practice", persona=persona_id, mode="typed", seed=1, save=False))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and turns_shown(app))
        screen = app.screen
        screen.query_one("#typed", Input).value = "Our platform has forty features, sign today"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(turns_shown(app)) == 3)
        assert screen.query_one("#transactional", Gauge).value == 1
        assert "hint" in str(screen.query_one("#hint").render())


async def test_coach_note_flag_and_hand_over_are_recorded():
    from simulator.persona.loader import load_all

    persona_id = next(iter(load_all()[0]))
    app = make_app(AppOptions(start="practice", persona=persona_id, mode="typed", seed=1, rep_name="Ana"))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and turns_shown(app))
        screen = app.screen
        screen.query_one("#typed", Input).value = "What does a normal week look like for you?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(turns_shown(app)) == 3)
        await pilot.press("f5")
        await pilot.pause(0.1)
        app.screen.query_one(Input).value = "good open question"
        await pilot.press("enter")
        await pilot.press("f6")
        await pilot.press("f10")
        await pilot.pause(0.1)
        app.screen.query_one(Input).value = "Ben"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        screen.query_one("#typed", Input).value = "How do the team feel about it?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(turns_shown(app)) == 5)
        kinds = [e.kind for e in screen.session.coach_events]
        assert kinds == ["note", "flag_good", "handover"]
        assert screen.session.turns[-2].rep_name == "Ben"
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        assert set(app.screen.cards) == {"Ana", "Ben"}

        from simulator.session.store import Store

        with Store.open() as store:
            stored = store.get(screen.session.session_id)
        assert [e.kind for e in stored.coach_events] == ["note", "flag_good", "handover"]
        assert len(stored.turns) == 5


def test_unnamed_first_rep_and_a_named_second_rep_get_separate_scorecards():
    from simulator.session.start import open_practice

    session = open_practice(persona_id="bakery-owner", seed=1, save=False)
    session.start()
    session.rep_turn("What does a normal week look like for you?")
    session.hand_over("Alex")
    session.rep_turn("How do the staff feel about the rota?")
    cards = session.scorecards_by_rep()
    assert list(cards) == ["Rep", "Alex"]


def test_each_reps_trust_figure_starts_from_the_trust_they_took_over():
    from simulator.session.start import open_practice

    session = open_practice(persona_id="bakery-owner", seed=1, save=False)
    session.start()
    session.rep_turn("What does a normal week look like for you?")
    session.rep_turn("How do the staff feel about the rota?")
    handed_at = session.state.trust
    session.hand_over("Alex")
    session.rep_turn("What happens when someone calls in sick?")
    cards = session.scorecards_by_rep()
    alex_trust = next(f for f in cards["Alex"]["figures"] if f["name"] == "buyer trust")
    assert alex_trust["detail"].startswith(f"from {handed_at:.0f} to {session.state.trust:.0f}")
    assert cards["Alex"]["trust_final"] == session.state.trust
    assert cards["Rep"]["trust_final"] == handed_at
    assert cards["Rep"]["discovery"]["total"] == len(session.persona.facts)


async def test_a_store_that_cannot_open_is_one_notice_and_back_to_the_start(rapport_home):
    from simulator.tui.screens.start import StartScreen

    corrupt = rapport_home / "broken.db"
    corrupt.parent.mkdir(parents=True, exist_ok=True)
    corrupt.write_bytes(b"this is not a database" * 100)
    app = make_app(AppOptions(start="practice", persona="bakery-owner", mode="typed", db_url=f"sqlite:///{corrupt}"))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        await pilot.pause(0.3)  # let the start screen finish mounting before the test closes the app
        messages = [str(n.message) for n in app._notifications]
        assert any("broken.db" in m or "database" in m for m in messages), messages
    assert corrupt.read_bytes() == b"this is not a database" * 100  # nothing overwritten


async def test_a_team_rubric_chosen_on_the_start_screen_scores_the_session(monkeypatch):
    from pathlib import Path

    from textual.widgets import Select

    from simulator.session.store import Store

    monkeypatch.setenv("RAPPORT_RUBRICS", str(Path(__file__).resolve().parents[2] / "docs" / "rubrics"))
    app = make_app(AppOptions(seed=3))
    async with app.run_test(size=(140, 45)) as pilot:
        picker = app.screen.query_one("#rubric", Select)
        assert picker.value == "default"  # preselected; every rubric `rapport rubrics list` shows is offered
        assert [value for _, value in picker._options if value != Select.NULL] == ["default", "discovery-first"]
        assert "no pass mark" in str(app.screen.query_one("#rubric-note").render())
        picker.focus()
        await pilot.press("enter", "down", "enter")  # open the list, pick the team rubric
        await wait_for(pilot, lambda: picker.value == "discovery-first")
        assert "Discovery first (inside sales team) · pass mark 60" in str(app.screen.query_one("#rubric-note")
                                                                            .render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and turns_shown(app))
        screen = app.screen
        assert screen.session.rubric.name == "discovery-first"
        screen.query_one("#typed", Input).value = "What does a normal week look like for you?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(turns_shown(app)) == 3)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        card = next(iter(app.screen.cards.values()))
        assert card["rubric"]["name"] == "discovery-first"
        line = str(app.screen.query_one(".rubric-line").render())
        assert line.startswith("Rubric: Discovery first (inside sales team) (discovery-first, ")
        assert "pass mark 60: not passed" in line
    with Store.open() as store:
        stored = store.get(screen.session.session_id)
    assert stored.scores[-1].rubric_name == "discovery-first"
    assert stored.settings["rubric"] == "discovery-first"


async def test_the_rubric_given_on_the_command_line_is_preselected(monkeypatch):
    from pathlib import Path

    from textual.widgets import Select

    from simulator.session.rubrics import read

    custom = read(Path(__file__).resolve().parents[2] / "docs" / "rubrics" / "discovery-first.toml")
    app = make_app(AppOptions(extra={"rubric": custom}))  # `rapport practice --rubric FILE`, outside any folder
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.1)
        assert app.screen.query_one("#rubric", Select).value == "discovery-first"
