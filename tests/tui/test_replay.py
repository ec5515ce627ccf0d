"""Pilot tests of replay: the session list (filter, sort), one session turn by turn, the costliest
moments, playback to a null output, missing recordings, re-scoring and export."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, RadioButton, Select

sys.path.insert(0, str(Path(__file__).parent))
from history_seed import NullPlayer, capture_notes, fixed_ids, seed_history, tone, wait_for  # noqa: E402

from simulator.session.store import Store  # noqa: E402
from simulator.tui.app import AppOptions, make_app  # noqa: E402
from simulator.tui.screens.replay import ReplayScreen, SessionReplayScreen  # noqa: E402
from simulator.tui.widgets.export_dialog import ExportDialog  # noqa: E402
from simulator.tui.widgets.timeline import Timeline  # noqa: E402


@pytest.fixture
def history(monkeypatch, tmp_path) -> dict:
    """Four stored sessions; the first (pitchy) has a recording on turn 1 and a lost one on turn 3."""
    fixed_ids(monkeypatch)
    with Store.open() as store:
        ids = seed_history(store)
        ref = store.save_audio(ids[0], 1, "rep", tone(tmp_path / "rep.flac"))
        store.set_turn_audio(ids[0], 1, ref)
        store.set_turn_audio(ids[0], 3, f"{ids[0]}/0003-rep.flac")  # never written: a missing file
        sessions = {sid: store.get(sid) for sid in ids}
    return {"ids": ids, "sessions": sessions}


def table_ids(screen) -> list[str]:
    table = screen.query_one("#sessions", DataTable)
    return [str(table.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(table.row_count)]


async def open_replay(pilot, app, player=None, session_id=None) -> ReplayScreen:
    screen = ReplayScreen(app.options, session_id=session_id, player=player)
    await app.push_screen(screen)
    return screen


async def test_list_filter_sort_open_navigate_costliest_and_play(history):
    ids, sessions = history["ids"], history["sessions"]
    player = NullPlayer()
    app = make_app(AppOptions())
    async with app.run_test(size=(140, 45)) as pilot:
        notes = capture_notes(app)
        screen = await open_replay(pilot, app, player)
        await wait_for(pilot, lambda: screen.query_one("#sessions", DataTable).row_count == 4)
        assert table_ids(screen) == list(reversed(ids))  # newest first

        await pilot.press("s")  # sort by score
        scores = [sessions[sid].summary.overall for sid in table_ids(screen)]
        assert scores == sorted(scores, reverse=True)
        await pilot.press("s")  # back to date
        assert table_ids(screen) == list(reversed(ids))

        screen.query_one("#rep-filter", Select).value = "Ana"
        await wait_for(pilot, lambda: screen.query_one("#sessions", DataTable).row_count == 1)
        assert table_ids(screen) == [ids[2]]
        screen.query_one("#rep-filter", Select).clear()
        await wait_for(pilot, lambda: screen.query_one("#sessions", DataTable).row_count == 4)

        screen.query_one("#sessions", DataTable).focus()
        for _ in range(3):
            await pilot.press("down")  # to the oldest session: the pitchy one
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
        replay = app.screen
        session = sessions[ids[0]]
        timeline = replay.query_one("#timeline", Timeline)
        assert timeline.option_count == len(session.turns)

        await pilot.press("down", "down")
        assert timeline.highlighted == 2
        assert str(replay.query_one("#turn-detail").render()).startswith("Turn 3 ")  # turns count from 1

        moments = session.scorecard["moments"]
        assert moments, "the pitchy session has costly moments"
        await pilot.press("c")
        assert timeline.highlighted == moments[0]["turn_index"]
        detail = str(replay.query_one("#turn-detail").render())
        assert "Costly moment #1" in detail and moments[0]["alternative"] in detail
        if len(moments) > 1:
            await pilot.press("c")
            assert timeline.highlighted == moments[1]["turn_index"]

        await pilot.press("home", "down")  # turn 1: the rep's recording
        await pilot.press("p")
        await wait_for(pilot, lambda: player.played)
        assert player.played == [(4800, 16_000)]

        await pilot.press("down", "down")  # turn 3: its recording is gone
        await pilot.press("p")
        await pilot.press("home")  # turn 0: never had one
        await pilot.press("p")
        await pilot.pause(0.1)
        assert len(player.played) == 1
        assert f"No recording to play for turn 3 (rep): missing ({ids[0]}/0003-rep.flac)." in notes
        assert "No recording to play for turn 0 (buyer): none kept for this turn." in notes

        await pilot.press("escape")
        assert app.screen is screen


async def test_rescore_and_export_from_a_session(history, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sid = history["ids"][1]
    app = make_app(AppOptions())
    async with app.run_test(size=(140, 45)) as pilot:
        notes = capture_notes(app)
        await open_replay(pilot, app, NullPlayer(), session_id=sid)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
        replay = app.screen
        assert "good open question" in str(replay.query_one("#timeline", Timeline).get_option_at_index(2).prompt)

        await pilot.press("r")
        await wait_for(pilot, lambda: any(n.startswith("Re-scored") for n in notes))
        with Store.open() as store:
            assert len(store.get(sid).scores) == 2

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
        app.screen.query_one("#fmt-html", RadioButton).value = True
        await pilot.pause(0.1)
        assert app.screen.query_one("#export-path", Input).value == f"rapport-{sid}.html"
        await pilot.press("enter")
        target = tmp_path / f"rapport-{sid}.html"
        await wait_for(pilot, lambda: f"Exported to {target}" in notes)
        assert "<html" in target.read_text().lower()

        (tmp_path / "exports").mkdir()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
        app.screen.query_one("#fmt-json", RadioButton).value = True
        app.screen.query_one("#export-path", Input).value = "exports"
        await pilot.press("enter")
        target = tmp_path / "exports" / f"rapport-{sid}.json"
        await wait_for(pilot, lambda: f"Exported to {target}" in notes)
        assert json.loads(target.read_text())["id"] == sid

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog))
        app.screen.query_one("#export-path", Input).value = "no-such-folder/out.md"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(n.startswith("Export failed: cannot write") for n in notes))
        assert not (tmp_path / "no-such-folder").exists()


async def test_unknown_session_and_empty_store_say_so_in_one_line():
    app = make_app(AppOptions(start="replay"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: "No sessions stored yet" in str(screen.query_one("#replay-note").render()))
        screen.open_session("zzzz")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen)
                       and "no session 'zzzz'" in str(app.screen.query_one("#replay-title").render()))
        await pilot.press("escape")
        await pilot.press("escape")  # the first screen: leaving it quits
        await wait_for(pilot, lambda: app.return_code is not None or not app.is_running)


async def test_command_palette_runs_the_screens_actions(history):
    """Ctrl+P lists the current screen's bindings with their keys and the app's screens."""
    from textual.command import CommandPalette

    from simulator.tui.screens.help import HelpScreen
    from simulator.tui.screens.progress import ProgressScreen

    sid = history["ids"][0]
    app = make_app(AppOptions())
    async with app.run_test(size=(140, 45)) as pilot:
        await open_replay(pilot, app, NullPlayer(), session_id=sid)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
        replay = app.screen
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"next costly")
        await wait_for(pilot, lambda: app.screen.query_one("CommandList").option_count >= 1)
        assert "Next costly moment (c)" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt)
        await pilot.press("enter")
        first = history["sessions"][sid].scorecard["moments"][0]["turn_index"]
        await wait_for(pilot, lambda: app.screen is replay and replay.query_one(Timeline).highlighted == first)

        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"progress", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
