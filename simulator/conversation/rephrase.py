"""What a good coach would have said instead, built from the buyer's own words, in the rep's voice.

``read(buyer_said)`` reads the buyer's last line as one of:

- ``statement``: the most telling clause that has a subject ("we lost two drivers last month"), turned
  round to the rep's side ("you lost two drivers last month"), so "You mentioned ..." stays grammatical;
- ``phrase``: a short verbless answer ("Better numbers.") the rep can pick up ("When you say better
  numbers, ...");
- ``pushback``: the buyer told the rep off ("Don't tell me what my drivers will do"): acknowledge it and
  hand over, naming what they own ("you know your drivers far better than I do");
- ``confused``: the buyer did not follow ("I only understood half of that"): own it and ask where to go back.

Commands ("send me ..."), questions and small talk are never echoed.  ``forms(label, reading)`` are the
sentences for the move that went wrong; the coaching module picks one.  Pure code: no heavy imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.conversation.transcript import STOPWORDS, content_words, vocabulary, words

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
#: Fillers at the end of a clause, after a comma ("..., you know"; "isn't right" keeps its "right").
_TAIL_FILLERS = re.compile(r"(?:,\s*(?:you know|right|i guess|honestly|really|though|anyway))+$", re.IGNORECASE)

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
    """Whether a clause is a pleasantry ("happy to chat", "no problem", "good morning"): it has a
    pleasantry, no real problem word, and no content word beyond pleasantries and meeting courtesies
    ("our customers are happy enough" is not small talk)."""
    low = words(clause)
    if any(w in _PLEASANTRY for w in low):
        if any(w in _PROBLEM and w not in _PLEASANTRY for w in low):
            return False
        return all(w in _PLEASANTRY or w in _MEETING for w in content_words(clause))
    return False


def _salience(clause: str) -> float:
    low = words(clause)
    content = content_words(clause)
    problem = sum(1 for w in low if w in _PROBLEM)
    numbers = sum(1 for w in low if w.isdigit() or w in _NUMBER_WORDS)
    return 3.0 * problem + 2.0 * numbers + len(content)


#: Words a clause with a subject starts with (after fillers): pronouns, determiners, numbers.
_SUBJECT = vocabulary(
    """
    i i'm i've i'd i'll we we're we've we'd we'll they they're they've it it's its there there's that that's
    this these those he he's she she's my our their his her the a an some most half all every each nobody
    no none everyone everybody nothing everything people one you you're you've your yours
    """
)
#: A second word that makes the first a subject ("things are hectic", "margins keep falling").
_VERB_SECOND = vocabulary(
    """
    is are was were has have had do does did can can't could won't will would don't doesn't didn't isn't aren't
    wasn't weren't keep keeps kept need needs want wants come comes go goes run runs take takes
    """
)
#: Words of courtesy around a meeting: a clause of only these and pleasantries is small talk.
_MEETING = vocabulary("chat talk time meet meeting coming come see hear call today here")
#: A clause starting with one of these is a command or a request, never echoed back.
_COMMAND = vocabulary(
    """
    don't do please just let let's tell send give show stop go come look listen call try ask get make keep put
    take spare save forget read check see email bring skip cut drop leave hang wait
    """
)
_PUSHBACK = re.compile(
    r"\b(?:don'?t|do not) (?:tell|lecture|teach) me\b|\byou don'?t know (?:my|our|the|how|what)\b|\bspare me\b|"
    r"\bheard (?:it|that|this)(?: all)? before\b|\bsave (?:it|the pitch|your breath)\b|"
    r"\bi know (?:my|our) (?:business|people|team|drivers|staff|customers|job)\b",
    re.IGNORECASE,
)
_CONFUSED = re.compile(
    r"\b(?:didn'?t|did not|don'?t|do not|can'?t|cannot) (?:really )?(?:understand|follow|get what)\b|"
    r"\bunderstood (?:half|none|nothing|little|maybe half)\b|\bonly (?:understood|followed|got) \w+|"
    r"\blost me\b|\bwhat (?:does|do) (?:that|you|this) (?:even )?mean\b|\bwhat are you (?:talking|on) about\b|"
    r"\bjargon\b|\bbuzzwords?\b|\bplain english\b|\bconfus(?:ed|ing)\b|\bover my head\b",
    re.IGNORECASE,
)
_OWNED = re.compile(r"\b(?:my|our) ((?:[a-z]+ )?(?:" + "|".join(sorted(_PEOPLE)) + r"|business|company|shop|"
                    r"shops|plant|site|market|customers|job|trade|industry|operation|school|practice|ward|fleet))\b",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """The buyer's last line as the alternative will use it (see the module docstring)."""

    kind: str  # statement | phrase | pushback | confused
    text: str = ""  # statement: the clause from the rep's side; phrase: the words; pushback: "your drivers"


def _kind_of(clause: str) -> str | None:
    """``statement`` (has a subject), ``phrase`` (short, verbless), or None (a command, or too long to echo)."""
    low = words(clause)
    if not low or low[0] in _COMMAND:
        return None
    if low[0] in _SUBJECT or low[0] in _PEOPLE or low[0].isdigit() or low[0] in _NUMBER_WORDS or (
            len(low) > 2 and low[1] in _VERB_SECOND):
        return "statement"
    return "phrase" if len(low) <= 4 else None


def read(buyer_said: str | None, max_words: int = 14) -> Reading | None:
    """How the rep could pick up ``buyer_said`` (None when nothing in it can be reused)."""
    if not buyer_said:
        return None
    if _CONFUSED.search(buyer_said):
        return Reading("confused")
    if _PUSHBACK.search(buyer_said):
        owned = _OWNED.search(buyer_said)
        return Reading("pushback", flip_pronouns(owned.group(0)).lower() if owned else "")
    candidates = []
    for clause, question in _clauses(buyer_said):
        if question or not 2 <= len(words(clause)) <= max_words or not content_words(clause) or _small_talk(clause):
            continue
        kind = _kind_of(clause)
        if kind:
            candidates.append((kind == "statement", _salience(clause), clause, kind))
    if not candidates:
        return None
    _, _, best, kind = max(candidates, key=lambda c: (c[0], c[1]))
    first = words(best)[0]
    if first != "i" and (first in STOPWORDS or kind == "phrase" or not best[:1].isupper() or best[1:2].islower()):
        best = best[:1].lower() + best[1:]
    return Reading(kind, flip_pronouns(best))


def buyer_clause(buyer_said: str | None, max_words: int = 14) -> str | None:
    """The most telling clause of what the buyer said that has a subject, from the rep's side, or None:
    "Honestly, we lost two drivers last month." -> "you lost two drivers last month"."""
    reading = read(buyer_said, max_words)
    return reading.text if reading is not None and reading.kind == "statement" else None


def _has(clause: str | None, vocab: frozenset[str]) -> bool:
    return bool(clause) and any(w in vocab for w in words(clause or ""))


def is_concern(clause: str) -> bool:
    """Whether a (flipped) buyer clause voices a concern about us or the offer: it names the
    seller ("our price"), says something is "too" much, talks price, or doubts."""
    low = " ".join(words(clause))
    return (_has(clause, _SELLER) or _has(clause, _PRICE) or re.search(r"\btoo \w+", low) is not None
            or re.search(r"\b(not sure|worried|concern|doubt|risk)", low) is not None)


def names_a_need(buyer_said: str | None) -> bool:
    """Whether the buyer's line names a problem or a want the rep could have asked about."""
    reading = read(buyer_said)
    return reading is not None and reading.kind in ("statement", "phrase") and (
        _has(reading.text, _PROBLEM) or _has(reading.text, _WANT))


_WANT = vocabulary("need needs want wants wish hoping hope looking trying better faster cheaper fewer less more goal")


def forms(label: str, reading: Reading) -> list[str]:
    """Alternatives for a turn whose costliest move was ``label`` (or "monologue"), built on ``reading``."""
    if reading.kind == "confused":
        if label == "close":
            return ["Sorry, I rushed that. What would you want to understand before we talk about anything else?"]
        return ["Fair point, I threw a lot at you. Which part should I go back over?",
                "Sorry, that was too much at once. What would be most useful to unpack?"]
    if reading.kind == "pushback":
        owned = reading.text
        if not owned:
            return ["Fair enough, you know your business far better than I do. What have you seen work so far?"]
        plural = owned.endswith("s") and not owned.endswith("ss")
        return [f"Fair enough, you know {owned} far better than I do. "
                + ("How do they usually take to something new?" if plural
                   else f"How does {owned} usually take to something new?"),
                f"That's fair, you know {owned} best. What have you seen work with {owned} before?"]
    if reading.kind == "phrase":
        f = reading.text
        if label == "close":
            return [f"When you say {f}, what would you need to see before taking a next step?"]
        if label == "objection_handling":
            return [f"When you say {f}, what's behind that?"]
        if label == "monologue":
            return [f"Let me stop there. When you say {f}, what do you mean exactly?"]
        return [f"When you say {f}, what would that look like for you?",
                f"When you say {f}, which part matters most to you right now?"]
    return _statement_forms(label, reading.text)


def _statement_forms(label: str, c: str) -> list[str]:
    """Alternatives built on the buyer's clause ``c`` (a statement, already from the rep's side)."""
    if label not in ("objection_handling", "monologue") and is_concern(c):
        # the buyer voiced a concern: whatever the move was, the concern is what to explore
        label = "objection_handling"
    if label == "close":
        forms = [f"You said {c}. What would need to happen for this to be worth a next step?",
                 f"Before any next step: you mentioned {c}. What would you want to see first?"]
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
        if _has(c, _PROBLEM):
            return [f"You mentioned {c}. If that were solved, what would it change for you?",
                    f"You said {c}. What is that costing you today?"]
        return [f"You mentioned {c}. What would you most want to be different there?"]
    if label == "monologue":
        return [f"Let me stop there. You said {c}. What's behind that?"]
    # a pitch: ask about the buyer's world instead
    forms = [f"You mentioned {c}. What does that look like day to day?"]
    if _has(c, _NUMBER_WORDS) or any(w.isdigit() for w in words(c)):
        forms.insert(0, f"You said {c}. What has that meant for you so far?")
    if _has(c, _PEOPLE) and _has(c, _PROBLEM):
        forms.insert(0, f"You said {c}. How is everyone coping with that?")
    return forms
