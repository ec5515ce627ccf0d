"""Writing a session as it happens (one short transaction per write, so a turn is on disk the moment
``add_turn`` returns) or a finished one all at once (``add_finished_session``, all or nothing)."""

from __future__ import annotations

import time

import sqlalchemy as sa

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import schema as t
from simulator.session.db import translate
from simulator.session.records import clean_settings, owner_token
from simulator.session.store.base import StoreBase
from simulator.session.store.rows import free_id, fresh_id, overall, rubric_columns, turn_row


class SessionWrites(StoreBase):
    def create_session(
        self,
        persona_id: str,
        persona: dict,
        engine: str,
        settings: dict | None = None,
        reps: list[str] | tuple[str, ...] = (),
        *,
        source: str = "practice",
        started_at: float | None = None,
        status: str = "running",
    ) -> str:
        """Start a session owned by this process; returns its new id."""
        now = time.time()
        reps = [r for r in dict.fromkeys(reps) if r]
        row = {
            "started_at": started_at if started_at is not None else now,
            "status": status,
            "persona_id": persona_id,
            "persona": clean_settings(persona),
            "engine": engine,
            "settings": clean_settings(settings or {}),
            "reps": reps,
            "source": source,
            "owner": owner_token() if status == "running" else None,
            "heartbeat_at": now,
            "turn_count": 0,
        }
        with translate("start a session", self.where):
            for _ in range(5):
                sid = fresh_id()
                try:
                    with self.engines.write.begin() as conn:
                        conn.execute(sa.insert(t.sessions).values(id=sid, **row))
                        if reps:
                            conn.execute(sa.insert(t.session_reps), [{"session_id": sid, "rep_name": r} for r in reps])
                    return sid
                except sa.exc.IntegrityError:
                    continue
        raise RapportError("could not find a free session id; try again")

    def add_finished_session(
        self, persona_id: str, persona: dict, engine: str, settings: dict, turns: list[Turn], scorecard: dict,
        analyser_version: str | None, scorer_version: str | None, *, reps: list[str] | tuple[str, ...] = (),
        source: str = "import", end_reason: str = "imported",
    ) -> str:  # fmt: skip
        """Store a whole, finished session (row, reps, turns, scorecard) in ONE transaction; returns its id.

        All or nothing: an error, SIGTERM, SIGKILL or a timeout part-way leaves no trace of it (the
        uncommitted transaction is rolled back by the database), unlike :meth:`create_session` plus
        :meth:`add_turn`, which commit turn by turn for crash safety during practice."""
        now = time.time()
        reps = list(dict.fromkeys(r for r in [*reps, *(turn.rep_name for turn in turns)] if r))
        row = {
            "started_at": now, "ended_at": now, "status": "finished", "end_reason": end_reason,
            "persona_id": persona_id, "persona": clean_settings(persona), "engine": engine,
            "settings": clean_settings(settings or {}), "reps": reps, "source": source, "owner": None,
            "heartbeat_at": now, "turn_count": len(turns), "overall": overall(scorecard),
        }  # fmt: skip
        turn_rows = [turn_row("", i, turn) for i, turn in enumerate(turns)]  # built before the write lock is taken
        with translate("store the session", self.where), self.engines.write.begin() as conn:
            sid = free_id(conn)
            self._insert_finished(conn, sid, row, turn_rows, scorecard, analyser_version, scorer_version)
        return sid

    @staticmethod
    def _insert_finished(conn: sa.Connection, sid: str, row: dict, turn_rows: list[dict], scorecard: dict,
                         analyser_version: str | None, scorer_version: str | None) -> None:  # fmt: skip
        conn.execute(sa.insert(t.sessions).values(id=sid, **row))
        if row["reps"]:
            conn.execute(sa.insert(t.session_reps), [{"session_id": sid, "rep_name": r} for r in row["reps"]])
        for start in range(0, len(turn_rows), 1000):
            conn.execute(sa.insert(t.turns), [{**r, "session_id": sid} for r in turn_rows[start : start + 1000]])
        conn.execute(
            sa.insert(t.scorecards).values(
                session_id=sid, created_at=row["ended_at"], analyser_version=analyser_version,
                scorer_version=scorer_version, overall=row["overall"], data=scorecard, **rubric_columns(scorecard),
            )
        )  # fmt: skip

    def add_turn(self, session_id: str, index: int, turn: Turn) -> None:
        """Commit one completed turn (and note its rep and the heartbeat) in one transaction."""
        row = turn_row(session_id, index, turn)
        with translate(f"save turn {index}", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.delete(t.turns).where(t.turns.c.session_id == session_id, t.turns.c.idx == index))
            conn.execute(sa.insert(t.turns).values(**row))
            values: dict = {"turn_count": t.sessions.c.turn_count + 1, "heartbeat_at": time.time()}
            if turn.rep_name:
                reps = conn.execute(sa.select(t.sessions.c.reps).where(t.sessions.c.id == session_id)).scalar()
                if reps is not None and turn.rep_name not in reps:
                    values["reps"] = [*reps, turn.rep_name]
                    conn.execute(sa.insert(t.session_reps).values(session_id=session_id, rep_name=turn.rep_name))
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(**values))

    def add_coach_event(
        self, session_id: str, kind: str, text: str = "", *, t_s: float = 0.0,
        turn_index: int | None = None, rep_name: str | None = None,
    ) -> int:  # fmt: skip
        """Commit a coach event; a hand-over also records the new rep as a participant."""
        with translate("save a coach event", self.where), self.engines.write.begin() as conn:
            result = conn.execute(
                sa.insert(t.coach_events).values(
                    session_id=session_id, t=t_s, turn_index=turn_index, kind=kind, text=text or "",
                    rep_name=rep_name, created_at=time.time(),
                )
            )
            values: dict = {"heartbeat_at": time.time()}
            if kind == "handover" and rep_name:
                reps = conn.execute(sa.select(t.sessions.c.reps).where(t.sessions.c.id == session_id)).scalar()
                if reps is not None and rep_name not in reps:
                    values["reps"] = [*reps, rep_name]
                    conn.execute(sa.insert(t.session_reps).values(session_id=session_id, rep_name=rep_name))
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(**values))
            return int(result.inserted_primary_key[0])

    def finish(self, session_id: str, status: str = "finished", reason: str | None = None) -> None:
        """Close a session: status finished (or interrupted), end time, no owner."""
        with translate("finish the session", self.where), self.engines.write.begin() as conn:
            conn.execute(
                sa.update(t.sessions)
                .where(t.sessions.c.id == session_id)
                .values(status=status, end_reason=reason, ended_at=time.time(), owner=None)
            )

    def heartbeat(self, session_id: str) -> None:
        with translate("update the session heartbeat", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(heartbeat_at=time.time()))
