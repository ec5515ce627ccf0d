"""A rep's progress: each scorecard figure's trend across their sessions, oldest to newest.

The words agree with the numbers shown beside them: ``change`` is the last session's value minus the
first's, and ``improving`` / ``worsening`` says whether the last is better or worse than the first for
this figure (more questions, fewer transactional moves, a talk share nearer the ~43% of top reps ...),
``steady`` when the difference is under 5% of the figure's scale.  ``best`` is the best value by the same
rule (for talk share: the one nearest 43%).  Only sessions with a scorecard count; values in another
unit than the newest session's (words vs seconds, when some sessions had no audio) are left out of that
figure's series.

Like with like: every value comes from scorecards of one rubric (``rubric``, by content hash; by default the
rubric of the newest session's scorecard).  A session's newest scorecard under that rubric is used (one stored
before rubrics counts as the default rubric's); sessions never scored under it are left out and counted in
``left_out`` (``rapport sessions rescore --all --rubric R`` scores them).  A figure's direction is the one its
scorecard states (``better``, ``ideal``), else the table below.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from simulator.conversation.rubric import DEFAULT, Rubric
from simulator.session import wording
from simulator.session.records import ScoreRecord, iso
from simulator.session.store import Store

#: figure -> True when higher is better (False: lower is better)
HIGHER_IS_BETTER: dict[str, bool] = {
    "overall": True,
    "rep talk share": False,
    "longest rep monologue": False,
    "longest buyer story": True,
    "questions": True,
    "follow-up questions": True,
    "listening": True,
    "patience": True,
    "transactional moves": False,
    "discovery": True,
    "buyer trust": True,
    "buyer's next step": True,
}
#: figure -> the value that is best (better is nearer to it): top reps talk ~43% of the time (Gong Labs)
TARGET: dict[str, float] = {"rep talk share": 43.0}
_VERDICT = {"poor": 0.0, "ok": 1.0, "good": 2.0}
_BARS = "▁▂▃▄▅▆▇█"


@dataclass
class Trend:
    name: str
    unit: str
    values: list[float]
    first: float
    last: float
    best: float
    change: float
    trend: str  # improving | worsening | steady | single

    def to_dict(self) -> dict:
        return asdict(self)


def goodness(name: str, value: float, higher_is_better: bool = True, ideal: float | None = None) -> float:
    """How good ``value`` is for figure ``name``: larger is better (the distance to a target, negated)."""
    if ideal is None:
        ideal = TARGET.get(name)
    if ideal is not None:
        return -abs(value - ideal)
    return value if higher_is_better else -value


def trend(name: str, unit: str, values: list[float], higher_is_better: bool, ideal: float | None = None) -> Trend:
    """The trend of one figure: first, last, best, the change from first to last, and its word."""
    first, last = values[0], values[-1]
    change = last - first
    scale = max(max(abs(v) for v in values), 100.0 if unit in ("%", "/100") else 1.0)
    gain = goodness(name, last, higher_is_better, ideal) - goodness(name, first, higher_is_better, ideal)
    if len(values) < 2:
        word = "single"
    elif abs(gain) < 0.05 * scale:
        word = "steady"
    else:
        word = "improving" if gain > 0 else "worsening"
    best = max(values, key=lambda v: goodness(name, v, higher_is_better, ideal))
    return Trend(name, unit, values, first, last, best, round(change, 3), word)


def _hash(record: ScoreRecord) -> str:
    return record.rubric_hash or DEFAULT.hash  # scored before rubrics: the default rubric's scoring


def progress(store: Store, rep: str | None = None, rubric: Rubric | None = None) -> dict:
    """The trends for ``rep`` (all sessions when None), from scorecards of one rubric (see the docstring)."""
    # a retry from a moment replays part of another session (`rapport compare` shows what it changed); a drill
    # is a few turns of one skill: both are left out of the figures, and drills are counted on their own
    summaries = [s for s in store.list_sessions(rep=rep)
                 if s.overall is not None and not s.parent_id and s.source != "drill"]
    summaries.sort(key=lambda s: s.started_at)
    history = {s.id: store.get(s.id).scores for s in summaries}
    if rubric is not None:
        wanted, stamp = rubric.hash, {"name": rubric.name, "hash": rubric.hash}
    elif summaries and history[summaries[-1].id]:
        newest = history[summaries[-1].id][-1]
        wanted = _hash(newest)
        stamp = {"name": newest.rubric_name or "default", "hash": wanted}
    else:
        wanted, stamp = DEFAULT.hash, {"name": DEFAULT.name, "hash": DEFAULT.hash}
    chosen = {sid: next((r for r in reversed(records) if _hash(r) == wanted), None) for sid, records in history.items()}
    left_out = sum(1 for s in summaries if chosen[s.id] is None)
    summaries = [s for s in summaries if chosen[s.id] is not None]
    cards = [(s, chosen[s.id].data or {}) for s in summaries]
    series: dict[str, list[tuple[str, float]]] = {
        "overall": [("/100", float(card.get("overall", s.overall))) for s, card in cards]}
    directions: dict[str, tuple[bool, float | None]] = {}
    verdict_only: set[str] = set()
    for _, card in cards:
        for fig in card.get("figures") or []:
            name, value, unit = fig.get("name"), fig.get("value"), fig.get("unit") or ""
            if not name:
                continue
            if isinstance(value, bool):
                value = float(value)
            if not isinstance(value, int | float) or fig.get("verdict") == "n/a":
                continue  # not measured in this session
            series.setdefault(name, []).append((unit, float(value)))
            if fig.get("better") in ("up", "down"):
                directions[name] = (fig["better"] == "up", fig.get("ideal"))
            if name not in HIGHER_IS_BETTER and fig.get("verdict") in _VERDICT:
                verdict_only.add(name)
    trends = []
    for name, points in series.items():
        if not points:
            continue
        unit = points[-1][0]
        values = [v for u, v in points if u == unit]
        up, ideal = directions.get(name, (HIGHER_IS_BETTER.get(name, True), None))
        trends.append(trend(name, unit, values, up, ideal))
    return {
        "rep": rep,
        "rubric": stamp,
        "left_out": left_out,
        "sessions": len(summaries),
        "first": iso(summaries[0].started_at) if summaries else None,
        "last": iso(summaries[-1].started_at) if summaries else None,
        "session_ids": [s.id for s in summaries],
        "figures": [t.to_dict() for t in trends],
        "drills": drill_summary(store.drill_attempts(rep)),
    }


def drill_summary(attempts: list[dict]) -> list[dict]:
    """Per drill: attempts, passes and the last attempt (passed or not, why, when), in the order first tried."""
    out: dict[str, dict] = {}
    for a in attempts:
        row = out.setdefault(a["drill"], {"drill": a["drill"], "attempts": 0, "passed": 0})
        row["attempts"] += 1
        row["passed"] += 1 if a["passed"] else 0
        row["last"] = {"passed": a["passed"], "reason": a["reason"], "at": iso(a["created_at"]),
                       "session_id": a["session_id"]}
    return list(out.values())


def sparkline(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    if hi == lo:
        return _BARS[3] * len(values)
    return "".join(_BARS[int((v - lo) / (hi - lo) * (len(_BARS) - 1))] for v in values)


def render(doc: dict) -> str:
    """Text for ``rapport progress``."""
    who = doc["rep"] or "all reps"
    rubric = (doc.get("rubric") or {}).get("name") or "default"
    left = doc.get("left_out") or 0
    skipped = (f" ({wording.counted(left, 'session')} not scored under this rubric left out: rapport sessions "
               f"rescore --all --rubric {rubric})") if left else ""
    if not doc["sessions"]:
        first = f"No scored sessions for {who} yet."
        if left:
            first = f"No sessions for {who} under rubric {rubric}{skipped}."
        return "\n".join([first, *drill_lines(doc.get("drills") or [])])
    under = f" under rubric {rubric}" if rubric != "default" or left else ""
    out = [f"Progress for {who}: {wording.counted(doc['sessions'], 'scored session')}{under}, {doc['first']} to "
           f"{doc['last']}{skipped}",
           ""]
    for f in doc["figures"]:
        if not f["unit"] and set(f["values"]) <= {0.0, 1.0}:  # a yes/no figure (the buyer's next step)
            yes = sum(1 for v in f["values"] if v)
            shown, best = f"{_yes_no(f['first'])} -> {_yes_no(f['last'])}", f"yes in {yes} of {len(f['values'])}"
        else:
            shown = f"{_with_unit(f['first'], f['unit'])} -> {_with_unit(f['last'], f['unit'])}"
            near = f" (nearest {TARGET[f['name']]:g}%)" if f["name"] in TARGET else ""
            best = f"best {_with_unit(f['best'], f['unit'])}{near}"
        out.append(f"{f['name']:<24} {sparkline(f['values']):<12} {shown}  ({best}; {f['trend']})")
    out += drill_lines(doc.get("drills") or [])
    return "\n".join(out)


def drill_lines(drills: list[dict]) -> list[str]:
    if not drills:
        return []
    out = ["", "Drills (rapport drill)"]
    for d in drills:
        last = d["last"]
        out.append(f"{d['drill']:<24} passed {d['passed']} of {d['attempts']}; last "
                   f"{'passed' if last['passed'] else 'failed'}: {last['reason']}")
    return out


def _yes_no(value: float) -> str:
    return "yes" if value else "no"


def _with_unit(value: float, unit: str) -> str:
    """``27.6%``, ``16 words``, ``1 question``; ``/100`` scores show bare."""
    if unit == "%":
        return f"{value:g}%"
    if not unit or unit == "/100":
        return f"{value:g}"
    if value == 1 and unit.endswith("s") and unit != "s":
        unit = unit[:-1]
    return f"{value:g} {unit}"
