"""The figures of the scorecard (``docs/spec/scorecard.md``), each measured from the session and
judged against its published reference. :mod:`simulator.conversation.scorecard` puts them together.

Time comes from ``start_s``/``end_s`` when every turn has them (an audio session); otherwise words
stand in, converted at 150 words a minute (2.5 words/s) where a reference is in seconds. Each
figure function returns a :class:`Part`: the figure and the points it earns towards the overall.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from simulator.conversation import coaching
from simulator.conversation.transcript import shared_words, word_count
from simulator.conversation.turns import Turn

WORDS_PER_SECOND = 2.5
TRUST_EARNED = coaching.TRUST_EARNED
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
    "follow_ups": "no separate published figure: a question built on the buyer's own words shows listening; "
                  "target half of this call's question target",
    "trust": "no published figure: the persona's own 0–100 state; from 60 a close no longer counts as premature",
    "next_step": "no published figure: a next step the buyer proposes themselves is the sign of a relationship "
                 "rather than pressure",
}
#: Before the trust and next-step figures had references of their own (kept for callers of the old key).
REFERENCES["relationship"] = REFERENCES["next_step"]

_NEXT_STEP = re.compile(
    r"\b(?:why don't you|can you|could you|would you|please)\s+(?:send|email|come back|follow up|put together|"
    r"share|show|set up|book|call)|\blet'?s\s+(?:set up|schedule|book|find|get|talk|meet|do|arrange|have)|"
    r"\b(?:send|email) me\b|\bset up a (?:time|call|meeting|demo)|\bcome back (?:next|on|in|and)|"
    r"\bi'?d like to (?:see|try|meet|bring|book|set)|\b(?:book|schedule) (?:a|an|the) (?:call|meeting|demo|pilot)|"
    r"\bnext step",
    re.IGNORECASE,
)

#: A brush-off, not a next step: "just send me something", "email me some info", "send me a brochure".
_BRUSH_OFF = re.compile(
    r"\b(?:send|email|mail|forward|drop) me\s+(?:over\s+)?(?:something|anything|some(?:thing)?\s*(?:info|information|"
    r"material|materials|literature|details|stuff|bumf)|(?:a|your|the)\s+(?:brochure|deck|leaflet|one-pager|"
    r"flyer|pamphlet|pdf|price list|info pack))",
    re.IGNORECASE,
)
#: A turn that opens by turning the rep down ("No.", "Not interested", "I said no").
_REFUSAL = re.compile(r"^\s*(?:no\b(?!\s+(?:problem|worries|doubt))|not interested|i said no|nope|not now|"
                      r"not today|we're not interested|i'm not interested)", re.IGNORECASE)


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
class Stretch:
    """Consecutive turns of one speaker."""

    speaker: str
    indices: list[int]
    amount: float  # seconds when timed, else words


def grade(value: float, good: float, ok: float, *, higher_is_better: bool = True) -> str:
    if higher_is_better:
        return "good" if value >= good else "ok" if value >= ok else "poor"
    return "good" if value <= good else "ok" if value <= ok else "poor"


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


class Session:
    """The measurements the figures share, computed once."""

    def __init__(self, turns: Sequence[Turn], trust_start: float | None = None):
        self.turns = list(turns)
        self.trust_start = trust_start
        self.timed = bool(self.turns) and all(t.start_s is not None and t.end_s is not None for t in self.turns)
        self.unit = "s" if self.timed else "words"
        self.rep = [i for i, t in enumerate(self.turns) if t.speaker == "rep"]
        self.buyer = [i for i, t in enumerate(self.turns) if t.speaker == "buyer"]
        self.stretches = self._stretches()
        #: for each rep turn, what the buyer said last; for each turn, the buyer's trust before it
        self.previous_buyer: dict[int, str] = {}
        self.trust_before: dict[int, float | None] = {}
        last, trust = None, trust_start
        for i, t in enumerate(self.turns):
            self.trust_before[i] = trust
            if t.speaker == "buyer":
                last = t.text
                trust = t.trust if t.trust is not None else trust
            elif last is not None:
                self.previous_buyer[i] = last
        self.has_trust = trust_start is not None or any(self.turns[i].trust is not None for i in self.buyer)

    def amount(self, i: int) -> float:
        t = self.turns[i]
        return (t.duration_s or 0.0) if self.timed else float(word_count(t.text))

    def _stretches(self) -> list[Stretch]:
        out: list[Stretch] = []
        for i, t in enumerate(self.turns):
            if out and out[-1].speaker == t.speaker:
                out[-1].indices.append(i)
            else:
                out.append(Stretch(t.speaker, [i], 0.0))
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


def monologue_penalty(seconds: float) -> float:
    return next((penalty for limit, penalty in MONOLOGUE_LIMITS if seconds > limit), 0.0)


@dataclass
class Part:
    """A figure and the points it earns towards the overall score (of ``available``)."""

    figure: Figure
    earned: float = 0.0
    available: float = 0.0
    key: str = ""


def question_target(rep_turns: int) -> int:
    """Questions expected in a call with this many rep turns: the low end of Gong's 11-14 per call,
    scaled down for short calls (40% of rep turns, at least one)."""
    return max(1, min(11, math.ceil(0.4 * rep_turns)))


def talk_share(s: Session) -> Part:
    total, rep = s.total(), s.total("rep")
    if total <= 0:
        return Part(Figure("rep talk share", None, "%", REFERENCES["talk"], "n/a", "no speech measured"))
    share = 100.0 * rep / total
    detail = f"rep {s.show(rep)}, buyer {s.show(s.total('buyer'))}"
    figure = Figure("rep talk share", round(share, 1), "%", REFERENCES["talk"],
                    grade(share, 50, 65, higher_is_better=False), detail)
    return Part(figure, 15 * clamp((75 - share) / (75 - 43)), 15, "talk share")


def _longest(s: Session, speaker: str) -> Stretch | None:
    stretches = [x for x in s.stretches if x.speaker == speaker]
    return max(stretches, key=lambda x: x.amount) if stretches else None


def _span(stretch: Stretch) -> str:
    first, last = stretch.indices[0] + 1, stretch.indices[-1] + 1
    return f"turn {first}" if first == last else f"turns {first}–{last}"


def monologue(s: Session) -> Part:
    longest = _longest(s, "rep")
    if longest is None:
        return Part(Figure("longest rep monologue", None, s.unit, REFERENCES["monologue"], "n/a", "no rep turns"))
    seconds = s.seconds(longest.amount)
    detail = _span(longest) + ("" if s.timed else f", about {seconds:.0f} s at 150 words a minute")
    verdict = grade(seconds, MONOLOGUE_LIMITS[1][0], MONOLOGUE_LIMITS[0][0], higher_is_better=False)
    return Part(Figure("longest rep monologue", s.value(longest.amount), s.unit, REFERENCES["monologue"],
                       verdict, detail))


def story(s: Session) -> Part:
    longest = _longest(s, "buyer")
    total_s = s.seconds(s.total())
    target_s = max(1.0, min(50.0, 0.3 * total_s))
    target = target_s if s.timed else target_s * WORDS_PER_SECOND
    if longest is None:
        return Part(Figure("longest buyer story", 0, s.unit, REFERENCES["story"], "poor", "the buyer never spoke"),
                    0, 10, "buyer story")
    verdict = grade(longest.amount, target, target / 2)
    detail = f"{_span(longest)}; target for this call {s.show(target)} (50 s, or 30% of all speech if less)"
    return Part(Figure("longest buyer story", s.value(longest.amount), s.unit, REFERENCES["story"], verdict,
                       detail), 10 * min(1.0, longest.amount / target), 10, "buyer story")


def questions(s: Session) -> tuple[Part, Part]:
    """The questions figure and the follow-up questions figure."""
    asked = s.with_label("question")
    n, target = len(asked), question_target(len(s.rep))
    parts = {min(2, 3 * i // len(s.turns)) for i in asked}
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
    count = Part(Figure("questions", n, "questions", REFERENCES["questions"], verdict, detail),
                 25 * min(1.0, n / target), 25, "questions")

    reused = {i: shared_words(s.turns[i].text, s.previous_buyer[i]) for i in asked if i in s.previous_buyer}
    follow = {i: w for i, w in reused.items() if w}
    needed = max(1, math.ceil(target / 2))
    example = next(iter(follow.values()), [])
    detail = f"{len(follow)} of {n} questions build on the buyer's own words"
    if example:
        detail += f" (e.g. “{', '.join(example[:3])}”)"
    verdict = "good" if len(follow) >= needed else "ok" if follow else "poor"
    follow_part = Part(Figure("follow-up questions", len(follow), "questions", REFERENCES["follow_ups"], verdict,
                              detail + f"; target {needed} for this call"),
                       10 * min(1.0, len(follow) / needed), 10, "follow-ups")
    return count, follow_part


def listening(s: Session) -> Part:
    heard = s.with_label("listening")
    share = len(heard) / len(s.rep) if s.rep else 0.0
    reflections = [i for i in heard if i in s.previous_buyer and shared_words(s.turns[i].text,
                                                                                  s.previous_buyer[i])]
    detail = (f"{len(heard)} of {len(s.rep)} rep turns ({100 * share:.0f}%); {len(reflections)} reflect the "
              f"buyer's own words; the reference's 20%/10% is applied to listening alone")
    return Part(Figure("listening", len(heard), "moves", REFERENCES["listening"], grade(share, 0.2, 0.1), detail),
                15 * min(1.0, share / 0.2), 15, "listening")


def patience(s: Session) -> Part:
    gaps = [(s.turns[i].start_s or 0.0) - (s.turns[i - 1].end_s or 0.0)
            for i in s.rep if s.timed and i > 0 and s.turns[i - 1].speaker == "buyer"]
    if not gaps:
        why = "audio sessions only" if not s.timed else "the rep never followed the buyer"
        return Part(Figure("patience", None, "s", REFERENCES["patience"], "n/a", why))
    median = statistics.median(gaps)
    interrupted = sum(1 for g in gaps if g < 0)
    detail = f"median of {len(gaps)} gaps between the buyer finishing and the rep starting"
    if interrupted:
        detail += f"; the rep started before the buyer finished {interrupted} time(s)"
    return Part(Figure("patience", round(median, 2), "s", REFERENCES["patience"], grade(median, 1.0, 0.5), detail),
                5 * clamp((median - 0.3) / 1.2), 5, "patience")


def discovery(s: Session, facts_total: int | None, fact_titles: dict[str, str] | None) -> tuple[Part, set[str]]:
    revealed: list[str] = []
    for i in s.buyer:
        revealed += [f for f in s.turns[i].revealed if f not in revealed]
    names = [(fact_titles or {}).get(f, f) for f in revealed]
    detail = ("uncovered: " + "; ".join(names)) if names else "no hidden facts uncovered"
    if not facts_total:
        fig = Figure("discovery", len(revealed), "facts", REFERENCES["discovery"], "n/a",
                     detail + "; the persona's number of facts is unknown")
        return Part(fig), set(revealed)
    ratio = min(1.0, len(revealed) / facts_total)
    fig = Figure("discovery", len(revealed), "facts", REFERENCES["discovery"], grade(ratio, 0.6, 0.3),
                 f"{len(revealed)} of {facts_total}; " + detail)
    return Part(fig, 10 * ratio, 10, "discovery"), set(revealed)


def offers_next_step(turn: Turn) -> bool:
    """Whether a buyer turn proposes a next step itself ("why don't you send me...", "let's set up
    a time", or ``extra["next_step"]``); a negated sentence ("not ready for next steps") does not count,
    nor does a brush-off ("just send me something", or anything after a turn opening "No.")."""
    if turn.speaker != "buyer":
        return False
    if turn.extra.get("next_step") is True:
        return True
    if _REFUSAL.search(turn.text):
        return False
    for sentence in re.split(r"(?<=[.!?;])\s+", turn.text):
        if _BRUSH_OFF.search(sentence):
            continue
        match = _NEXT_STEP.search(sentence)
        if match and not re.search(r"\b(?:not|no|never|don't|won't|can't|isn't)\b", sentence[: match.start()],
                                   re.IGNORECASE):
            return True
    return False


def relationship(s: Session) -> tuple[list[Part], list[float]]:
    curve = ([s.trust_start] if s.trust_start is not None else []) + [
        float(s.turns[i].trust) for i in s.buyer if s.turns[i].trust is not None]
    if curve:
        final, change = curve[-1], curve[-1] - curve[0]
        shown = f"from {round(curve[0], 1):g} to {round(final, 1):g} ({round(change, 1):+g})"
        trust = Part(Figure("buyer trust", round(final, 1), "/100", REFERENCES["trust"],
                            grade(final, TRUST_EARNED, 40), shown),
                     10 * final / 100, 10, "trust")
    else:
        trust = Part(Figure("buyer trust", None, "/100", REFERENCES["trust"], "n/a",
                            "the buyer's trust was not recorded (plain transcript)"))
    offered = [i for i in s.buyer if offers_next_step(s.turns[i])]
    closes = s.with_label("close")
    if offered:
        verdict, detail = "good", f"the buyer proposed it in turn {offered[0] + 1}: “{s.turns[offered[0]].text}”"
    elif closes:
        verdict, detail = "poor", "the rep pushed for commitment and the buyer offered no next step"
    else:
        verdict, detail = "ok", "no next step offered by the buyer"
    step = Part(Figure("buyer's next step", bool(offered), "", REFERENCES["next_step"], verdict, detail),
                5.0 if offered else 0.0, 5 if s.buyer else 0, "next step")
    return [trust, step], curve
