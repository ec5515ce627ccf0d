"""Crash safety (a writer really killed with SIGKILL) and following a session from another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from simulator.conversation.turns import Turn
from simulator.session.events import CoachAction, SessionEnded, TurnCompleted
from simulator.session.follow import follow
from simulator.session.recorder import Recorder
from simulator.session.store import Store

WRITER = Path(__file__).with_name("writer_proc.py")
ROOT = Path(__file__).resolve().parents[2]


def _spawn(db_url: str, audio: Path, turns: int, pause: float, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(WRITER), db_url, str(audio), str(turns), str(pause), *extra],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def test_sigkill_mid_session_keeps_committed_turns_and_marks_it_interrupted(db_url, tmp_path):
    proc = _spawn(db_url, tmp_path / "audio", 2, 0.0)  # opening + 2 rep lines and replies = 5 turns
    try:
        sid = proc.stdout.readline().split()[1]
        lines = [proc.stdout.readline().strip() for _ in range(5)]
        assert lines == [f"turn {i}" for i in range(5)]
        # While it runs, another process opening the store leaves the live session alone.
        with Store.open(db_url, tmp_path / "audio") as live:
            assert live.get(sid).summary.status == "running"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(db_url, tmp_path / "audio") as store:
        got = store.get(sid)
        assert got.summary.status == "interrupted"
        assert got.summary.ended_at is not None
        assert [t.speaker for t in got.turns] == ["buyer", "rep", "buyer", "rep", "buyer"]
        assert got.turns[1].text == "Thanks for making the time today." and got.turns[1].labels
        assert got.turns[3].rep_name == "maya" and got.turns[4].trust is not None
        assert [e.text for e in got.coach_events] == ["nice opener"]
        assert store.list_sessions(status="running") == []
        # It replays (and exports) like any other session.
        assert got.to_dict()["turns"][3]["text"].startswith("How do you take custom cake orders")


def test_follower_sees_every_turn_of_a_writer_process_then_the_end(db_url, tmp_path):
    with Store.open(db_url, tmp_path / "audio") as store:
        proc = _spawn(db_url, tmp_path / "audio", 4, 0.15, "--finish")
        try:
            sid = proc.stdout.readline().split()[1]
            events = list(follow(store, sid, poll_s=0.05, timeout_s=120))
            proc.wait(timeout=60)
        finally:
            proc.kill()
    turns = [e for e in events if isinstance(e, TurnCompleted)]
    assert [e.index for e in turns] == list(range(9))
    assert [e.turn.speaker for e in turns] == ["buyer"] + ["rep", "buyer"] * 4
    assert [e.text for e in events if isinstance(e, CoachAction)] == ["nice opener"]
    assert isinstance(events[-1], SessionEnded)
    assert events[-1].reason == "finished" and isinstance(events[-1].scorecard["overall"], int)


def test_follower_in_a_thread_alongside_a_writer_thread(db_url, tmp_path):
    with Store.open(db_url, tmp_path / "a") as writer_store, Store.open(db_url, tmp_path / "a") as reader_store:
        rec = Recorder.start(writer_store, "p", {"id": "p"}, "offline")
        seen: list = []
        started = threading.Event()

        def reader():
            started.set()
            seen.extend(follow(reader_store, rec.session_id, poll_s=0.02, timeout_s=60))

        thread = threading.Thread(target=reader)
        thread.start()
        started.wait()
        for i in range(20):
            rec(TurnCompleted(i, Turn("rep" if i % 2 == 0 else "buyer", f"t{i}")))
        rec(SessionEnded("finished"))
        thread.join(timeout=60)
    assert [e.turn.text for e in seen if isinstance(e, TurnCompleted)] == [f"t{i}" for i in range(20)]
    assert isinstance(seen[-1], SessionEnded)


def test_follow_stops_when_asked(store):
    sid = store.create_session("p", {"id": "p"}, "offline")
    stop = threading.Event()
    stop.set()
    assert list(follow(store, sid, stop=stop)) == []
