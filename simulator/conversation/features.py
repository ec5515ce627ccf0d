"""Features of one rep utterance (and the buyer line before it) for the learned model, with cues.

A :class:`Features` holds the names of everything that fired (phrase rules from ``rules.py``,
clause structure, overlap with the buyer's words, word n-grams) and, for the rules, a cue in
plain words tied to the label the rule speaks for. The model weighs the names; the analyser
shows the cues whose label the model chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.conversation.numbers import NUMBER_WORDS, shared_numbers
from simulator.conversation.rules import RULES, S, display
from simulator.conversation.rules_structure import STRUCTURE_RULES
from simulator.conversation.text import AUX, STOPWORDS, WH, Normalised, content_words, normalise, stem

_OPENERS = frozenset({"and", "so", "but", "ok", "right", "now", "then", "also", "well", "yes", "oh", "sure", "roughly",
                      "just", "quickly", "generally", "typically"})
#: Endings that make a clause a question without a question mark ("compared to what", "since when").
_QUESTION_TAILS = frozenset({("how", "so"), ("how", "come"), ("what", "way"), ("such", "as"), ("for", "example"),
                             ("meaning", "what"), ("or", "what"), ("since", "when"), ("like", "what"), ("to", "what"),
                             ("and", "why"), ("but", "why"), ("for", "what"), ("of", "what"), ("from", "what")})
#: Openings that make a clause a question without a question mark ("anything else i should know").
_QUESTION_HEADS = frozenset({("anything", "else"), ("anyone", "else"), ("any", "other"), ("anybody", "else")})
_SUBJ = frozenset({"you", "your", "they", "it", "that", "this", "there", "the", "he", "she", "anyone", "i", "we",
                   "everyone", "people", "our", "any"})
#: Auxiliaries that, first in a clause and followed by a noun phrase, ask ("are mondays busier"); not the ones a
#: speaker drops a subject before ("would love to", "could do thursday", "was great to meet you", "have a look")
_BE_ASKS = frozenset({"are", "is", "were", "does", "did"})
#: noun-phrase openings beyond ``_SUBJ`` (which the check above already covers for every auxiliary)
_MORE_SUBJ = frozenset({"those", "these", "all", "most", "some", "many", "both", "each", "every", "his", "her", "its",
                        "my", "their", "staff"})
#: Auxiliaries that ask when a plural noun or an indefinite pronoun follows ("do teachers answer late", "has anybody
#: gone home with the wrong cake"), though not with the other noun-phrase openings ("have some tea", "do most of it")
_DO_ASKS = frozenset({"do", "has", "have"})
_ANY_BODY = frozenset({"anybody", "somebody", "someone", "everybody", "nobody", "anything", "something"})
#: words ending in "s" that are no plural noun (shorter words and "-ss", "-ous", "-ics" are ruled out by their shape)
_NOT_NOUNS = frozenset({"always", "sometimes", "perhaps", "thus", "does"})


def _plural_subject(word: str) -> bool:
    """A word that reads as a plural noun after "are" ("are deliveries late"), not an adverb or a verb."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "ous", "ics")) and word not in _NOT_NOUNS


_INVITE = re.compile(r"\b(?:tell me|walk me through|talk me through|take me through|help me understand|"
                     r"i am curious|i wonder|i am wondering|say more)\b")
_SECOND = frozenset({"you", "your", "yours", "yourself", "they", "them", "their", "team", "he", "she"})
_SELLER = frozenset({"we", "our", "us", "ours", "i", "me", "my"})
_CONTRAST = re.compile(r"\b(?:but|however|though|although|actually|the thing is|to be honest|honestly|in fact|"
                       r"that said|really|still|the reality is|realistically|the truth is|except)\b")
_CONCERN = re.compile(
    r"\b(?:not sure|expensive|budget|cost|costs|price|pricey|afford|worried|worry|concern|concerned|risk|risky|"
    r"not convinced|do not think|do not need|do not see|happy with|already (?:have|use|got)|no time|not now|"
    r"right time|slow|heard|bad|problem|issue|ourselves|in house|my boss|will not|can not|not interested|"
    r"complicated|hard|difficult|too (?:long|much|big|small|complex|early|late)|skeptical|sceptical|tried|"
    r"failed|did not work|more time|think about it|priority|not for us|no|nope|doubt|unsure|hesitant|"
    r"burned|burnt|contract with|locked in|switching|disruption|learning curve|security|compliance|fine|as it is|"
    r"works for us|used to|good enough|current|timing|overpromised|high|huge|limits|never had|seems|dated|"
    r"comfortable|long|forever|disruptive|trust)\b"
)
_NEED = re.compile(r"\b(?:we need|we want|looking for|i need|we would like|we have to|we must|our goal|the goal|"
                   r"hoping to|trying to|we are after|we would love|need to|want to)\b")
_REQUEST = re.compile(
    r"\b(?:send me|email me|call me|can you send|could you send|can you email|follow up|get back to me|"
    r"let us talk|talk (?:next|again|later)|set up a|book a|put something|in writing|next week|after the call|"
    r"i will (?:look|think|check|talk|run|share)|let me (?:think|check|talk|run|look)|can you (?:call|do|come|"
    r"share|put)|could you (?:call|do|come|share|put)|book (?:me|us)|pencil (?:me|us)|hold on|"
    r"we will need to|i will have|join|first|let us do|reconvene|regroup|catch up|circle back|touch base|"
    r"revisit|pick this up|(?:can|could|would|will) you (?:\w+ )?(?:send|email|call|ring|come|put|share|give|forward|"
    r"hold|spell|repeat|join|bring|check|look)|we will (?:want|need|have) to|i would (?:like|want|need)|"
    r"i will need to|we would (?:want|need) to|next (?:call|meeting|time)|(?:can|could|shall) we (?:meet|talk|speak|"
    r"catch up|chat|do|pick|reconvene|schedule|book|set|move|push|make it))\b"
)
_AGREE = re.compile(S + r"(?:sure|of course|absolutely|will do|no problem|definitely|yes|ok|happy to|sounds good|"
                    r"certainly|perfect|done|great|understood|fine|no worries|take your time|makes sense|that works|"
                    r"good idea|it is a date|(?:\w+ ){1,3}it is)\b")
_DISCOURSE = frozenset({"ok", "so", "yes", "right", "well", "and", "then", "like", "anyway", "oh", "i", "mean", "sure",
                        "no", "alright"})
#: Every phrase rule: the lexical ones of ``rules.py`` and the structural ones of ``rules_structure.py``.
ALL_RULES = RULES + STRUCTURE_RULES
_BUYER_ASKS = re.compile(r"(?:(?:so|and|ok|right|well|but) )?(?:what|how|why|when|where|who|which|is|are|do|does|did|"
                         r"can|could|will|would|should|am|have|has)\b")
_QUESTION_START = re.compile(S + r"(?:what|how|why|when|where|who|which)\b")


@dataclass
class Features:
    """What fired for one utterance: feature names for the model, and (label, cue) pairs for people."""

    norm: Normalised
    names: list[str] = field(default_factory=list)
    #: (label, cue template with "{m}", words matched) -- formatted only when shown
    cues: list[tuple[str, str, str]] = field(default_factory=list)

    def readable(self, labels: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
        """``(label, cue)`` pairs in plain words, for the given labels (all when None)."""
        return [(label, template.format(m=_quote(words)) if words else template)
                for label, template, words in self.cues if labels is None or label in labels]


def _quote(match: str, limit: int = 6) -> str:
    words = match.strip(" |").split()
    text = " ".join(words[:limit])
    return display(text)


def is_question_clause(clause: tuple[str, ...], marked: bool) -> bool:
    """A clause is a question when marked with "?", or shaped like one: a wh-word or an inverted auxiliary
    at its start, or a request to explain ("tell me", "walk me through")."""
    if marked:
        return True
    words = list(clause)
    while words and words[0] in _OPENERS:
        words = words[1:]
    if not words:
        return False
    if words[0] in WH and (len(words) == 1 or words[1] not in {"a", "an"}):
        return True
    if words[0] in AUX and len(words) > 1 and (words[1] in _SUBJ or words[1] == "not"):
        return True
    if words[0] in _BE_ASKS and len(words) > 2 and (words[1] in _MORE_SUBJ or _plural_subject(words[1])):
        return True  # "are mondays different ...", "is each site ...", "were those orders ..."
    if words[0] in _DO_ASKS and len(words) > 2 and (words[1] in _ANY_BODY or _plural_subject(words[1])):
        return True  # "do teachers end up ...", "has anybody ever ..."
    if len(words) > 1 and (tuple(words[-2:]) in _QUESTION_TAILS or tuple(words[:2]) in _QUESTION_HEADS):
        return True
    return bool(_INVITE.search(" ".join(words)))


#: Spoken and written numbers stand as one word "#" in the n-grams (a price, a figure of the buyer's, a count),
#: so that no single figure ("thirty", "eight") carries a move.
NUMBER_CLASS = True
_NUMBER_TOKENS = NUMBER_WORDS - {"one", "half", "dozen", "grand"}


def _number_class(word: str) -> str:
    return "#" if word in _NUMBER_TOKENS or word[0].isdigit() else word


def _ngrams(norm: Normalised) -> list[str]:
    out: list[str] = []
    for clause in norm.clauses:
        body = [_number_class(w) for w in clause] if NUMBER_CLASS else list(clause)
        if not body:
            continue
        out.append("^" + body[0])
        if len(body) > 1:
            out.append("^" + body[0] + "_" + body[1])
        out.append("$" + body[-1])
        out.extend("w:" + w for w in body)
        out.extend("b:" + a + "_" + b for a, b in zip(body, body[1:], strict=False))
    return out


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def extract(text: str, buyer_said: str | None = None) -> Features:
    """All features of ``text`` (a rep utterance), read against ``buyer_said`` (the buyer's previous line)."""
    norm = normalise(text)
    feats = Features(norm=norm)
    names = feats.names
    if norm.empty:
        names.append("empty")
        feats.cues.append(("other", "only filler words, nothing said yet", ""))
        return feats
    joined = " | ".join(" ".join(c) for c in norm.clauses)
    words = set(norm.tokens)
    votes: dict[str, int] = {}
    discourse_only = words <= _DISCOURSE
    for rule in ALL_RULES:
        if discourse_only:  # "ok so um", "so yeah": nothing said yet
            break
        if rule.keys and rule.keys.isdisjoint(words):
            continue
        m = rule.search(joined)
        if m:
            names.append(rule.name)
            votes[rule.label] = votes.get(rule.label, 0) + 1
            feats.cues.append((rule.label, rule.cue, m.group(0)))
    for label, count in votes.items():
        names.append("R:" + label)
        if count > 1:
            names.append("R2:" + label)
    if discourse_only:
        names.append("discourse_only")
    q_flags = [is_question_clause(c, m) for c, m in zip(norm.clauses, norm.marked_questions, strict=True)]
    _structure(norm, q_flags, names)
    if buyer_said and buyer_said.strip():
        _buyer(norm, q_flags, joined, buyer_said, names, feats.cues)
    else:
        names.append("no_buyer")
    names.extend(_ngrams(norm))
    return feats


def _structure(norm: Normalised, q_flags: list[bool], names: list[str]) -> None:
    n_tokens = len(norm.tokens)
    names.append("len" + _bucket(n_tokens, (2, 4, 8, 14, 24)))
    names.append("clauses" + _bucket(len(norm.clauses), (1, 2, 3)))
    if any(norm.marked_questions):
        names.append("qmark")
    if any(q_flags):
        names.append("q_any")
        if all(q_flags):
            names.append("q_all")
        if not q_flags[0]:
            names.append("stmt_then_q")
        if q_flags[-1]:
            names.append("q_last")
    else:
        names.append("no_question")
    for clause, is_q in zip(norm.clauses, q_flags, strict=True):
        words = set(clause)
        kind = "q" if is_q else "s"
        if words & _SECOND:
            names.append(f"{kind}_you")
        if words & _SELLER:
            names.append(f"{kind}_seller")
        if is_q and " or " in f" {' '.join(clause)} ":
            names.append("q_or")
        if not is_q and "you" in words and ("will" in words or "can" in words):
            names.append("s_you_will")
    seller_statement = any(not q and set(c) & _SELLER for c, q in zip(norm.clauses, q_flags, strict=True))
    if seller_statement and any(q_flags):
        names.append("seller_stmt_and_q")  # "we've just launched a portal, how do you ...": pitch, then ask
    if n_tokens <= 3 and not any(q_flags):
        names.append("short_statement")
    first = norm.clauses[0]
    if first[0] == "so" or (len(first) > 1 and first[1] == "so" and first[0] in _OPENERS):
        names.append("so_question" if q_flags[0] else "so_statement")


def _buyer(norm: Normalised, q_flags: list[bool], joined: str, buyer_said: str, names: list[str],
           cues: list[tuple[str, str, str]]) -> None:
    names.append("has_buyer")
    bnorm = normalise(buyer_said)
    btext = " ".join(bnorm.tokens)
    if buyer_said.rstrip().endswith("?") or _BUYER_ASKS.match(btext):
        # the buyer asked something: a plain answer is a step of the conversation (other), not a pitch or a rebuttal
        names.append("buyer_asked")
        if not any(q_flags):
            names.append("buyer_asked_answered")
    concern = bool(_CONCERN.search(btext))
    if concern:
        names.append("buyer_concern")
    if _NEED.search(btext):
        names.append("buyer_need")
    request = bool(_REQUEST.search(btext))
    if request:
        names.append("buyer_request")
        if _AGREE.search(joined):
            names.append("agrees_to_request")
            cues.append(("other", "agrees to the step the buyer proposed", ""))
    bwords = {}
    for w in bnorm.tokens:
        if len(w) >= 3 and w not in STOPWORDS and not w.isdigit():
            bwords.setdefault(stem(w), w)
    rep_stems = content_words(norm.tokens)
    shared = [bwords[s] for s in bwords if s in rep_stems]
    q_stems: set[str] = set()
    s_stems: set[str] = set()
    for clause, is_q in zip(norm.clauses, q_flags, strict=True):
        (q_stems if is_q else s_stems).update(content_words(clause))
    if shared:
        names.append("echo" + _bucket(len(shared), (1, 2)))
        ratio = len(shared) / max(1, len(bwords))
        if ratio >= 0.3:
            names.append("echo_high")
        quoted = "', '".join(shared[:3])
        in_q = [w for w in shared if stem(w) in q_stems]
        in_s = [w for w in shared if stem(w) in s_stems]
        if in_s:
            names.append("echo_statement")
            if not _CONTRAST.search(joined) and "s_seller" not in names:
                names.append("pure_echo")
            cues.append(("listening", f"reflects the buyer's words '{quoted}'", ""))
        if in_q:
            names.append("echo_question")
            cues.append(("question", f"asks about the buyer's own words '{quoted}'", ""))
    _buyer_facts(norm, q_flags, bnorm, rep_stems, set(bwords), names, cues)
    if concern:
        m = _CONTRAST.search(joined)
        if m:
            names.append("concern_contrast")
            cues.append(("objection_handling", "rebuts the buyer's concern ('{m}')", m.group(0)))
        if any(q_flags):
            names.append("concern_question")
        if not any(q_flags):
            names.append("concern_statement")
        if "s_seller" in names:
            names.append("concern_seller_reply")
        if _QUESTION_START.search(joined) and shared:
            names.append("concern_explored")



def _buyer_facts(norm: Normalised, q_flags: list[bool], bnorm: Normalised, rep_stems: set[str], buyer_stems: set[str],
                 names: list[str], cues: list[tuple[str, str, str]]) -> None:
    """The rep restating the buyer's own facts: their numbers ("thirty-eight thousand and three weeks closed"
    after "we lost 38,000 and were closed three weeks"), or a statement made only of the buyer's words."""
    statements = [c for c, q in zip(norm.clauses, q_flags, strict=True) if not q]
    said = [w for c in statements for w in c]
    if said and (NUMBER_WORDS.intersection(said) or any(w[0].isdigit() for w in said)):
        shared = shared_numbers(said, bnorm.tokens)
        if shared:
            names.append("echo_number")
            quoted = ", ".join(f"{v:,g}" for v in shared[:3])
            cues.append(("listening", f"repeats the buyer's own figures ({quoted})", ""))
        else:
            names.append("new_number")
    for clause in statements:
        own = content_words(clause)
        if own and own <= buyer_stems and not set(clause) & _SELLER:
            names.append("echo_clause")  # "three weeks closed": nothing in it but what the buyer said
            break
