"""Snapshot tests of every screen at a fixed terminal size, on seeded, deterministic data (a seeded
offline buyer, stored sessions with fixed ids and start times, no clocks).

Regenerate after a deliberate change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs under ``__snapshots__`` before committing them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Input

sys.path.insert(0, str(Path(__file__).parent))
from history_seed import PERSONA, conversation, fixed_ids, seed_history, store_session, wait_for  # noqa: E402

from simulator.session.store import Store  # noqa: E402
from simulator.tui.app import AppOptions, make_app  # noqa: E402
from simulator.tui.widgets.turns import TurnView  # noqa: E402

SIZE = (130, 40)
LINES = ("What made you take this meeting?", "That sounds frustrating. What has it cost you?")


@pytest.fixture(autouse=True)
def steady(monkeypatch):
    """No machine-dependent text (the voice check on the start screen), fixed session ids."""
    monkeypatch.setattr("simulator.speech.health.voice_problem", lambda *args, **kwargs: None)
    fixed_ids(monkeypatch)


@pytest.fixture
def history() -> list[str]:
    with Store.open() as store:
        return seed_history(store)


def turns(app) -> int:
    return len(app.screen.query(TurnView))


async def practise_two_turns(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: turns(app) == 1)
    app.screen.query_one("#typed", Input).cursor_blink = False  # a steady cursor: no blink phase in the picture
    for n, line in enumerate(LINES, 1):
        app.screen.query_one("#typed", Input).value = line
        await pilot.press("enter")
        await wait_for(pilot, lambda n=n: turns(app) == 1 + 2 * n)
    await pilot.pause(0.2)


def practice_app():
    return make_app(AppOptions(start="practice", persona=PERSONA, rep_name="Sam", mode="typed", seed=1, save=False))


def test_start_screen(snap_compare):
    """The persona cards and the practice settings."""
    assert snap_compare(make_app(AppOptions(mode="typed")), terminal_size=SIZE)


def test_practice_after_two_typed_turns(snap_compare):
    """The conversation with move labels, the buyer's card, trust and the live meters."""
    assert snap_compare(practice_app(), terminal_size=SIZE, run_before=practise_two_turns)


def test_scorecard(snap_compare):
    """The scorecard after ending that conversation (Ctrl+E)."""

    async def end(pilot) -> None:
        await practise_two_turns(pilot)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScorecardScreen")
        await pilot.pause(0.2)

    assert snap_compare(practice_app(), terminal_size=SIZE, run_before=end)


def test_help(snap_compare):
    """Help on ``?``."""

    async def help_(pilot) -> None:
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(make_app(AppOptions(mode="typed")), terminal_size=SIZE, run_before=help_)


def test_replay_list(snap_compare, history):
    """Stored sessions, newest first."""

    async def loaded(pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#sessions").row_count == len(history))

    assert snap_compare(make_app(AppOptions(start="replay")), terminal_size=SIZE, run_before=loaded)


def test_replay_session_at_costliest_moment(snap_compare, history):
    """One session turn by turn, at its costliest moment."""

    async def costly(pilot) -> None:
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "session", None) is not None)
        await pilot.press("c")
        await pilot.pause(0.2)

    app = make_app(AppOptions(start="replay", session_id=history[1]))
    assert snap_compare(app, terminal_size=SIZE, run_before=costly)


def test_watch(snap_compare):
    """Following a running session."""
    with Store.open() as store:
        sid = store_session(store, conversation(list(LINES), "Sam", seed=1), 1_740_992_400.0, finish=False)

    async def following(pilot) -> None:
        await wait_for(pilot, lambda: turns(pilot.app) == 5)
        await pilot.pause(0.2)

    assert snap_compare(make_app(AppOptions(start="watch", session_id=sid)), terminal_size=SIZE,
                        run_before=following)


def test_progress(snap_compare, history):
    """Sam's trends across three sessions."""

    async def charts(pilot) -> None:
        await wait_for(pilot, lambda: len(pilot.app.screen.query("TrendChart")) == 5
                       and pilot.app.screen.query_one("#progress-sessions").row_count == 3)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)

    assert snap_compare(make_app(AppOptions(start="progress", rep_filter="Sam")), terminal_size=SIZE,
                        run_before=charts)
