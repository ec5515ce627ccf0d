"""Stored values in words a coach reads: coach actions, figure values, times and fact topics.

One place for what the exports (Markdown, HTML) and the screens (replay, watch, scorecard) print,
so no raw value ("flag_good", "False", "16.4 s") reaches a report.  Pure formatting, no I/O.
"""

from __future__ import annotations

#: What a coach did, as a reader says it.
COACH_WORDS = {"note": "note", "flag_good": "flagged good", "flag_bad": "flagged bad", "steer": "steered the buyer",
               "pause": "paused", "resume": "resumed", "handover": "handed over to"}  # fmt: skip
#: The steer menu's choices, and how a steer reads afterwards.
STEER_WORDS = {"concern": "raise a concern next", "harder": "a harder buyer", "softer": "a softer buyer",
               "normal": "back to the buyer's normal"}  # fmt: skip


def coach_words(kind: str) -> str:
    return COACH_WORDS.get(kind, kind.replace("_", " "))


def coach_text(event) -> str:  # noqa: ANN001 (a CoachEvent or CoachAction)
    """``note: good open question``, ``flagged good``, ``steered the buyer: a harder buyer``,
    ``handed over to Alex``."""
    kind = event.kind
    text = event.text or ""
    if kind == "handover":
        return f"handed over to {text or event.rep_name or 'the next rep'}"
    if kind == "steer":
        text = STEER_WORDS.get(text, text)
    words = coach_words(kind)
    return f"{words}: {text}" if text else words


def clock(seconds: float | None) -> str:
    """Seconds into the session as ``m:ss`` (``1:05``); ``h:mm:ss`` past an hour."""
    if seconds is None:
        return "–"
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def turn_no(index: int | None) -> str:
    """A turn as people count them, from 1 (stored indexes start at 0): ``turn 4`` for index 3."""
    return "no turn recorded" if index is None else f"turn {index + 1}"


def where(event) -> str:  # noqa: ANN001 (a CoachEvent)
    """``turn 4 (0:16)``; ``no turn recorded (0:16)`` for an event stored without its turn (sessions
    recorded before coach events carried one)."""
    return f"{turn_no(event.turn_index)} ({clock(event.t)})"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 session``, ``3 sessions`` (``plural`` when it is not the noun and an "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def number(value: float) -> str:
    """``71.5``, ``72``, ``0.4`` (at most one decimal, no trailing zero)."""
    return f"{round(float(value), 1):g}"


def figure_value(figure: dict) -> str:
    """A scorecard figure's value as read: ``yes``/``no``, ``43%``, ``71.5/100``, ``3 questions``,
    ``19 words``, ``1.2 s``; ``–`` when not measured."""
    value = figure.get("value")
    unit = figure.get("unit") or ""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')} {v}" for k, v in value.items())
    if not isinstance(value, int | float):
        return f"{value} {unit}".strip()
    shown = number(value)
    if unit in ("%", "/100"):
        return f"{shown}{unit}"
    if value == 1 and unit.endswith("s") and unit not in ("s", "moves"):
        unit = unit[:-1]
    elif value == 1 and unit == "moves":
        unit = "move"
    return f"{shown} {unit}".strip()


def fact_topics(persona: dict | None) -> dict[str, str]:
    """Fact id -> its topic, from a stored persona snapshot (ids without a topic map to themselves)."""
    facts = (persona or {}).get("facts") or []
    return {f["id"]: str(f.get("topic") or f["id"]) for f in facts if isinstance(f, dict) and f.get("id")}
