"""Pilot tests of what a coach and a rep ran into on the screens: the start screen's Tab order, voice-only
controls in typed mode, fact topics, the monologue meter, the steer menu's "normal", Ctrl+Q during a
session, the scorecard's columns and moments, the watch header after a hand-over; and every screen at
80x24, 120x40 and 200x60 with nothing cut off at the sides or below the screen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Footer, Header, Input, OptionList

sys.path.insert(0, str(Path(__file__).parent))
from history_seed import PERSONA, conversation, fixed_ids, seed_history, store_session, wait_for  # noqa: E402

from simulator.persona.loader import get  # noqa: E402
from simulator.session.store import Store  # noqa: E402
from simulator.tui.app import AppOptions, make_app  # noqa: E402
from simulator.tui.screens.dialogs import Choose  # noqa: E402
from simulator.tui.screens.practice import PracticeScreen  # noqa: E402
from simulator.tui.screens.scorecard import (  # noqa: E402
    ScorecardScreen,
    ScorecardView,
    figures_table,
    moment_grid,
)
from simulator.tui.screens.start import StartScreen  # noqa: E402
from simulator.tui.widgets.meters import Gauge, LevelMeter  # noqa: E402
from simulator.tui.widgets.turns import TurnView  # noqa: E402

SIZES = [(80, 24), (120, 40), (200, 60)]
LINES = ["What made you take this meeting?", "Our software cuts waste in half, guaranteed.",
         "That sounds frustrating. What has it cost you?"]


@pytest.fixture(autouse=True)
def steady(monkeypatch):
    monkeypatch.setattr("simulator.speech.health.voice_problem", lambda *args, **kwargs: None)


def fits(app) -> None:
    """Every shown widget lies within the screen's width; header, footer and the focused widget are whole
    on screen."""
    width, height = app.size
    for widget in app.screen.query("*"):
        if widget.display and widget.region.width:
            assert widget.region.right <= width, (widget, widget.region, app.size)
    for widget in [*app.screen.query(Header), *app.screen.query(Footer), app.screen.focused]:
        if widget is not None and widget.region.height:
            assert widget.region.bottom <= height and widget.region.y >= 0, (widget, widget.region, app.size)


def rendered(renderable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


async def practise(pilot, lines=LINES) -> PracticeScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and len(app.screen.query(TurnView)) == 1)
    screen = app.screen
    for n, line in enumerate(lines, 1):
        screen.query_one("#typed", Input).value = line
        await pilot.press("enter")
        await wait_for(pilot, lambda n=n: len(screen.query(TurnView)) == 1 + 2 * n)
    await pilot.pause(0.1)
    return screen


def practice_app(save: bool = False):
    return make_app(AppOptions(start="practice", persona=PERSONA, rep_name="Sam", mode="typed", seed=1, save=save))


@pytest.mark.parametrize("size", SIZES)
async def test_first_tab_from_the_buyer_list_goes_to_the_name(size):
    app = make_app(AppOptions(mode="typed"))
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        assert app.screen.focused.id == "personas"
        await pilot.press("tab")
        assert app.screen.focused.id == "rep-name"
        await pilot.press("S", "a", "m")
        assert app.screen.query_one("#rep-name", Input).value.endswith("Sam")
        fits(app)


@pytest.mark.parametrize("size", SIZES)
async def test_practice_in_typed_mode(size):
    """No microphone meter or F2 Talk; the buyer's trust beside their name; revealed facts by topic; the
    monologue meter agrees with what the rep said."""
    app = practice_app()
    async with app.run_test(size=size) as pilot:
        screen = await practise(pilot)
        assert not screen.query_one("#level", LevelMeter).display
        assert screen.check_action("talk", ()) is False
        assert "talk" not in {b.binding.action for b in app.active_bindings.values()}
        assert not [key for key in screen.query("FooterKey") if "Talk" in key.description]
        topics = {f.id: f.topic for f in get(PERSONA).facts}
        buyer = [v for v in screen.query(TurnView) if v.turn.speaker == "buyer"]
        for view in buyer:
            first_line = str(view.render()).replace("\xa0", " ").split("\n")[0]
            assert first_line.startswith(f"Rosa Alvarez (trust {view.turn.trust:.0f}")
        revealed = [v for v in buyer if v.turn.revealed]
        assert revealed, "the seeded buyer reveals a fact to the first question"
        for view in revealed:
            text = str(view.render())
            assert "you learned: " + ", ".join(topics[f] for f in view.turn.revealed) in text
            assert not any(f"✦ {f}" in text for f in view.turn.revealed)
        monologue = screen.query_one("#monologue", Gauge)
        longest = max(len(line.split()) for line in LINES)
        assert monologue.value == longest and "words" in str(monologue.render())
        fits(app)


async def test_steer_menu_offers_normal_and_the_note_lands_at_its_turn():
    app = practice_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await practise(pilot, LINES[:1])
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["concern", "harder", "softer", "normal"]
        options.highlighted = 3
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.session.coach_events)
        event = screen.session.coach_events[-1]
        assert (event.kind, event.text, event.turn_index) == ("steer", "normal", 2)
        await wait_for(pilot, lambda: screen.query(".coach"))
        assert "steered the buyer: back to the buyer's normal" in str(screen.query(".coach").last().render())


@pytest.mark.parametrize("choice", ["end", "quit"])
async def test_ctrl_q_during_a_session_asks(choice):
    app = practice_app(save=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await practise(pilot, LINES[:1])
        sid = screen.session.session_id
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        assert app.is_running
        fits(app)
        options = app.screen.query_one(OptionList)
        options.highlighted = 0 if choice == "end" else 1
        await pilot.press("enter")
        if choice == "end":
            await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        else:
            await wait_for(pilot, lambda: not app.is_running)
    with Store.open() as store:
        stored = store.get(sid)
    if choice == "end":
        assert stored.summary.status == "finished" and stored.scorecard["overall"] is not None
    else:
        assert stored.summary.status == "interrupted" and stored.scorecard is None


@pytest.mark.parametrize("size", SIZES)
async def test_scorecard_columns_and_moments_are_whole(size):
    app = practice_app()
    async with app.run_test(size=size) as pilot:
        await practise(pilot)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen) and app.screen.query(ScorecardView))
        await pilot.pause(0.2)
        view = app.screen.query_one(ScorecardView)
        figures = app.screen.query_one("#figures")
        assert figures.region.right <= size[0]
        text = rendered(figures_table(view.card), figures.content_region.width)  # what the Static shows
        flat = " ".join(text.split())
        for figure in view.card["figures"]:
            for word in figure["reference"].split():
                assert word in flat, (word, figure["name"])
        assert "target" in flat  # the question target for this call sits beside the count
        curve = view.card["trust_curve"]
        title = next(str(w.render()) for w in app.screen.query(".title") if "Buyer trust" in str(w.render()))
        assert title.endswith(f"{round(curve[-1], 1):g} (of 100)")
        chart = rendered(app.screen.query_one("#trust-curve").render(), size[0])
        assert "100 ┤" in chart and " 50 ┤" in chart and "  0 ┤" in chart and "start →" in chart
        for rank, moment in enumerate(view.card["moments"], 1):
            lines = rendered(moment_grid(rank, moment), 60).rstrip("\n").split("\n")
            column = lines[0].index("“")
            for line in lines[1:]:
                assert line[:column].strip() in ("", "Why it cost", "Try instead"), line
        fits(app)


def test_moment_continuation_lines_stay_under_the_words():
    moment = {"turn_index": 3, "text": "Our software cuts waste in half, guaranteed.", "labels": ["benefit"],
              "why": "Claimed an outcome before the buyer had stated that need; in large sales this goes with more "
                     "objections (Rackham). The buyer had just said “We've got two shops now”.",
              "alternative": "You mentioned you've got two shops now. What would you most want to be different?"}
    lines = rendered(moment_grid(1, moment), 50).rstrip("\n").split("\n")
    assert lines[0].startswith("1. You said “Our software") and "(turn 4)" in " ".join(lines)
    why = next(i for i, line in enumerate(lines) if line.startswith("Why it cost"))
    assert lines[why + 1].startswith(" " * len("Why it cost "))


async def test_watch_header_names_the_rep_in_the_hot_seat_after_a_hand_over():
    with Store.open() as store:
        session = conversation(LINES[:1], "Sam", seed=1)
        session.hand_over("Alex")
        session.rep_turn(LINES[2], rep_name="Alex")
        sid = store_session(store, session, 1_740_992_400.0, finish=False)
        store.add_coach_event(sid, "handover", "Alex", t_s=9.0, turn_index=2, rep_name="Alex")
    app = make_app(AppOptions(start="watch", session_id=sid))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.query(TurnView)) == len(session.turns))
        await pilot.pause(0.1)
        title = str(app.screen.query_one("#watch-title").render())
        assert "rep Alex (after Sam)" in title, title
        assert any("handed over to Alex" in str(w.render()) for w in app.screen.query(".coach"))
        fits(app)


@pytest.mark.parametrize("size", SIZES)
async def test_history_screens_fit(size, monkeypatch):
    fixed_ids(monkeypatch)
    with Store.open() as store:
        ids = seed_history(store)
    for options, ready in (
        (AppOptions(start="replay"), lambda s: s.query("#sessions") and s.query_one("#sessions").row_count == 4),
        (AppOptions(start="replay", session_id=ids[1]), lambda s: getattr(s, "session", None) is not None),
        (AppOptions(start="watch", session_id=ids[1]), lambda s: len(s.query(TurnView)) > 0),
        (AppOptions(start="progress", rep_filter="Sam"), lambda s: len(s.query("TrendChart")) == 5),
    ):
        app = make_app(options)
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda app=app, ready=ready: ready(app.screen))
            await pilot.pause(0.2)
            fits(app)
            if options.session_id and options.start == "replay":
                detail = str(app.screen.query_one("#turn-detail").render())
                assert detail.startswith("Turn 1 ")
                rows = [str(app.screen.query_one("#timeline").get_option_at_index(i).prompt) for i in range(3)]
                assert "note: good open question" in rows[2]
                await pilot.press("e")  # the export dialog
                await wait_for(pilot, lambda app=app: type(app.screen).__name__ == "ExportDialog")
                fits(app)
                await pilot.press("escape")
                await wait_for(pilot, lambda app=app: type(app.screen).__name__ == "SessionReplayScreen")
            if options.start == "watch":  # notes stored after every turn still show under their own turn
                children = list(app.screen.query_one("#watch-log").children)
                views = [c for c in children if isinstance(c, TurnView)]
                note = next(c for c in children if "note: good open question" in str(c.render()))
                assert children.index(note) == children.index(views[2]) + 1
            await pilot.press("question_mark")
            await pilot.pause(0.1)
            fits(app)
