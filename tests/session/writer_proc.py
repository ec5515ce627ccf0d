"""A real practice session, recorded, run as a separate process by the kill and follow tests.

Usage: python writer_proc.py DB_URL AUDIO_DIR REP_LINES PAUSE_S [--finish]
Runs the practice loop (bakery-owner persona, offline buyer) with a Recorder sink.  Prints
"session ID" once, then "turn N" after each turn is committed; without --finish it then waits
forever, as if the rep were mid-sentence (the test kills it).
"""

from __future__ import annotations

import sys
import time

from simulator.persona.factory import make_engine
from simulator.persona.loader import get
from simulator.session.events import TurnCompleted
from simulator.session.loop import PracticeSession
from simulator.session.recorder import start_recorder

LINES = [
    "Thanks for making the time today.",
    "How do you take custom cake orders at the moment?",
    "What happens when an order gets missed?",
    "So a missed order means an unhappy customer at the counter.",
    "Who else feels that when it happens?",
    "What have you tried so far?",
]


def main() -> None:
    url, audio, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    persona = get("bakery-owner")
    recorder = start_recorder(persona, "offline", {"seed": 1}, url, audio_dir=audio, reps=["maya"])
    print("session", recorder.session_id, flush=True)

    def announce(event):  # after the recorder (the first sink) has committed the turn
        if isinstance(event, TurnCompleted):
            print("turn", event.index, flush=True)

    session = PracticeSession(persona, make_engine("offline", seed=1), seed=1, rep_name="maya",
                              sinks=[recorder, announce])  # fmt: skip
    session.start()
    for i, line in enumerate(LINES[:count]):
        time.sleep(pause)
        session.rep_turn(line)
        if i == 0:
            session.coach("note", "nice opener", turn_index=1)
    if "--finish" in sys.argv:
        session.end("finished")
        print("finished", flush=True)
        return
    while True:  # the next rep turn is "in progress" until we are killed
        time.sleep(1)


if __name__ == "__main__":
    main()
