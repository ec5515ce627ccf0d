"""Matching what the rep said to the buyer's hidden facts.

Works on speech-recogniser text (lower case, no punctuation, fillers) and on paraphrase, not
only on exact keywords:

- words are lower-cased, stripped of fillers and stop words and stemmed (a small suffix
  stemmer, so "invoicing", "invoices" and "invoiced" meet);
- each fact's vocabulary is its topic and keywords (and, once shared, the words the buyer used,
  so a reflection of the buyer's own words finds the fact);
- a fact scores +3 for each keyword phrase found whole, plus the overlap of single stems
  weighted by rarity across the persona's facts (a stem every fact has counts little);
- question shapes hint at the kind of fact asked about ("what have you tried" -> ``tried``,
  "who else" -> ``people``, "what does it cost" -> ``cost``, "why" -> ``cause``, "what would
  success look like" -> ``success``) and add to facts of that kind;
- follow-ups ("tell me more", "why is that", "what do you mean", "go on") continue the last topic.

``match(text, persona, revealed) -> Match`` returns the best fact (or None), its score, the
kind hinted at and whether the utterance is a follow-up or asks for a next step.

``match_concern(text, persona, raised, open_concern, revealed) -> ConcernMatch | None`` finds the
raised concern an utterance explores: scored like facts (the concern's topic, keywords and the
words the buyer used to raise it), +1 for the concern voiced in the buyer's latest reply, and +3
for that concern when the rep uses a generic exploring phrase ("what makes you say that", "compared
to what", "tell me more about that worry", "sounds like you've been burned before").  It wins only
when it scores at least THRESHOLD and at least as much as the best fact (strictly more for a
concern raised earlier), so "what does a remade cake cost you" still asks about the fact.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from simulator.persona.schema import Concern, Fact, Persona

_STOP_WORDS = (
    """a about above after again all am an and any are as at be because been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers herself
    him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves um uh er like yeah ok okay right well know mean
    guess kind sort really actually basically just get got tell let me us im youre thats whats dont its ive youve
    id ill thing things bit lot maybe also much many one way go going say said see look looks looking looked normal
    typical usual"""
)
STOP = frozenset(_STOP_WORDS.split())

#: question shapes -> the kind of fact they ask about
KIND_CUES: dict[str, tuple[str, ...]] = {
    "tried": ("tried", "try", "attempt", "so far", "done about", "workaround", "before now", "in the past",
              "other vendor", "other supplier", "looked at", "fix it", "solve it", "deal with it", "dealt with",
              "cope", "coping", "handle it", "handled"),
    "people": ("who else", "team", "anyone else", "affect the", "affects the", "others", "staff", "people",
               "colleague", "boss", "partner", "involved", "decision", "sign off", "signs off", "decide",
               "employees", "family", "customers feel", "rest of"),
    "cost": ("cost", "costing", "impact", "affect", "money", "lose", "losing", "loss", "price of", "hurt",
             "consequence", "what happens when", "what happens if", "toll", "time does", "how much", "budget",
             "revenue", "expensive", "weekend", "evenings"),
    "cause": ("why", "cause", "causes", "reason", "behind", "root", "how come", "keeps happening", "what drives",
              "where does", "comes from", "what changed", "started"),
    "success": ("success", "ideal", "would look like", "would it look like", "would that look like",
                "perfect", "solved", "fixed", "different",
                "magic wand", "a year from now", "fast forward", "dream", "best case", "goal", "want to get to",
                "would change", "better look"),
    "problem": ("hardest", "challenge", "problem", "struggle", "frustrat", "difficult", "pain", "biggest",
                "worr", "headache", "keeps you up", "not working", "going wrong", "issue", "tough"),
    "situation": ("how do you", "how does", "today", "currently", "set up", "setup", "run things", "walk me",
                  "tell me about", "your business", "background", "day look", "week look", "how things",
                  "role", "how is", "work today"),
}
#: phrases that aim a question at the buyer as a person, not at the business: it asks about the persona's
#: ``personal`` fact ("How's this hitting you personally?", "does the plant follow you home at night"). Not "for
#: you" or "on your plate" alone: "what would success look like for you", "what's on your plate these days" ask
#: about the business.
PERSONAL_CUES: tuple[str, ...] = (
    "you personally", "yourself personally", "you yourself", "personal level", "your own time", "outside work",
    "outside of work", "take it home", "taking it home", "take this home", "taking this home", "home with you",
    "follow you home", "follows you home", "land on you", "lands on you", "landing on you",
    "hitting you", "weighing on you", "toll on you", "riding on it for you", "riding on this for you",
    "at stake for you", "at stake on your end",
)
FOLLOW_UP_CUES: tuple[str, ...] = (
    "tell me more", "more about that", "say more", "why is that", "why's that", "how so", "what do you mean",
    "go on", "and then", "what happened", "such as", "for example", "like what", "in what way", "how come",
    "walk me through that", "keep going", "expand on", "more on that", "what else", "then what",
    "what was that like", "how did that",
)
NEXT_STEP_CUES: tuple[str, ...] = (
    "next step", "next steps", "where do we go", "where should we go", "what would you like to do",
    "how would you like to proceed", "what makes sense from here", "where from here", "move forward",
    "what should happen next", "what happens next",
)
#: generic ways of exploring a worry the buyer has just voiced (follow-up cues count too)
EXPLORE_CUES: tuple[str, ...] = (
    "what makes you say", "makes you say that", "compared to what", "compared with what", "worr", "concern",
    "burned", "burnt", "been there", "where is that coming from", "where does that come from", "whats behind",
    "what is behind", "what sits behind", "what would you need", "what would need", "afraid",
    "fear", "nervous", "wary", "cautious", "careful", "sceptic", "skeptic", "hesitant", "last time",
    "happened before", "gone wrong", "went wrong", "makes sense", "fair point", "understandable", "no wonder",
    "i can see why", "i can understand", "of course you", "sounds like", "say that",
)

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation", "ments", "ingly", "ness",
             "ment", "ings", "ing", "edly", "ies", "ied", "ers", "ed", "er", "es", "ly", "s")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A small suffix-stripping stemmer: enough for "invoicing"/"invoices"/"invoiced" to meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            elif len(base) > 3 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]
            return base.rstrip("e") if len(base) > 4 else base
    return word.rstrip("e") if len(word) > 4 else word


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, one space between words."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return " ".join(_WORD.findall(text))


def stems(text: str) -> list[str]:
    """The content-word stems of a text, in order."""
    return [stem(w) for w in _WORD.findall(normalise(text)) if w not in STOP and len(w) > 1]


def has_cue(text: str, cues: tuple[str, ...]) -> bool:
    """Whether any cue phrase occurs in the text (on word boundaries, after normalising)."""
    padded = f" {normalise(text)} "
    return any(f" {cue}" in padded for cue in cues)


#: how open questions start (after fillers): they invite the buyer to talk at length
OPEN_STARTS: tuple[str, ...] = (
    "how", "what", "why", "tell me", "walk me", "talk me", "describe", "help me understand", "can you tell",
    "could you tell", "can you walk", "could you walk", "can you describe", "could you describe", "in what way",
    "say more", "what was that like", "go on",
)
_FILLERS = frozenset(["so", "um", "uh", "er", "erm", "and", "okay", "ok", "well", "right", "now", "then", "yeah"])


def is_open_question(text: str) -> bool:
    """Whether the utterance asks an open question (how / what / why / tell me ...), anywhere in it."""
    for clause in re.split(r"[.?!;,\-]+", text.lower().replace("\u2019", "'")):
        words = [w for w in normalise(clause).split() if w]
        while words and words[0] in _FILLERS:
            words.pop(0)
        lead = " ".join(words)
        if any(lead == start or lead.startswith(start + " ") for start in OPEN_STARTS):
            return True
    return False


_AUXILIARIES = frozenset(["do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "have",
                          "has", "had", "should", "shall", "may", "might", "who", "where", "when", "which"])


def looks_like_question(text: str) -> bool:
    """A clear question by its shape: a question mark, an open start, or an auxiliary or wh-word first."""
    if text.rstrip().endswith("?") or is_open_question(text):
        return True
    words = [w for w in normalise(text).split() if w not in _FILLERS]
    return bool(words) and words[0] in _AUXILIARIES


#: ... and "switch off" without an object ("do you get to switch off at home"; "switch off the line" is a machine)
_SWITCH_OFF = r"\bswitch off\b(?! (?:the|a|an|it|that|this|those|these|your|our|their|them|all)\b)"
_PERSONAL = re.compile(r"\b(?:" + "|".join(re.escape(cue) for cue in PERSONAL_CUES) + r")\b|" + _SWITCH_OFF)


def asks_personally(text: str) -> bool:
    """Whether the question is aimed at the buyer as a person (``PERSONAL_CUES``, whole words at both ends:
    "hitting your customers" is not "hitting you", "switch off the line" is not "switch off")."""
    return bool(_PERSONAL.search(normalise(text)))


def kind_hint(text: str) -> str | None:
    """The kind of fact a question's shape points to, if any (first matching kind in KIND_CUES order)."""
    for kind, cues in KIND_CUES.items():
        if has_cue(text, cues):
            return kind
    return None


@dataclass(frozen=True)
class Match:
    fact: Fact | None
    score: float
    kind: str | None
    follow_up: bool
    next_step: bool


#: a fact needs at least this score to count as what the rep asked about
THRESHOLD = 2.0
KIND_BONUS = 1.5


def _phrases(fact: Fact) -> list[tuple[str, ...]]:
    return [tuple(stems(p)) for p in [fact.topic, *fact.keywords] if stems(p)]


def _vocab(fact: Fact, revealed: bool) -> set[str]:
    words = set(stems(fact.topic))
    for kw in fact.keywords:
        words.update(stems(kw))
    if revealed:
        for line in fact.says:
            words.update(stems(line))
    return words


def _contains(seq: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(seq[i : i + n]) == phrase for i in range(len(seq) - n + 1))


def score_facts(text: str, persona: Persona, revealed: tuple[str, ...] = ()) -> list[tuple[float, Fact]]:
    """Every fact with its score for this utterance, best first (ties keep file order)."""
    words = stems(text)
    word_set = set(words)
    kind = kind_hint(text)
    vocabs = {f.id: _vocab(f, f.id in revealed) for f in persona.facts}
    n = len(persona.facts)
    df: dict[str, int] = {}
    for vocab in vocabs.values():
        for w in vocab:
            df[w] = df.get(w, 0) + 1
    scored = []
    for fact in persona.facts:
        score = 0.0
        for phrase in _phrases(fact):
            if len(phrase) > 1 and _contains(words, phrase):
                score += 3.0
        for w in word_set & vocabs[fact.id]:
            score += 1.0 + math.log(n / df[w])
        if kind and fact.kind == kind and score > 0:
            score += KIND_BONUS
        scored.append((round(score, 3), fact))
    order = {f.id: i for i, f in enumerate(persona.facts)}
    return sorted(scored, key=lambda sf: (-sf[0], order[sf[1].id]))


@dataclass(frozen=True)
class ConcernMatch:
    concern: Concern
    score: float
    #: a generic exploring phrase about the concern just voiced (rather than its own words)
    cue: bool


#: extra score for the concern voiced in the buyer's latest reply, and for a generic exploring phrase about it
OPEN_BONUS = 1.0
EXPLORE_CUE_SCORE = 3.0


def _concern_vocab(concern: Concern) -> tuple[set[str], list[tuple[str, ...]]]:
    words: set[str] = set()
    for text in [concern.topic, *concern.keywords, *concern.says]:
        words.update(stems(text))
    phrases = [tuple(stems(p)) for p in [concern.topic, *concern.keywords] if len(stems(p)) > 1]
    return words, phrases


def match_concern(
    text: str, persona: Persona, raised: tuple[str, ...], open_concern: str | None = None,
    revealed: tuple[str, ...] = (),
) -> ConcernMatch | None:
    """The raised concern this utterance explores, or None (see the module docstring)."""
    candidates = [c for c in persona.concerns if c.id in raised]
    if not candidates:
        return None
    words = stems(text)
    word_set = set(words)
    cue = has_cue(text, EXPLORE_CUES + FOLLOW_UP_CUES)
    vocabs = {c.id: _concern_vocab(c) for c in candidates}
    all_vocabs = [v for v, _ in vocabs.values()] + [_vocab(f, f.id in revealed) for f in persona.facts]
    df: dict[str, int] = {}
    for vocab in all_vocabs:
        for w in vocab:
            df[w] = df.get(w, 0) + 1
    n = len(all_vocabs)
    best: ConcernMatch | None = None
    for concern in candidates:
        vocab, phrases = vocabs[concern.id]
        score = sum(3.0 for phrase in phrases if _contains(words, phrase))
        score += sum(1.0 + math.log(n / df[w]) for w in word_set & vocab)
        is_open = concern.id == open_concern
        if is_open and score > 0:
            score += OPEN_BONUS
        if is_open and cue:
            score += EXPLORE_CUE_SCORE
        score = round(score, 3)
        if best is None or score > best.score or (score == best.score and is_open):
            best = ConcernMatch(concern, score, cue and is_open)
    if best is None or best.score < THRESHOLD:
        return None
    facts = score_facts(text, persona, revealed)
    fact_score = facts[0][0] if facts else 0.0
    if best.score > fact_score or (best.score == fact_score and best.concern.id == open_concern):
        return best
    return None


def match(text: str, persona: Persona, revealed: tuple[str, ...] = ()) -> Match:
    """The fact the rep is asking about (None when nothing scores above THRESHOLD)."""
    scored = score_facts(text, persona, revealed)
    best_score, best = scored[0] if scored else (0.0, None)
    return Match(
        fact=best if best_score >= THRESHOLD else None,
        score=best_score,
        kind=kind_hint(text),
        follow_up=has_cue(text, FOLLOW_UP_CUES),
        next_step=has_cue(text, NEXT_STEP_CUES),
    )
