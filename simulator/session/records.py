"""What the store hands back: typed records, session ids, owner tokens and settings cleaning."""

from __future__ import annotations

import os
import re
import secrets
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simulator.conversation.turns import Turn

#: Session ids: 8 characters without look-alikes (no 0/o, 1/l/i), e.g. ``k7m2q9xa``.
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ID_LENGTH = 8
STATUSES = ("running", "finished", "interrupted")


def new_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC (``2026-01-31T09:15:02Z``)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- crash detection: who owns a running session -----------------------------------------------


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks (Linux), so a reused pid is not mistaken for it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def owner_token() -> str:
    """``host:pid:start`` for this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def owner_alive(token: str | None) -> bool | None:
    """True/False for a process on this host; None when it runs elsewhere (or the token is unknown)."""
    if not token:
        return None
    try:
        host, pid_text, start = token.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    # A pid now belonging to another process (different start time) means ours is gone.
    return start == "?" or _process_start(pid) in (start, "?")


# --- settings without secrets ------------------------------------------------------------------

_SECRET_KEY = re.compile(r"(api[_-]?key|token|secret|password|passwd|authorization|credential)", re.I)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def _secret_values() -> set[str]:
    return {v for k, v in os.environ.items() if _SECRET_KEY.search(k) and len(v) >= 6}


def clean_settings(value: object, _secrets: set[str] | None = None) -> object:
    """Settings safe to store and export: secret-looking keys dropped, URL passwords masked,
    and any value equal to a secret environment variable removed."""
    secret_values = _secret_values() if _secrets is None else _secrets
    if isinstance(value, dict):
        return {
            str(k): clean_settings(v, secret_values)
            for k, v in value.items()
            if not _SECRET_KEY.search(str(k))
        }
    if isinstance(value, list | tuple):
        return [clean_settings(v, secret_values) for v in value]
    if isinstance(value, str):
        if value in secret_values:
            return "***"
        for secret in secret_values:
            if secret in value:
                value = value.replace(secret, "***")
        return _URL_PASSWORD.sub(r"\1***@", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


# --- records -----------------------------------------------------------------------------------


@dataclass
class SessionSummary:
    """One line of ``rapport sessions list``."""

    id: str
    started_at: float
    ended_at: float | None
    status: str
    persona_id: str
    engine: str
    reps: list[str]
    turn_count: int
    overall: float | None
    source: str = "practice"
    #: a retry from a moment: the session and the (0-based) turn it branches from
    parent_id: str | None = None
    parent_turn: int | None = None

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "status": self.status,
            "persona": self.persona_id,
            "engine": self.engine,
            "reps": list(self.reps),
            "overall": self.overall,
            "turns": self.turn_count,
            "source": self.source,
        }
        if self.parent_id:  # a retry: 1-based turn number, as reports show turns
            d["retry_of"] = {"session": self.parent_id, "turn": (self.parent_turn or 0) + 1}
        return d


@dataclass
class CoachEvent:
    """A coach's note, flag, steer, pause or rep hand-over."""

    id: int
    kind: str
    text: str
    t: float
    turn_index: int | None = None
    rep_name: str | None = None

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "text": self.text, "t": self.t, "turn_index": self.turn_index}
        if self.rep_name is not None:
            d["rep_name"] = self.rep_name
        return d


@dataclass
class ScoreRecord:
    """One scorecard a session has had (the newest is the current one)."""

    created_at: float
    analyser_version: str | None
    scorer_version: str | None
    overall: float | None
    data: dict
    #: the rubric it was scored with (None: scored before rubrics, which is the default rubric's scoring)
    rubric_name: str | None = None
    rubric_hash: str | None = None

    def to_dict(self) -> dict:
        return {
            "created_at": iso(self.created_at),
            "analyser_version": self.analyser_version,
            "scorer_version": self.scorer_version,
            "overall": self.overall,
            "rubric": self.rubric_name,
            "rubric_hash": self.rubric_hash,
        }


@dataclass
class StoredSession:
    """A whole session as stored: enough to replay, export and re-score it."""

    summary: SessionSummary
    persona: dict
    settings: dict
    turns: list[Turn]
    coach_events: list[CoachEvent] = field(default_factory=list)
    scores: list[ScoreRecord] = field(default_factory=list)
    end_reason: str | None = None

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def scorecard(self) -> dict | None:
        return self.scores[-1].data if self.scores else None

    def to_dict(self) -> dict:
        """The ``simulate`` JSON shape plus the stored session's own fields."""
        s = self.summary
        return {
            "id": s.id,
            "started_at": iso(s.started_at),
            "ended_at": iso(s.ended_at),
            "status": s.status,
            "end_reason": self.end_reason,
            "reps": list(s.reps),
            "persona": s.persona_id,
            "persona_name": self.persona.get("name"),
            "engine": s.engine,
            "settings": self.settings,
            "source": s.source,
            "turns": [t.to_dict() for t in self.turns],
            "coach_events": [e.to_dict() for e in self.coach_events],
            "scorecard": self.scorecard,
            "score_history": [r.to_dict() for r in self.scores],
            **({"retry_of": {"session": s.parent_id, "turn": (s.parent_turn or 0) + 1}} if s.parent_id else {}),
        }
