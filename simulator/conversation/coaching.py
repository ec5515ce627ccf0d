"""Coaching: what a consultative rep might have said instead, why a moment cost, and live hints.

Alternatives are built from the buyer's own words where possible (read by :mod:`simulator.conversation.rephrase`,
worded by :mod:`simulator.conversation.try_instead`):
the most telling clause of what the buyer last said (a problem, a number, a feeling, a concern) is turned
round to the rep's point of view ("we lost two drivers last month" -> "you lost two drivers last month"),
a short answer is picked up ("When you say better numbers, ..."), a telling-off or a lost buyer is
acknowledged, and the result is a question that fits the move that went wrong:

- ``pitch``: a question about the buyer's situation instead of the product;
- ``benefit``: let the buyer name the value themselves (a need-payoff question);
- ``objection_handling``: explore the concern instead of arguing ("What makes you say ...?");
- ``leading_question``: an open question whose answer is not decided in advance;
- ``close``: ask what the buyer needs before deciding, or let them propose the next step;
- a monologue: stop and hand the floor back.

Each move has several forms; the scorecard passes a seed and the ones already used, so three
moments never read as one canned sentence. Pure code: no heavy imports.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from simulator.conversation import catalogue
from simulator.conversation.needs import names_a_need
from simulator.conversation.rephrase import (  # noqa: F401  (buyer_clause, flip_pronouns: part of this API)
    buyer_clause,
    flip_pronouns,
    read,
)
from simulator.conversation.try_instead import forms

#: Transactional labels, costliest first (the order moments and hints are chosen in; from the label catalogue).
COST_ORDER: tuple[str, ...] = catalogue.COST_ORDER

#: Alternatives that need no buyer words, by label (a pitch's are the default; labels' from the catalogue).
_GENERIC: dict[str, tuple[str, ...]] = {
    **{label: catalogue.move(label).alternatives for label in COST_ORDER},
    "monologue": ("Let me stop there. What's your reaction so far?",
                  "That's a lot from me. What's on your mind?",
                  "Which part of that, if any, matters for you?"),
}


def main_label(labels: Sequence[str]) -> str | None:
    """The costliest transactional label present, or None."""
    return next((label for label in COST_ORDER if label in labels), None)


def alternative(labels: Sequence[str], buyer_said: str | None = None, *, seed: int = 0,
                avoid: Collection[str] = ()) -> str:
    """What a consultative rep might have said instead of a turn with ``labels``.

    ``buyer_said`` is the buyer's previous line (its words are reused where possible); ``seed``
    varies the form and ``avoid`` skips alternatives already given.
    """
    label = main_label(labels) or ("monologue" if "monologue" in labels else "pitch")
    reading = read(buyer_said)
    generic = list(_GENERIC[label])
    for pool in (forms(label, reading) if reading else [], generic):
        fresh = [f for f in pool if f not in avoid]
        if fresh:
            return fresh[seed % len(fresh)]
    return generic[seed % len(generic)]


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split()).rstrip(".!;,")
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


_ALSO = {label: catalogue.move(label).also for label in COST_ORDER}


def why(labels: Sequence[str], buyer_said: str | None = None, *, trust: float | None = None,
        trust_earned: bool = True, monologue: str | None = None) -> str:
    """Why a rep turn cost points, in one or two sentences, naming what the buyer had just said (a benefit
    right after the buyer named a need is told as such, never as "before the buyer had stated that need")."""
    label = main_label(labels)
    need = "benefit" in labels and names_a_need(buyer_said)
    parts: list[str] = []
    if label == "close" and not trust_earned:
        shown = f" (trust {trust:.0f}/100)" if trust is not None else ""
        parts.append(catalogue.CLOSE_EARLY_WHY.format(trust=shown))
    elif label == "benefit" and need:
        parts.append(catalogue.BENEFIT_AFTER_NEED_WHY)
    elif label:
        parts.append(catalogue.move(label).why)
    also = [catalogue.BENEFIT_AFTER_NEED_ALSO if other == "benefit" and need else _ALSO[other]
            for other in COST_ORDER if other != label and other in labels]
    if also:
        parts.append("It also " + " and ".join(also) + ".")
    if monologue:
        parts.append(f"Spoke for {monologue} without letting the buyer in; long monologues go with falling win "
                     "rates (Gong).")
    if buyer_said and label:
        parts.append(f"The buyer had just said {_quote(buyer_said)}, and this moved past it.")
    return " ".join(parts) or "Cost the conversation momentum."


@dataclass(frozen=True)
class HintContext:
    """What the live hint may know besides the labels (all optional)."""

    buyer_said: str | None = None
    #: words / seconds the rep has spoken since the buyer last spoke (this turn included)
    monologue_words: int = 0
    monologue_s: float | None = None
    #: buyer trust 0-100 before this turn, when the engine reports it
    trust: float | None = None


#: A live hint fires for a monologue at or beyond either of these.
HINT_MONOLOGUE_WORDS = 110
HINT_MONOLOGUE_S = 45.0
#: Trust at or above which a close no longer counts as premature.
TRUST_EARNED = 60.0


def hint_for(analysis_labels: Sequence[str], context: HintContext | Mapping | None = None) -> str | None:
    """A short, kind hint when a transactional move lands or a monologue runs long, else None.

    ``context`` is a :class:`HintContext` or a mapping with the same keys.
    """
    if context is None:
        ctx = HintContext()
    elif isinstance(context, Mapping):
        ctx = HintContext(**{k: v for k, v in context.items() if k in HintContext.__dataclass_fields__})
    else:
        ctx = context
    label = main_label(analysis_labels)
    clause = buyer_clause(ctx.buyer_said, max_words=8)
    if label == "close" and ctx.trust is not None and ctx.trust < TRUST_EARNED:
        return catalogue.CLOSE_EARLY_HINT
    if label == "benefit" and names_a_need(ctx.buyer_said):
        return catalogue.BENEFIT_AFTER_NEED_HINT
    if label:
        entry = catalogue.move(label)
        return entry.hint_with_clause.format(clause=clause) if clause and entry.hint_with_clause else entry.hint
    long_time = ctx.monologue_s is not None and ctx.monologue_s >= HINT_MONOLOGUE_S
    if long_time or ctx.monologue_words >= HINT_MONOLOGUE_WORDS:
        return "You've been talking a while. Pause and ask what they think."
    return None
