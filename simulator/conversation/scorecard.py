"""The scorecard (``docs/spec/scorecard.md``): figures with published references, an overall
score, and the three moments that cost most, each with a consultative alternative. The figures
themselves are measured in :mod:`simulator.conversation.scorecard_figures`; this module adds them up.

Measurements
    Time comes from ``start_s``/``end_s`` when every turn has them (an audio session); otherwise
    words stand in, converted at 150 words a minute (2.5 words/s) where a reference is in seconds.

Scaling for short calls
    The published references describe real calls of half an hour or more. Targets that depend on
    length scale with the call: the question target is ``min(11, ceil(0.4 × rep turns))`` (the
    low end of Gong's 11-14 per call, reached at 28 rep turns); the buyer-story target is
    ``min(50 s, 30% of all speech)``. Shares (talk share, listening share) and monologue limits
    do not depend on length and are used as published.

Overall score (0-100) = clamp(100 × earned / available − penalties, 0, 100)
    Points earned (of the points available for what this session can measure):
      questions 25 × min(1, questions / target) · follow-ups 10 × min(1, follow-ups / ceil(target / 2))
      · listening 15 × min(1, listening share / 20%) · talk share 15 × clamp((75% − share) / 32%, 0, 1)
      · buyer story 10 × min(1, longest / target) · patience 5 × clamp((median − 0.3 s) / 1.2 s, 0, 1)
      (audio only) · discovery 10 × revealed / total (when the total is known) · trust 10 × final / 100
      (when the buyer reports trust) · buyer's own next step 5.
    Penalties, per move on each rep turn: close 10 (14 before trust is earned: trust below 60, or
      no trust reported and no next step offered yet), objection handling 9, leading question 7,
      benefit 6, pitch 5; per rep stretch: 10 beyond 2 minutes (300 words), 3 beyond 45 s (≈112 words).
    A moment's cost is the penalty points that rep turn carries.

Rubrics
    Those points, targets and penalties are the default rubric's (:mod:`simulator.conversation.rubric`);
    ``score(turns, rubric=R)`` scores with a coach's instead, states R's formula and stamps R's name and
    content hash on the scorecard (``rubric``; ``passed`` when R has a pass mark).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from simulator.conversation import coaching
from simulator.conversation import scorecard_figures as figs
from simulator.conversation.catalogue import CLOSE_EARLY_COST, COST_ORDER, move
from simulator.conversation.moves import TRANSACTIONAL
from simulator.conversation.rubric import DEFAULT, Rubric
from simulator.conversation.scorecard_figures import (  # noqa: F401  (re-exported: part of this module's API)
    MONOLOGUE_LIMITS,
    REFERENCES,
    TRUST_EARNED,
    WORDS_PER_SECOND,
    Figure,
    Part,
    Session,
    clamp,
    monologue_penalty,
    offers_next_step,
    question_target,
)
from simulator.conversation.turns import Turn

SCORER_VERSION = "1.1"

#: Penalty points per transactional move (a premature close costs more).
MOVE_COST: dict[str, float] = {name: move(name).cost for name in COST_ORDER}
EARLY_CLOSE_COST = CLOSE_EARLY_COST


@dataclass
class Moment:
    """A costly rep turn: why it cost, and what a consultative rep might have said instead."""

    turn_index: int
    text: str
    labels: list[str]
    cost: float
    why: str
    alternative: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Scorecard:
    overall: int
    figures: list[Figure]
    moments: list[Moment]
    discovery: dict
    trust_final: float | None
    trust_curve: list[float]
    formula: str
    #: counts of every label over the rep's turns
    moves: dict[str, int] = field(default_factory=dict)
    #: the rubric it was scored with (``Rubric.stamp()``: name, title, hash, pass_mark)
    rubric: dict = field(default_factory=DEFAULT.stamp)

    @property
    def passed(self) -> bool | None:
        """Whether the overall reaches the rubric's pass mark (None: the rubric has none)."""
        mark = self.rubric.get("pass_mark")
        return None if mark is None else self.overall >= mark

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)

    def to_dict(self) -> dict:
        return {
            "overall": self.overall,
            "figures": [f.to_dict() for f in self.figures],
            "moments": [m.to_dict() for m in self.moments],
            "discovery": dict(self.discovery),
            "trust_final": self.trust_final,
            "trust_curve": list(self.trust_curve),
            "moves": dict(self.moves),
            "formula": self.formula,
            "scorer_version": SCORER_VERSION,
            "rubric": dict(self.rubric),
            "passed": self.passed,
        }

    @classmethod
    def from_dict(cls, doc: dict) -> Scorecard:
        """The inverse of :meth:`to_dict` (extra keys, such as a session's ``trust_final`` added
        after scoring, are read where the scorecard has them and otherwise ignored)."""
        figure_keys = set(Figure.__dataclass_fields__)
        moment_keys = set(Moment.__dataclass_fields__)
        return cls(
            overall=doc.get("overall", 0),
            figures=[Figure(**{k: v for k, v in f.items() if k in figure_keys}) for f in doc.get("figures", [])],
            moments=[Moment(**{k: v for k, v in m.items() if k in moment_keys}) for m in doc.get("moments", [])],
            discovery=dict(doc.get("discovery") or {}),
            trust_final=doc.get("trust_final"),
            trust_curve=list(doc.get("trust_curve") or []),
            formula=doc.get("formula", ""),
            moves=dict(doc.get("moves") or {}),
            rubric=dict(doc.get("rubric") or DEFAULT.stamp()),
        )


def _turn_costs(s: Session, r: Rubric = DEFAULT) -> dict[int, tuple[float, dict[str, float], str | None]]:
    """Penalty points per rep turn: total, by reason, and the stretch length when it was a monologue
    (a close before trust is earned is ``reasons["close"]`` with ``reasons["early"]`` set to 0)."""
    stepped = False
    early: set[int] = set()
    for i, t in enumerate(s.turns):
        if t.speaker == "buyer":
            stepped = stepped or offers_next_step(t)
        elif "close" in t.labels:
            trust = s.trust_before[i]
            earned = (trust is not None and trust >= TRUST_EARNED) if s.has_trust else stepped
            if not earned:
                early.add(i)
    costs: dict[int, tuple[float, dict[str, float], str | None]] = {}
    for i in s.rep:
        reasons = {label: r.penalties[label] for label in s.turns[i].labels if label in TRANSACTIONAL}
        if i in early:
            reasons["close"] = r.penalties["close_early"]
            reasons["early"] = 0.0
        costs[i] = (sum(reasons.values()), reasons, None)
    for stretch in s.stretches:
        penalty = r.monologue_penalty(s.seconds(stretch.amount)) if stretch.speaker == "rep" else 0.0
        if penalty:
            i = max(stretch.indices, key=s.amount)
            total, reasons, _ = costs[i]
            costs[i] = (total + penalty, {**reasons, "monologue": penalty}, s.show(stretch.amount))
    return costs


def _transactional(s: Session, costs: dict, r: Rubric = DEFAULT) -> Part:
    counts = {label: len(s.with_label(label)) for label in MOVE_COST}
    total = sum(counts.values())
    turns = sum(1 for i in s.rep if set(s.turns[i].labels) & TRANSACTIONAL)
    share = turns / len(s.rep) if s.rep else 0.0
    early = sum(1 for _, reasons, _ in costs.values() if "early" in reasons)
    ok_share = r.targets.transactional.ok_share / 100
    verdict = "good" if total == 0 else "ok" if share <= ok_share and not early else "poor"
    detail = ", ".join(f"{label.replace('_', ' ')} {n}" for label, n in counts.items() if n) or "none"
    closes = f"{early} close" + ("" if early == 1 else "s")
    detail += f"; {turns} of {len(s.rep)} rep turns" + (f"; {closes} before trust was earned" if early else "")
    return figs.weighed(Part(Figure("transactional moves", total, "moves", REFERENCES["transactional"], verdict,
                                    detail)), "transactional", r, "down")


#: The overall formula in words under the default rubric (``Rubric.formula()`` for another).
FORMULA = DEFAULT.formula()


def _moments(s: Session, costs: dict, given: Mapping[int, str]) -> list[Moment]:
    ranked = sorted((i for i, (cost, _, _) in costs.items() if cost > 0), key=lambda i: (-costs[i][0], i))[:3]
    # a moment already told elsewhere (the whole session's scorecard) keeps its alternative; the others avoid it
    used: list[str] = [given[i] for i in ranked if given.get(i)]
    moments = []
    for i in ranked:
        cost, reasons, monologue = costs[i]
        turn, buyer_said = s.turns[i], s.previous_buyer.get(i)
        labels = list(turn.labels) + (["monologue"] if monologue else [])
        alternative = given.get(i) or coaching.alternative(labels, buyer_said, seed=i, avoid=used)
        if alternative not in used:
            used.append(alternative)
        early = "early" in reasons
        why = coaching.why(labels, buyer_said, trust=s.trust_before[i], trust_earned=not early, monologue=monologue)
        moments.append(Moment(i, turn.text, list(turn.labels), round(cost, 1), why, alternative))
    return moments


def score(turns: Sequence[Turn], *, facts_total: int | None = None, fact_titles: dict[str, str] | None = None,
          trust_start: float | None = None, rubric: Rubric | None = None,
          alternatives: Mapping[int, str] | None = None) -> Scorecard:
    """Score a conversation. Rep turns must carry labels (the analyser's); buyer turns may carry
    trust, revealed fact ids and ``extra["next_step"]``; times are used when every turn has them.

    ``facts_total`` is how many hidden facts the persona holds, ``fact_titles`` maps fact ids to
    readable titles, ``trust_start`` is the buyer's trust before the first turn; ``rubric`` the points,
    targets and penalties (default: :data:`simulator.conversation.rubric.DEFAULT`); ``alternatives`` the
    "try instead" already given for some turns (index in ``turns``), kept as they are, so one moment has
    one suggestion in a rep's scorecard and the whole session's.
    """
    r = rubric or DEFAULT
    s = Session(turns, trust_start)
    costs = _turn_costs(s, r)
    asked, follow = figs.questions(s, r)
    found, revealed = figs.discovery(s, facts_total, fact_titles, r)
    trust_and_step, curve = figs.relationship(s, r)
    parts = [figs.talk_share(s, r), figs.monologue(s, r), figs.story(s, r), asked, follow, figs.listening(s, r),
             figs.patience(s, r), _transactional(s, costs, r), found, *trust_and_step]

    earned = sum(p.earned for p in parts)
    available = sum(p.available for p in parts)
    penalties = sum(cost for cost, _, _ in costs.values())
    base = 100.0 * earned / available if available and s.rep else 0.0
    overall = int(round(clamp(base - penalties, 0, 100)))

    by_reason: dict[str, float] = {}
    for _, reasons, _ in costs.values():
        for reason, points in reasons.items():
            if reason != "early":
                by_reason[reason] = by_reason.get(reason, 0.0) + points
    points = ", ".join(f"{p.key} {p.earned:.1f}/{p.available:g}" for p in parts if p.available)
    minus = ", ".join(f"{r.replace('_', ' ')} {v:g}" for r, v in by_reason.items())
    session = (f"This session: {points} → 100 × {earned:.1f} / {available:g} = {base:.1f}; "
               f"penalties {penalties:g}" + (f" ({minus})" if minus else "") + f" → {overall}.")

    moves: dict[str, int] = {}
    for i in s.rep:
        for label in s.turns[i].labels:
            moves[label] = moves.get(label, 0) + 1
    return Scorecard(
        overall=overall,
        figures=[p.figure for p in parts],
        moments=_moments(s, costs, alternatives or {}),
        discovery={"revealed": len(revealed), "total": facts_total},
        trust_final=curve[-1] if curve else None,
        trust_curve=curve,
        formula=r.formula() + "\n" + session,
        moves=moves,
        rubric=r.stamp(),
    )
