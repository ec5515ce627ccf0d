"""Reading the buyer's last line for what a good coach would have said instead, in the rep's voice.

``read(buyer_said)`` reads the buyer's line, every sentence and clause of it, as one of:

- ``statement``: the most telling clause with a subject and a verb (a concern first, then problems,
  numbers, content: "we lost two drivers last month"), turned round to the rep's side ("you lost two
  drivers last month"), so "You mentioned ..." stays grammatical;
- ``phrase``: a short verbless answer ("Better numbers.") the rep can pick up ("When you say better
  numbers, ...");
- ``pushback``: the buyer told the rep off ("Don't tell me what my drivers will do"): acknowledge it and
  hand over, naming what they own ("you know your drivers far better than I do");
- ``confused``: the buyer did not follow ("I only understood half of that"): own it and ask where to go back;
- ``sceptic``: the buyer waved away every seller's claim ("You guys all say that"): acknowledge, never quote.

Never quoted: commands ("send me ..."), questions, small talk, hedges and filler ("I suppose", "no idea"),
numbers alone, a clause whose pronoun would point at nothing once quoted ("we write them in a paper book",
"that was years ago": "they"/"them" are replaced by a short plural said just before when there is one), and
the main clause of an "if" sentence on its own.  A name keeps its capital ("Linda will want payback").
The clauses and the words that tell what each is come from :mod:`simulator.conversation.buyer_words`;
:mod:`simulator.conversation.try_instead` words the question; :mod:`simulator.conversation.needs` uses the
same clauses to tell whether the line names a need.  Pure code: no heavy imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.conversation.buyer_words import (
    HEDGES,
    MEETING,
    NUMBER_WORDS,
    PEOPLE,
    PLEASANTRY,
    PRICE,
    PROBLEM,
    TROUBLE_PHRASE,
    dependent,
    kind_of,
    sentence_case,
    sentence_clauses,
)
from simulator.conversation.transcript import STOPWORDS, content_words, vocabulary, words

#: After the flip these words mean the seller: a buyer clause with them is about us.
_SELLER = vocabulary("our ours we us we're we've we'll we'd ourselves")

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


def small_talk(clause: str) -> bool:
    """Whether a clause is a pleasantry ("happy to chat", "no problem", "good morning"): it has a
    pleasantry, no real problem word, and no content word beyond pleasantries and meeting courtesies
    ("our customers are happy enough" is not small talk)."""
    low = words(clause)
    if any(w in PLEASANTRY for w in low):
        if any(w in PROBLEM and w not in PLEASANTRY for w in low):
            return False
        return all(w in PLEASANTRY or w in MEETING for w in content_words(clause))
    return False


def _salience(clause: str) -> float:
    low = words(clause)
    content = content_words(clause)
    problem = sum(1 for w in low if w in PROBLEM) + (1 if TROUBLE_PHRASE.search(clause) else 0)
    numbers = sum(1 for w in low if w.isdigit() or w in NUMBER_WORDS)
    return 3.0 * problem + 2.0 * numbers + len(content)


PUSHBACK = re.compile(
    r"\b(?:don'?t|do not) (?:tell|lecture|teach) me\b|\byou don'?t know (?:my|our|the|how|what)\b|\bspare me\b|"
    r"\bheard (?:it|that|this)(?: all)? before\b|\bsave (?:it|the pitch|your breath)\b|"
    r"\bi know (?:my|our) (?:business|people|team|drivers|staff|customers|job)\b",
    re.IGNORECASE,
)
CONFUSED = re.compile(
    r"\b(?:didn'?t|did not|don'?t|do not|can'?t|cannot) (?:really )?(?:understand|follow|get what)\b|"
    r"\bunderstood (?:half|none|nothing|little|maybe half)\b|\bonly (?:understood|followed|got) \w+|"
    r"\blost me\b|\bwhat (?:does|do) (?:that|you|this) (?:even )?mean\b|\bwhat are you (?:talking|on) about\b|"
    r"\bjargon\b|\bbuzzwords?\b|\bplain english\b|\bconfus(?:ed|ing)\b|\bover my head\b",
    re.IGNORECASE,
)
_OWNED = re.compile(r"\b(?:my|our) ((?:[a-z]+ )?(?:" + "|".join(sorted(PEOPLE)) + r"|business|company|shop|"
                    r"shops|plant|site|market|customers|job|trade|industry|operation|school|practice|ward|fleet))\b",
                    re.IGNORECASE)
#: Pronouns that need something said before them to mean anything in a quoted clause.
_PLURAL_BACK = vocabulary("they they're they've them those these")
_DANGLING_END = vocabulary("it that this them those these")
_DEMONSTRATIVE = vocabulary("that that's this these those he he's he'd he'll she she's she'd she'll")
#: The buyer waving away all sellers' claims ("You guys all say that", "Everybody says that about their product").
_SCEPTIC = re.compile(
    r"\b(?:you (?:guys |people )?(?:all )?|every(?:one|body) |they all |salespeople (?:all )?)says? "
    r"(?:that|so|the same)\b|\bthat's what they all say\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """The buyer's last line as the alternative will use it (see the module docstring)."""

    kind: str  # statement | phrase | pushback | confused | sceptic
    text: str = ""  # statement: the clause from the rep's side; phrase: the words; pushback: "your drivers"


def _referent(before: list[tuple[str, bool]]) -> str | None:
    """The last short plural noun phrase said before ("The custom orders"), for "they"/"them" to stand for."""
    for clause, question in reversed(before):
        low = words(clause)
        if not question and kind_of(clause) == "phrase" and low[-1].endswith("s") and not _hedge(clause):
            return clause[:1].lower() + clause[1:] if low[0] in STOPWORDS else clause
    return None


def _resolved(clause: str, before: list[tuple[str, bool]]) -> str | None:
    """``clause`` with "they"/"them" replaced by what they stand for, or None when a pronoun in it would
    point at nothing once quoted ("you write them in a paper book", "we all say that", "that was years ago")."""
    low = words(clause)
    if low[0] in _DEMONSTRATIVE or low[-1] in _DANGLING_END:
        return None
    if low[0] not in _PLURAL_BACK and "them" not in low:
        return clause
    referent = _referent(before)
    if referent is None:
        return None
    lead = {"they're": f"{referent} are", "they've": f"{referent} have"}
    clause = re.sub(r"^(?:they're|they've|they|those|these)\b",
                    lambda m: lead.get(m.group(0).lower(), referent), clause, flags=re.IGNORECASE)
    return re.sub(r"\bthem\b", referent, clause)


def _hedge(clause: str) -> bool:
    return all(w in HEDGES for w in content_words(clause))


def read(buyer_said: str | None, max_words: int = 14) -> Reading | None:
    """How the rep could pick up ``buyer_said`` (None when nothing in it can be reused)."""
    if not buyer_said:
        return None
    if CONFUSED.search(buyer_said):
        return Reading("confused")
    if PUSHBACK.search(buyer_said):
        owned = _OWNED.search(buyer_said)
        return Reading("pushback", flip_pronouns(owned.group(0)).lower() if owned else "")
    if _SCEPTIC.search(buyer_said):
        return Reading("sceptic")
    candidates = []
    parts = sentence_clauses(buyer_said)
    found = [(clause, question) for clause, question, _ in parts]
    for k, (said, question, whole) in enumerate(parts):
        clause = None if question or dependent(said) else _resolved(said, found[:k])
        if (clause is None or not 2 <= len(words(clause)) <= max_words or not content_words(clause)
                or small_talk(clause) or _hedge(clause)):
            continue
        kind = kind_of(clause)
        if kind == "phrase" and (not whole or all(w in NUMBER_WORDS or w.isdigit() for w in content_words(clause))):
            continue  # a fragment of a longer sentence ("my grandmother's recipes") or numbers alone ("six to two")
        if kind:
            # a statement first, a concern ("it costs a bit") before other statements, then the most telling
            candidates.append((kind == "statement", is_concern(flip_pronouns(clause)), _salience(clause), clause, kind))
    if not candidates:
        return None
    *_, best, kind = max(candidates, key=lambda c: c[:3])
    return Reading(kind, flip_pronouns(sentence_case(best, name_allowed=kind == "statement")))


def has(clause: str | None, vocab: frozenset[str]) -> bool:
    return bool(clause) and any(w in vocab for w in words(clause or ""))


def is_concern(clause: str) -> bool:
    """Whether a (flipped) buyer clause voices a concern about us or the offer: it names the
    seller ("our price"), says something is "too" much, talks price, or doubts."""
    low = " ".join(words(clause))
    return (has(clause, _SELLER) or has(clause, PRICE) or re.search(r"\btoo \w+", low) is not None
            or re.search(r"\b(not sure|worried|concern|doubt|risk)", low) is not None)


def buyer_clause(buyer_said: str | None, max_words: int = 14) -> str | None:
    """The most telling clause of what the buyer said that has a subject, from the rep's side, or None:
    "Honestly, we lost two drivers last month." -> "you lost two drivers last month"."""
    reading = read(buyer_said, max_words)
    return reading.text if reading is not None and reading.kind == "statement" else None
