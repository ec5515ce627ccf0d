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
:mod:`simulator.conversation.try_instead` words the question; :mod:`simulator.conversation.needs` uses the
same clauses to tell whether the line names a need.  Pure code: no heavy imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.conversation.transcript import STOPWORDS, content_words, vocabulary, words

PROBLEM = vocabulary(
    """
    lost lose losing loss quit quitting left leaving churn problem problems issue issues mess messy slow late
    delay delays hard difficult struggle struggling worried worry worries concern concerned expensive cost
    costs costly price pricing budget frustrated frustrating tired stress stressed stressful broken fail
    failed failing behind short shortage complain complaints risk risky manual error errors mistake mistakes
    pressure overwhelmed burnout angry afraid scared unsure doubt doubts can't cannot don't won't never too
    nobody nothing hate painful pain killing nightmare chaos backlog overtime turnover fired blamed
    hectic busy swamped stretched chaotic crazy exhausted understaffed shortfall wrong missing missed misses mad
    headache headaches drowning stockout stockouts downtime penalty penalties penalise penalises penalised penalize
    penalizes fines fined chargebacks waste wasted wasting expired expiries redo remake remakes refund refunds
    breach deficiency weakness constraint reactive breaks broke stops stopped skip skipped slip slips stall stalls
    stalled empty absence absent stuck bottleneck bottlenecks killed badly complaint struggles inefficient
    """
)
PEOPLE = vocabulary(
    """
    team teams staff people drivers driver nurses nurse engineers engineer customers customer clients
    client employees employee colleagues agents agent reps crew workers
    """
)
PRICE = vocabulary("price prices pricing cost costs costly expensive cheap cheaper fee fees rate rates")
#: Pleasantries: a clause made of these is small talk, not something to build a question on.
_PLEASANTRY = vocabulary("happy glad thanks thank welcome pleasure nice great fine good hello hi hey morning "
                         "afternoon evening chat problem worries")
NUMBER_WORDS = vocabulary("two three four five six seven eight nine ten twelve twenty half dozen hundred")
#: After the flip these words mean the seller: a buyer clause with them is about us.
_SELLER = vocabulary("our ours we us we're we've we'll we'd ourselves")
DECIDERS = vocabulary("boss board ceo cfo director procurement legal committee finance partner owner")

_LEAD_FILLERS = re.compile(
    r"^(?:(?:well|yeah|yes|so|um+|uh+|er|oh|ah|ha|hah|haha|hm+|mm+|sure|look|honestly|and|but|okay|ok|right|i mean|"
    r"to be honest|of course|the thing is|you know|frankly|basically|i guess|i think)\b[\s,]*)+",
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


#: "with two shops the book is ..." -> "the book is ...": a short leading phrase before the clause's subject.
_LEAD_PHRASE = re.compile(
    r"^(?:with|since|after|between|for|on|at|in|during)\s+(?:[\w'-]+\s+){1,3}?"
    r"(?=(?:the|we|i|our|my|they|there|nobody|everyone|people)\b)",
    re.IGNORECASE,
)
#: A clause starting with one of these depends on the next ("if we lose it, we park forty trucks"): they are
#: kept together, so the main clause is never quoted as if it were a fact.
_SUBORDINATE = re.compile(r"^(?:if|when|whenever|unless|once|because|as soon as|by the time|until)\b", re.IGNORECASE)


def clauses(text: str) -> list[tuple[str, bool]]:
    """Clauses of ``text`` with whether each was a question (fillers and a short leading phrase dropped; a
    subordinate clause kept together with the clause it depends on)."""
    found: list[tuple[str, bool]] = []
    for sentence in re.findall(r"[^.!?;]+[.!?;]?", text):
        question = sentence.strip().endswith("?")
        parts = []
        # "We've got three clinics: the original ..., one by ...": what follows a colon is a clause of its own
        for part in re.split(_CLAUSE_BREAK, sentence.strip(" .!?;:").replace(": ", ", ")):
            part = _TAIL_FILLERS.sub("", _LEAD_FILLERS.sub("", part.strip())).strip(" ,")
            if part and parts and _SUBORDINATE.match(parts[-1]) and "," not in parts[-1]:
                parts[-1] += ", " + part
            elif part:
                parts.append(_LEAD_PHRASE.sub("", part))
        found += [(part, question) for part in parts]
    return found


def small_talk(clause: str) -> bool:
    """Whether a clause is a pleasantry ("happy to chat", "no problem", "good morning"): it has a
    pleasantry, no real problem word, and no content word beyond pleasantries and meeting courtesies
    ("our customers are happy enough" is not small talk)."""
    low = words(clause)
    if any(w in _PLEASANTRY for w in low):
        if any(w in PROBLEM and w not in _PLEASANTRY for w in low):
            return False
        return all(w in _PLEASANTRY or w in _MEETING for w in content_words(clause))
    return False


def _salience(clause: str) -> float:
    low = words(clause)
    content = content_words(clause)
    problem = sum(1 for w in low if w in PROBLEM)
    numbers = sum(1 for w in low if w.isdigit() or w in NUMBER_WORDS)
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
COMMAND = vocabulary(
    """
    don't do please just let let's tell send give show stop go come look listen call try ask get make keep put
    take spare save forget read check see email bring skip cut drop leave hang wait
    """
)
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


#: Personal pronouns: a clause starting with one has its verb next; other subjects are checked for a verb.
_PERSONAL = vocabulary("i i'm i've i'd i'll we we're we've we'd we'll they they're they've he he's she she's you "
                       "you're you've it it's there there's")
#: Verbs (and auxiliaries) that show a clause is a sentence, not a noun phrase ("a small life book").
_VERBS = vocabulary(
    """
    is are was were be been has have had do does did can could will would should may might must won't can't
    don't doesn't didn't isn't aren't wasn't weren't hasn't haven't shouldn't wouldn't couldn't
    take takes took go goes went come comes came get gets got make makes made keep keeps kept run runs ran
    need needs want wants know knows knew say says said see sees saw work works cost costs lose loses lost stop
    stops mean means feel feels think thinks look looks seem seems happen happens pay pays paid ask asks tell
    tells told call calls leave leaves left start starts land lands write writes count counts drive drives
    hate hates love loves use uses fall falls sit sits stay stays eat eats ring rings break breaks
    """
)
#: Hedges and fillers: a clause of only these ("I suppose", "I guess so", "yes, exactly") says nothing to
#: build a question on.
_HEDGES = vocabulary(
    """
    suppose guess think know mean see agree hope imagine reckon believe sure maybe perhaps probably yes yeah
    okay ha hah haha well true fair enough course definitely absolutely exactly totally really right quite
    depends said say saying rather idea clue
    """
)
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


def _has_verb(low: list[str]) -> bool:
    """Whether a clause that starts with a noun has a verb ("'s" only early on: "the champion's usually ...", not
    a possessive further in: "a nurse leaving a patient to search another unit's closet")."""
    return any(w in _VERBS or w.endswith(("'re", "'ve", "'d", "'ll", "n't")) or (k <= 2 and w.endswith("'s"))
               or (len(w) > 4 and w.endswith("ed") and w not in NUMBER_WORDS) for k, w in enumerate(low[1:], 1))


def _kind_of(clause: str) -> str | None:
    """``statement`` (a subject and a verb), ``phrase`` (short, verbless), or None (a command, or too long to echo)."""
    low = words(clause)
    if not low or low[0] in COMMAND:
        return None
    subject = low[0] in _SUBJECT or low[0] in PEOPLE or low[0].isdigit() or low[0] in NUMBER_WORDS
    if (subject and (low[0] in _PERSONAL or _has_verb(low))) or (len(low) > 2 and low[1] in _VERB_SECOND):
        return "statement"
    if len(low) > 1 and _looks_like_name(clause) and (low[1] in _VERBS or low[1].endswith("s")):
        return "statement"  # "Frank signs", "Luis hates contracts"
    # "not an answer", "not my area": a contrast or a shrug, nothing to pick up
    return "phrase" if len(low) <= 4 and low[0] != "not" else None


def _referent(before: list[tuple[str, bool]]) -> str | None:
    """The last short plural noun phrase said before ("The custom orders"), for "they"/"them" to stand for."""
    for clause, question in reversed(before):
        low = words(clause)
        if not question and _kind_of(clause) == "phrase" and low[-1].endswith("s") and not _hedge(clause):
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
    return all(w in _HEDGES for w in content_words(clause))


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
    found = clauses(buyer_said)
    for k, (said, question) in enumerate(found):
        clause = None if question else _resolved(said, found[:k])
        if (clause is None or not 2 <= len(words(clause)) <= max_words or not content_words(clause)
                or small_talk(clause) or _hedge(clause)):
            continue
        kind = _kind_of(clause)
        if kind == "phrase" and all(w in NUMBER_WORDS or w.isdigit() for w in content_words(clause)):
            continue  # "six to two": numbers alone mean nothing quoted back
        if kind:
            # a statement first, a concern ("it costs a bit") before other statements, then the most telling
            candidates.append((kind == "statement", is_concern(flip_pronouns(clause)), _salience(clause), clause, kind))
    if not candidates:
        return None
    *_, best, kind = max(candidates, key=lambda c: c[:3])
    return Reading(kind, flip_pronouns(_sentence_case(best, name_allowed=kind == "statement")))


#: Endings of common nouns ("Attendance is ...", "Success would be ..."): lower-cased when they start a clause.
_COMMON_ENDINGS = ("ss", "ing", "ion", "ment", "ness", "ity", "ance", "ence", "ship", "ure", "ism", "cy", "ty", "ery",
                   "est", "ed", "teen", "al")
#: Days and months: always written with a capital.
_CALENDAR = vocabulary(
    """
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays
    saturdays sundays january february march april may june july august september october november december
    """
)
#: Words the buyer may start a clause with that are never names.
_KNOWN = (STOPWORDS | PROBLEM | PEOPLE | PRICE | _PLEASANTRY | NUMBER_WORDS | DECIDERS | _SUBJECT | _VERBS
          | _HEDGES | _MEETING | COMMAND
          | vocabulary("money target truth board close ramp dispatch coffee better fewer faster cheaper"))


def _looks_like_name(clause: str) -> bool:
    """Whether the clause's first word is a name ("Linda will want payback", "Luis hates contracts", "Mondays
    are the worst"), not a common noun written with a capital because it starts a sentence ("Teachers are ...",
    "Success is ...")."""
    low = words(clause)
    first, token = low[0], clause.split(" ", 1)[0]
    if not token[:1].isupper():
        return False
    if first in _CALENDAR:
        return True
    if first.split("'")[0] in _KNOWN or first.endswith(_COMMON_ENDINGS):
        return False
    # "Drivers come and go": a plural; "Luis hates", "Marcus is": a name
    return not first.endswith("s") or (len(low) > 1 and (low[1] in _VERBS and low[1].endswith("s")
                                                          or low[1] in ("is", "was", "has", "does", "hates")))


def _sentence_case(clause: str, *, name_allowed: bool = True) -> str:
    """``clause`` with its first word in lower case to go mid-sentence, unless it is "I", an acronym or a name."""
    first, token = words(clause)[0], clause.split(" ", 1)[0]
    if first == "i" or first.startswith("i'") or (len(token) > 1 and token.rstrip("'s").isupper()):
        return clause
    if (name_allowed or first in _CALENDAR) and _looks_like_name(clause):
        return clause
    return clause[:1].lower() + clause[1:]


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
