"""Pilot tests of retry from a moment in the app: `practice --from SESSION:TURN` opens practice at that
moment (the earlier turns shown, the buyer as it stood), the rep types it differently and the retry is stored
linked to its session; T on the scorecard retries the costliest moment; T in replay retries the highlighted
turn; a drill from the command palette is judged and stored."""

from __future__ import annotations

from textual.widgets import Input

from simulator.commands.simulate import run_script
from simulator.persona.loader import get
from simulator.session.recorder import Recorder
from simulator.session.store import Store
from simulator.tui.app import AppOptions, make_app
from simulator.tui.screens.practice import PracticeScreen
from simulator.tui.screens.replay import SessionReplayScreen
from simulator.tui.screens.scorecard import ScorecardScreen
from simulator.tui.widgets.meters import TrustMeter
from simulator.tui.widgets.timeline import Timeline
from simulator.tui.widgets.turns import TurnView

LINES = ["Thanks for making the time today.", "What happens when a delivery runs late?",
         "Our platform optimises every route automatically.", "How is the overtime affecting the team?",
         "Shall I send the agreement over today?"]


async def wait_for(pilot, predicate, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("condition not reached")


def stored_session() -> str:
    persona = get("logistics-ops-director")
    with Store.open() as store:
        sid = store.create_session(persona.id, persona.model_dump(mode="json"), "offline", {"seed": 3})
        session = run_script(persona, LINES, seed=3, sinks=[Recorder(store, sid)])
        session.end()
    return sid


def shown(app) -> list:
    return [w.turn for w in app.screen.query(TurnView)]


async def test_practice_from_a_moment_then_type_it_differently():
    sid = stored_session()
    with Store.open() as store:
        parent = store.get(sid)
    app = make_app(AppOptions(start="practice", persona=parent.summary.persona_id, mode="typed", seed=3,
                              extra={"retry_from": f"{sid}:6"}))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and len(shown(app)) == 5)
        screen = app.screen
        assert [t.text for t in shown(app)] == [t.text for t in parent.turns[:5]]
        assert screen.query_one("#trust", TrustMeter).trust == parent.turns[4].trust
        assert screen.session.state.revealed == ("late-deliveries",)
        screen.query_one("#typed", Input).value = "What would a better week look like for your drivers?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(shown(app)) == 7)
        assert shown(app)[6].trust > parent.turns[6].trust
        retry_id = screen.session.session_id
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
    with Store.open() as store:
        retry = store.get(retry_id)
    assert (retry.summary.parent_id, retry.summary.parent_turn) == (sid, 5)
    assert retry.turns[5].text == "What would a better week look like for your drivers?"
    assert retry.summary.status == "finished" and retry.scorecard


async def test_t_on_the_scorecard_and_in_replay_retries_a_moment():
    sid = stored_session()
    with Store.open() as store:
        parent = store.get(sid)
    costliest = parent.scorecard["moments"][0]["turn_index"]
    app = make_app(AppOptions(start="replay", session_id=sid))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
        timeline = app.screen.query_one("#timeline", Timeline)
        timeline.highlighted = 6  # the buyer's reply to the pitch: the pitch (turn 6) is retried
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and len(shown(app)) == 5)
        assert app.screen.session.parent_turn == 5
        app.screen.query_one("#typed", Input).value = "What gets in the way of on-time deliveries today?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(shown(app)) == 7)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        first = app.screen.session_id
        await pilot.press("t")  # from the retry's scorecard: its own costliest moment
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.session is not None)
        with Store.open() as store:
            again = store.get(first)
        assert app.screen.session.parent_id == first
        moments = again.scorecard["moments"]  # none here: then the first rep turn
        assert app.screen.session.parent_turn == (moments[0]["turn_index"] if moments else 1)
    assert "close" in parent.turns[costliest].labels


async def test_a_drill_from_the_command_palette_is_judged_and_stored():
    from simulator.tui.app import AppOptions

    app = make_app(AppOptions(persona="bakery-owner", rep_name="Sam", mode="typed", seed=1))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.2)
        app.action_drill("reflect")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and len(shown(app)) == 1)
        screen = app.screen
        assert screen.session.drill.key == "reflect"
        assert shown(app)[0].text.startswith("We've got two shops now")
        for n, line in enumerate(("So you've got two shops now and a lot of custom orders for birthdays.",
                                  "How do those custom orders come in at the moment?"), 1):
            screen.query_one("#typed", Input).value = line
            await pilot.press("enter")
            await wait_for(pilot, lambda n=n: len(shown(app)) == 1 + 2 * n)
        await wait_for(pilot, lambda: screen.session.outcome is not None)
        assert screen.session.outcome["passed"], screen.session.outcome["reason"]
        assert "Drill passed: reflected their words" in str(screen.query_one("#hint").render())
    with Store.open() as store:
        attempts = store.drill_attempts("Sam")
    assert [(a["drill"], a["passed"]) for a in attempts] == [("reflect", True)]
