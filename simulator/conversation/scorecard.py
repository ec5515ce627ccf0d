"""The scorecard (``shared/spec/scorecard.md``): figures with published references, an overall
score, and the three moments that cost most, each with a consultative alternative.

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
      benefit 6, pitch 5; per rep stretch: 10 beyond 2 minutes (300 words), 3 beyond 45 s (110 words).
    A moment's cost is the penalty points that rep turn carries.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from simulator.conversation import coaching
from simulator.conversation.moves import TRANSACTIONAL
from simulator.conversation.transcript import shared_words, word_count
from simulator.conversation.turns import Turn

SCORER_VERSION = "1.0"

WORDS_PER_SECOND = 2.5
TRUST_EARNED = coaching.TRUST_EARNED
#: Penalty points per transactional move (a premature close costs more).
MOVE_COST: dict[str, float] = {"close": 10, "objection_handling": 9, "leading_question": 7, "benefit": 6, "pitch": 5}
EARLY_CLOSE_COST = 14.0
#: Rep stretches: (seconds, penalty) from the longest limit down.
MONOLOGUE_LIMITS: tuple[tuple[float, float], ...] = ((120.0, 10.0), (45.0, 3.0))

REFERENCES = {
    "talk": "top B2B performers talk ~43% and listen ~57%; average reps talk 65–75%; above 65% goes with lower "
            "conversion (Gong Labs, 25,537 calls)",
    "monologue": "company overviews over 2 minutes go with falling win rates; won deals had pitches of 9 minutes "
                 "or less (Gong Labs)",
    "story": "buyers who never talk more than ~50 s uninterrupted go with below-average close rates (Gong Labs)",
    "questions": "11–14 target questions per call, spread through the call, diminishing returns beyond (Gong)",
    "listening": "skilled negotiators spent ~20% of behaviour on questions and testing understanding vs ~10% for "
                 "average ones (Rackham & Carlisle 1978)",
    "patience": "top reps pause ~1.5 s vs ~0.3 s (secondary, citing Gong)",
    "transactional": "in large sales, benefits offered before a stated need go with more objections; successful "
                     "calls had fewer closes (Rackham, SPIN Selling)",
    "discovery": "a persona's facts are what a good discovery conversation should surface",
    "relationship": "— (no published figure: trust is the persona's own state; a next step the buyer offers "
                    "themselves is the sign of a relationship rather than pressure)",
}

_NEXT_STEP = re.compile(
    r"\b(?:why don't you|can you|could you|would you|please)\s+(?:send|email|come back|follow up|put together|"
    r"share|show|set up|book|call)|\blet'?s\s+(?:set up|schedule|book|find|get|talk|meet|do|arrange|have)|"
    r"\b(?:send|email) me\b|\bset up a (?:time|call|meeting|demo)|\bcome back (?:next|on|in|and)|"
    r"\bi'?d like to (?:see|try|meet|bring|book|set)|\b(?:book|schedule) (?:a|an|the) (?:call|meeting|demo|pilot)|"
    r"\bnext step",
    re.IGNORECASE,
)


@dataclass
class Figure:
    """One measured figure, its published reference and how this session compares."""

    name: str
    value: float | bool | None
    unit: str
    reference: str
    verdict: str  # "good" | "ok" | "poor" | "n/a"
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


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
        }


@dataclass
class _Stretch:
    """Consecutive turns of one speaker."""

    speaker: str
    indices: list[int]
    amount: float  # seconds when timed, else words


def _grade(value: float, good: float, ok: float, *, higher_is_better: bool = True) -> str:
    if higher_is_better:
        return "good" if value >= good else "ok" if value >= ok else "poor"
    return "good" if value <= good else "ok" if value <= ok else "poor"


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


class _Session:
    """The measurements the figures share, computed once."""

    def __init__(self, turns: Sequence[Turn]):
        self.turns = list(turns)
        self.timed = bool(self.turns) and all(t.start_s is not None and t.end_s is not None for t in self.turns)
        self.unit = "s" if self.timed else "words"
        self.rep = [i for i, t in enumerate(self.turns) if t.speaker == "rep"]
        self.buyer = [i for i, t in enumerate(self.turns) if t.speaker == "buyer"]
        self.stretches = self._stretches()
        self.previous_buyer: dict[int, str] = {}
        last = None
        for i, t in enumerate(self.turns):
            if t.speaker == "buyer":
                last = t.text
            elif last is not None:
                self.previous_buyer[i] = last

    def amount(self, i: int) -> float:
        t = self.turns[i]
        return (t.duration_s or 0.0) if self.timed else float(word_count(t.text))

    def _stretches(self) -> list[_Stretch]:
        out: list[_Stretch] = []
        for i, t in enumerate(self.turns):
            if out and out[-1].speaker == t.speaker:
                out[-1].indices.append(i)
            else:
                out.append(_Stretch(t.speaker, [i], 0.0))
        for s in out:
            if self.timed:
                first, last = self.turns[s.indices[0]], self.turns[s.indices[-1]]
                s.amount = max(0.0, (last.end_s or 0.0) - (first.start_s or 0.0))
            else:
                s.amount = float(sum(self.amount(i) for i in s.indices))
        return out

    def total(self, speaker: str | None = None) -> float:
        chosen = range(len(self.turns)) if speaker is None else (self.rep if speaker == "rep" else self.buyer)
        return sum(self.amount(i) for i in chosen)

    def seconds(self, amount: float) -> float:
        """An amount in seconds (words converted at the speaking rate)."""
        return amount if self.timed else amount / WORDS_PER_SECOND

    def value(self, amount: float) -> float | int:
        """An amount as a figure's value: seconds to 0.1 s, or whole words."""
        return round(amount, 1) if self.timed else int(round(amount))

    def show(self, amount: float) -> str:
        return f"{amount:.0f} s" if self.timed else f"{amount:.0f} words"

    def with_label(self, label: str) -> list[int]:
        return [i for i in self.rep if label in self.turns[i].labels]

    def minutes(self) -> float | None:
        if not self.timed:
            return None
        return max(0.0, (self.turns[-1].end_s or 0.0) - (self.turns[0].start_s or 0.0)) / 60.0


def _monologue_penalty(seconds: float) -> float:
    return next((penalty for limit, penalty in MONOLOGUE_LIMITS if seconds > limit), 0.0)


@dataclass
class _Part:
    """A figure and the points it earns towards the overall score (of ``available``)."""

    figure: Figure
    earned: float = 0.0
    available: float = 0.0
    key: str = ""


def question_target(rep_turns: int) -> int:
    """Questions expected in a call with this many rep turns: the low end of Gong's 11-14 per call,
    scaled down for short calls (40% of rep turns, at least one)."""
    return max(1, min(11, math.ceil(0.4 * rep_turns)))


def _talk_share(s: _Session) -> _Part:
    total, rep = s.total(), s.total("rep")
    if total <= 0:
        return _Part(Figure("rep talk share", None, "%", REFERENCES["talk"], "n/a", "no speech measured"))
    share = 100.0 * rep / total
    detail = f"rep {s.show(rep)}, buyer {s.show(s.total('buyer'))}"
    figure = Figure("rep talk share", round(share, 1), "%", REFERENCES["talk"],
                    _grade(share, 50, 65, higher_is_better=False), detail)
    return _Part(figure, 15 * _clamp((75 - share) / (75 - 43)), 15, "talk share")


def _longest(s: _Session, speaker: str) -> _Stretch | None:
    stretches = [x for x in s.stretches if x.speaker == speaker]
    return max(stretches, key=lambda x: x.amount) if stretches else None


def _span(stretch: _Stretch) -> str:
    first, last = stretch.indices[0] + 1, stretch.indices[-1] + 1
    return f"turn {first}" if first == last else f"turns {first}–{last}"


def _monologue(s: _Session) -> _Part:
    longest = _longest(s, "rep")
    if longest is None:
        return _Part(Figure("longest rep monologue", None, s.unit, REFERENCES["monologue"], "n/a", "no rep turns"))
    seconds = s.seconds(longest.amount)
    detail = _span(longest) + ("" if s.timed else f", about {seconds:.0f} s at 150 words a minute")
    verdict = _grade(seconds, MONOLOGUE_LIMITS[1][0], MONOLOGUE_LIMITS[0][0], higher_is_better=False)
    return _Part(Figure("longest rep monologue", s.value(longest.amount), s.unit, REFERENCES["monologue"],
                        verdict, detail))


def _story(s: _Session) -> _Part:
    longest = _longest(s, "buyer")
    total_s = s.seconds(s.total())
    target_s = max(1.0, min(50.0, 0.3 * total_s))
    target = target_s if s.timed else target_s * WORDS_PER_SECOND
    if longest is None:
        return _Part(Figure("longest buyer story", 0, s.unit, REFERENCES["story"], "poor", "the buyer never spoke"),
                     0, 10, "buyer story")
    verdict = _grade(longest.amount, target, target / 2)
    detail = f"{_span(longest)}; target for this call {s.show(target)} (50 s, or 30% of all speech if less)"
    return _Part(Figure("longest buyer story", s.value(longest.amount), s.unit, REFERENCES["story"], verdict,
                        detail), 10 * min(1.0, longest.amount / target), 10, "buyer story")


def _questions(s: _Session) -> tuple[_Part, _Part]:
    questions = s.with_label("question")
    n, target = len(questions), question_target(len(s.rep))
    parts = {min(2, 3 * i // len(s.turns)) for i in questions}
    if n > 14:
        verdict = "ok"
    elif n >= target:
        verdict = "ok" if n >= 3 and len(parts) < 2 else "good"
    else:
        verdict = "ok" if n >= target / 2 else "poor"
    detail = f"{n} in {len(s.rep)} rep turns; target {target}–14 for this call; in {len(parts)} of 3 parts of the call"
    minutes = s.minutes()
    if minutes:
        detail += f"; {10 * n / minutes:.1f} per 10 minutes"
    if n > 14:
        detail += "; beyond ~14 returns diminish"
    asked = _Part(Figure("questions", n, "questions", REFERENCES["questions"], verdict, detail),
                  25 * min(1.0, n / target), 25, "questions")

    reused = {i: shared_words(s.turns[i].text, s.previous_buyer[i]) for i in questions if i in s.previous_buyer}
    follow = {i: w for i, w in reused.items() if w}
    needed = max(1, math.ceil(target / 2))
    example = next(iter(follow.values()), [])
    detail = f"{len(follow)} of {n} questions build on the buyer's own words"
    if example:
        detail += f" (e.g. “{', '.join(example[:3])}”)"
    verdict = "good" if len(follow) >= needed else "ok" if follow else "poor"
    follow_part = _Part(Figure("follow-up questions", len(follow), "questions", REFERENCES["questions"], verdict,
                               detail + f"; target {needed} for this call"),
                        10 * min(1.0, len(follow) / needed), 10, "follow-ups")
    return asked, follow_part


def _listening(s: _Session) -> _Part:
    listening = s.with_label("listening")
    share = len(listening) / len(s.rep) if s.rep else 0.0
    reflections = [i for i in listening if i in s.previous_buyer and shared_words(s.turns[i].text,
                                                                                  s.previous_buyer[i])]
    detail = (f"{len(listening)} of {len(s.rep)} rep turns ({100 * share:.0f}%); {len(reflections)} reflect the "
              f"buyer's own words; the reference's 20%/10% is applied to listening alone")
    return _Part(Figure("listening", len(listening), "moves", REFERENCES["listening"], _grade(share, 0.2, 0.1), detail),
                 15 * min(1.0, share / 0.2), 15, "listening")


def _patience(s: _Session) -> _Part:
    gaps = [(s.turns[i].start_s or 0.0) - (s.turns[i - 1].end_s or 0.0)
            for i in s.rep if s.timed and i > 0 and s.turns[i - 1].speaker == "buyer"]
    if not gaps:
        why = "audio sessions only" if not s.timed else "the rep never followed the buyer"
        return _Part(Figure("patience", None, "s", REFERENCES["patience"], "n/a", why))
    median = statistics.median(gaps)
    interrupted = sum(1 for g in gaps if g < 0)
    detail = f"median of {len(gaps)} gaps between the buyer finishing and the rep starting"
    if interrupted:
        detail += f"; the rep started before the buyer finished {interrupted} time(s)"
    return _Part(Figure("patience", round(median, 2), "s", REFERENCES["patience"], _grade(median, 1.0, 0.5), detail),
                 5 * _clamp((median - 0.3) / 1.2), 5, "patience")


def _discovery(s: _Session, facts_total: int | None, fact_titles: dict[str, str] | None) -> tuple[_Part, set[str]]:
    revealed: list[str] = []
    for i in s.buyer:
        revealed += [f for f in s.turns[i].revealed if f not in revealed]
    names = [(fact_titles or {}).get(f, f) for f in revealed]
    detail = ("uncovered: " + "; ".join(names)) if names else "no hidden facts uncovered"
    if not facts_total:
        fig = Figure("discovery", len(revealed), "facts", REFERENCES["discovery"], "n/a",
                     detail + "; the persona's number of facts is unknown")
        return _Part(fig), set(revealed)
    ratio = min(1.0, len(revealed) / facts_total)
    fig = Figure("discovery", len(revealed), "facts", REFERENCES["discovery"], _grade(ratio, 0.6, 0.3),
                 f"{len(revealed)} of {facts_total}; " + detail)
    return _Part(fig, 10 * ratio, 10, "discovery"), set(revealed)


def offers_next_step(turn: Turn) -> bool:
    """Whether a buyer turn proposes a next step itself ("why don't you send me...", "let's set up
    a time", or ``extra["next_step"]``); a negated sentence ("not ready for next steps") does not count."""
    if turn.speaker != "buyer":
        return False
    if turn.extra.get("next_step") is True:
        return True
    for sentence in re.split(r"(?<=[.!?;])\s+", turn.text):
        match = _NEXT_STEP.search(sentence)
        if match and not re.search(r"\b(?:not|no|never|don't|won't|can't|isn't)\b", sentence[: match.start()],
                                   re.IGNORECASE):
            return True
    return False


def _relationship(s: _Session, trust_start: float | None) -> tuple[list[_Part], list[float]]:
    curve = ([trust_start] if trust_start is not None else []) + [
        float(s.turns[i].trust) for i in s.buyer if s.turns[i].trust is not None]
    if curve:
        final, change = curve[-1], curve[-1] - curve[0]
        trust = _Part(Figure("buyer trust", round(final, 1), "/100", REFERENCES["relationship"],
                             _grade(final, TRUST_EARNED, 40), f"from {curve[0]:.0f} to {final:.0f} ({change:+.0f})"),
                      10 * final / 100, 10, "trust")
    else:
        trust = _Part(Figure("buyer trust", None, "/100", REFERENCES["relationship"], "n/a",
                             "the buyer's trust was not recorded (plain transcript)"))
    offered = [i for i in s.buyer if offers_next_step(s.turns[i])]
    closes = s.with_label("close")
    if offered:
        verdict, detail = "good", f"the buyer proposed it in turn {offered[0] + 1}: “{s.turns[offered[0]].text}”"
    elif closes:
        verdict, detail = "poor", "the rep pushed for commitment and the buyer offered no next step"
    else:
        verdict, detail = "ok", "no next step offered by the buyer"
    step = _Part(Figure("buyer's next step", bool(offered), "", REFERENCES["relationship"], verdict, detail),
                 5.0 if offered else 0.0, 5 if s.buyer else 0, "next step")
    return [trust, step], curve


def _turn_costs(s: _Session, trust_start: float | None) -> dict[int, tuple[float, dict[str, float], str | None]]:
    """Penalty points per rep turn: total, by reason, and the stretch length when it was a monologue."""
    has_trust = trust_start is not None or any(s.turns[i].trust is not None for i in s.buyer)
    trust, stepped = trust_start, False
    early: dict[int, float | None] = {}
    for i, t in enumerate(s.turns):
        if t.speaker == "buyer":
            trust = t.trust if t.trust is not None else trust
            stepped = stepped or offers_next_step(t)
        elif "close" in t.labels:
            earned = (trust is not None and trust >= TRUST_EARNED) if has_trust else stepped
            if not earned:
                early[i] = trust
    costs: dict[int, tuple[float, dict[str, float], str | None]] = {}
    for i in s.rep:
        reasons = {label: MOVE_COST[label] for label in s.turns[i].labels if label in TRANSACTIONAL}
        if i in early:
            reasons["close"] = EARLY_CLOSE_COST
        costs[i] = (sum(reasons.values()), reasons, None)
    for stretch in s.stretches:
        penalty = _monologue_penalty(s.seconds(stretch.amount)) if stretch.speaker == "rep" else 0.0
        if penalty:
            i = max(stretch.indices, key=s.amount)
            total, reasons, _ = costs[i]
            costs[i] = (total + penalty, {**reasons, "monologue": penalty}, s.show(stretch.amount))
    return costs


def _transactional(s: _Session, costs: dict) -> _Part:
    counts = {label: len(s.with_label(label)) for label in MOVE_COST}
    total = sum(counts.values())
    turns = sum(1 for i in s.rep if set(s.turns[i].labels) & TRANSACTIONAL)
    share = turns / len(s.rep) if s.rep else 0.0
    early = sum(1 for _, reasons, _ in costs.values() if reasons.get("close") == EARLY_CLOSE_COST)
    verdict = "good" if total == 0 else "ok" if share <= 0.2 and not early else "poor"
    detail = ", ".join(f"{label.replace('_', ' ')} {n}" for label, n in counts.items() if n) or "none"
    detail += f"; {turns} of {len(s.rep)} rep turns" + (f"; {early} close(s) before trust was earned" if early else "")
    return _Part(Figure("transactional moves", total, "moves", REFERENCES["transactional"], verdict, detail))


FORMULA = (
    "overall = clamp(100 × earned / available − penalties, 0, 100). Earned of available: questions 25, "
    "follow-ups 10, listening 15, talk share 15, buyer story 10, patience 5 (audio only), discovery 10 "
    "(when the persona's facts are known), trust 10 (when recorded), buyer's own next step 5. Penalties per "
    "move: close 10 (14 before trust is earned), objection handling 9, leading question 7, benefit 6, pitch 5; "
    "rep stretch over 2 min (300 words) 10, over 45 s (110 words) 3."
)


def _moments(s: _Session, costs: dict, trust_at: dict[int, float | None]) -> list[Moment]:
    ranked = sorted((i for i, (cost, _, _) in costs.items() if cost > 0), key=lambda i: (-costs[i][0], i))[:3]
    used: list[str] = []
    moments = []
    for i in ranked:
        cost, reasons, monologue = costs[i]
        turn, buyer_said = s.turns[i], s.previous_buyer.get(i)
        labels = list(turn.labels) + (["monologue"] if monologue else [])
        alternative = coaching.alternative(labels, buyer_said, seed=i, avoid=used)
        used.append(alternative)
        early = reasons.get("close") == EARLY_CLOSE_COST
        why = coaching.why(labels, buyer_said, trust=trust_at.get(i), trust_earned=not early, monologue=monologue)
        moments.append(Moment(i, turn.text, list(turn.labels), round(cost, 1), why, alternative))
    return moments


def score(turns: Sequence[Turn], *, facts_total: int | None = None, fact_titles: dict[str, str] | None = None,
          trust_start: float | None = None) -> Scorecard:
    """Score a conversation. Rep turns must carry labels (the analyser's); buyer turns may carry
    trust, revealed fact ids and ``extra["next_step"]``; times are used when every turn has them.

    ``facts_total`` is how many hidden facts the persona holds, ``fact_titles`` maps fact ids to
    readable titles, ``trust_start`` is the buyer's trust before the first turn.
    """
    s = _Session(turns)
    costs = _turn_costs(s, trust_start)
    asked, follow = _questions(s)
    discovery, revealed = _discovery(s, facts_total, fact_titles)
    relationship, curve = _relationship(s, trust_start)
    parts = [_talk_share(s), _monologue(s), _story(s), asked, follow, _listening(s), _patience(s),
             _transactional(s, costs), discovery, *relationship]

    earned = sum(p.earned for p in parts)
    available = sum(p.available for p in parts)
    penalties = sum(cost for cost, _, _ in costs.values())
    base = 100.0 * earned / available if available and s.rep else 0.0
    overall = int(round(_clamp(base - penalties, 0, 100)))

    trust_at: dict[int, float | None] = {}
    trust = trust_start
    for i, t in enumerate(s.turns):
        trust = t.trust if t.speaker == "buyer" and t.trust is not None else trust
        trust_at[i] = trust
    by_reason: dict[str, float] = {}
    for _, reasons, _ in costs.values():
        for reason, points in reasons.items():
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
        moments=_moments(s, costs, trust_at),
        discovery={"revealed": len(revealed), "total": facts_total},
        trust_final=curve[-1] if curve else None,
        trust_curve=curve,
        formula=FORMULA + "\n" + session,
        moves=moves,
    )
