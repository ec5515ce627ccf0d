"""The session store: sessions, turns, coach events and scorecards in SQLite or PostgreSQL.

Every write is its own short transaction, so a turn is on disk the moment ``add_turn`` returns
and a process killed afterwards loses nothing of it (an import is the opposite case:
``add_finished_session`` writes a whole session in one transaction, all or nothing).  Opening a
store marks as ``interrupted`` any running session whose writer has died (same host: its pid is
gone; another host: no heartbeat for ``STALE_AFTER_S``), so a crashed session shows up and replays
like any other.

Usage::

    store = Store.open()                       # --db / RAPPORT_DB / the data folder's SQLite file
    sid = store.create_session("ana-cfo", persona.model_dump(), engine="offline", settings={})
    store.add_turn(sid, 0, Turn("rep", "Hi Ana", labels=("rapport",)))
    store.finish(sid, scorecard=card, analyser_version="1", scorer_version="1")
    store.get(sid[:4]).to_dict()
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

import sqlalchemy as sa

from simulator import config
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import schema as t
from simulator.session.db import Engines, open_engines, translate
from simulator.session.migrations import migrate
from simulator.session.records import (
    ID_ALPHABET,
    CoachEvent,
    ScoreRecord,
    SessionSummary,
    StoredSession,
    clean_settings,
    new_id,
    owner_alive,
    owner_token,
)

#: A running session written from another host counts as dead after this long without a heartbeat.
STALE_AFTER_S = 3600.0

_SUMMARY_COLS = (
    t.sessions.c.id, t.sessions.c.started_at, t.sessions.c.ended_at, t.sessions.c.status,
    t.sessions.c.persona_id, t.sessions.c.engine, t.sessions.c.reps, t.sessions.c.turn_count,
    t.sessions.c.overall, t.sessions.c.source, t.sessions.c.parent_id, t.sessions.c.parent_turn,
)  # fmt: skip


class Store:
    """A connection to one session database and its audio folder."""

    def __init__(self, engines: Engines, audio_dir: Path) -> None:
        self.engines = engines
        self.audio_dir = audio_dir
        self.where = engines.where

    @classmethod
    def open(cls, url: str | None = None, audio_dir: str | Path | None = None, *, recover: bool = True,
             read: bool = False) -> Store:
        """Open (creating and migrating if needed) the store; mark dead running sessions interrupted.

        With ``read`` (commands that only look at stored sessions) a database named by ``--db`` or
        ``RAPPORT_DB`` must already exist: a mistyped path is an error, not a new empty file. The default
        database in the data folder is still created, so a fresh install lists "no sessions"."""
        url = config.db_url(url)
        engines = open_engines(url, existing=read and url != config.db_url_default())
        store = cls(engines, config.audio_dir(audio_dir))
        try:
            with translate("open the session store", store.where):
                migrate(engines.write)
                engines.enable_wal()
                if recover:
                    store.recover()
        except BaseException:
            engines.dispose()
            raise
        return store

    def close(self) -> None:
        self.engines.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

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
                sid = new_id()
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
            "heartbeat_at": now, "turn_count": len(turns), "overall": _overall(scorecard),
        }  # fmt: skip
        turn_rows = [_turn_row("", i, turn) for i, turn in enumerate(turns)]  # built before the write lock is taken
        with translate("store the session", self.where), self.engines.write.begin() as conn:
            sid = _free_id(conn)
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
                scorer_version=scorer_version, overall=row["overall"], data=scorecard, **_rubric(scorecard),
            )
        )  # fmt: skip

    def add_turn(self, session_id: str, index: int, turn: Turn) -> None:
        """Commit one completed turn (and note its rep and the heartbeat) in one transaction."""
        row = _turn_row(session_id, index, turn)
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

    def add_scorecard(
        self, session_id: str, scorecard: dict, analyser_version: str | None = None, scorer_version: str | None = None,
        labels: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
    ) -> None:  # fmt: skip
        """Add a scorecard (earlier ones stay as the session's score history), in the same transaction
        replacing the labels and cues of the turns in ``labels`` (index -> (labels, cues)) after re-analysis."""
        overall = _overall(scorecard)
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
                    scorer_version=scorer_version, overall=overall, data=scorecard, **_rubric(scorecard),
                )
            )
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(overall=overall))

    def update_labels(self, session_id: str, labels: dict[int, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        """Replace the labels and cues of some turns (index -> (labels, cues))."""
        with translate("update turn labels", self.where), self.engines.write.begin() as conn:
            for idx, (lab, cues) in labels.items():
                conn.execute(
                    sa.update(t.turns)
                    .where(t.turns.c.session_id == session_id, t.turns.c.idx == idx)
                    .values(labels=list(lab), cues=list(cues))
                )

    def finish(self, session_id: str, status: str = "finished", reason: str | None = None) -> None:
        """Close a session: status finished (or interrupted), end time, no owner."""
        with translate("finish the session", self.where), self.engines.write.begin() as conn:
            conn.execute(
                sa.update(t.sessions)
                .where(t.sessions.c.id == session_id)
                .values(status=status, end_reason=reason, ended_at=time.time(), owner=None)
            )

    def link_branch(self, session_id: str, parent_id: str, parent_turn: int) -> None:
        """Mark a session as a retry of ``parent_id`` from its (0-based) turn ``parent_turn``."""
        with translate("link the retry to its session", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id)
                         .values(parent_id=parent_id, parent_turn=parent_turn))

    def branches(self, parent_id: str) -> list[SessionSummary]:
        """The retries made from a session, oldest first."""
        query = sa.select(*_SUMMARY_COLS).where(t.sessions.c.parent_id == parent_id).order_by(t.sessions.c.started_at)
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

    def heartbeat(self, session_id: str) -> None:
        with translate("update the session heartbeat", self.where), self.engines.write.begin() as conn:
            conn.execute(sa.update(t.sessions).where(t.sessions.c.id == session_id).values(heartbeat_at=time.time()))

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

    # --- audio -----------------------------------------------------------------------------

    def save_audio(self, session_id: str, index: int, speaker: str, source: str | Path) -> str:
        """Copy a turn recording into the audio folder; returns the reference stored with the turn."""
        src = Path(source)
        dest_dir = self.audio_dir / session_id
        dest = dest_dir / f"{index:04d}-{speaker}{src.suffix.lower() or '.flac'}"
        tmp = dest.with_suffix(dest.suffix + ".part")
        try:
            dest_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        except FileNotFoundError:
            raise RapportError(f"recording {src} is missing; turn {index} kept without audio") from None
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno == errno.ENOSPC:
                raise RapportError(f"disk full: could not store the recording of turn {index}") from None
            raise RapportError(f"could not store the recording of turn {index}: {exc.strerror}") from None
        return f"{session_id}/{dest.name}"

    def set_turn_audio(self, session_id: str, index: int, ref: str | None) -> None:
        """Point a stored turn at a recording (e.g. a test's stand-in recording)."""
        with translate(f"save the recording of turn {index}", self.where), self.engines.write.begin() as conn:
            conn.execute(
                sa.update(t.turns).where(t.turns.c.session_id == session_id, t.turns.c.idx == index).values(audio=ref)
            )

    def audio_path(self, ref: str | None) -> Path | None:
        """The file behind a turn's audio reference, or None when there is none, it is missing, or it
        is not inside the audio folder.

        The reference is resolved (``..`` and symlinks followed) and must land inside the resolved audio
        folder: a stored ``/etc/passwd``, ``../../x.wav`` or a symlink pointing out of the folder gives
        None, so no export or replay ever reads a file outside it.  Read recordings only through this."""
        if not ref or not isinstance(ref, str):
            return None
        try:
            root = self.audio_dir.resolve()
            path = (root / ref).resolve()
            inside = path != root and path.is_relative_to(root)
            return path if inside and path.is_file() else None
        except (OSError, RuntimeError, ValueError):  # unreadable folder, symlink loop, NUL byte in the reference
            return None

    # --- reading ---------------------------------------------------------------------------

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
        query = sa.select(*_SUMMARY_COLS).order_by(t.sessions.c.started_at.desc(), t.sessions.c.id)
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
            row = conn.execute(sa.select(*_SUMMARY_COLS).where(t.sessions.c.id == session_id)).first()
        return SessionSummary(*row) if row else None

    def get(self, session_id: str) -> StoredSession:
        """A whole session by id or unique prefix."""
        sid = self.resolve(session_id)
        with translate("read the session", self.where), self.engines.read.begin() as conn:
            row = conn.execute(
                sa.select(*_SUMMARY_COLS, t.sessions.c.persona, t.sessions.c.settings, t.sessions.c.end_reason)
                .where(t.sessions.c.id == sid)
            ).first()  # fmt: skip
            if row is None:
                raise RapportError(f"no session {session_id!r}")
            turns = [_turn(r) for r in conn.execute(
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
        summary = SessionSummary(*row[: len(_SUMMARY_COLS)])
        return StoredSession(summary, row.persona or {}, row.settings or {}, turns, events, scores, row.end_reason)

    def turns_after(self, session_id: str, index: int) -> list[tuple[int, Turn]]:
        """Turns with an index above ``index`` (for following a running session)."""
        with translate("read new turns", self.where), self.engines.read.connect() as conn:
            rows = conn.execute(
                sa.select(t.turns).where(t.turns.c.session_id == session_id, t.turns.c.idx > index)
                .order_by(t.turns.c.idx)
            ).all()  # fmt: skip
        return [(r.idx, _turn(r)) for r in rows]

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


def _free_id(conn: sa.Connection) -> str:
    """A new session id not yet taken (looked up inside the caller's transaction)."""
    for _ in range(5):
        sid = new_id()
        if conn.execute(sa.select(t.sessions.c.id).where(t.sessions.c.id == sid)).first() is None:
            return sid
    raise RapportError("could not find a free session id; try again")


def _overall(scorecard: dict) -> float | None:
    overall = scorecard.get("overall")
    return float(overall) if isinstance(overall, int | float) else None


def _rubric(scorecard: dict) -> dict:
    """The scorecard's rubric name and hash, for their columns (None: scored before rubrics)."""
    stamp = scorecard.get("rubric")
    if not isinstance(stamp, dict):
        return {"rubric_name": None, "rubric_hash": None}
    name, digest = stamp.get("name"), stamp.get("hash")
    return {"rubric_name": str(name)[:64] if name else None, "rubric_hash": str(digest)[:64] if digest else None}


def _turn_row(session_id: str, index: int, turn: Turn) -> dict:
    return {
        "session_id": session_id, "idx": index, "speaker": turn.speaker, "rep_name": turn.rep_name,
        "text": turn.text, "labels": list(turn.labels), "cues": list(turn.cues), "trust": turn.trust,
        "revealed": list(turn.revealed), "start_s": turn.start_s, "end_s": turn.end_s,
        "latency_ms": dict(turn.latency_ms) if turn.latency_ms else None, "audio": turn.audio,
        "extra": clean_settings(turn.extra) if turn.extra else {}, "created_at": time.time(),
    }  # fmt: skip


def _turn(row: sa.Row) -> Turn:
    return Turn(
        speaker=row.speaker, text=row.text, labels=tuple(row.labels or ()), cues=tuple(row.cues or ()),
        trust=row.trust, revealed=tuple(row.revealed or ()), start_s=row.start_s, end_s=row.end_s,
        rep_name=row.rep_name, latency_ms=row.latency_ms, audio=row.audio, extra=dict(row.extra or {}),
    )  # fmt: skip
