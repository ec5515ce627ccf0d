"""The figures of the scorecard (``docs/spec/scorecard.md``), each measured from the session and
judged against its published reference. :mod:`simulator.conversation.scorecard` puts them together.
Points, targets and verdict thresholds come from a rubric (:mod:`simulator.conversation.rubric`; the
default rubric holds the published values the docstrings quote).

Time comes from ``start_s``/``end_s`` when every turn has them (an audio session); otherwise words
stand in, converted at 150 words a minute (2.5 words/s) where a reference is in seconds. Each
figure function returns a :class:`Part`: the figure and the points it earns towards the overall.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from simulator.conversation import coaching
from simulator.conversation.rubric import DEFAULT, Rubric
from simulator.conversation.transcript import shared_words, word_count
from simulator.conversation.turns import Turn

WORDS_PER_SECOND = 2.5
TRUST_EARNED = coaching.TRUST_EARNED
#: Rep stretches under the default rubric: (seconds, penalty) from the longest limit down.
MONOLOGUE_LIMITS: tuple[tuple[float, float], ...] = (
    (DEFAULT.targets.monologue.ok, DEFAULT.penalties["monologue_long"]),
    (DEFAULT.targets.monologue.good, DEFAULT.penalties["monologue"]),
)
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
    r"share|show|set up|book|call)|\b(?:could|can|shall) we\s+set up a (?:proper )?(?:follow-up|time|call|meeting)|"
    # "Can we meet again on Friday at two?", "Could we talk on Tuesday?": a meeting at a time the buyer names
    r"\b(?:could|can|shall) we\s+(?:meet|talk|speak|catch up|get together)(?:\s+again\b|\s+(?:again\s+)?"
    r"(?:next (?:week|\w+day)|on (?:\w+day|the \d)|tomorrow|this (?:\w+day|afternoon|evening)|"
    r"at (?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon))\b)|"
    r"\blet'?s\s+(?:set up|schedule|book|find|get|talk|meet|do|arrange|have)|"
    r"\b(?:send|email) me\b|\bset up a (?:time|call|meeting|demo)|\bcome back (?:next|on|in|and|with)|"
    r"\bi'?d like to (?:see|try|meet|bring|book|set|continue)|"
    r"\b(?:book|schedule) (?:a|an|the) (?:call|meeting|demo|pilot)|"
    # an invitation: "you should come see the Saturday rush", "Come ride along with Maria", "Come Tuesday at six"
    r"\byou should come\b|(?:^|[,:]\s+)(?:come|drop by|stop by) (?:and|to|next|on \w+day|ride|see|meet|walk|spend|"
    r"over|\w+day)\b|"
    r"\bi(?:'d| would) like you to (?:meet|see|present|come|spend|talk|visit|walk|join)|"
    r"\bi(?:'ll| will) (?:give you (?!that\b)|book you|put you|get you|invite you|set you up|bring you)\b|"
    r"^spend (?:an?|the|some) \w+ with\b|"
    r"\bnext step",
    re.IGNORECASE,
)
#: Words that make a sentence a refusal of a next step, wherever they stand before it ("It is premature to talk
#: about next steps", "I think it's a bit early for next steps", "Slow down, you haven't earned that yet").
_NOT_NOW = re.compile(r"\b(?:not|no|never|nobody|don't|won't|can't|isn't|aren't|haven't|hasn't|premature|early|"
                      r"too soon|hardly|rush|slow down|ahead of)\b", re.IGNORECASE)

#: A brush-off, not a next step: "just send me something", "email me some info", "send me a brochure".
_BRUSH_OFF = re.compile(
    r"\b(?:send|email|mail|forward|drop) me\s+(?:over\s+)?(?:something|anything|some(?:thing)?\s*(?:info|information|"
    r"material|materials|literature|details|stuff|bumf)|(?:a|your|the)\s+(?:brochure|deck|leaflet|one-pager|"
    r"flyer|pamphlet|pdf|price list|info pack))"
    # material the buyer names ("something on how other depots handled it") is a step they want, not a brush-off
    r"(?!\s+(?:on|about|showing|that shows|explaining|from|for)\b)",
    re.IGNORECASE,
)
#: A turn that opens by turning the rep down ("No.", "Not interested", "I said no").
_REFUSAL = re.compile(r"^\s*(?:no\b(?!\s+(?:problem|worries|doubt))|not interested|i said no|nope|not now|"
                      r"not today|we're not interested|i'm not interested)", re.IGNORECASE)


@dataclass
class Figure:
    """One measured figure, its published reference and how this session compares.

    ``better`` is the figure's direction ("up": more is better, "down": less is better); ``ideal`` the value
    nearest which is best when there is one (talk share: the rubric's full-points share); ``points`` what it
    earned of ``available`` under the rubric (``available`` 0: it does not count, or was not measured)."""

    name: str
    value: float | bool | None
    unit: str
    reference: str
    verdict: str  # "good" | "ok" | "poor" | "n/a"
    detail: str = ""
    key: str = ""
    better: str = "up"
    ideal: float | None = None
    points: float = 0.0
    available: float = 0.0

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


def monologue_penalty(seconds: float, rubric: Rubric = DEFAULT) -> float:
    return rubric.monologue_penalty(seconds)


@dataclass
class Part:
    """A figure and the points it earns towards the overall score (of ``available``); ``weight`` scales
    them (the rubric's points for the figure over the default's, applied by :func:`weighed`)."""

    figure: Figure
    earned: float = 0.0
    available: float = 0.0
    key: str = ""


def weighed(part: Part, rubric_key: str, rubric: Rubric, better: str = "up", ideal: float | None = None) -> Part:
    """The part with the figure's key, direction and points stated, its points the rubric's ``weight``
    (earned in the same proportion; a figure the rubric does not count earns and offers nothing)."""
    weight = rubric.weights.get(rubric_key, 0.0) if part.available else 0.0
    if weight and part.available and weight != part.available:
        part.earned, part.available = weight * part.earned / part.available, weight
    elif not weight:
        part.earned, part.available = 0.0, 0.0
    f = part.figure
    f.key, f.better, f.ideal = rubric_key, better, ideal
    f.points, f.available = round(part.earned, 2), part.available
    return part


def question_target(rep_turns: int, rubric: Rubric = DEFAULT) -> int:
    """Questions expected in a call with this many rep turns: the low end of Gong's 11-14 per call,
    scaled down for short calls (40% of rep turns, at least one; the rubric's share and maximum)."""
    return rubric.question_target(rep_turns)


def talk_share(s: Session, r: Rubric = DEFAULT) -> Part:
    total, rep = s.total(), s.total("rep")
    t = r.targets.talk_share
    if total <= 0:
        return weighed(Part(Figure("rep talk share", None, "%", REFERENCES["talk"], "n/a", "no speech measured")),
                       "talk_share", r, "down", t.full)
    share = 100.0 * rep / total
    detail = f"rep {s.show(rep)}, buyer {s.show(s.total('buyer'))}"
    figure = Figure("rep talk share", round(share, 1), "%", REFERENCES["talk"],
                    grade(share, t.good, t.ok, higher_is_better=False), detail)
    weight = DEFAULT.weights["talk_share"]
    return weighed(Part(figure, weight * clamp((t.zero - share) / (t.zero - t.full)), weight, "talk share"),
                   "talk_share", r, "down", t.full)


def _longest(s: Session, speaker: str) -> Stretch | None:
    stretches = [x for x in s.stretches if x.speaker == speaker]
    return max(stretches, key=lambda x: x.amount) if stretches else None


def _span(stretch: Stretch) -> str:
    first, last = stretch.indices[0] + 1, stretch.indices[-1] + 1
    return f"turn {first}" if first == last else f"turns {first}–{last}"


def monologue(s: Session, r: Rubric = DEFAULT) -> Part:
    longest = _longest(s, "rep")
    if longest is None:
        return weighed(Part(Figure("longest rep monologue", None, s.unit, REFERENCES["monologue"], "n/a",
                                   "no rep turns")), "monologue", r, "down")
    seconds = s.seconds(longest.amount)
    detail = _span(longest) + ("" if s.timed else f", about {seconds:.0f} s at 150 words a minute")
    m = r.targets.monologue
    verdict = grade(seconds, m.good, m.ok, higher_is_better=False)
    return weighed(Part(Figure("longest rep monologue", s.value(longest.amount), s.unit, REFERENCES["monologue"],
                               verdict, detail)), "monologue", r, "down")


def story(s: Session, r: Rubric = DEFAULT) -> Part:
    longest = _longest(s, "buyer")
    total_s = s.seconds(s.total())
    b = r.targets.buyer_story
    target_s = max(1.0, min(b.seconds, b.share / 100 * total_s))
    target = target_s if s.timed else target_s * WORDS_PER_SECOND
    weight = DEFAULT.weights["buyer_story"]
    if longest is None:
        return weighed(Part(Figure("longest buyer story", 0, s.unit, REFERENCES["story"], "poor",
                                   "the buyer never spoke"), 0, weight, "buyer story"), "buyer_story", r)
    verdict = grade(longest.amount, target, target / 2)
    detail = (f"{_span(longest)}; target for this call {s.show(target)} ({b.seconds:g} s, or {b.share:g}% of all "
              "speech if less)")
    return weighed(Part(Figure("longest buyer story", s.value(longest.amount), s.unit, REFERENCES["story"], verdict,
                               detail), weight * min(1.0, longest.amount / target), weight, "buyer story"),
                   "buyer_story", r)


def questions(s: Session, r: Rubric = DEFAULT) -> tuple[Part, Part]:
    """The questions figure and the follow-up questions figure."""
    asked = s.with_label("question")
    n, target = len(asked), r.question_target(len(s.rep))
    plenty = r.targets.questions.plenty
    parts = {min(2, 3 * i // len(s.turns)) for i in asked}
    if n > plenty:
        verdict = "ok"
    elif n >= target:
        verdict = "ok" if n >= 3 and len(parts) < 2 else "good"
    else:
        verdict = "ok" if n >= target / 2 else "poor"
    detail = (f"{n} in {len(s.rep)} rep turns; target {target}–{plenty} for this call; in {len(parts)} of 3 parts "
              "of the call")
    minutes = s.minutes()
    if minutes:
        detail += f"; {10 * n / minutes:.1f} per 10 minutes"
    if n > plenty:
        detail += f"; beyond ~{plenty} returns diminish"
    weight = DEFAULT.weights["questions"]
    count = weighed(Part(Figure("questions", n, "questions", REFERENCES["questions"], verdict, detail),
                         weight * min(1.0, n / target), weight, "questions"), "questions", r)

    reused = {i: shared_words(s.turns[i].text, s.previous_buyer[i]) for i in asked if i in s.previous_buyer}
    follow = {i: w for i, w in reused.items() if w}
    needed = r.follow_up_target(target)
    example = next(iter(follow.values()), [])
    detail = f"{len(follow)} of {n} questions build on the buyer's own words"
    if example:
        detail += f" (e.g. “{', '.join(example[:3])}”)"
    verdict = "good" if len(follow) >= needed else "ok" if follow else "poor"
    weight = DEFAULT.weights["follow_ups"]
    follow_part = weighed(Part(Figure("follow-up questions", len(follow), "questions", REFERENCES["follow_ups"],
                                      verdict, detail + f"; target {needed} for this call"),
                               weight * min(1.0, len(follow) / needed), weight, "follow-ups"), "follow_ups", r)
    return count, follow_part


def listening(s: Session, r: Rubric = DEFAULT) -> Part:
    heard = s.with_label("listening")
    share = len(heard) / len(s.rep) if s.rep else 0.0
    reflections = [i for i in heard if i in s.previous_buyer and shared_words(s.turns[i].text,
                                                                                  s.previous_buyer[i])]
    t = r.targets.listening
    detail = (f"{len(heard)} of {len(s.rep)} rep turns ({100 * share:.0f}%); {len(reflections)} reflect the "
              f"buyer's own words; the reference's {t.good:g}%/{t.ok:g}% is applied to listening alone")
    weight = DEFAULT.weights["listening"]
    good = t.good / 100
    return weighed(Part(Figure("listening", len(heard), "moves", REFERENCES["listening"],
                               grade(share, good, t.ok / 100), detail),
                        weight * min(1.0, share / good), weight, "listening"), "listening", r)


def patience(s: Session, r: Rubric = DEFAULT) -> Part:
    gaps = [(s.turns[i].start_s or 0.0) - (s.turns[i - 1].end_s or 0.0)
            for i in s.rep if s.timed and i > 0 and s.turns[i - 1].speaker == "buyer"]
    if not gaps:
        why = "audio sessions only" if not s.timed else "the rep never followed the buyer"
        return weighed(Part(Figure("patience", None, "s", REFERENCES["patience"], "n/a", why)), "patience", r)
    median = statistics.median(gaps)
    interrupted = sum(1 for g in gaps if g < 0)
    detail = f"median of {len(gaps)} gaps between the buyer finishing and the rep starting"
    if interrupted:
        detail += f"; the rep started before the buyer finished {interrupted} time" + ("" if interrupted == 1 else "s")
    p = r.targets.patience
    weight = DEFAULT.weights["patience"]
    return weighed(Part(Figure("patience", round(median, 2), "s", REFERENCES["patience"], grade(median, p.good, p.ok),
                               detail), weight * clamp((median - p.zero) / (p.full - p.zero)), weight, "patience"),
                   "patience", r)


def discovery(s: Session, facts_total: int | None, fact_titles: dict[str, str] | None,
              r: Rubric = DEFAULT) -> tuple[Part, set[str]]:
    revealed: list[str] = []
    for i in s.buyer:
        revealed += [f for f in s.turns[i].revealed if f not in revealed]
    names = [(fact_titles or {}).get(f, f) for f in revealed]
    detail = ("uncovered: " + "; ".join(names)) if names else "no hidden facts uncovered"
    if not facts_total:
        fig = Figure("discovery", len(revealed), "facts", REFERENCES["discovery"], "n/a",
                     detail + "; the persona's number of facts is unknown")
        return weighed(Part(fig), "discovery", r), set(revealed)
    ratio = min(1.0, len(revealed) / facts_total)
    d = r.targets.discovery
    fig = Figure("discovery", len(revealed), "facts", REFERENCES["discovery"], grade(ratio, d.good / 100, d.ok / 100),
                 f"{len(revealed)} of {facts_total}; " + detail)
    weight = DEFAULT.weights["discovery"]
    return weighed(Part(fig, weight * ratio, weight, "discovery"), "discovery", r), set(revealed)


def offers_next_step(turn: Turn) -> bool:
    """Whether a buyer turn proposes a next step itself ("why don't you send me...", "let's set up
    a time", "come and walk line four with Walt", or ``extra["next_step"]``).  Not a next step: a sentence
    that refuses one ("not ready for next steps", "it is premature to talk about next steps"), the buyer
    echoing the rep's question ("Next steps? Let me finish my coffee first."), a brush-off ("just send me
    something"), or anything after a turn opening "No."."""
    if turn.speaker != "buyer":
        return False
    if turn.extra.get("next_step") is True:
        return True
    if _REFUSAL.search(turn.text):
        return False
    for sentence in re.split(r"(?<=[.!?;])\s+", turn.text.strip()):
        if _BRUSH_OFF.search(sentence):
            continue
        match = _NEXT_STEP.search(sentence)
        if match is None or _NOT_NOW.search(sentence[: match.start()]):
            continue
        # "Next steps?", "What would the next step be?": a question about a next step proposes none
        if sentence.rstrip().endswith("?") and match.group(0).lower().startswith("next step"):
            continue
        return True
    return False


def relationship(s: Session, r: Rubric = DEFAULT) -> tuple[list[Part], list[float]]:
    curve = ([s.trust_start] if s.trust_start is not None else []) + [
        float(s.turns[i].trust) for i in s.buyer if s.turns[i].trust is not None]
    if curve:
        final, change = curve[-1], curve[-1] - curve[0]
        shown = f"from {round(curve[0], 1):g} to {round(final, 1):g} ({round(change, 1):+g})"
        weight = DEFAULT.weights["trust"]
        trust = Part(Figure("buyer trust", round(final, 1), "/100", REFERENCES["trust"],
                            grade(final, r.targets.trust.good, r.targets.trust.ok), shown),
                     weight * final / 100, weight, "trust")
    else:
        trust = Part(Figure("buyer trust", None, "/100", REFERENCES["trust"], "n/a",
                            "the buyer's trust was not recorded (plain transcript)"))
    trust = weighed(trust, "trust", r)
    offered = [i for i in s.buyer if offers_next_step(s.turns[i])]
    closes = s.with_label("close")
    if offered:
        verdict, detail = "good", f"the buyer proposed it in turn {offered[0] + 1}: “{s.turns[offered[0]].text}”"
    elif closes:
        verdict, detail = "poor", "the rep pushed for commitment and the buyer offered no next step"
    else:
        verdict, detail = "ok", "no next step offered by the buyer"
    weight = DEFAULT.weights["next_step"]
    step = Part(Figure("buyer's next step", bool(offered), "", REFERENCES["next_step"], verdict, detail),
                weight if offered else 0.0, weight if s.buyer else 0, "next step")
    return [trust, weighed(step, "next_step", r)], curve
