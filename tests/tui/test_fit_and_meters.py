"""Issue 14's screen findings, at 80x24, 120x40 and 200x60: the trust charts fit (no bar row wraps), figure names
wrap at word boundaries, the scorecard scrolls in one area and leads a group session with its whole-session
overall, the practice panel shows every meter and the hot seat, the meters after a hand-over count the rep in
the hot seat, and counted units read "1 move", "1 close"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, TabbedContent

sys.path.insert(0, str(Path(__file__).parent))
from history_seed import PERSONA, conversation, store_session, wait_for  # noqa: E402
from test_coach_screens import practise  # noqa: E402

from simulator.conversation.scorecard import score  # noqa: E402
from simulator.conversation.turns import Turn  # noqa: E402
from simulator.persona.loader import load_all  # noqa: E402
from simulator.session.start import open_practice  # noqa: E402
from simulator.session.store import Store  # noqa: E402
from simulator.session.wording import counted  # noqa: E402
from simulator.tui.app import AppOptions, make_app  # noqa: E402
from simulator.tui.screens.scorecard import ScorecardScreen, ScorecardView, figures_table  # noqa: E402
from simulator.tui.widgets.charts import number, trend_numbers  # noqa: E402
from simulator.tui.widgets.meters import Gauge  # noqa: E402
from simulator.tui.widgets.trust_chart import CAPTION, ROWS, TrustChart, trust_chart  # noqa: E402
from simulator.tui.widgets.turns import TurnView  # noqa: E402

SIZES = [(80, 24), (120, 40), (200, 60)]
#: Questions the seeded bakery buyer answers without ending the meeting: a long trust curve.
QUESTIONS = ["What made you take this meeting?", "How is business at the bakery?", "How do you take custom orders?",
             "What happens when an order goes wrong?", "How does that affect Marisol?", "What have you tried so far?",
             "How do the staff feel about the rota?", "What does a busy Saturday look like?",
             "What is wedding season like?", "How do you and Luis decide on spending?",
             "What would a good May look like?", "What worries you most about May?",
             "How many cakes do you redo in a month?", "What would success look like for you?"]


@pytest.fixture(autouse=True)
def steady(monkeypatch):
    monkeypatch.setattr("simulator.speech.health.voice_problem", lambda *args, **kwargs: None)


def chart_fits(widget: TrustChart) -> None:
    """Every line of the chart is within the widget, so no bar row wraps: as many lines as the widget is tall."""
    lines = widget.render().plain.split("\n")
    assert max(len(line) for line in lines) <= widget.content_region.width, (lines, widget.content_region)
    assert len(lines) == widget.content_region.height == ROWS + 2, (lines, widget.content_region)
    assert widget.region.right <= widget.app.size[0]


def test_trust_chart_never_draws_wider_than_it_is():
    for readings in range(1, 70):
        values = [40 + (k * 7) % 60 for k in range(readings)]
        for width in range(8, 210):
            text = trust_chart(values, width, caption=CAPTION)
            lines = text.plain.split("\n")
            assert max(len(line) for line in lines) <= width, (readings, width)
            assert len(lines) == ROWS + 2
            assert lines[-1].strip() in CAPTION or lines[-1].endswith("…")
    assert trust_chart([40, 50], 31, caption=CAPTION).plain.endswith("start → each buyer turn")


@pytest.mark.parametrize("size", SIZES)
async def test_replay_trust_chart_fits(size):
    session = conversation(QUESTIONS, "Sam", seed=1)
    assert sum(t.speaker == "buyer" for t in session.turns) >= 12
    with Store.open() as store:
        sid = store_session(store, session, 1_740_992_400.0)
    app = make_app(AppOptions(start="replay", session_id=sid))
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "session", None) is not None)
        await pilot.pause(0.2)
        chart = app.screen.query_one("#replay-trust", TrustChart)
        assert len(chart.values) >= 13
        chart_fits(chart)


async def scorecard_screen(pilot, cards: dict, whole: dict | None = None) -> ScorecardScreen:
    pilot.app.push_screen(ScorecardScreen(cards, whole=whole))
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScorecardScreen) and pilot.app.screen.query(
        ScorecardView))
    await pilot.pause(0.2)
    return pilot.app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_scorecard_trust_chart_and_figure_names_fit(size):
    card = conversation(QUESTIONS, "Sam", seed=1).scorecard()
    app = make_app(AppOptions(mode="typed"))
    async with app.run_test(size=size) as pilot:
        screen = await scorecard_screen(pilot, {"Sam": card})
        chart_fits(screen.query_one("#trust-curve", TrustChart))
        figures = screen.query_one("#figures")
        console = Console(width=figures.content_region.width, record=True, color_system=None,
                          file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(figures_table(card))
        shown = console.export_text().split()
        for figure in card["figures"]:
            for word in figure["name"].split():  # "transactional" is never split into "transactio" / "nal"
                assert word in shown, (word, size)


def scrolling(screen) -> list:
    return [w for w in [screen, *screen.query("*")]
            if w.styles.overflow_y in ("auto", "scroll") and w.max_scroll_y > 0]


async def page_down_to_the_end(pilot, screen) -> None:
    (area,) = scrolling(screen)  # one scroll area, never one inside another
    assert area.id == "scorecard-scroll"
    for _ in range(60):
        await pilot.press("pagedown")
    await pilot.pause(0.2)
    assert area.scroll_y == area.max_scroll_y > 0


def group_cards() -> tuple[dict, dict]:
    session = open_practice(persona_id=PERSONA, rep_name="Sam", seed=1, save=False)
    session.start()
    session.rep_turn("What made you take this meeting?")
    session.rep_turn("Our software cuts waste in half, guaranteed.")
    session.hand_over("Alex")
    session.rep_turn("Shall we sign today?")
    session.rep_turn("What has that cost you?")
    whole = session.scorecard()
    return session.scorecards_by_rep(whole), whole


@pytest.mark.parametrize("size", SIZES)
async def test_the_scorecard_scrolls_in_one_area_to_its_end(size):
    card = conversation(QUESTIONS[:4], "Sam", seed=1).scorecard()
    app = make_app(AppOptions(mode="typed"))
    async with app.run_test(size=size) as pilot:
        screen = await scorecard_screen(pilot, {"Sam": card})
        if size[1] < 60:
            await page_down_to_the_end(pilot, screen)
        else:
            assert len(scrolling(screen)) <= 1


@pytest.mark.parametrize("size", SIZES)
async def test_a_group_scorecard_leads_with_the_whole_session(size):
    cards, whole = group_cards()
    app = make_app(AppOptions(mode="typed"))
    async with app.run_test(size=size) as pilot:
        screen = await scorecard_screen(pilot, cards, whole)
        line = str(screen.query_one("#group-overall").render())
        assert line.startswith(f"Whole session {whole['overall']} / 100")
        assert f"Sam {cards['Sam']['overall']}" in line and f"Alex {cards['Alex']['overall']}" in line
        tabs = screen.query_one(TabbedContent)
        assert str(tabs.get_tab(tabs.active).label) == "Whole session"
        view = tabs.get_pane(tabs.active).query_one(ScorecardView)
        assert view.card is whole and "(whole session)" in str(view.query_one(".overall").render())
        assert screen.focused is not None and "Tab" in type(screen.focused).__name__  # the tabs have the focus...
        await page_down_to_the_end(pilot, screen)  # ...and PageDown still scrolls the scorecard
        await pilot.press("right")  # Sam's tab: back at the top, his turns only
        await pilot.pause(0.2)
        assert str(tabs.get_tab(tabs.active).label) == "Sam"
        assert screen.query_one("#scorecard-scroll").scroll_y == 0
        assert "(Sam's turns)" in str(tabs.get_pane(tabs.active).query_one(".overall").render())


@pytest.mark.parametrize("persona_id", sorted(load_all()[0]))
async def test_the_practice_panel_shows_every_meter_and_the_hot_seat_at_80x24(persona_id):
    """With the microphone meter shown and after a hand-over (the tallest the panel gets), for every buyer."""
    app = make_app(AppOptions(start="practice", persona=persona_id, rep_name="Sam", mode="typed", seed=1,
                              save=False))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await practise(pilot, [])
        screen.query_one("#level").display = True
        screen.session.hand_over("Alexandra")
        await wait_for(pilot, lambda: "Alexandra" in str(screen.query_one("#rep-name").render()))
        await pilot.pause(0.2)
        sidebar = screen.query_one("#sidebar")
        assert sidebar.max_scroll_y == 0, (persona_id, sidebar.virtual_size, sidebar.region)
        for wid in ("#talk-share", "#questions", "#listening", "#transactional", "#monologue", "#rep-name"):
            widget = screen.query_one(wid)
            assert widget.region.height and widget.region.bottom <= 23, (persona_id, wid, widget.region)


async def test_after_a_hand_over_the_meters_count_the_rep_in_the_hot_seat():
    app = make_app(AppOptions(start="practice", persona=PERSONA, rep_name="Sam", mode="typed", seed=1, save=False))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await practise(pilot, ["What made you take this meeting?", "How do you take custom orders?"])
        assert screen.query_one("#questions", Gauge).value == 2
        assert str(screen.query_one("#meters-title").render()) == "Your meters"
        screen.session.hand_over("Alex")
        await wait_for(pilot, lambda: "Alex" in str(screen.query_one("#meters-title").render()))
        assert str(screen.query_one("#meters-title").render()) == "Your meters (Alex's turns)"
        assert screen.query_one("#questions", Gauge).value == 0  # nothing of Sam's
        screen.query_one("#typed", Input).value = "What happens when an order goes wrong?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.query(TurnView)) == 7)
        await pilot.pause(0.1)
        assert screen.query_one("#questions", Gauge).value == 1


async def test_watch_meters_count_the_rep_in_the_hot_seat():
    session = conversation(["What made you take this meeting?", "How do you take custom orders?"], "Sam", seed=1)
    session.hand_over("Alex")
    session.rep_turn("What happens when an order goes wrong?", rep_name="Alex")
    with Store.open() as store:
        sid = store_session(store, session, 1_740_992_400.0, finish=False)
        store.add_coach_event(sid, "handover", "Alex", t_s=9.0, turn_index=4, rep_name="Alex")
    app = make_app(AppOptions(start="watch", session_id=sid))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.query(TurnView)) == len(session.turns))
        await pilot.pause(0.3)
        assert str(app.screen.query_one("#watch-meters-title").render()) == "The rep's meters (Alex's turns)"
        assert app.screen.query_one("#watch-questions", Gauge).value == 1


def test_one_move_and_one_close_are_singular():
    assert number(1, "moves") == "1 move" and number(2, "moves") == "2 moves" and number(1, "%") == "1%"
    assert number(1, "s") == "1 s" and number(-1, "moves") == "-1 move"
    text = trend_numbers({"name": "transactional moves", "unit": "moves", "first": 0, "last": 1, "best": 1,
                          "trend": "worsening", "change": 1, "values": [0, 1]}).plain
    assert "0 moves → 1 move" in text and "best 1 move" in text and "(+1 move since" in text
    turns = [Turn("buyer", "Hello."), Turn("rep", "Shall we sign today?", labels=("close",)), Turn("buyer", "No.")]
    detail = score(turns).figure("transactional moves").detail
    assert "1 close before trust was earned" in detail and "(s)" not in detail
    two = turns + [Turn("rep", "Sign now?", labels=("close",)), Turn("buyer", "No.")]
    assert "2 closes before trust was earned" in score(two).figure("transactional moves").detail
    timed = [Turn("buyer", "Hello there, come in.", start_s=0.0, end_s=2.0),
             Turn("rep", "What made you take this meeting?", labels=("question",), start_s=1.5, end_s=3.0),
             Turn("buyer", "Orders.", start_s=4.0, end_s=5.0)]
    assert "finished 1 time" in score(timed).figure("patience").detail
    assert "(s)" not in score(timed).figure("patience").detail
    assert (counted(1, "scored session"), counted(4, "session")) == ("1 scored session", "4 sessions")
