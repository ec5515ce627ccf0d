"""Coaching: what a consultative rep might have said instead, why a moment cost, and live hints.

Alternatives are built from the buyer's own words where possible: the most telling clause of
what the buyer last said (a problem, a number, a feeling, a concern) is turned round to the
rep's point of view ("we lost two drivers last month" -> "you lost two drivers last month")
and wrapped in a question that fits the move that went wrong:

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

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from simulator.conversation import catalogue
from simulator.conversation.transcript import STOPWORDS, content_words, vocabulary, words

#: Transactional labels, costliest first (the order moments and hints are chosen in; from the label catalogue).
COST_ORDER: tuple[str, ...] = catalogue.COST_ORDER

_PROBLEM = vocabulary(
    """
    lost lose losing loss quit quitting left leaving churn problem problems issue issues mess messy slow late
    delay delays hard difficult struggle struggling worried worry worries concern concerned expensive cost
    costs costly price pricing budget frustrated frustrating tired stress stressed stressful broken fail
    failed failing behind short shortage complain complaints risk risky manual error errors mistake mistakes
    pressure overwhelmed burnout angry afraid scared unsure doubt doubts can't cannot don't won't never too
    nobody nothing hate painful pain killing nightmare chaos backlog overtime turnover fired blamed
    hectic busy swamped stretched chaotic crazy exhausted understaffed shortfall
    """
)
_PEOPLE = vocabulary(
    """
    team teams staff people drivers driver nurses nurse engineers engineer customers customer clients
    client employees employee colleagues agents agent reps crew workers
    """
)
_PRICE = vocabulary("price prices pricing cost costs costly expensive cheap cheaper fee fees rate rates")
#: Pleasantries: a clause made of these is small talk, not something to build a question on.
_PLEASANTRY = vocabulary("happy glad thanks thank welcome pleasure nice great fine good hello hi hey morning "
                         "afternoon evening chat problem worries")
#: After the flip these words mean the seller: a buyer clause with them is about us.
_SELLER = vocabulary("our ours we us we're we've we'll we'd ourselves")
_NUMBER_WORDS = vocabulary("two three four five six seven eight nine ten twelve twenty half dozen hundred")
_DECIDERS = vocabulary("boss board ceo cfo director procurement legal committee finance partner owner")

_LEAD_FILLERS = re.compile(
    r"^(?:(?:well|yeah|yes|so|um+|uh+|er|oh|look|honestly|and|but|okay|ok|right|i mean|to be honest|"
    r"the thing is|you know|frankly|basically|i guess|i think)\b[\s,]*)+",
    re.IGNORECASE,
)
_TAIL_FILLERS = re.compile(r"(?:[\s,]+(?:you know|right|i guess|honestly|really|though|anyway))+$", re.IGNORECASE)

_FLIP = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "we": "you", "us": "you", "our": "your", "ours": "yours", "ourselves": "yourselves",
    "i'm": "you're", "i've": "you've", "i'll": "you'll", "i'd": "you'd",
    "we're": "you're", "we've": "you've", "we'll": "you'll", "we'd": "you'd",
    "your": "our", "yours": "ours", "yourself": "ourselves", "yourselves": "ourselves",
    "you're": "we're", "you've": "we've", "you'll": "we'll", "you'd": "we'd",
}
_AFTER_I = {"am": "are", "was": "were"}
#: Words before "you" that make it an object ("about you" -> "about us"; otherwise "you" -> "we").
_OBJECT_BEFORE = vocabulary("about with for to from at by of on into than like trust tell help call pay give send ask "
                            "show need see thank hear told asked paid sent gave called trusted heard")


def flip_pronouns(text: str) -> str:
    """Say the buyer's clause from the rep's side: "we lost our best driver" -> "you lost your best
    driver", "I was worried about your price" -> "you were worried about our price".

    Pronouns come out in lower case; every other word keeps its case.
    """
    text = re.sub(r"\byou guys\b", "you", text.replace("’", "'"), flags=re.IGNORECASE)
    tokens = re.findall(r"[A-Za-z']+|[^A-Za-z']+", text)
    out: list[str] = []
    previous = ""
    for token in tokens:
        low = token.lower()
        if not token[0].isalpha():
            out.append(token)
            continue
        if low == "you":
            out.append("us" if previous in _OBJECT_BEFORE else "we")
        elif low in _FLIP:
            out.append(_FLIP[low])
        elif previous == "i" and low in _AFTER_I:
            out.append(_AFTER_I[low])
        else:
            out.append(token)
        previous = low
    return "".join(out)


_CLAUSE_BREAK = re.compile(
    r",\s*(?:but|and|so)\s+|\s+but\s+|,\s+|\s+(?:and|so)\s+(?=(?:we|i|they|our|my|it|the|nobody|no one)\b)",
    re.IGNORECASE,
)


def _clauses(text: str) -> list[tuple[str, bool]]:
    """Clauses of ``text`` with whether each was a question."""
    found: list[tuple[str, bool]] = []
    for sentence in re.findall(r"[^.!?;]+[.!?;]?", text):
        question = sentence.strip().endswith("?")
        for part in re.split(_CLAUSE_BREAK, sentence.strip(" .!?;")):
            part = _TAIL_FILLERS.sub("", _LEAD_FILLERS.sub("", part.strip())).strip(" ,")
            if part:
                found.append((part, question))
    return found


def _small_talk(clause: str) -> bool:
    """Whether a clause is a pleasantry ("happy to chat", "no problem", "good morning") with no
    real problem word in it."""
    low = words(clause)
    if any(w in _PLEASANTRY for w in low):
        return not any(w in _PROBLEM and w not in _PLEASANTRY for w in low)
    return False


def _salience(clause: str) -> float:
    low = words(clause)
    content = content_words(clause)
    problem = sum(1 for w in low if w in _PROBLEM)
    numbers = sum(1 for w in low if w.isdigit() or w in _NUMBER_WORDS)
    return 3.0 * problem + 2.0 * numbers + len(content)



def buyer_clause(buyer_said: str | None, max_words: int = 14) -> str | None:
    """The most telling clause of what the buyer said, from the rep's side, or None.

    Picks the clause with most problem words, numbers and content words (questions the buyer
    asked are skipped), then flips pronouns: "Honestly, we lost two drivers last month." ->
    "you lost two drivers last month".
    """
    if not buyer_said:
        return None
    candidates = [c for c, question in _clauses(buyer_said) if not question and 2 <= len(words(c)) <= max_words]
    candidates = [c for c in candidates if content_words(c) and not _small_talk(c)]
    if not candidates:
        return None
    best = max(candidates, key=_salience)
    first = words(best)[0]
    if first in STOPWORDS and first != "i":
        best = best[:1].lower() + best[1:]
    return flip_pronouns(best)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _has(clause: str | None, vocab: frozenset[str]) -> bool:
    return bool(clause) and any(w in vocab for w in words(clause or ""))


def is_concern(clause: str) -> bool:
    """Whether a (flipped) buyer clause voices a concern about us or the offer: it names the
    seller ("our price"), says something is "too" much, talks price, or doubts."""
    low = " ".join(words(clause))
    return (_has(clause, _SELLER) or _has(clause, _PRICE) or re.search(r"\btoo \w+", low) is not None
            or re.search(r"\b(not sure|worried|concern|doubt|risk)", low) is not None)


def _from_buyer(label: str, c: str) -> list[str]:
    """Alternatives for ``label`` built on the buyer's clause ``c`` (already from the rep's side)."""
    if label not in ("objection_handling", "monologue") and is_concern(c):
        # the buyer voiced a concern: whatever the move was, the concern is what to explore
        label = "objection_handling"
    if label == "close":
        forms = [f"You mentioned {c}. What would need to be true for you to act on that?"]
        if _has(c, _DECIDERS):
            forms.insert(0, f"You mentioned {c}. How do decisions like this usually get made on your side?")
        return forms
    if label == "objection_handling":
        forms = [f"What makes you say {c}?", f"When you say {c}, what's behind that?"]
        too = re.search(r"\btoo (\w+)", c, re.IGNORECASE)
        if too:
            forms.insert(0, f"Too {too.group(1).lower()} compared to what?")
        elif _has(c, _PRICE):
            forms.insert(0, f"When you say {c}, what are you comparing it with?")
        return forms
    if label == "leading_question":
        return [f"You said {c}. How are you thinking about that at the moment?"]
    if label == "benefit":
        return [f"{_cap(c)}. If that were solved, what would it change for you?",
                f"{_cap(c)}. What is that costing you today?"]
    if label == "monologue":
        return [f"{_cap(c)}. Tell me more about that?"]
    # a pitch: ask about the buyer's world instead
    forms = [f"{_cap(c)}. What does that look like day to day?"]
    if _has(c, _NUMBER_WORDS) or any(w.isdigit() for w in words(c)):
        forms.insert(0, f"{_cap(c)}. What has that meant for you so far?")
    if _has(c, _PEOPLE):
        forms.insert(0, f"{_cap(c)}. How is the team coping with that?")
    return forms


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
    clause = buyer_clause(buyer_said)
    generic = list(_GENERIC[label])
    for pool in (_from_buyer(label, clause) if clause else [], generic):
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
    """Why a rep turn cost points, in one or two sentences, naming what the buyer had just said."""
    label = main_label(labels)
    parts: list[str] = []
    if label == "close" and not trust_earned:
        shown = f" (trust {trust:.0f}/100)" if trust is not None else ""
        parts.append(catalogue.CLOSE_EARLY_WHY.format(trust=shown))
    elif label:
        parts.append(catalogue.move(label).why)
    also = [_ALSO[other] for other in COST_ORDER if other != label and other in labels]
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
    if label:
        entry = catalogue.move(label)
        return entry.hint_with_clause.format(clause=clause) if clause and entry.hint_with_clause else entry.hint
    long_time = ctx.monologue_s is not None and ctx.monologue_s >= HINT_MONOLOGUE_S
    if long_time or ctx.monologue_words >= HINT_MONOLOGUE_WORDS:
        return "You've been talking a while. Pause and ask what they think."
    return None
