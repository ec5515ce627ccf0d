"""Pilot tests of progress: trend charts across several stored sessions, the rep selector, and
replaying a session from the list."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import DataTable, Select, Sparkline, Static

sys.path.insert(0, str(Path(__file__).parent))
from history_seed import fixed_ids, seed_history, wait_for  # noqa: E402

from simulator.session.store import Store  # noqa: E402
from simulator.tui.app import AppOptions, make_app  # noqa: E402
from simulator.tui.screens.progress import CHARTS  # noqa: E402
from simulator.tui.screens.replay import SessionReplayScreen  # noqa: E402
from simulator.tui.widgets.charts import TrendChart  # noqa: E402


def charts(screen) -> dict[str, TrendChart]:
    return {chart.title_text: chart for chart in screen.query(TrendChart)}


def figure(card: dict, name: str) -> float:
    return next(f["value"] for f in card["figures"] if f["name"] == name)


async def test_trends_for_everyone_then_one_rep_then_replay(monkeypatch):
    fixed_ids(monkeypatch)
    with Store.open() as store:
        ids = seed_history(store)
        stored = {sid: store.get(sid) for sid in ids}
    sam = [sid for sid in ids if stored[sid].summary.reps == ["Sam"]]
    app = make_app(AppOptions(start="progress"))
    async with app.run_test(size=(140, 50)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(charts(screen)) == len(CHARTS))
        assert "all reps: 4 scored sessions" in str(screen.query_one("#progress-summary").render())
        overall = charts(screen)["Overall score"]
        assert overall.trend["values"] == [stored[sid].summary.overall for sid in ids]
        assert list(overall.query_one(Sparkline).data) == overall.trend["values"]

        screen.query_one("#progress-rep", Select).value = "Sam"
        # the charts are replaced: wait until the new ones are mounted with their children (a busy machine
        # can run the assertions between a chart's mount and its compose)
        await wait_for(pilot, lambda: screen.query_one("#progress-sessions", DataTable).row_count == 3
                       and len(charts(screen)) == len(CHARTS)
                       and charts(screen)["Overall score"].trend["values"] == [stored[s].summary.overall for s in sam]
                       and all(c.query(".trend-numbers") for c in charts(screen).values()))
        shown = charts(screen)
        assert shown["Overall score"].trend["values"] == [stored[sid].summary.overall for sid in sam]
        questions = shown["Questions asked"].trend
        assert questions["values"] == [figure(stored[sid].scorecard, "questions") for sid in sam]
        assert questions["trend"] == "improving"
        transactional = next(c for t, c in shown.items() if t.startswith("Transactional")).trend
        assert transactional["values"][0] > transactional["values"][-1]
        assert transactional["trend"] == "improving"
        numbers = str(shown["Overall score"].query_one(".trend-numbers").render())
        assert "improving" in numbers and "since the first of 3 sessions" in numbers

        table = screen.query_one("#progress-sessions", DataTable)
        table.focus()
        await pilot.press("down", "enter")  # the second of Sam's sessions
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
        assert app.screen.session.id == sam[1]


async def test_no_sessions_yet():
    app = make_app(AppOptions(start="progress", rep_filter="Nobody"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "No scored sessions for Nobody yet"
                       in str(app.screen.query_one("#progress-summary").render()))
        assert not list(app.screen.query(TrendChart))


def drill_attempt(key: str, rep: str, lines: list[str]) -> dict:
    """A real drill attempt by ``rep`` (stored like the app and `rapport drill` store one); its outcome."""
    from simulator.session.drills import open_drill

    session = open_drill(key, persona_id="bakery-owner", rep_name=rep, seed=1)
    session.start()
    for line in lines:
        if session.outcome is None:
            session.rep_turn(line)
    session.recorder.store.close()
    return session.outcome


async def test_drill_attempts_show_with_their_result_reason_and_time(monkeypatch):
    fixed_ids(monkeypatch)
    with Store.open() as store:
        seed_history(store)
    failed = drill_attempt("reflect", "Sam", ["Our app will fix all of that for you.", "Shall we sign today?"])
    passed = drill_attempt("reflect", "Sam", ["So you've got two shops now and a lot of custom orders for birthdays.",
                                              "How do those custom orders come in at the moment?"])
    asked = drill_attempt("ask", "Lee", ["How do the orders come in?", "What happens when one goes wrong?",
                                         "Who else feels it?"])
    assert (failed["passed"], passed["passed"], asked["passed"]) == (False, True, True)
    with Store.open() as store:
        when = {a["session_id"]: a["created_at"] for a in store.drill_attempts()}
    app = make_app(AppOptions(start="progress", rep_filter="Sam"))
    async with app.run_test(size=(140, 50)) as pilot:
        screen = app.screen
        box = screen.query_one("#progress-drills-box")
        await wait_for(pilot, lambda: box.display and "Drills:" in str(screen.query_one("#progress-drills-title")
                                                                      .render()))
        assert "Drills: 1 of 2 attempts passed" in str(screen.query_one("#progress-drills-title").render())
        table = screen.query_one("#progress-drills", Static).content
        cells = {column.header: [str(c) for c in column.cells] for column in table.columns}
        assert cells["drill"] == ["Reflect, then ask"]  # one row per drill, its last attempt shown
        assert cells["passed"] == ["1 of 2"] and cells["last"] == ["passed"]
        assert cells["why"] == [passed["reason"]] and passed["reason"].startswith("reflected their words")
        assert cells["when (UTC)"] == [when_utc(when[passed["session_id"]])]
        # the drill sessions are not in the trends: Sam's three practice sessions only
        assert screen.query_one("#progress-sessions", DataTable).row_count == 3

        screen.query_one("#progress-rep", Select).value = "Ana"  # no drills: no drills section
        await wait_for(pilot, lambda: not box.display and screen.query_one("#progress-sessions",
                                                                           DataTable).row_count == 1)

        screen.query_one("#progress-rep", Select).value = "Lee"  # drills only, no scored session yet
        # the previous rep's charts are removed asynchronously (Textual's remove_children): wait for that too
        await wait_for(pilot, lambda: box.display and "No scored sessions for Lee yet"
                       in str(screen.query_one("#progress-summary").render()) and not list(screen.query(TrendChart)))
        assert "Drills: 1 of 1 attempt passed" in str(screen.query_one("#progress-drills-title").render())


def when_utc(ts: float) -> str:
    from simulator.tui.screens.replay import when

    return when(ts)
