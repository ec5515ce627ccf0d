"""A session writer run as a separate process by the kill and follow tests.

Usage: python writer_proc.py DB_URL AUDIO_DIR TURNS PAUSE_S [--finish]
Prints "session ID" once, then "turn N" after each turn is committed; without --finish it then
waits forever, as if the rep were still speaking (the test kills it).
"""

from __future__ import annotations

import sys
import time

from simulator.conversation.turns import Turn
from simulator.session.events import CoachAction, SessionEnded, TurnCompleted
from simulator.session.recorder import Recorder
from simulator.session.store import Store


def main() -> None:
    url, audio, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    store = Store.open(url, audio)
    rec = Recorder.start(store, "ana-cfo", {"id": "ana-cfo", "name": "Ana"}, "offline", {"seed": 1}, ["maya"])
    print("session", rec.session_id, flush=True)
    for i in range(count):
        time.sleep(pause)
        if i % 2 == 0:
            turn = Turn("rep", f"question number {i}?", labels=("question",), rep_name="maya")
        else:
            turn = Turn("buyer", f"answer number {i}", trust=30.0 + i)
        rec(TurnCompleted(i, turn))
        if i == 1:
            rec(CoachAction("note", "nice follow-up", turn_index=1, t=float(i)))
        print("turn", i, flush=True)
    if "--finish" in sys.argv:
        rec(SessionEnded("finished", {"overall": 70, "scorer_version": "test"}))
        print("finished", flush=True)
        return
    while True:  # the next turn is "in progress" until we are killed
        time.sleep(1)


if __name__ == "__main__":
    main()
