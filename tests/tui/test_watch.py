"""Pilot tests of watch: a live, read-only view of a session another thread is recording."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from history_seed import PERSONA, conversation, fixed_ids, store_session, wait_for  # noqa: E402

from simulator.session.start import open_practice  # noqa: E402
from simulator.session.store import Store  # noqa: E402
from simulator.tui.app import AppOptions, make_app  # noqa: E402
from simulator.tui.screens.dialogs import Choose  # noqa: E402
from simulator.tui.screens.watch import WatchScreen  # noqa: E402
from simulator.tui.widgets.meters import Gauge, TrustMeter  # noqa: E402
from simulator.tui.widgets.turns import TurnView  # noqa: E402


def shown(screen) -> list[str]:
    return [view.turn.text for view in screen.query(TurnView)]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


class Writer(threading.Thread):
    """A practice session recorded by a Recorder in its own thread, one step each time it is told."""

    LINES = ["What made you take this meeting?", "That sounds frustrating. What has it cost you?"]

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.go = threading.Semaphore(0)
        self.session = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.go.acquire()
            self.session = open_practice(persona_id=PERSONA, seed=1, rep_name="Sam")
            self.session.start()
            for line in self.LINES:
                self.go.acquire()
                self.session.rep_turn(line)
            self.go.acquire()
            self.session.coach("note", "nice follow-up", turn_index=4)
            self.session.end("finished")
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


async def test_watch_waits_then_follows_each_turn_live():
    writer = Writer()
    writer.start()
    app = make_app(AppOptions(start="watch"))
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        await wait_for(pilot, lambda: "waiting for one to start" in text_of(screen, "#watch-title"))

        writer.go.release()  # the session starts: the buyer's opening line
        await wait_for(pilot, lambda: len(shown(screen)) == 1)
        assert writer.session is not None
        assert f"Watching {writer.session.session_id}" in text_of(screen, "#watch-title")
        assert shown(screen) == [writer.session.persona.opening_line]

        for n, line in enumerate(Writer.LINES, 1):
            writer.go.release()
            await wait_for(pilot, lambda n=n: len(shown(screen)) == 1 + 2 * n)
            assert shown(screen)[-2] == line
            assert shown(screen)[-1] == writer.session.turns[2 * n].text
        assert screen.query_one("#watch-questions", Gauge).value == 2
        assert screen.query_one("#watch-trust", TrustMeter).trust == writer.session.turns[-1].trust

        writer.go.release()  # coach note, then the end
        await wait_for(pilot, lambda: "Session ended (finished)" in text_of(screen, "#watch-status"))
        writer.join(5)
        assert writer.error is None
        overall = writer.session.end().scorecard["overall"]
        assert f"overall {overall}/100" in text_of(screen, "#watch-status")
        assert any("note: nice follow-up" in str(s.render()) for s in screen.query(".coach"))


async def test_watch_by_id_and_pick_another_running_session(monkeypatch):
    fixed_ids(monkeypatch)
    with Store.open() as store:
        first = store_session(store, conversation(["How is business?"], "Sam", seed=1), 1_740_992_400.0,
                              finish=False)
        second = store_session(store, conversation(["What keeps you busy?", "Who helps you?"], "Ana", seed=2),
                               1_740_996_000.0, finish=False)
    app = make_app(AppOptions(start="watch", session_id=first))
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(shown(screen)) == 3)
        assert f"Watching {first}" in text_of(screen, "#watch-title")
        assert "running" in text_of(screen, "#watch-status")

        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, Choose))
        options = app.screen.query_one("#dialog-choices")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [second, first]
        await pilot.press("enter")  # the newest running session is highlighted first
        await wait_for(pilot, lambda: app.screen is screen and len(shown(screen)) == 5)
        assert f"Watching {second}" in text_of(screen, "#watch-title")
        assert shown(screen)[1] == "What keeps you busy?"


async def test_watch_unknown_session_says_so():
    app = make_app(AppOptions(start="watch", session_id="zzzzzz"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "no session 'zzzzzz'" in text_of(app.screen, "#watch-title"))
