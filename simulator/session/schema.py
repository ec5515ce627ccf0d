"""The session store's tables (SQLAlchemy Core), as of the latest migration.

These ``Table`` objects are what the store queries.  They are *not* used to create the
database: ``migrations.py`` does that, one small versioned step at a time, and a test checks
that a freshly migrated database has exactly these columns.

Times are seconds since the Unix epoch (UTC floats): they sort, compare and index the same way
on SQLite and PostgreSQL.  Lists and dicts (labels, settings, the persona snapshot, the
scorecard) are JSON columns.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: One row: the schema version the database is at (see migrations.py).
schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)

#: A practice session (or an imported transcript).
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("started_at", sa.Float, nullable=False, index=True),
    sa.Column("ended_at", sa.Float),
    #: running | finished | interrupted
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("end_reason", sa.String(64)),
    sa.Column("persona_id", sa.String(128), nullable=False, index=True),
    #: the persona as it was when the session started (``Persona.model_dump()``)
    sa.Column("persona", sa.JSON, nullable=False),
    sa.Column("engine", sa.String(64), nullable=False),
    #: engine and session settings, with anything secret removed (see store.clean_settings)
    sa.Column("settings", sa.JSON, nullable=False),
    #: rep names in the order they first spoke (denormalised from turns/hand-overs for listing)
    sa.Column("reps", sa.JSON, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    #: who is writing a running session: "host:pid:process-start" (crash detection)
    sa.Column("owner", sa.String(256)),
    sa.Column("heartbeat_at", sa.Float),
    #: denormalised for fast listing: number of turns, latest overall score
    sa.Column("turn_count", sa.Integer, nullable=False),
    sa.Column("overall", sa.Float),
    #: a retry from a moment: the session it branches from and the (0-based) rep turn it retries (migration 3)
    sa.Column("parent_id", sa.String(16), index=True),
    sa.Column("parent_turn", sa.Integer),
)

#: Which reps took part in a session (for ``--rep`` filters and progress).
session_reps = sa.Table(
    "session_reps",
    metadata,
    sa.Column("session_id", sa.String(16), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("rep_name", sa.String(128), primary_key=True, index=True),
)

#: Every turn, committed as soon as it completes.
turns = sa.Table(
    "turns",
    metadata,
    sa.Column("session_id", sa.String(16), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("speaker", sa.String(8), nullable=False),
    sa.Column("rep_name", sa.String(128)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
    sa.Column("cues", sa.JSON, nullable=False),
    sa.Column("trust", sa.Float),
    sa.Column("revealed", sa.JSON, nullable=False),
    sa.Column("start_s", sa.Float),
    sa.Column("end_s", sa.Float),
    sa.Column("latency_ms", sa.JSON),
    #: recording, relative to the audio folder (absolute when stored elsewhere)
    sa.Column("audio", sa.String(512)),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

#: Coach notes, flags, steering, pauses and rep hand-overs, tied to a time and a turn.
coach_events = sa.Table(
    "coach_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(16), sa.ForeignKey("sessions.id"), nullable=False, index=True),
    sa.Column("t", sa.Float, nullable=False),
    sa.Column("turn_index", sa.Integer),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("rep_name", sa.String(128)),
    sa.Column("created_at", sa.Float, nullable=False),
)

#: Every scorecard a session has had; the newest is current, the others are its history.
scorecards = sa.Table(
    "scorecards",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(16), sa.ForeignKey("sessions.id"), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("analyser_version", sa.String(64)),
    sa.Column("scorer_version", sa.String(64)),
    sa.Column("overall", sa.Float),
    sa.Column("data", sa.JSON, nullable=False),
    #: the rubric it was scored with (migration 2; NULL before rubrics: the default rubric's scoring)
    sa.Column("rubric_name", sa.String(64)),
    sa.Column("rubric_hash", sa.String(64), index=True),
)

#: A drill attempt (migration 4): which drill, passed or not and why; its turns are the session's.
drill_attempts = sa.Table(
    "drill_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(16), nullable=False, index=True),
    sa.Column("rep_name", sa.String(128), index=True),
    sa.Column("drill", sa.String(32), nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)
