"""Turning whatever a language model writes into what one buyer says in one turn.

Small or badly prompted models do not follow instructions: they prefix "Buyer:", add stage
directions ("*leans back*"), wrap the answer in JSON or code fences, apologise "as an AI", go on
to write the salesperson's next line and their own again, or repeat themselves.  ``ReplyCleaner``
takes the model's sentences one by one (from ``SentenceSplitter.feed_pieces``) and keeps only the
buyer's own spoken words, at most ``max_sentences`` of them; ``done`` turns true as soon as
nothing more should be read (another speaker started, or enough sentences), so the stream can be
closed early.  ``clean_reply(text)`` does the same for a whole text at once.

If the output is JSON (``{"reply": "...", ...}``), the reply field is used; a JSON answer that
cannot be parsed has its quotes, braces and keys stripped.  Escape sequences and control characters
are removed (``simulator.safe_text.strip_controls``).  Pure: no network imports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from simulator.persona.llm_sentences import Piece, SentenceSplitter
from simulator.safe_text import strip_controls

#: Role names that mean the model is speaking as the buyer (the prefix is dropped).
OWN_ROLES = ("buyer", "assistant", "customer", "client", "prospect", "answer", "response", "reply", "me", "ai")
#: Role names that mean the model has started writing someone else's line.
OTHER_ROLES = (
    "rep", "sales rep", "salesperson", "sales person", "seller", "sales", "user", "human", "you",
    "interviewer", "q", "question", "system", "agent", "account executive", "ae", "narrator",
)
MAX_SENTENCES = 3
MAX_WORDS = 30

_ROLE = re.compile(r"^\s*[\[(*_\"']*\s*([A-Za-z][A-Za-z .'-]{0,30}?)\s*[\])*_\"']*\s*:\s*")
_STAGE = re.compile(r"\*[^*]*\*|\([^)]*\)|\[[^\]]*\]|<[^>]*>|_[^_\s][^_]*_(?=\W|$)")
_OPEN_STAGE = re.compile(r"\*[^*]*$|\([^)]*$|\[[^\]]*$|<[^>]*$")
_MARKUP = re.compile(r"```\w*|`|\*\*|__|^#+\s*|^[-•>]\s+|^\d+[.)]\s+")
_AI = re.compile(
    r"\bas an? (\w+ )?(ai|a\.i\.|language model|chatbot|llm)\b"
    r"|\bi('m| am) (just )?(an? )?(ai|a\.i\.|language model|virtual assistant|assistant|chatbot|large language model)\b"
    r"|\bi (cannot|can't|can not) (role-?play|pretend)\b"
    r"|\bopenai\b|\bi do not have personal\b|\bi don't have personal\b"
    r"|\bi (do not|don't) have the ability to\b|\baccess (to )?your (private|personal) (data|information)\b",
    re.IGNORECASE,
)
_META = re.compile(
    r"^(sure|okay|ok|certainly|of course|absolutely)\b[,!. ]*(here('s| is| are)|i('ll| will) (respond|reply|play))"
    r"|^here('s| is) (the |my |a )?(buyer'?s? )?(reply|response|answer)"
    r"|^(in character|out of character|ooc)\b|^(reply|response|answer)\s*$",
    re.IGNORECASE,
)
_PREAMBLE = re.compile(
    r"^((sure|okay|ok|certainly|of course|absolutely)\b[,!. ]*)?here('s| is| are)\b[^:]{0,60}:\s*", re.IGNORECASE
)
_INTERJECTION = re.compile(r"^(sure|certainly|of course|absolutely|great question)!$", re.IGNORECASE)
_STOP = re.compile(r"^(note|notes|explanation|revealed|facts revealed|analysis|trust)\b\s*[:(-]", re.IGNORECASE)
_JSON_KEY = re.compile(r"\"?\b(reply|text|response|answer|revealed|facts|buyer|content|message)\b\"?\s*:\s*", re.I)
_DEBRIS = re.compile(r"[{}\[\]\"“”]|\\n|\\\"")
_REPLY_KEYS: tuple[str, ...] = (
    "reply", "text", "response", "answer", "say", "says", "buyer", "content", "message", "utterance",
)


_REPLY_STRING = re.compile(r"\"(?:" + "|".join(_REPLY_KEYS) + r")\"\s*:\s*\"((?:[^\"\\]|\\.)*)", re.I)


def _role(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


class ReplyCleaner:
    """Keeps the buyer's own sentences from a model's output, one sentence at a time."""

    def __init__(self, persona_names: Iterable[str] = (), max_sentences: int = MAX_SENTENCES,
                 echoes: Iterable[str] = ()) -> None:
        """``echoes``: phrases of the prompt's own instructions; a sentence that reads one out is dropped."""
        self.echoes = tuple(e.lower() for e in echoes if e)
        names = {_role(n) for n in persona_names if n}
        names |= {n.split()[0] for n in names if n.split()}
        self.own = set(OWN_ROLES) | names
        self.max_sentences = max_sentences
        self.sentences: list[str] = []
        self.done = False
        self._skipping = False
        self._seen: set[str] = set()

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def add(self, piece: Piece) -> str | None:
        """Consider one sentence; return it cleaned when it is kept, else ``None``."""
        if self.done:
            return None
        text = piece.text
        role = _ROLE.match(text)
        if role and (piece.new_line or not self.sentences):
            raw_name = role.group(1).strip()
            name = _role(raw_name)
            looks_like_name = len(name.split()) <= 3 and all(w[0].isupper() for w in raw_name.split())
            if name in self.own:
                self._skipping = False
                text = text[role.end():]
            elif name in OTHER_ROLES or looks_like_name:
                # someone else's line: the reply ends here, or (before any reply) skip that line
                if self.sentences:
                    self.done = True
                    return None
                self._skipping = True
                return None
        elif piece.new_line and self._skipping:
            self._skipping = False
        if self._skipping:
            return None
        if _STOP.match(text.strip(" *_#")):
            self.done = bool(self.sentences)
            return None
        cleaned = clean_sentence(text)
        if not self.sentences and _INTERJECTION.match(cleaned):
            cleaned = ""
        if cleaned and self.echoes and any(e in " ".join(cleaned.lower().split()) for e in self.echoes):
            cleaned = ""  # the model read its instructions out
        if not cleaned:
            return None
        key = re.sub(r"\W+", " ", cleaned.lower()).strip()
        if key in self._seen:
            return None
        self._seen.add(key)
        self.sentences.append(cleaned)
        if len(self.sentences) >= self.max_sentences:
            self.done = True
        return cleaned


def clean_sentence(text: str) -> str:
    """One sentence without stage directions, markup, JSON debris or out-of-character talk ("" if nothing
    is left).  Terminal escape sequences and control characters never survive (the reply is shown and stored)."""
    text = strip_controls(text)
    text = _STAGE.sub(" ", text)
    text = _OPEN_STAGE.sub(" ", text)
    text = _MARKUP.sub("", text.strip())
    text = _PREAMBLE.sub("", text)
    if _META.search(text):
        return ""
    text = _JSON_KEY.sub("", text)
    text = _DEBRIS.sub("", text)
    text = text.replace("\\", "")
    text = " ".join(text.split()).strip(" ,;:-–—*_'")
    if not text or _AI.search(text) or _META.search(text):
        return ""
    if not any(ch.isalpha() for ch in text) or _role(text.strip(".!?")) in OWN_ROLES + OTHER_ROLES:
        return ""
    words = text.split()
    if len(words) > MAX_WORDS:
        text = _shorten(words)
    if text[-1] not in ".!?…":
        text += "."
    return text[0].upper() + text[1:]


def _shorten(words: list[str]) -> str:
    """A rambling sentence cut at the last comma or conjunction within the word limit."""
    head = words[:MAX_WORDS]
    for i in range(len(head) - 1, MAX_WORDS // 2, -1):
        if head[i].endswith((",", ";", ":")):
            return " ".join(head[: i + 1]).rstrip(",;:")
        if head[i].lower() in ("and", "but", "so", "because", "which", "or"):
            return " ".join(head[:i])
    return " ".join(head).rstrip(",;:")


def unwrap_json(text: str) -> str:
    """The spoken reply inside a JSON answer (``{"reply": ...}``, code fences allowed), else the text itself."""
    stripped = text.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*(```)?\s*$", stripped, re.S)
    if fenced:
        stripped = fenced.group(1)
    start = stripped.find("{")
    if start == -1:
        return text
    end = stripped.rfind("}")
    candidate = stripped[start : end + 1] if end > start else stripped[start:]
    try:
        data = json.loads(candidate)
    except ValueError:
        match = _REPLY_STRING.search(candidate)
        return match.group(1).replace('\\"', '"') if match else stripped
    return _reply_field(data) or ""


def _reply_field(data: object) -> str | None:
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        lowered = {str(k).lower(): v for k, v in data.items()}
        for key in _REPLY_KEYS:
            if key in lowered:
                found = _reply_field(lowered[key])
                if found:
                    return found
    if isinstance(data, list):
        for item in data:
            found = _reply_field(item)
            if found:
                return found
    return None


def looks_like_json(start: str) -> bool:
    """Whether a reply that begins like this is (probably) JSON or a fenced block to read whole."""
    head = start.lstrip()
    return head.startswith(("{", "```", "[{"))


def clean_reply(text: str, persona_names: Iterable[str] = (), max_sentences: int = MAX_SENTENCES) -> str:
    """A whole model output reduced to the buyer's spoken reply (1-``max_sentences`` sentences, or "")."""
    if looks_like_json(text):
        text = unwrap_json(text)
    cleaner = ReplyCleaner(persona_names, max_sentences)
    splitter = SentenceSplitter()
    for piece in splitter.feed_pieces(text) + splitter.flush_pieces():
        cleaner.add(piece)
        if cleaner.done:
            break
    return cleaner.text
