"""The buyer's line in clauses, and the words that tell what each clause is (for ``rephrase`` and ``needs``).

``sentence_clauses(text)`` splits a line into clauses (fillers and a short leading phrase dropped, an "if"
clause kept with the clause it depends on, a list joined by "and" kept whole) with whether each was a
question and whether it was its whole sentence; ``kind_of(clause)`` says whether a clause is a
``statement`` (a subject and a verb), a short verbless ``phrase`` or neither; ``sentence_case(clause)`` puts
it mid-sentence without lower-casing a name.  The vocabularies (problem words, people, price, hedges...) are
shared by the coaching modules.  Pure code: no heavy imports.
"""

from __future__ import annotations

import re

from simulator.conversation.transcript import STOPWORDS, vocabulary, words

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
#: Phrases that name trouble: no-shows, work done by hand or at night, having had enough, a line going down,
#: a figure down to a number, something taking months.
TROUBLE_PHRASE = re.compile(
    r"\bno-shows?\b|\bby hand\b|\bat (?:night|midnight)\b|\bafter (?:nine|ten|eleven|midnight)\b|\bhad enough\b|"
    r"\b(?:goes|go|going|went) (?:down|badly|wrong)\b|\b(?:is|are|was|were|has|have) (?:gone )?down to\b|"
    r"\btakes? (?:about |nearly |almost |over )?\w+(?:-\w+)? (?:working )?(?:days|weeks|months|years)\b|"
    r"\b(?:drive|drives|driving) (?:me|us|everyone) (?:mad|crazy)\b",
    re.IGNORECASE,
)


def troubled(clause: str) -> bool:
    """Whether a clause names something going wrong: a problem word or phrase ("down to eighty-six percent")."""
    return any(w in PROBLEM for w in words(clause)) or TROUBLE_PHRASE.search(clause) is not None


PEOPLE = vocabulary(
    """
    team teams staff people drivers driver nurses nurse engineers engineer customers customer clients
    client employees employee colleagues agents agent reps crew workers
    """
)
PRICE = vocabulary("price prices pricing cost costs costly expensive cheap cheaper fee fees rate rates")
#: Pleasantries: a clause made of these is small talk, not something to build a question on.
PLEASANTRY = vocabulary("happy glad thanks thank welcome pleasure nice great fine good hello hi hey morning "
                         "afternoon evening chat problem worries")
NUMBER_WORDS = vocabulary("two three four five six seven eight nine ten twelve twenty half dozen hundred")
DECIDERS = vocabulary("boss board ceo cfo director procurement legal committee finance partner owner")

_LEAD_FILLERS = re.compile(
    r"^(?:(?:well|yeah|yes|so|um+|uh+|er|oh|ah|ha|hah|haha|hm+|mm+|sure|look|honestly|and|but|okay|ok|right|i mean|"
    r"to be honest|of course|the thing is|you know|frankly|basically|i guess|i think|i suppose|obviously|absolutely|"
    r"exactly|definitely)\b[\s,]*)+",
    re.IGNORECASE,
)
#: Fillers at the end of a clause, after a comma ("..., you know"; "isn't right" keeps its "right").
_TAIL_FILLERS = re.compile(r"(?:,\s*(?:you know|right|i guess|i suppose|i think|honestly|really|though|anyway|"
                           r"obviously|of course))+$", re.IGNORECASE)


_CLAUSE_BREAK = re.compile(r",\s*(?:but|and|so)\s+|\s+but\s+|,\s+", re.IGNORECASE)
#: "and"/"so" without a comma start a new clause only when a clause follows ("we lost two drivers and the
#: others are exhausted"), not in a list ("just me and my grandmother's recipes").
_AND_BREAK = re.compile(r"(\s+(?:and|so)\s+)(?=(?:we|i|they|our|my|it|the|nobody|no one)\b)", re.IGNORECASE)


def _split(sentence: str) -> list[str]:
    out: list[str] = []
    for part in re.split(_CLAUSE_BREAK, sentence):
        pieces = re.split(_AND_BREAK, part)  # [clause, separator, clause, separator, ...]
        merged = [pieces[0]]
        for separator, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            if kind_of(piece) == "statement":
                merged.append(piece)
            else:
                merged[-1] += separator + piece
        out += merged
    return out


#: "with two shops the book is ..." -> "the book is ...": a short leading phrase before the clause's subject.
_LEAD_PHRASE = re.compile(
    r"^(?:with|since|after|between|for|on|at|in|during)\s+(?:[\w'-]+\s+){1,3}?"
    r"(?=(?:the|we|i|our|my|they|there|nobody|everyone|people)\b)",
    re.IGNORECASE,
)
#: A clause starting with one of these depends on the next ("if we lose it, we park forty trucks"): they are
#: kept together, so the main clause is never quoted as if it were a fact.
_SUBORDINATE = re.compile(r"^(?:if|when|whenever|unless|once|because|as soon as|by the time|until|every time|"
                          r"each time)\b", re.IGNORECASE)


def sentence_clauses(text: str) -> list[tuple[str, bool, bool]]:
    """Clauses of ``text`` with whether each was a question and whether it was its whole sentence (fillers and
    a short leading phrase dropped; a subordinate clause kept together with the clause it depends on)."""
    found: list[tuple[str, bool, bool]] = []
    for sentence in re.findall(r"[^.!?;]+[.!?;]?", text):
        question = sentence.strip().endswith("?")
        parts = []
        # "We've got three clinics: the original ..., one by ...": what follows a colon is a clause of its own
        for part in _split(sentence.strip(" .!?;:").replace(": ", ", ")):
            part = _TAIL_FILLERS.sub("", _LEAD_FILLERS.sub("", part.strip())).strip(" ,")
            if part and parts and dependent(parts[-1]):
                parts[-1] += ", " + part  # the rest of the sentence depends on it
            elif part:
                parts.append(_LEAD_PHRASE.sub("", part))
        found += [(part, question, len(parts) == 1) for part in parts]
    return found


def dependent(clause: str) -> bool:
    """Whether a clause hangs on a condition or a time ("if we lose it, ...", "every time an order goes wrong,
    ..."): quoted, it would read as a fact it is not."""
    return bool(_SUBORDINATE.match(clause)) or _imperative_if(clause)


def _imperative_if(clause: str) -> bool:
    """"Lose it, and I'm laying off drivers": a short command that works as an "if" for the clause after it."""
    low = words(clause)
    return 1 < len(low) <= 3 and low[0] in _VERBS and low[0] not in _AUXILIARIES


def clauses(text: str) -> list[tuple[str, bool]]:
    """Clauses of ``text`` with whether each was a question (see :func:`sentence_clauses`)."""
    return [(clause, question) for clause, question, _ in sentence_clauses(text)]


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
MEETING = vocabulary("chat talk time meet meeting coming come see hear call today here")
#: A clause starting with one of these is a command or a request, never echoed back.
COMMAND = vocabulary(
    """
    don't do please just let let's tell send give show stop go come look listen call try ask get make keep put
    take spare save forget read check see email bring skip cut drop leave hang wait
    """
)


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
HEDGES = vocabulary(
    """
    suppose guess think know mean see agree hope imagine reckon believe sure maybe perhaps probably yes yeah
    okay ha hah haha well true fair enough course definitely absolutely exactly totally really right quite
    depends said say saying rather idea clue hear
    """
)


#: Adverbs (and joining words) a clause can start with when its subject was left in the clause before ("Tasha,
#: still does ride-alongs"): never a subject.
_ADVERBS = vocabulary("still also just really always never often usually sometimes then now only even already not "
                      "and but or so to of for with at in on by from as if")
_AUXILIARIES = vocabulary("is are was were be been has have had do does did can could will would should may might must")
#: Stopwords that are nouns, so can be a clause's subject ("things are hectic").
_NOUNS_IN_STOPWORDS = vocabulary("thing things stuff lot lots day ways way")
#: Subjects a third-person verb ("owns", "cheers") can follow at once.
_SINGULAR = vocabulary("nobody everybody everyone someone somebody nothing everything each it he she this that one")
#: After "X's", words that make the "'s" a verb ("the champion's usually a VP", "turnover's at forty percent"),
#: not a possessive ("my grandmother's recipes").
_AFTER_IS = vocabulary("a an the not no been got had going always usually never just still also very so too on in at "
                       "out up down over under about our my your their his her one all more less")


def _has_verb(low: list[str]) -> bool:
    """Whether a clause that starts with a noun has a verb ("'s" only early on and only when it reads as "is" or
    "has": "the champion's usually ...", not "my grandmother's recipes" or "another unit's closet")."""
    def is_verb(k: int, w: str) -> bool:
        if w.endswith("'s"):
            after = low[k + 1] if k + 1 < len(low) else ""
            return k <= 2 and (not after or after in _AFTER_IS or after.endswith(("ing", "ed")))
        # "Nobody owns the book": an -s word right after a singular pronoun (after "the committee" it could as well
        # be a plural noun: "our new hires", "the library ladies at eleven")
        third_person = k == 1 and low[0] in _SINGULAR and w.endswith("s") and not w.endswith("ss")
        return (third_person or w in _VERBS or w.endswith(("'re", "'ve", "'d", "'ll", "n't"))
                or (len(w) > 4 and w.endswith("ed") and w not in NUMBER_WORDS))

    return any(is_verb(k, w) for k, w in enumerate(low[1:], 1))


def kind_of(clause: str) -> str | None:
    """``statement`` (a subject and a verb), ``phrase`` (short, verbless), or None (a command, or too long to echo).
    A hyphenated word is one word here ("On-time is down to eighty-six percent": "on-time" is the subject)."""
    low = re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", clause.lower().replace("’", "'"))
    if not low or low[0] in COMMAND:
        return None
    subject = low[0] in _SUBJECT or low[0] in PEOPLE or low[0].isdigit() or low[0] in NUMBER_WORDS
    # "things are hectic", not "still does ride-alongs" (its subject was in the clause before)
    noun_first = (len(low) > 2 and (low[0] not in STOPWORDS or low[0] in _NOUNS_IN_STOPWORDS)
                  and low[0] not in _ADVERBS and low[1] in _VERB_SECOND)
    if (subject and (low[0] in _PERSONAL or _has_verb(low))) or noun_first:
        return "statement"
    if len(low) > 1 and _looks_like_name(clause) and (low[1] in _VERBS or low[1].endswith("s")):
        return "statement"  # "Frank signs", "Luis hates contracts"
    # a phrase has no verb ("Better numbers."; not "Still got my CDL."), and is not a contrast or a shrug
    # ("not an answer", "not my area")
    verbless = not any(w in _VERBS or (len(w) > 4 and w.endswith("ed")) for w in low)
    return "phrase" if len(low) <= 4 and low[0] not in _ADVERBS and verbless else None


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
_KNOWN = (STOPWORDS | PROBLEM | PEOPLE | PRICE | PLEASANTRY | NUMBER_WORDS | DECIDERS | _SUBJECT | _VERBS
          | HEDGES | MEETING | COMMAND
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


def sentence_case(clause: str, *, name_allowed: bool = True) -> str:
    """``clause`` with its first word in lower case to go mid-sentence, unless it is "I", an acronym or a name."""
    first, token = words(clause)[0], clause.split(" ", 1)[0]
    if first == "i" or first.startswith("i'") or (len(token) > 1 and token.rstrip("'s").isupper()):
        return clause
    if (name_allowed or first in _CALENDAR) and _looks_like_name(clause):
        return clause
    return clause[:1].lower() + clause[1:]
