"""Keeping the store tidy: running sessions whose writer has died become ``interrupted`` (same host: its pid
is gone; another host: no heartbeat for ``STALE_AFTER_S``), and a deleted session takes everything of it
along (turns, events, scores, reps, drill attempts, recordings)."""

from __future__ import annotations

import shutil
import time

import sqlalchemy as sa

from simulator.session import schema as t
from simulator.session.db import translate
from simulator.session.records import owner_alive
from simulator.session.store.base import StoreBase

#: A running session written from another host counts as dead after this long without a heartbeat.
STALE_AFTER_S = 3600.0


class Upkeep(StoreBase):
    def recover(self) -> list[str]:
        """Mark running sessions whose writer is gone as interrupted; returns their ids."""
        now = time.time()
        with self.engines.read.connect() as conn:
            rows = conn.execute(
                sa.select(t.sessions.c.id, t.sessions.c.owner, t.sessions.c.heartbeat_at).where(
                    t.sessions.c.status == "running"
                )
            ).all()
        dead = []
        for sid, owner, beat in rows:
            alive = owner_alive(owner)
            if alive is False or (alive is None and (beat is None or now - beat > STALE_AFTER_S)):
                dead.append(sid)
        if dead:
            with self.engines.write.begin() as conn:
                conn.execute(
                    sa.update(t.sessions)
                    .where(t.sessions.c.id.in_(dead), t.sessions.c.status == "running")
                    .values(status="interrupted", end_reason="writer stopped", owner=None,
                            ended_at=sa.func.coalesce(t.sessions.c.heartbeat_at, t.sessions.c.started_at))
                )  # fmt: skip
        return dead

    def delete(self, session_id: str) -> None:
        """Remove a session, its turns, events, scores and recordings."""
        sid = self.resolve(session_id)
        with translate("delete the session", self.where), self.engines.write.begin() as conn:
            for table in (t.turns, t.coach_events, t.scorecards, t.session_reps, t.drill_attempts):
                conn.execute(sa.delete(table).where(table.c.session_id == sid))
            conn.execute(sa.delete(t.sessions).where(t.sessions.c.id == sid))
        shutil.rmtree(self.audio_dir / sid, ignore_errors=True)
