"""Plain-text transcripts (``rep: ...`` / ``buyer: ...``) and the word helpers the scorecard uses.

The transcript format, one turn per line::

    # comments and blank lines are ignored
    rep: Thanks for making the time.
    Buyer: Sure, go ahead.

The speaker prefix is case-insensitive. Any other line is an error naming its line number, so
a typo never silently drops or merges a turn. :func:`load` also accepts a JSON session (the
output of ``rapport simulate --json`` or ``rapport sessions show --json``, or a list of turns),
which keeps buyer trust, revealed facts and timings.

The word helpers decide when a rep "reuses the buyer's own words": both sides are reduced to
content words (no stopwords, fillers or pronouns) and lightly stemmed, so "drivers" matches
"driver" and "invoicing" matches "invoices".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from simulator.conversation.turns import Turn
from simulator.errors import RapportError

_SPEAKER = re.compile(r"^\s*(rep|buyer)\s*:\s?(.*)$", re.IGNORECASE)
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

    Raises :class:`RapportError` naming the first line that has no speaker prefix or no words.
    """
    turns: list[Turn] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SPEAKER.match(line)
        if match is None:
            shown = line if len(line) <= 40 else line[:37] + "..."
            raise RapportError(f"line {number}: expected 'rep: ...' or 'buyer: ...', got {shown!r}")
        speaker, said = match.group(1).lower(), match.group(2).strip()
        if not said:
            raise RapportError(f"line {number}: the {speaker} line has no words")
        turns.append(Turn(speaker=speaker, text=said))  # type: ignore[arg-type]
    return turns


def format_transcript(turns: Iterable[Turn]) -> str:
    """The inverse of :func:`parse`: one ``speaker: text`` line per turn."""
    return "".join(f"{t.speaker}: {' '.join(t.text.split())}\n" for t in turns)


@dataclass
class Loaded:
    """Turns read from a file, with what the file says about the persona's facts."""

    turns: list[Turn]
    facts_total: int | None = None


def _json_turns(text: str) -> Loaded:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RapportError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    items = doc.get("turns") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise RapportError("the JSON has no list of turns (expected {\"turns\": [...]} or [...])")
    turns = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("speaker") not in ("rep", "buyer") or \
                not isinstance(item.get("text"), str):
            raise RapportError(f"turn {number}: expected an object with speaker 'rep' or 'buyer' and a text")
        for key in ("trust", "start_s", "end_s"):
            value = item.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise RapportError(f"turn {number}: {key} must be a number, got {value!r}")
        try:
            turns.append(Turn.from_dict(item))
        except TypeError as exc:
            raise RapportError(f"turn {number}: {exc}") from None
    total = None
    if isinstance(doc, dict):
        discovery = (doc.get("scorecard") or {}).get("discovery") or {}
        total = discovery.get("total") if isinstance(discovery.get("total"), int) else None
    return Loaded(turns, total)


def load(text: str) -> Loaded:
    """Turns from a ``rep:``/``buyer:`` transcript or from a JSON session (see the module docstring).
    A leading byte-order mark (Windows editors write one) is ignored."""
    text = text.removeprefix("\ufeff")
    if text.lstrip()[:1] in ("{", "["):
        return _json_turns(text)
    return Loaded(parse(text))
