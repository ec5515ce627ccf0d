"""The difference a retry made: the two buyer reactions and each figure, side by side.

``compare(store, retry_id)`` reads a retry (a session with a parent, ``simulator.session.branch``) and its
parent and returns::

    {"retry": id, "parent": id, "turn": n (1-based), "rubric": {...},
     "before": {"said", "labels", "reply", "trust_before", "trust_after", "revealed", "next_step", "ended"},
     "after":  {... the same for the retry ...},
     "moment": [{"name", "unit", "better", "before", "after", "verdict_before", "verdict_after", "change"}, ...],
     "whole":  [... the same for the whole sessions ...]}

``moment`` scores both conversations up to and including the buyer's reaction to the retried turn (so the
figures compare the same stretch); ``whole`` compares the stored scorecards of both sessions.  ``change`` is
``better``, ``worse`` or ``same`` by each figure's direction.  Both are scored under the parent scorecard's
rubric.  ``render(doc)`` is the text of ``rapport compare``.
"""

from __future__ import annotations

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import rescore
from simulator.session.records import StoredSession
from simulator.session.rubrics import for_stamp
from simulator.session.store import Store

OVERALL = {"name": "overall", "unit": "/100", "better": "up"}


def _reaction(session: StoredSession, index: int, trust_start: float | None) -> dict:
    turns = session.turns
    said = turns[index] if index < len(turns) else None
    reply = next((t for t in turns[index + 1:] if t.speaker == "buyer"), None)
    before = next((t.trust for t in reversed(turns[:index]) if t.trust is not None), trust_start)
    return {
        "said": said.text if said else None,
        "labels": list(said.labels) if said else [],
        "reply": reply.text if reply else None,
        "trust_before": before,
        "trust_after": reply.trust if reply else None,
        "revealed": list(reply.revealed) if reply else [],
        "next_step": bool(reply and reply.extra.get("next_step")),
        "ended": bool(reply and reply.extra.get("ended")),
    }


def _through_reaction(turns: list[Turn], index: int) -> list[Turn]:
    end = next((i for i in range(index + 1, len(turns)) if turns[i].speaker == "buyer"), len(turns) - 1)
    return turns[: end + 1]


def _value(fig: dict) -> float | None:
    value = fig.get("value")
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, int | float) and fig.get("verdict") != "n/a" else None


def _change(better: str, ideal: float | None, before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "n/a"
    if ideal is not None:
        before, after = -abs(before - ideal), -abs(after - ideal)
    elif better == "down":
        before, after = -before, -after
    return "better" if after > before + 1e-9 else "worse" if after < before - 1e-9 else "same"


def side_by_side(old: dict, new: dict) -> list[dict]:
    """Each figure of two scorecards (overall first), with its change by the figure's direction."""
    rows = [{**OVERALL, "before": old.get("overall"), "after": new.get("overall"), "verdict_before": "",
             "verdict_after": "", "change": _change("up", None, old.get("overall"), new.get("overall"))}]
    after = {f.get("name"): f for f in new.get("figures") or []}
    for fig in old.get("figures") or []:
        other = after.get(fig.get("name"), {})
        better = fig.get("better") or other.get("better") or "up"
        b, a = _value(fig), _value(other)
        rows.append({"name": fig.get("name"), "unit": fig.get("unit") or "", "better": better, "before": b,
                     "after": a, "verdict_before": fig.get("verdict"), "verdict_after": other.get("verdict"),
                     "change": _change(better, fig.get("ideal"), b, a)})
    return rows


def compare(store: Store, retry_id: str) -> dict:
    retry = store.get(retry_id)
    if not retry.summary.parent_id:
        raise RapportError(f"session {retry.id} is not a retry (start one with rapport retry SESSION:TURN)")
    parent = store.get(retry.summary.parent_id)
    index = retry.summary.parent_turn or 0
    rubric = for_stamp((parent.scorecard or {}).get("rubric"))
    start = parent.persona.get("starting_trust")
    start = float(start) if isinstance(start, int | float) else None
    facts_read = parent.summary.source == "import"

    def card(turns: list[Turn], persona: dict) -> dict:
        return rescore.scorecard(turns, persona, facts_read=facts_read, rubric=rubric)

    moment = side_by_side(card(_through_reaction(parent.turns, index), parent.persona),
                          card(_through_reaction(retry.turns, index), retry.persona))
    whole_old = parent.scorecard or card(parent.turns, parent.persona)
    whole_new = retry.scorecard or card(retry.turns, retry.persona)
    return {
        "retry": retry.id, "parent": parent.id, "turn": index + 1, "rubric": rubric.stamp(),
        "before": _reaction(parent, index, start), "after": _reaction(retry, index, start),
        "moment": moment, "whole": side_by_side(whole_old, whole_new),
    }  # fmt: skip


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:g}"
    return text + ("%" if unit == "%" else "")


def render(doc: dict) -> str:
    b, a = doc["before"], doc["after"]
    out = [f"Retry {doc['retry']} of session {doc['parent']}, turn {doc['turn']}", ""]
    for title, side in (("Before", b), ("After", a)):
        moves = ", ".join(label.replace("_", " ") for label in side["labels"]) or "no move"
        trust = ""
        if side["trust_before"] is not None and side["trust_after"] is not None:
            trust = f" (trust {side['trust_before']:g} -> {side['trust_after']:g})"
        out.append(f"{title}: you said ({moves}): “{side['said'] or '—'}”")
        out.append(f"  the buyer{trust}: “{side['reply'] or '— (no reply yet)'}”")
        if side["revealed"]:
            out.append(f"  revealed: {', '.join(side['revealed'])}")
        if side["next_step"]:
            out.append("  the buyer offered a next step")
        if side["ended"]:
            out.append("  the buyer ended the meeting")
    for title, rows in (("Through the buyer's reaction", doc["moment"]), ("Whole session", doc["whole"])):
        out += ["", f"{title:<30} {'before':>10} {'after':>10}  change"]
        for r in rows:
            out.append(f"{r['name']:<30} {_shown(r['before'], r['unit']):>10} {_shown(r['after'], r['unit']):>10}  "
                       f"{r['change']}")
    return "\n".join(out)
