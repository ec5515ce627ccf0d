"""The persona file format (``personas/*.toml``), validated with pydantic.

A persona is one TOML file; docs/personas.md is the reference.  The models::

    Persona: id (file stem unless given), name, role, company, industry, situation,
             personality, speaking_style, difficulty ("easy"|"medium"|"hard"), opening_line,
             starting_trust (0-100), patience, next_step_trust, next_step_share, close_tolerance,
             voice: Voice, facts: list[Fact], concerns: list[Concern], lines: Lines
    Voice:   rate (words per minute), voice (preferred voice name/id), gender
    Fact:    id, kind (situation|problem|cause|cost|people|tried|success), topic, keywords,
             trust_needed, says (how the buyer shares it), more (elaborations), guarded
    Concern: id, topic, says, explored (what the buyer says when the rep explores it)
    Lines:   the buyer's reactions: pitch, leading, rebuttal, close_early, close_pushed,
             close_ready, guarded, listening, small_talk, unclear, next_step, not_ready, goodbye

``load_persona(path)`` reads and validates one file and raises ``PersonaError`` (a
``RapportError``) whose one-line message names the file, the field and what is wrong.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.errors import RapportError

FACT_KINDS: tuple[str, ...] = ("situation", "problem", "cause", "cost", "people", "tried", "success")
Difficulty = Literal["easy", "medium", "hard"]
FactKind = Literal["situation", "problem", "cause", "cost", "people", "tried", "success"]
#: difficulty -> default close tolerance (early closes survived before the buyer ends the meeting)
CLOSE_TOLERANCE = {"easy": 2, "medium": 2, "hard": 1}


class PersonaError(RapportError):
    """A persona file that cannot be used: names the file, the field and the problem.

    ``problems`` holds every problem found, one line each (the message shows the first)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _nonempty(values: list[str]) -> list[str]:
    cleaned = [v for v in values if v.strip()]
    if len(cleaned) != len(values):
        raise ValueError("must not contain empty lines")
    return values


class Voice(_Model):
    """Text-to-speech settings for the buyer's voice."""

    rate: int = Field(170, ge=80, le=320, description="speaking rate in words per minute")
    voice: str | None = Field(None, description="preferred voice name or id (e.g. an espeak-ng voice)")
    gender: Literal["female", "male", "neutral"] | None = None


class Fact(_Model):
    """A hidden fact a good discovery conversation should surface."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: FactKind
    topic: str = Field(min_length=2, description="what the fact is about, in a few words")
    keywords: list[str] = Field(default_factory=list, description="words and phrases a rep might use for it")
    trust_needed: int = Field(ge=0, le=100)
    says: list[str] = Field(min_length=1, description="ways the buyer shares it")
    more: list[str] = Field(default_factory=list, description="elaborations when the rep listens or follows up")
    guarded: list[str] = Field(default_factory=list, description="deflections while trust is too low")
    leads_to: list[str] = Field(default_factory=list, description="fact ids a follow-up on this fact opens")

    @field_validator("says", "more", "guarded", "keywords")
    @classmethod
    def _no_empty_lines(cls, values: list[str]) -> list[str]:
        return _nonempty(values)


class Concern(_Model):
    """A worry the buyer raises when pushed (pitched at, rebutted, closed early)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    topic: str = Field(min_length=2)
    keywords: list[str] = Field(default_factory=list)
    says: list[str] = Field(min_length=1)
    explored: list[str] = Field(default_factory=list, description="what the buyer says when the rep explores it")


class Lines(_Model):
    """How the buyer reacts to moves.  Empty lists fall back to the engine's generic lines."""

    pitch: list[str] = Field(default_factory=list, description="polite disinterest in a pitch or benefit claim")
    leading: list[str] = Field(default_factory=list, description="reaction to a leading question")
    rebuttal: list[str] = Field(default_factory=list, description="reaction to an argued-with concern")
    close_early: list[str] = Field(default_factory=list, description="resistance to a premature close")
    close_pushed: list[str] = Field(default_factory=list, description="stronger resistance to a repeated close")
    close_ready: list[str] = Field(default_factory=list, description="a close once the buyer trusts the rep")
    guarded: list[str] = Field(default_factory=list, description="deflecting a question asked too soon")
    listening: list[str] = Field(default_factory=list, description="acknowledging being heard")
    small_talk: list[str] = Field(default_factory=list)
    unclear: list[str] = Field(default_factory=list, description="when the rep's words made no sense")
    next_step: list[str] = Field(default_factory=list, description="the buyer proposing the next step")
    not_ready: list[str] = Field(default_factory=list, description="asked about next steps too soon")
    goodbye: list[str] = Field(default_factory=list, description="ending the meeting after being pushed")


class Persona(_Model):
    """A simulated buyer."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    company: str = Field(min_length=1)
    industry: str = Field(min_length=1)
    situation: str = Field(min_length=1, description="one line: where the buyer stands")
    personality: str = ""
    speaking_style: str = ""
    difficulty: Difficulty = "medium"
    opening_line: str = Field(min_length=1)
    starting_trust: int = Field(30, ge=0, le=100)
    patience: int = Field(100, ge=1, le=100)
    next_step_trust: int = Field(65, ge=0, le=100, description="trust at which the buyer is ready to move on")
    next_step_share: float = Field(0.5, ge=0, le=1, description="share of facts out before a next step")
    close_tolerance: int | None = Field(None, ge=0, le=10)
    voice: Voice = Field(default_factory=Voice)
    facts: list[Fact] = Field(min_length=1)
    concerns: list[Concern] = Field(default_factory=list)
    lines: Lines = Field(default_factory=Lines)

    @model_validator(mode="after")
    def _consistent(self) -> Persona:
        ids = [f.id for f in self.facts]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"facts: duplicate fact id {dupes[0]!r}")
        for fact in self.facts:
            for target in fact.leads_to:
                if target not in ids:
                    raise ValueError(f"facts.{fact.id}.leads_to: unknown fact id {target!r}")
        cids = [c.id for c in self.concerns]
        if len(set(cids)) != len(cids):
            raise ValueError("concerns: duplicate concern id")
        if self.close_tolerance is None:
            self.close_tolerance = CLOSE_TOLERANCE[self.difficulty]
        return self

    def fact(self, fact_id: str) -> Fact | None:
        return next((f for f in self.facts if f.id == fact_id), None)

    def concern(self, concern_id: str) -> Concern | None:
        return next((c for c in self.concerns if c.id == concern_id), None)

    def summary(self) -> dict:
        """The fields ``personas list --json`` prints."""
        return {
            "id": self.id, "name": self.name, "role": self.role, "company": self.company,
            "industry": self.industry, "difficulty": self.difficulty, "situation": self.situation,
            "facts": len(self.facts),
        }


def _name(key: object) -> str:
    """A key or id as written, or quoted when it is empty or holds a line break or control character
    (a problem is always one line)."""
    text = str(key)
    return text if text and text.isprintable() else repr(text)


def _where(loc: tuple, data: dict) -> str:
    """A readable field path: facts[2] becomes facts.<fact id> when the id is known."""
    parts: list[str] = []
    node: object = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list):
            entry = node[item] if item < len(node) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts.append(f"{parts.pop()}[{_name(ident or item)}]" if parts else f"[{item}]")
            node = entry
        else:
            parts.append(_name(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(file)"


def parse_persona(data: dict, source: str, default_id: str) -> Persona:
    """Validate already-parsed TOML data; errors name ``source``."""
    if not isinstance(data, dict):
        raise PersonaError(f"{source}: (file): expected a TOML table")
    data = dict(data)
    data.setdefault("id", default_id)
    try:
        return Persona.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{source}: {_where(tuple(err.get('loc', ())), data)}: "
            + err.get("msg", "invalid").removeprefix("Value error, ")
            for err in exc.errors()
        ]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise PersonaError(problems[0] + more, problems) from None


#: a persona file is a few kilobytes; anything this big is not one (and would take long to parse)
MAX_FILE_BYTES = 1_000_000


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else ``PersonaError``.

    A FIFO, a device or a socket is refused without blocking: it is opened non-blocking and checked
    with ``fstat`` before anything is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PersonaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise PersonaError(f"{path}: cannot read: {what}")
        if info.st_size > limit:
            raise PersonaError(f"{path}: (file): too large for a persona file ({info.st_size} bytes)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise PersonaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def load_persona(path: str | Path) -> Persona:
    """Read and validate one persona file.  Raises ``PersonaError`` naming file, field and problem."""
    path = Path(path)
    raw = read_regular_file(path)
    if len(raw) > MAX_FILE_BYTES:
        raise PersonaError(f"{path}: (file): too large for a persona file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PersonaError(f"{path}: (file): not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(f"{path}: (file): invalid TOML: {exc}") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise PersonaError(f"{path}: (file): invalid TOML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise PersonaError(f"{path}: (file): invalid TOML: nested too deeply") from None
    stem = path.stem.lower().replace(" ", "-")
    return parse_persona(data, str(path), stem)
