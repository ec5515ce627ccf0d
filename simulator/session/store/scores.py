"""Scorecards and turn labels: a new scorecard joins the session's score history (the newest is current), and
re-analysis replaces stored labels and cues."""

from __future__ import annotations

import time

import sqlalchemy as sa

from simulator.session import schema as t
from simulator.session.db import translate
from simulator.session.store.base import StoreBase
from simulator.session.store.rows import overall, rubric_columns


class ScoreWrites(StoreBase):
    def add_scorecard(
        self, session_id: str, scorecard: dict, analyser_version: str | None = None, scorer_version: str | None = None,
        labels: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
    ) -> None:  # fmt: skip
        """Add a scorecard (earlier ones stay as the session's score history), in the same transaction
        replacing the labels and cues of the turns in ``labels`` (index -> (labels, cues)) after re-analysis."""
        score = overall(scorecard)
        with translate("save the scorecard", self.where), self.engines.write.begin() as conn:
            if labels:
                conn.execute(
                    sa.update(t.turns)
                    .where(t.turns.c.session_id == session_id, t.turns.c.idx == sa.bindparam("i"))
                    .values(labels=sa.bindparam("new_labels"), cues=sa.bindparam("new_cues")),
                    [{"i": i, "new_labels": list(lab), "new_cues": list(cues)} for i, (lab, cues) in labels.items()],
                )
            conn.execute(
                sa.insert(t.scorecards).values(
                    session_id=session_id, created_at=time.time(), analyser_version=analyser_version,
                    scorer_version=scorer_version, overall=score, data=scorecard, **rubric_columns(scorecard),
                )
            )
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(overall=score))

    def update_labels(self, session_id: str, labels: dict[int, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        """Replace the labels and cues of some turns (index -> (labels, cues))."""
        with translate("update turn labels", self.where), self.engines.write.begin() as conn:
            for idx, (lab, cues) in labels.items():
                conn.execute(
                    sa.update(t.turns)
                    .where(t.turns.c.session_id == session_id, t.turns.c.idx == idx)
                    .values(labels=list(lab), cues=list(cues))
                )
