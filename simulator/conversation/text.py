"""Text normalisation for speech-recogniser output: case, punctuation, contractions, fillers, clauses.

Everything downstream (rule features, the learned model) works on :class:`Normalised` text, so a
line typed with punctuation and the same line as a recogniser hears it ("um so what do you mean
by messy") look alike: lower case, contractions spelled out ("you'll" -> "you will", also when
the apostrophe is missing, "dont" -> "do not"), fillers removed, and split into clauses at
punctuation *and* at places where a new question or statement plainly starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Apostrophe contractions, spelled out (applied before punctuation is dropped).
_APOSTROPHE = [
    (re.compile(r"\b(can)'t\b"), r"\1 not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    (re.compile(r"\b(i)'m\b"), r"\1 am"),
    (re.compile(r"\b(\w+)'re\b"), r"\1 are"),
    (re.compile(r"\b(\w+)'ll\b"), r"\1 will"),
    (re.compile(r"\b(\w+)'ve\b"), r"\1 have"),
    (re.compile(r"\b(i|you|we|they|he|she|it|that)'d\b"), r"\1 would"),
    (re.compile(r"\b(let)'s\b"), r"\1 us"),
    (re.compile(r"\b(it|that|what|there|here|who|how|where|when|why|he|she)'s\b"), r"\1 is"),
    (re.compile(r"'s\b"), ""),
]

#: Contractions heard without their apostrophe that cannot be mistaken for another word.
_BARE = {
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not", "arent": "are not",
    "wasnt": "was not", "werent": "were not", "havent": "have not", "hasnt": "has not", "hadnt": "had not",
    "wouldnt": "would not", "couldnt": "could not", "shouldnt": "should not", "cant": "can not",
    "wont": "will not", "aint": "is not", "im": "i am", "ive": "i have", "youre": "you are",
    "youll": "you will", "youve": "you have", "youd": "you would", "theyre": "they are", "theyll": "they will",
    "theyve": "they have", "weve": "we have", "thats": "that is", "whats": "what is", "hows": "how is",
    "whos": "who is", "wheres": "where is", "whys": "why is", "theres": "there is", "itll": "it will",
    "thatll": "that will", "shouldve": "should have", "wouldve": "would have", "couldve": "could have",
    "cannot": "can not", "gonna": "going to", "wanna": "want to", "gotta": "got to", "lets": "let us",
    "ill": "i will", "id": "i would", "its": "it is", "theyd": "they would", "hes": "he is", "shes": "she is",
    "okay": "ok", "alright": "ok", "yeah": "yes", "yep": "yes",
}

_BARE_SPLIT = {k: v.split() for k, v in _BARE.items()}

#: Hesitations that carry no meaning.
FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "eh"})
#: Backchannels ("mm-hm", "uh huh") are kept as one word, "mhm": they invite the buyer to go on.
_BACKCHANNEL = re.compile(r"\b(?:mm+[ -]?hm+|m+hm+|uh[ -]huh|mm+)\b")

#: Words that add little to a sentence's meaning (kept out of "content words").
STOPWORDS = _words(
    """a an the and or but so if then than that this these those there here it its is are was were be been being
    am do does did doing done have has had having i me my mine we us our ours you your yours he him his she her
    they them their theirs what which who whom whose when where why how not no nor to of in on at by for with
    from up down out over about into onto as just very really quite too also only even still yet again ever
    will would shall should can could may might must ok yes well oh like know mean get got go going gone
    some any all each every much many more most lot lots one thing things kind sort way right sure stuff
    say said tell let us make made see want need think feel""")

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CLAUSE_PUNCT = re.compile(r"[.?!;:]+|,|\s[-–—]+\s")
_QUESTION_END = re.compile(r"\?\s*$")
#: A thousands separator or decimal point inside a number.
_DIGIT_MARK = re.compile(r"(?<=\d),(?=\d{3}\b)|(?<=\d)\.(?=\d)")

WH = frozenset({"what", "how", "why", "when", "where", "who", "which", "whom", "whose"})
AUX = frozenset(
    {"do", "does", "did", "is", "are", "was", "were", "have", "has", "had", "can", "could", "would", "will",
     "should", "shall", "may", "might", "am"}
)
SUBJECTS = frozenset({"you", "i", "we", "they", "it", "that", "this", "there", "he", "she", "your", "the", "anyone",
                      "everyone", "anything", "someone", "somebody", "people", "those", "these"})
#: Words that open a noun phrase: an auxiliary right after one is that phrase's verb, not a new question.
_DETERMINERS = frozenset({"the", "a", "an", "our", "my", "your", "their", "his", "her", "its", "this", "that", "these",
                          "those", "every", "each", "no", "some", "any", "all", "most", "both"})
#: Words after which a wh-word or auxiliary continues the sentence rather than starting a new one.
_EMBEDDING = _words(
    """me us him them know understand see wonder ask asked about on of to in into for from explain describe show
    tell told is are was were that what how why when where who which and or figure out sure depends depend decide
    learn hear heard discuss matter regardless exactly like not no remember notice find found imagine guess
    curious wondering i we you they it be been compared at by with""")
#: Words after which an auxiliary is still inside the sentence ("they never have that problem").
_NO_AUX_SPLIT = _words(
    """if so what and or when because never always also really just still all even often usually ever
    sometimes only probably definitely certainly actually already both who which where why how""")
#: Words that, after a wh-word, show a new question has started ("... how are", "... what happened").
_WH_NEXT = _words("kind sort type made makes happened happens else exactly about often much many long")
#: Words that often open a new clause in run-on speech.
_OPENERS = frozenset({"and", "so", "but", "ok", "right", "now", "then", "also", "well", "anyway"})


@dataclass(frozen=True)
class Normalised:
    """A rep utterance ready for the rules and the model."""

    raw: str
    #: normalised words, fillers removed
    tokens: tuple[str, ...]
    #: clauses as word tuples (at punctuation and at plain new-sentence starts)
    clauses: tuple[tuple[str, ...], ...]
    #: for each clause, whether the speaker ended it with a question mark
    marked_questions: tuple[bool, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def empty(self) -> bool:
        return not self.tokens


def _expand(fragment: str) -> list[str]:
    fragment = fragment.lower()
    if "m" in fragment or "huh" in fragment:
        fragment = _BACKCHANNEL.sub("mhm", fragment)
    if "’" in fragment or "‘" in fragment or "`" in fragment:
        fragment = fragment.replace("’", "'").replace("‘", "'").replace("`", "'")
    if "'" in fragment:
        for pattern, repl in _APOSTROPHE:
            fragment = pattern.sub(repl, fragment)
    words: list[str] = []
    for w in _WORD.findall(fragment):
        if "'" in w:
            w = w.replace("'", "")
        bare = _BARE_SPLIT.get(w)
        if bare is None:
            words.append(w)
        else:
            words.extend(bare)
    return words


def drop_fillers(words: list[str]) -> list[str]:
    """Remove hesitations and filler phrases ("you know", "i mean", sentence-initial "like")."""
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        if w in FILLERS:
            i += 1
            continue
        nxt = words[i + 1] if i + 1 < n else ""
        prev = out[-1] if out else ""
        if w == "you" and nxt == "know" and prev not in {"do", "did", "not", "if", "would", "to", "as", "i", "we",
                                                         "they", "let", "will", "what", "how", "does", "can"}:
            i += 2
            continue
        if w == "i" and nxt == "mean" and (not out or prev in _OPENERS):
            i += 2
            continue
        if w == "like" and (not out or prev in _OPENERS or nxt in FILLERS or prev == "like"):
            i += 1
            continue
        out.append(w)
        i += 1
    return out


def _split_runon(words: list[str]) -> list[list[str]]:
    """Split a clause with no punctuation where a new question or sentence plainly starts."""
    clauses: list[list[str]] = [[]]
    for i, w in enumerate(words):
        cur = clauses[-1]
        if len(cur) >= 2 and i + 1 < len(words):
            prev = words[i - 1]
            nxt = words[i + 1]
            after = words[i + 2] if i + 2 < len(words) else ""
            starts_wh = w in WH and prev not in _EMBEDDING and (nxt in AUX or nxt in _WH_NEXT or after == "you")
            starts_aux = (w in AUX and nxt in SUBJECTS and prev not in WH and prev not in _EMBEDDING
                          and prev not in AUX and prev not in _NO_AUX_SPLIT)
            if starts_aux:
                body = [x for x in cur if x not in _OPENERS]
                if body and body[0] in WH and not any(x in AUX for x in cur):
                    starts_aux = False  # "how often | does that happen" is one question
                elif body and body[0] in _DETERMINERS and len(body) <= 4 and not any(x in AUX for x in body):
                    starts_aux = False  # "our platform | is the best" -- a noun phrase, then its verb
            if starts_wh or starts_aux:
                clauses.append([])
                cur = clauses[-1]
        cur.append(w)
    return [c for c in clauses if c]


def normalise(text: str) -> Normalised:
    """Lower-case, spell out contractions, drop fillers and split into clauses."""
    text = text or ""
    if _DIGIT_MARK.search(text):  # "38,000" and "1.5" are one number, not two clauses
        text = _DIGIT_MARK.sub(lambda m: "" if m.group(0) == "," else " point ", text)
    clauses: list[tuple[str, ...]] = []
    marks: list[bool] = []
    pos = 0
    pieces: list[tuple[str, bool]] = []
    for m in _CLAUSE_PUNCT.finditer(text):
        pieces.append((text[pos:m.start()], "?" in m.group(0)))
        pos = m.end()
    pieces.append((text[pos:], bool(_QUESTION_END.search(text[pos:]))))
    for fragment, marked in pieces:
        words = drop_fillers(_expand(fragment))
        if not words:
            if marked and marks:
                marks[-1] = True
            continue
        parts = _split_runon(words)
        for j, part in enumerate(parts):
            clauses.append(tuple(part))
            marks.append(marked and j == len(parts) - 1)
    tokens = tuple(w for c in clauses for w in c)
    return Normalised(raw=text, tokens=tokens, clauses=tuple(clauses), marked_questions=tuple(marks))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper so "staffing"/"staffed"/"staff" and "drivers"/"driver" match."""
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix == "ies":
                word += "y"
            break
    if word.endswith("er") and len(word) >= 5:
        word = word[:-2]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def content_words(tokens: tuple[str, ...] | list[str]) -> set[str]:
    """Stems of the words that carry meaning (no stop words, no numbers-only, at least 3 letters)."""
    return {stem(w) for w in tokens if len(w) >= 3 and w not in STOPWORDS and not w.isdigit()}
