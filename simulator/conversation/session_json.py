"""JSON sessions as ``rapport score`` and ``rapport sessions import`` read them, checked against a schema.

A document is ``{"turns": [...], ...}`` (the output of ``rapport simulate --json`` or ``rapport sessions
show --json``) or a bare list of turns.  Every turn is validated before anything is scored or stored:

* ``speaker`` ``"rep"`` or ``"buyer"`` and ``text`` (a string) are required;
* ``labels``: known move labels (``simulator.conversation.moves.LABELS``); ``cues``, ``revealed``: short
  strings; ``rep_name``: a name of 1 to ``MAX_NAME`` characters without control characters;
* ``trust``: a number from 0 to 100; ``start_s``/``end_s``: seconds from 0 to ``MAX_SECONDS``, a turn
  not ending before it starts and no turn starting before the previous one; ``latency_ms``: an object of
  names to milliseconds from 0 to ``MAX_LATENCY_MS``;
* ``audio``: a path relative to the audio folder (no absolute path, no ``..``);
* ``next_step``/``ended``: true or false.  Other keys (``stance``, ...) are ignored, ``null`` is the
  same as a missing key.

NaN and Infinity (which Python's ``json`` accepts) are refused wherever a number is read, strings must
not contain NUL characters or unpaired surrogates, and a document nested too deeply for the parser is
refused. A stored ``scorecard`` is ignored (the session is scored again), except that ``rapport score``
uses ``scorecard.discovery.total`` (how many facts the persona holds) when it is a whole number from 1
to ``MAX_FACTS``.  Problems raise :class:`RapportError` naming the turn and the field, in one line.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from simulator.conversation.moves import LABELS
from simulator.conversation.turns import Turn
from simulator.errors import RapportError

MAX_NAME = 80  # rep names
MAX_SHORT = 200  # cues, fact ids, latency names
MAX_ITEMS = 200  # cues or revealed facts on one turn
MAX_SECONDS = 1_000_000.0  # turn times (about 11.5 days)
MAX_LATENCY_MS = 10_000_000.0
MAX_FACTS = 10_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad(rule: str) -> PydanticCustomError:
    return PydanticCustomError("rapport", rule)


def _text(value: str) -> str:
    if "\x00" in value or _SURROGATE.search(value):
        raise _bad("NUL or unpaired surrogate")
    return value


def _short(value: str) -> str:
    if not value.strip() or _CONTROL.search(value) or _SURROGATE.search(value):
        raise _bad("empty or control character")
    return value


def _audio(value: str) -> str:
    if not audio_ref_ok(value):
        raise _bad("outside the audio folder")
    return value


def audio_ref_ok(ref: str) -> bool:
    """Whether ``ref`` stays inside the audio folder: relative, no ``..`` part, no drive, no NUL."""
    parts = re.split(r"[\\/]", ref)
    return bool(ref.strip()) and not (
        ref.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", ref) or ".." in parts
        or "\x00" in ref or _SURROGATE.search(ref)
    )  # fmt: skip


Text = Annotated[str, AfterValidator(_text)]
Short = Annotated[str, Field(max_length=MAX_SHORT), AfterValidator(_short)]
Name = Annotated[str, Field(max_length=MAX_NAME), AfterValidator(_short)]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
Millis = Annotated[float, Field(ge=0, le=MAX_LATENCY_MS, allow_inf_nan=False)]

#: What each field must be, for the one-line error ("turn 3: trust must be a number from 0 to 100 (got 1e+308)").
RULES: dict[str, str] = {
    "speaker": "'rep' or 'buyer'",
    "text": "a string without NUL characters or unpaired surrogates",
    "labels": f"a list of move labels ({', '.join(LABELS)})",
    "cues": f"a list of at most {MAX_ITEMS} names of 1 to {MAX_SHORT} characters",
    "trust": "a number from 0 to 100",
    "revealed": f"a list of at most {MAX_ITEMS} fact ids of 1 to {MAX_SHORT} characters",
    "start_s": f"a number of seconds from 0 to {MAX_SECONDS:,.0f}",
    "end_s": f"a number of seconds from 0 to {MAX_SECONDS:,.0f}",
    "rep_name": f"a name of 1 to {MAX_NAME} characters without control characters",
    "latency_ms": f"an object of names to milliseconds from 0 to {MAX_LATENCY_MS:,.0f}",
    "audio": "a path inside the audio folder (relative, without '..')",
    "next_step": "true or false",
    "ended": "true or false",
}


class TurnIn(BaseModel):
    """One turn of an imported JSON session (strict: no "5" for 5, no true for 1)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    speaker: Literal["rep", "buyer"]
    text: Text
    labels: list[Literal[LABELS]] | None = Field(None, max_length=MAX_ITEMS)  # type: ignore[valid-type]
    cues: list[Short] | None = Field(None, max_length=MAX_ITEMS)
    trust: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    revealed: list[Short] | None = Field(None, max_length=MAX_ITEMS)
    start_s: Seconds | None = None
    end_s: Seconds | None = None
    rep_name: Name | None = None
    latency_ms: dict[Short, Millis] | None = Field(None, max_length=MAX_ITEMS)
    audio: Annotated[str, Field(max_length=1000), AfterValidator(_audio)] | None = None
    next_step: bool | None = None
    ended: bool | None = None

    def to_turn(self) -> Turn:
        extra = {k: v for k, v in (("next_step", self.next_step), ("ended", self.ended)) if v is not None}
        return Turn(
            speaker=self.speaker, text=self.text, labels=tuple(dict.fromkeys(self.labels or ())),
            cues=tuple(self.cues or ()), trust=self.trust, revealed=tuple(self.revealed or ()),
            start_s=self.start_s, end_s=self.end_s, rep_name=self.rep_name,
            latency_ms=dict(self.latency_ms) if self.latency_ms else None, audio=self.audio, extra=extra,
        )  # fmt: skip


def shown(value: Any) -> str:
    """A value as the user wrote it (JSON), on one line and at most 40 characters: anything unprintable (a
    line separator, a control character, an unpaired surrogate) shown as its ``\\uXXXX`` escape."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = f"a {type(value).__name__}"
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:80])  # no line breaks, no escapes
    return text if len(text) <= 40 else text[:37] + "..."


def _message(error: ValidationError) -> str:
    """The first problem of a turn as "FIELD must be RULE (got VALUE)"."""
    first = error.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    if field not in RULES:
        return f"expected an object with speaker 'rep' or 'buyer' and a text (got {shown(first['input'])})"
    if first["type"] == "missing":
        return f"{field} is missing"
    return f"{field} must be {RULES[field]} (got {shown(first['input'])})"


def check_name(name: str, what: str = "the rep name") -> str:
    """``name`` if it is a usable rep name, else a one-line RapportError."""
    try:
        return TurnIn(speaker="rep", text="", rep_name=name).rep_name or name
    except ValidationError:
        raise RapportError(f"{what} must be {RULES['rep_name']} (got {shown(name)})") from None


def validate_turn(item: object) -> Turn:
    """One turn of the document, checked; ValueError with "FIELD must be ..." when it is bad."""
    try:
        turn = TurnIn.model_validate(item).to_turn()
    except ValidationError as exc:
        raise ValueError(_message(exc)) from None
    if turn.start_s is not None and turn.end_s is not None and turn.start_s > turn.end_s:
        raise ValueError(f"end_s must not be before start_s (got start_s {turn.start_s:g}, end_s {turn.end_s:g})")
    return turn


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RapportError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise RapportError("the JSON is nested too deeply") from None


def facts_total(doc: Any) -> int | None:
    """``scorecard.discovery.total`` when it is a whole number from 1 to MAX_FACTS (else the scorecard is ignored)."""
    card = doc.get("scorecard") if isinstance(doc, dict) else None
    discovery = card.get("discovery") if isinstance(card, dict) else None
    total = discovery.get("total") if isinstance(discovery, dict) else None
    return total if type(total) is int and 1 <= total <= MAX_FACTS else None


def parse(text: str, max_turns: int) -> tuple[list[Turn], int | None]:
    """The turns of a JSON session and the persona's fact count it reports (see the module docstring)."""
    doc = _decode(text)
    items = doc.get("turns") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise RapportError("the JSON has no list of turns (expected {\"turns\": [...]} or [...])")
    if len(items) > max_turns:
        raise RapportError(f"the JSON has {len(items):,} turns, more than the limit of {max_turns:,}")
    turns: list[Turn] = []
    last_start: tuple[int, float] | None = None
    for number, item in enumerate(items, start=1):
        try:
            turn = validate_turn(item)
        except ValueError as exc:
            raise RapportError(f"turn {number}: {exc}") from None
        if turn.start_s is not None:
            if last_start is not None and turn.start_s < last_start[1]:
                raise RapportError(f"turn {number}: start_s goes back in time (got {turn.start_s:g}, "
                                   f"turn {last_start[0]} started at {last_start[1]:g})")  # fmt: skip
            last_start = (number, turn.start_s)
        turns.append(turn)
    return turns, facts_total(doc)
