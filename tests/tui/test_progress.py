"""Pilot tests of progress: trend charts across several stored sessions, the rep selector, and
replaying a session from the list."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import DataTable, Select, Sparkline

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
        assert "all reps: 4 scored session(s)" in str(screen.query_one("#progress-summary").render())
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
