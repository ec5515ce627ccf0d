"""What ties sessions to practice loops: a retry's link to the session and turn it retries, and drill attempts
(a drill's session is marked with source ``drill``; its result is a row of ``drill_attempts``)."""

from __future__ import annotations

import time

import sqlalchemy as sa

from simulator.session import schema as t
from simulator.session.db import translate
from simulator.session.records import SessionSummary
from simulator.session.store.base import StoreBase
from simulator.session.store.rows import SUMMARY_COLS


class PracticeLinks(StoreBase):
    def link_branch(self, session_id: str, parent_id: str, parent_turn: int) -> None:
        """Mark a session as a retry of ``parent_id`` from its (0-based) turn ``parent_turn``."""
        with translate("link the retry to its session", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id)
                         .values(parent_id=parent_id, parent_turn=parent_turn))

    def branches(self, parent_id: str) -> list[SessionSummary]:
        """The retries made from a session, oldest first."""
        query = sa.select(*SUMMARY_COLS).where(t.sessions.c.parent_id == parent_id).order_by(t.sessions.c.started_at)
        with translate("list retries", self.where), self.engines.read.connect() as conn:
            return [SessionSummary(*row) for row in conn.execute(query)]

    def mark_source(self, session_id: str, source: str) -> None:
        """Set what a session is (``drill`` for a drill attempt's session)."""
        with translate("mark the session", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(source=source))

    def add_drill_attempt(self, session_id: str, rep_name: str | None, drill: str, passed: bool, reason: str) -> None:
        with translate("save the drill attempt", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.insert(t.drill_attempts).values(
                session_id=session_id, rep_name=rep_name, drill=drill, passed=bool(passed), reason=reason,
                created_at=time.time()))

    def drill_attempts(self, rep: str | None = None) -> list[dict]:
        """Drill attempts, oldest first (one rep's, or everyone's)."""
        d = t.drill_attempts.c
        query = sa.select(d.session_id, d.rep_name, d.drill, d.passed, d.reason, d.created_at).order_by(d.id)
        if rep:
            query = query.where(d.rep_name == rep)
        with translate("list drill attempts", self.where), self.engines.read.connect() as conn:
            return [{"session_id": r.session_id, "rep": r.rep_name, "drill": r.drill, "passed": bool(r.passed),
                     "reason": r.reason, "created_at": r.created_at} for r in conn.execute(query)]
