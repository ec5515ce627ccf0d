"""Rows of the session store and the records they become: the summary columns, a turn as a row and back,
a scorecard's overall score and rubric columns, and a free session id."""

from __future__ import annotations

import time

import sqlalchemy as sa

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import schema as t
from simulator.session.records import clean_settings, new_id

#: the columns of a :class:`~simulator.session.records.SessionSummary`, in its field order
SUMMARY_COLS = (
    t.sessions.c.id, t.sessions.c.started_at, t.sessions.c.ended_at, t.sessions.c.status,
    t.sessions.c.persona_id, t.sessions.c.engine, t.sessions.c.reps, t.sessions.c.turn_count,
    t.sessions.c.overall, t.sessions.c.source, t.sessions.c.parent_id, t.sessions.c.parent_turn,
)  # fmt: skip


def fresh_id() -> str:
    """A new random session id (``new_id``, looked up here so tests can fix the ids in one place)."""
    return new_id()


def free_id(conn: sa.Connection) -> str:
    """A new session id not yet taken (looked up inside the caller's transaction)."""
    for _ in range(5):
        sid = fresh_id()
        if conn.execute(sa.select(t.sessions.c.id).where(t.sessions.c.id == sid)).first() is None:
            return sid
    raise RapportError("could not find a free session id; try again")


def overall(scorecard: dict) -> float | None:
    value = scorecard.get("overall")
    return float(value) if isinstance(value, int | float) else None


def rubric_columns(scorecard: dict) -> dict:
    """The scorecard's rubric name and hash, for their columns (None: scored before rubrics)."""
    stamp = scorecard.get("rubric")
    if not isinstance(stamp, dict):
        return {"rubric_name": None, "rubric_hash": None}
    name, digest = stamp.get("name"), stamp.get("hash")
    return {"rubric_name": str(name)[:64] if name else None, "rubric_hash": str(digest)[:64] if digest else None}


def turn_row(session_id: str, index: int, turn: Turn) -> dict:
    return {
        "session_id": session_id, "idx": index, "speaker": turn.speaker, "rep_name": turn.rep_name,
        "text": turn.text, "labels": list(turn.labels), "cues": list(turn.cues), "trust": turn.trust,
        "revealed": list(turn.revealed), "start_s": turn.start_s, "end_s": turn.end_s,
        "latency_ms": dict(turn.latency_ms) if turn.latency_ms else None, "audio": turn.audio,
        "extra": clean_settings(turn.extra) if turn.extra else {}, "created_at": time.time(),
    }  # fmt: skip


def turn_from_row(row: sa.Row) -> Turn:
    return Turn(
        speaker=row.speaker, text=row.text, labels=tuple(row.labels or ()), cues=tuple(row.cues or ()),
        trust=row.trust, revealed=tuple(row.revealed or ()), start_s=row.start_s, end_s=row.end_s,
        rep_name=row.rep_name, latency_ms=row.latency_ms, audio=row.audio, extra=dict(row.extra or {}),
    )  # fmt: skip
