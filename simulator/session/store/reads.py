"""Reading stored sessions: an id from a unique prefix, the list (newest first, filtered by rep, persona,
status), one whole session, and what a follower needs (turns and coach events after the last seen)."""

from __future__ import annotations

import sqlalchemy as sa

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import schema as t
from simulator.session.db import translate
from simulator.session.records import ID_ALPHABET, CoachEvent, ScoreRecord, SessionSummary, StoredSession
from simulator.session.store.base import StoreBase
from simulator.session.store.rows import SUMMARY_COLS, turn_from_row


class Reads(StoreBase):
    def resolve(self, prefix: str) -> str:
        """The full id of the one session whose id starts with ``prefix``."""
        prefix = (prefix or "").strip().lower()
        if not prefix or any(c not in ID_ALPHABET for c in prefix):
            raise RapportError(f"no session {prefix!r}: ids look like k7m2q9xa (see `rapport sessions list`)")
        with translate("look up the session", self.where), self.engines.read.connect() as conn:
            ids = conn.execute(
                sa.select(t.sessions.c.id).where(t.sessions.c.id.like(prefix + "%")).order_by(t.sessions.c.id).limit(4)
            ).scalars().all()  # fmt: skip
        if not ids:
            raise RapportError(f"no session {prefix!r} (see `rapport sessions list`)")
        if len(ids) > 1 and prefix not in ids:
            raise RapportError(f"{prefix!r} matches several sessions ({', '.join(ids[:3])}...); type more of the id")
        return prefix if prefix in ids else ids[0]

    def list_sessions(self, rep: str | None = None, persona: str | None = None, limit: int | None = None,
                      status: str | None = None) -> list[SessionSummary]:  # fmt: skip
        """Sessions, newest first, optionally for one rep / persona / status."""
        query = sa.select(*SUMMARY_COLS).order_by(t.sessions.c.started_at.desc(), t.sessions.c.id)
        if rep:
            query = query.where(
                sa.exists().where(t.session_reps.c.session_id == t.sessions.c.id, t.session_reps.c.rep_name == rep)
            )
        if persona:
            query = query.where(t.sessions.c.persona_id == persona)
        if status:
            query = query.where(t.sessions.c.status == status)
        if limit:
            query = query.limit(limit)
        with translate("list sessions", self.where), self.engines.read.connect() as conn:
            return [SessionSummary(*row) for row in conn.execute(query)]

    def summary(self, session_id: str) -> SessionSummary | None:
        with translate("read the session", self.where), self.engines.read.connect() as conn:
            row = conn.execute(sa.select(*SUMMARY_COLS).where(t.sessions.c.id == session_id)).first()
        return SessionSummary(*row) if row else None

    def get(self, session_id: str) -> StoredSession:
        """A whole session by id or unique prefix."""
        sid = self.resolve(session_id)
        with translate("read the session", self.where), self.engines.read.begin() as conn:
            row = conn.execute(
                sa.select(*SUMMARY_COLS, t.sessions.c.persona, t.sessions.c.settings, t.sessions.c.end_reason)
                .where(t.sessions.c.id == sid)
            ).first()  # fmt: skip
            if row is None:
                raise RapportError(f"no session {session_id!r}")
            turns = [turn_from_row(r) for r in conn.execute(
                sa.select(t.turns).where(t.turns.c.session_id == sid).order_by(t.turns.c.idx)
            )]  # fmt: skip
            events = self._coach(conn, sid, 0)
            scores = [
                ScoreRecord(r.created_at, r.analyser_version, r.scorer_version, r.overall, r.data, r.rubric_name,
                            r.rubric_hash)
                for r in conn.execute(
                    sa.select(t.scorecards).where(t.scorecards.c.session_id == sid).order_by(t.scorecards.c.id)
                )
            ]
        summary = SessionSummary(*row[: len(SUMMARY_COLS)])
        return StoredSession(summary, row.persona or {}, row.settings or {}, turns, events, scores, row.end_reason)

    def turns_after(self, session_id: str, index: int) -> list[tuple[int, Turn]]:
        """Turns with an index above ``index`` (for following a running session)."""
        with translate("read new turns", self.where), self.engines.read.connect() as conn:
            rows = conn.execute(
                sa.select(t.turns).where(t.turns.c.session_id == session_id, t.turns.c.idx > index)
                .order_by(t.turns.c.idx)
            ).all()  # fmt: skip
        return [(r.idx, turn_from_row(r)) for r in rows]

    def coach_after(self, session_id: str, event_id: int) -> list[CoachEvent]:
        with translate("read new coach events", self.where), self.engines.read.connect() as conn:
            return self._coach(conn, session_id, event_id)

    @staticmethod
    def _coach(conn: sa.Connection, session_id: str, after_id: int) -> list[CoachEvent]:
        c = t.coach_events.c
        rows = conn.execute(
            sa.select(c.id, c.kind, c.text, c.t, c.turn_index, c.rep_name)
            .where(c.session_id == session_id, c.id > after_id).order_by(c.id)
        ).all()  # fmt: skip
        return [CoachEvent(*r) for r in rows]

    def session_ids(self) -> list[str]:
        with translate("list sessions", self.where), self.engines.read.connect() as conn:
            return list(conn.execute(sa.select(t.sessions.c.id).order_by(t.sessions.c.started_at)).scalars())
