"""Splitting streamed text into sentences as it arrives, so the first one can be spoken early.

Pure (no network, no audio): the LLM engine uses it to cut the model's stream into sentences and
the voice can use it to start speaking a long reply before the whole text is known::

    splitter = SentenceSplitter()
    for chunk in stream:
        for sentence in splitter.feed(chunk):
            speak(sentence)
    for sentence in splitter.flush():
        speak(sentence)

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (possibly repeated, possibly followed by a closing
quote or bracket) *followed by white space*, and at every line break.  The splitter waits for the
character after the punctuation, so "3." followed later by "5 hours" stays one sentence, and it
does not split after common abbreviations ("Mr.", "e.g.", "etc.") or single initials ("J. Smith").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Words that end with a full stop without ending the sentence (compared lower case, without the dot).
ABBREVIATIONS: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "approx", "dept", "inc", "ltd",
    "corp", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m",
})

_END = re.compile(r"[.!?…]+[\"')\]”’]*(?=\s)|\n")


@dataclass(frozen=True)
class Piece:
    """One sentence and whether it began a new line (the cleaner uses this to spot "Rep:" lines)."""

    text: str
    new_line: bool


def _is_abbreviation(text: str, dot_at: int) -> bool:
    """Whether the full stop at ``dot_at`` belongs to an abbreviation or an initial."""
    start = dot_at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:dot_at].lower().lstrip("(\"'“‘")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha() and word != "i")


class SentenceSplitter:
    """Incremental sentence splitter: ``feed`` chunks, get complete sentences; ``flush`` the rest."""

    def __init__(self) -> None:
        self._buffer = ""
        self._new_line = True

    def feed_pieces(self, chunk: str) -> list[Piece]:
        """Add a chunk; return the sentences it completed, with their line-start flags."""
        self._buffer += chunk
        pieces: list[Piece] = []
        pos = 0
        for match in _END.finditer(self._buffer):
            if match.group() == "\n":
                end = match.start()
            else:
                end = match.end()
                if self._buffer[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation(
                    self._buffer, match.start()
                ):
                    continue
            self._emit(self._buffer[pos:end], pieces)
            if match.group() == "\n":
                self._new_line = True
            pos = match.end()
        self._buffer = self._buffer[pos:]
        return pieces

    def flush_pieces(self) -> list[Piece]:
        """The last, unterminated sentence (if any); the splitter is then empty."""
        pieces: list[Piece] = []
        self._emit(self._buffer, pieces)
        self._buffer = ""
        self._new_line = True
        return pieces

    def feed(self, chunk: str) -> list[str]:
        """Add a chunk; return the sentences it completed."""
        return [p.text for p in self.feed_pieces(chunk)]

    def flush(self) -> list[str]:
        """The last, unterminated sentence (if any)."""
        return [p.text for p in self.flush_pieces()]

    def _emit(self, raw: str, pieces: list[Piece]) -> None:
        text = " ".join(raw.split())
        if text:
            pieces.append(Piece(text, self._new_line))
            self._new_line = False


def split_sentences(text: str | Iterable[str]) -> list[str]:
    """All sentences of a text (or of an iterable of chunks), in order."""
    splitter = SentenceSplitter()
    chunks = [text] if isinstance(text, str) else text
    out: list[str] = []
    for chunk in chunks:
        out += splitter.feed(chunk)
    return out + splitter.flush()
