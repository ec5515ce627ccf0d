"""Following a session that another process is recording.

``follow(store, session_id)`` yields the shared session events as they are committed:
``TurnCompleted`` for each new turn, ``CoachAction`` for each coach event, and finally
``SessionEnded`` once the session is no longer running (finished or interrupted; its
scorecard when it has one).  Events already stored come first, so a follower that joins late
sees the whole session.

It polls (default every 0.2 s), which works the same on SQLite in WAL mode (readers see each
commit at once and never block the writer) and on PostgreSQL, and keeps new turns within a
second of their commit.  Give ``stop`` (a threading.Event) to end it from another thread, e.g.
when the watch screen closes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from simulator.session.events import CoachAction, Event, SessionEnded, TurnCompleted
from simulator.session.store import Store

POLL_S = 0.2


def follow(
    store: Store,
    session_id: str,
    *,
    poll_s: float = POLL_S,
    stop: threading.Event | None = None,
    timeout_s: float | None = None,
) -> Iterator[Event]:
    """Yield the session's events as they are stored, until it ends (or ``stop``/``timeout_s``)."""
    sid = store.resolve(session_id)
    stop = stop or threading.Event()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    last_turn, last_event = -1, 0
    while not stop.is_set():
        summary = store.summary(sid)
        running = summary is not None and summary.status == "running"
        for index, turn in store.turns_after(sid, last_turn):
            last_turn = index
            yield TurnCompleted(index, turn, t=turn.end_s or 0.0)
        for ev in store.coach_after(sid, last_event):
            last_event = ev.id
            yield CoachAction(ev.kind, ev.text, ev.turn_index, ev.rep_name, t=ev.t)
        if not running:
            if summary is None:
                yield SessionEnded("deleted")
            else:
                stored = store.get(sid)
                yield SessionEnded(stored.end_reason or summary.status, stored.scorecard)
            return
        if deadline is not None and time.monotonic() >= deadline:
            return
        stop.wait(poll_s)
