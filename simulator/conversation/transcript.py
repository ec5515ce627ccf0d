"""Plain-text transcripts (``rep: ...`` / ``buyer: ...``) and the word helpers the scorecard uses.

The transcript format, one turn per line::

    # comments and blank lines are ignored
    rep: Thanks for making the time.
    Buyer: Sure, go ahead.

The speaker prefix is case-insensitive. Any other line is an error naming its line number, so
a typo never silently drops or merges a turn. :func:`load` also accepts a JSON session (the
output of ``rapport simulate --json`` or ``rapport sessions show --json``, or a list of turns),
which keeps buyer trust, revealed facts and timings; a JSON session is checked field by field
against the schema in :mod:`simulator.conversation.session_json`. A transcript is at most
``MAX_BYTES`` (2 MiB) and ``MAX_TURNS`` (20,000 turns); :func:`read_limited` reads a file or stdin
without ever holding more than that in memory.

The word helpers decide when a rep "reuses the buyer's own words": both sides are reduced to
content words (no stopwords, fillers or pronouns) and lightly stemmed, so "drivers" matches
"driver" and "invoicing" matches "invoices".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from simulator.conversation.turns import Turn
from simulator.errors import RapportError

#: The largest transcript (bytes of UTF-8) and the most turns ``rapport score`` and ``rapport sessions import``
#: accept (docs/sessions.md): at the limits about 5 s and under 200 MB; above them one line, after reading
#: at most MAX_BYTES + 1 bytes.
MAX_BYTES = 2 * 2**20
MAX_TURNS = 20_000

_SPEAKER = re.compile(r"^\s*(rep|buyer)\s*:\s?(.*)$", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

def vocabulary(text: str) -> frozenset[str]:
    """A word set written as one whitespace-separated string (easier to read and extend)."""
    return frozenset(text.split())


#: Words that carry no content of their own: function words, pronouns, fillers, hedges.
STOPWORDS: frozenset[str] = vocabulary(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further get gets getting got had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've
    if in into is isn't it it's its itself just let's me more most mustn't my myself no nor not now of
    off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
    should shouldn't so some such than that that's the their theirs them themselves then there there's
    these they they'd they'll they're they've this those through to too under until up very was wasn't
    we we'd we'll we're we've were weren't what what's when when's where where's which while who who's
    whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
    yourselves um uh er erm hmm mm yeah yes yep okay ok oh well like really actually basically kind sort
    know mean guess think thing things stuff lot lots bit maybe right sure anyway though even still
    much many one ones something anything everything nothing someone way ways go going gone say said
    tell told see look make made take want need lets us ll ve re don isn doesn didn wasn weren won
    let's shall may might must could've would've should've ever every quite pretty got gotta gonna
    wanna day today
    """
)

_SUFFIXES: tuple[str, ...] = ("ingly", "edly", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")


def words(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (apostrophes kept inside words: "don't", "we're")."""
    return _WORD.findall(text.lower().replace("’", "'"))


def word_count(text: str) -> int:
    """How many words ``text`` has (what the scorecard measures when there is no audio)."""
    return len(words(text))


def stem(word: str) -> str:
    """A light stem, enough to match "drivers"/"driver" and "invoicing"/"invoices"."""
    word = word.split("'")[0]
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    return word


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry content, in order (stopwords and short words dropped;
    numbers kept)."""
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 2 or w.isdigit())]


def content_stems(text: str) -> set[str]:
    """Stems of the content words of ``text``."""
    return {stem(w) for w in content_words(text)}


def shared_words(text: str, source: str) -> list[str]:
    """Content words of ``text`` whose stem also occurs in ``source``, in order, without repeats."""
    source_stems = content_stems(source)
    seen: set[str] = set()
    found: list[str] = []
    for w in content_words(text):
        s = stem(w)
        if s in source_stems and s not in seen:
            seen.add(s)
            found.append(w)
    return found


def parse(text: str) -> list[Turn]:
    """Turn a ``rep: ...`` / ``buyer: ...`` transcript into turns (rep turns still unlabelled).

    Raises :class:`RapportError` naming the first line that has no speaker prefix or no words, contains
    a NUL character (no database could store it), or is turn number ``MAX_TURNS + 1``.
    """
    turns: list[Turn] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(turns) == MAX_TURNS:
            raise RapportError(f"line {number}: more than {MAX_TURNS:,} turns, the limit for one transcript")
        turns.append(_line_turn(number, line))
    return turns


def _line_turn(number: int, line: str) -> Turn:
    match = _SPEAKER.match(line)
    if match is None:
        shown = line if len(line) <= 40 else line[:37] + "..."
        raise RapportError(f"line {number}: expected 'rep: ...' or 'buyer: ...', got {shown!r}")
    speaker, said = match.group(1).lower(), match.group(2).strip()
    if not said:
        raise RapportError(f"line {number}: the {speaker} line has no words")
    if "\x00" in said or _SURROGATE.search(said):
        raise RapportError(f"line {number}: contains a NUL character or an unpaired surrogate")
    return Turn(speaker=speaker, text=said)  # type: ignore[arg-type]


def format_transcript(turns: Iterable[Turn]) -> str:
    """The inverse of :func:`parse`: one ``speaker: text`` line per turn."""
    return "".join(f"{t.speaker}: {' '.join(t.text.split())}\n" for t in turns)


@dataclass
class Loaded:
    """Turns read from a file, with what the file says about the persona's facts."""

    turns: list[Turn]
    facts_total: int | None = None


def load(text: str) -> Loaded:
    """Turns from a ``rep:``/``buyer:`` transcript or from a JSON session (see the module docstring and
    :mod:`simulator.conversation.session_json`). A leading byte-order mark (Windows editors write one) is
    ignored; more than ``MAX_BYTES`` characters or ``MAX_TURNS`` turns are refused."""
    if len(text) > MAX_BYTES:
        raise RapportError(too_big())
    text = text.removeprefix("\ufeff")
    if text.lstrip()[:1] in ("{", "["):
        from simulator.conversation import session_json

        return Loaded(*session_json.parse(text, MAX_TURNS))
    return Loaded(parse(text))


def too_big() -> str:
    return f"larger than {MAX_BYTES // 2**20} MiB, the limit for one transcript (split it into several)"


def read_limited(path: str) -> str:
    """The UTF-8 text of file ``path`` (``-`` = stdin), refused in one line when it is larger than
    ``MAX_BYTES``: at most ``MAX_BYTES + 1`` bytes are ever read, however big the file or stream."""
    try:
        if path == "-":
            data = _read_stdin(MAX_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise RapportError(f"{path}: {too_big()}")
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RapportError(f"{path}: not UTF-8 text") from None
    except IsADirectoryError:
        raise RapportError(f"{path}: is a folder, not a transcript file") from None
    except OSError as exc:
        raise RapportError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read_stdin(limit: int) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        return stream.read(limit)
    # A text stream with no bytes underneath (a test runner's): at most ``limit`` characters, each >= 1 byte.
    return sys.stdin.read(limit).encode("utf-8", "surrogatepass")
