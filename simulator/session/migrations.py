"""Versioned migrations: a list of small functions, and a ``schema_version`` table.

``MIGRATIONS[n]`` takes the database from version ``n`` to ``n + 1``.  Each runs in its own
transaction together with the version bump, so a migration either happens completely or not
at all.  Once a migration is released it never changes: a new column or index is a *new*
function appended to the list (and the column is added to ``schema.py``).  Migration 1 therefore
spells out the first tables itself instead of reusing ``schema.py``.

A database at a newer version than this code knows is refused (an older Rapport must not write
into a newer layout); a database that has tables but no ``schema_version`` is not ours and is
refused too.  Neither is ever changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from simulator.errors import RapportError

Migration = Callable[[sa.Connection], None]


def _m001_initial(conn: sa.Connection) -> None:
    """Version 1: sessions, reps, turns, coach events and scorecards (with history)."""
    md = sa.MetaData()
    S, F, N, J, T = sa.String, sa.Float, sa.Integer, sa.JSON, sa.Text  # compact DDL
    sa.Table(
        "sessions", md,
        sa.Column("id", S(16), primary_key=True),
        sa.Column("started_at", F, nullable=False, index=True),
        sa.Column("ended_at", F),
        sa.Column("status", S(16), nullable=False),
        sa.Column("end_reason", S(64)),
        sa.Column("persona_id", S(128), nullable=False, index=True),
        sa.Column("persona", J, nullable=False),
        sa.Column("engine", S(64), nullable=False),
        sa.Column("settings", J, nullable=False),
        sa.Column("reps", J, nullable=False),
        sa.Column("source", S(16), nullable=False),
        sa.Column("owner", S(256)),
        sa.Column("heartbeat_at", F),
        sa.Column("turn_count", N, nullable=False),
        sa.Column("overall", F),
    )  # fmt: skip
    sa.Table(
        "session_reps", md,
        sa.Column("session_id", S(16), sa.ForeignKey("sessions.id"), primary_key=True),
        sa.Column("rep_name", S(128), primary_key=True, index=True),
    )  # fmt: skip
    sa.Table(
        "turns", md,
        sa.Column("session_id", S(16), sa.ForeignKey("sessions.id"), primary_key=True),
        sa.Column("idx", N, primary_key=True, autoincrement=False),
        sa.Column("speaker", S(8), nullable=False),
        sa.Column("rep_name", S(128)),
        sa.Column("text", T, nullable=False),
        sa.Column("labels", J, nullable=False),
        sa.Column("cues", J, nullable=False),
        sa.Column("trust", F),
        sa.Column("revealed", J, nullable=False),
        sa.Column("start_s", F),
        sa.Column("end_s", F),
        sa.Column("latency_ms", J),
        sa.Column("audio", S(512)),
        sa.Column("extra", J, nullable=False),
        sa.Column("created_at", F, nullable=False),
    )  # fmt: skip
    sa.Table(
        "coach_events", md,
        sa.Column("id", N, primary_key=True, autoincrement=True),
        sa.Column("session_id", S(16), sa.ForeignKey("sessions.id"), nullable=False, index=True),
        sa.Column("t", F, nullable=False),
        sa.Column("turn_index", N),
        sa.Column("kind", S(32), nullable=False),
        sa.Column("text", T, nullable=False),
        sa.Column("rep_name", S(128)),
        sa.Column("created_at", F, nullable=False),
    )  # fmt: skip
    sa.Table(
        "scorecards", md,
        sa.Column("id", N, primary_key=True, autoincrement=True),
        sa.Column("session_id", S(16), sa.ForeignKey("sessions.id"), nullable=False, index=True),
        sa.Column("created_at", F, nullable=False),
        sa.Column("analyser_version", S(64)),
        sa.Column("scorer_version", S(64)),
        sa.Column("overall", F),
        sa.Column("data", J, nullable=False),
    )  # fmt: skip
    md.create_all(conn)


def _m002_scorecard_rubric(conn: sa.Connection) -> None:
    """Version 2: the rubric each scorecard was scored with (name and content hash; NULL: before rubrics,
    which is the default rubric's scoring)."""
    for column, length in (("rubric_name", 64), ("rubric_hash", 64)):
        conn.execute(sa.text(f"ALTER TABLE scorecards ADD COLUMN {column} VARCHAR({length})"))
    conn.execute(sa.text("CREATE INDEX ix_scorecards_rubric_hash ON scorecards (rubric_hash)"))


def _m003_session_branch(conn: sa.Connection) -> None:
    """Version 3: a retry from a moment is a session linked to its parent session and the turn it retries."""
    conn.execute(sa.text("ALTER TABLE sessions ADD COLUMN parent_id VARCHAR(16)"))
    conn.execute(sa.text("ALTER TABLE sessions ADD COLUMN parent_turn INTEGER"))
    conn.execute(sa.text("CREATE INDEX ix_sessions_parent_id ON sessions (parent_id)"))


def _m004_drill_attempts(conn: sa.Connection) -> None:
    """Version 4: drill attempts (the drill, passed or not and why, the session that holds its turns)."""
    md = sa.MetaData()
    sa.Table(
        "drill_attempts", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(16), nullable=False, index=True),
        sa.Column("rep_name", sa.String(128), index=True),
        sa.Column("drill", sa.String(32), nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )  # fmt: skip
    md.create_all(conn)


#: In order; the database version is the number of these that have run.
MIGRATIONS: list[Migration] = [_m001_initial, _m002_scorecard_rubric, _m003_session_branch, _m004_drill_attempts]

_VERSION = sa.table("schema_version", sa.column("version"), sa.column("applied_at"))


def current_version(conn: sa.Connection) -> int | None:
    """The database's schema version: None when it has no ``schema_version`` table."""
    if not sa.inspect(conn).has_table("schema_version"):
        return None
    value = conn.execute(sa.select(sa.func.max(_VERSION.c.version))).scalar()
    return int(value or 0)


def migrate(engine: sa.Engine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to ``len(migrations)``; returns the version it is at afterwards.

    Raises RapportError for a database from a newer Rapport or one that is not a Rapport store.
    """
    latest = len(migrations)
    with engine.begin() as conn:
        _lock(conn)
        version = current_version(conn)
        if version is None:
            foreign = [t for t in sa.inspect(conn).get_table_names() if not t.startswith("sqlite_")]
            if foreign:
                raise RapportError(
                    f"{_where(engine)} is not a Rapport session store (it has other tables: "
                    f"{', '.join(sorted(foreign)[:3])}); choose another file with --db"
                )
            conn.execute(
                sa.text(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at FLOAT NOT NULL)"
                )
            )
            conn.execute(sa.insert(_VERSION).values(version=0, applied_at=time.time()))
            version = 0
    if version > latest:
        raise RapportError(
            f"{_where(engine)} uses session store version {version}, newer than this Rapport knows "
            f"({latest}); upgrade Rapport to open it"
        )
    for number in range(version, latest):
        with engine.begin() as conn:
            _lock(conn)
            now = current_version(conn) or 0
            if now > number:
                continue
            migrations[number](conn)
            conn.execute(sa.update(_VERSION).values(version=number + 1, applied_at=time.time()))
    return latest


def _lock(conn: sa.Connection) -> None:
    """Serialise migrations between processes starting at once.

    On PostgreSQL a transaction-scoped advisory lock; on SQLite the store's write connections
    already open transactions with ``BEGIN IMMEDIATE``, which takes the database's write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7275701)"))


def _where(engine: sa.Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or "the in-memory database"
    return url.render_as_string(hide_password=True)
