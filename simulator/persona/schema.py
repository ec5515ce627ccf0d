"""The persona file format (``personas/*.toml``), validated with pydantic.

A persona is one TOML file; docs/personas.md is the reference.  The models::

    Persona: id (file stem unless given), name, role, company, industry, situation,
             personality, speaking_style, difficulty ("easy"|"medium"|"hard"), opening_line,
             starting_trust (0-100), patience, next_step_trust, next_step_share, close_tolerance,
             voice: Voice, facts: list[Fact], concerns: list[Concern], profile: list[ProfileEntry],
             lines: Lines
    Voice:   rate (words per minute), voice (preferred voice name/id), gender
    Fact:    id, kind (situation|problem|cause|cost|people|tried|success), topic, keywords,
             trust_needed, says (how the buyer shares it), more (elaborations), guarded,
             story (what the buyer says at length once trust is high: 60-150 words a line)
    Concern: id, topic, says, explored (what the buyer says when the rep explores it)
    ProfileEntry: the public profile, what anyone may know without trust: id (from the topic
             unless given), topic, keywords, says (1-3 lines in the buyer's voice)
    Lines:   the buyer's reactions: pitch, leading, rebuttal, close_early, close_pushed,
             close_ready, guarded, listening, small_talk, chat, deflect, unclear, next_step, not_ready,
             goodbye

``load_persona(path)`` reads and validates one file and raises ``PersonaError`` (a
``RapportError``) whose one-line message names the file, the field and what is wrong.

``leaks(persona)`` lists the lines said before any trust (situation, opening line, profile,
small talk and deflections) that give away a hidden fact (trust_needed > 0): a shared number above
twelve, or two shared content words in one sentence, one of them never used in the public facts.
``rapport personas check`` prints them as warnings (errors with ``--strict``).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.errors import RapportError

FACT_KINDS: tuple[str, ...] = ("situation", "problem", "cause", "cost", "people", "tried", "success")
Difficulty = Literal["easy", "medium", "hard"]
FactKind = Literal["situation", "problem", "cause", "cost", "people", "tried", "success"]
#: difficulty -> default close tolerance (early closes survived before the buyer ends the meeting)
CLOSE_TOLERANCE = {"easy": 2, "medium": 2, "hard": 1}
#: the words (split at whitespace) a fact's ``story`` line may have: the buyer talking at length
STORY_WORDS = (60, 150)


class PersonaError(RapportError):
    """A persona file that cannot be used: names the file, the field and the problem.

    ``problems`` holds every problem found, one line each (the message shows the first)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _nonempty(values: list[str]) -> list[str]:
    cleaned = [v for v in values if v.strip()]
    if len(cleaned) != len(values):
        raise ValueError("must not contain empty lines")
    return values


class Voice(_Model):
    """Text-to-speech settings for the buyer's voice."""

    rate: int = Field(170, ge=80, le=320, description="speaking rate in words per minute")
    voice: str | None = Field(None, description="preferred voice name or id (e.g. an espeak-ng voice)")
    gender: Literal["female", "male", "neutral"] | None = None


class Fact(_Model):
    """A hidden fact a good discovery conversation should surface."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: FactKind
    topic: str = Field(min_length=2, description="what the fact is about, in a few words")
    keywords: list[str] = Field(default_factory=list, description="words and phrases a rep might use for it")
    trust_needed: int = Field(ge=0, le=100)
    says: list[str] = Field(min_length=1, description="ways the buyer shares it")
    more: list[str] = Field(default_factory=list, description="elaborations when the rep listens or follows up")
    guarded: list[str] = Field(default_factory=list, description="deflections while trust is too low")
    leads_to: list[str] = Field(default_factory=list, description="fact ids a follow-up on this fact opens")
    personal: bool = Field(
        False,
        description="what the situation costs the buyer as a person (their evenings, their job, their standing); "
                    "a question aimed at the buyer personally asks about it (at most one a persona)",
    )
    story: list[str] = Field(
        default_factory=list,
        description="what the buyer says at length once trust is high and the rep asks openly or reflects "
                    f"({STORY_WORDS[0]}-{STORY_WORDS[1]} words a line); without it the buyer joins says and more",
    )

    @field_validator("says", "more", "guarded", "keywords")
    @classmethod
    def _no_empty_lines(cls, values: list[str]) -> list[str]:
        return _nonempty(values)

    @field_validator("story")
    @classmethod
    def _story_length(cls, values: list[str]) -> list[str]:
        for number, line in enumerate(_nonempty(values), 1):
            words = len(line.split())
            if not STORY_WORDS[0] <= words <= STORY_WORDS[1]:
                raise ValueError(f"line {number} has {words} words; a story is "
                                 f"{STORY_WORDS[0]}-{STORY_WORDS[1]} words")
        return values


class Concern(_Model):
    """A worry the buyer raises when pushed (pitched at, rebutted, closed early)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    topic: str = Field(min_length=2)
    keywords: list[str] = Field(default_factory=list)
    says: list[str] = Field(min_length=1)
    explored: list[str] = Field(default_factory=list, description="what the buyer says when the rep explores it")


class ProfileEntry(_Model):
    """Something anyone could know about the buyer's business, said to anyone with no trust needed:
    the answer to an everyday question (opening hours, team size, what they sell)."""

    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]*$", description="unique; from the topic when missing")
    topic: str = Field(min_length=2, description="the everyday question it answers, in a few words")
    keywords: list[str] = Field(default_factory=list, description="words and phrases a rep might use for it")
    says: list[str] = Field(min_length=1, max_length=3, description="1-3 ways the buyer answers, in their own voice")

    @field_validator("says", "keywords")
    @classmethod
    def _no_empty_lines(cls, values: list[str]) -> list[str]:
        return _nonempty(values)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Lines(_Model):
    """How the buyer reacts to moves.  Empty lists fall back to the engine's generic lines."""

    pitch: list[str] = Field(default_factory=list, description="polite disinterest in a pitch or benefit claim")
    leading: list[str] = Field(default_factory=list, description="reaction to a leading question")
    rebuttal: list[str] = Field(default_factory=list, description="reaction to an argued-with concern")
    close_early: list[str] = Field(default_factory=list, description="resistance to a premature close")
    close_pushed: list[str] = Field(default_factory=list, description="stronger resistance to a repeated close")
    close_ready: list[str] = Field(default_factory=list, description="a close once the buyer trusts the rep")
    guarded: list[str] = Field(default_factory=list, description="deflecting a question asked too soon")
    listening: list[str] = Field(default_factory=list, description="acknowledging being heard")
    small_talk: list[str] = Field(default_factory=list)
    chat: list[str] = Field(
        default_factory=list,
        description="answering small talk about themselves or everyday life (\"Do you get out on the road much?\", "
                    "\"How was your weekend?\"): friendly and short, no facts",
    )
    deflect: list[str] = Field(
        default_factory=list,
        description="a clear question the buyer has nothing public or earned to say about, referred to generically",
    )
    unclear: list[str] = Field(default_factory=list, description="when the rep's words made no sense")
    next_step: list[str] = Field(default_factory=list, description="the buyer proposing the next step")
    not_ready: list[str] = Field(default_factory=list, description="asked about next steps too soon")
    goodbye: list[str] = Field(default_factory=list, description="ending the meeting after being pushed")

    @field_validator("deflect")
    @classmethod
    def _no_empty_lines(cls, values: list[str]) -> list[str]:
        return _nonempty(values)


class Persona(_Model):
    """A simulated buyer."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    company: str = Field(min_length=1)
    industry: str = Field(min_length=1)
    situation: str = Field(min_length=1, description="one line: where the buyer stands")
    personality: str = ""
    speaking_style: str = ""
    difficulty: Difficulty = "medium"
    opening_line: str = Field(min_length=1)
    starting_trust: int = Field(30, ge=0, le=100)
    patience: int = Field(100, ge=1, le=100)
    next_step_trust: int = Field(65, ge=0, le=100, description="trust at which the buyer is ready to move on")
    next_step_share: float = Field(0.5, ge=0, le=1, description="share of facts out before a next step")
    close_tolerance: int | None = Field(None, ge=0, le=10)
    voice: Voice = Field(default_factory=Voice)
    facts: list[Fact] = Field(min_length=1)
    concerns: list[Concern] = Field(default_factory=list)
    profile: list[ProfileEntry] = Field(default_factory=list, description="what anyone may know, no trust needed")
    lines: Lines = Field(default_factory=Lines)

    @model_validator(mode="after")
    def _consistent(self) -> Persona:
        ids = [f.id for f in self.facts]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"facts: duplicate fact id {dupes[0]!r}")
        for fact in self.facts:
            for target in fact.leads_to:
                if target not in ids:
                    raise ValueError(f"facts.{fact.id}.leads_to: unknown fact id {target!r}")
        personal = [f.id for f in self.facts if f.personal]
        if len(personal) > 1:
            raise ValueError(f"facts: {len(personal)} facts are personal ({', '.join(personal)}); mark at most one")
        cids = [c.id for c in self.concerns]
        if len(set(cids)) != len(cids):
            raise ValueError("concerns: duplicate concern id")
        for number, entry in enumerate(self.profile, 1):
            if entry.id is None:
                entry.id = _slug(entry.topic) or f"profile-{number}"
        pids = [e.id for e in self.profile]
        dupes = sorted({i for i in pids if pids.count(i) > 1})
        if dupes:
            raise ValueError(f"profile: duplicate profile id {dupes[0]!r} (give one entry per topic)")
        if self.close_tolerance is None:
            self.close_tolerance = CLOSE_TOLERANCE[self.difficulty]
        return self

    def fact(self, fact_id: str) -> Fact | None:
        return next((f for f in self.facts if f.id == fact_id), None)

    @property
    def personal_fact(self) -> Fact | None:
        """The fact marked ``personal``, if any."""
        return next((f for f in self.facts if f.personal), None)

    def concern(self, concern_id: str) -> Concern | None:
        return next((c for c in self.concerns if c.id == concern_id), None)

    def profile_entry(self, entry_id: str) -> ProfileEntry | None:
        return next((e for e in self.profile if e.id == entry_id), None)

    def summary(self) -> dict:
        """The fields ``personas list --json`` prints."""
        return {
            "id": self.id, "name": self.name, "role": self.role, "company": self.company,
            "industry": self.industry, "difficulty": self.difficulty, "situation": self.situation,
            "facts": len(self.facts),
        }


def _name(key: object) -> str:
    """A key or id as written, or quoted when it is empty or holds a line break or control character
    (a problem is always one line)."""
    text = str(key)
    return text if text and text.isprintable() else repr(text)


def _where(loc: tuple, data: dict) -> str:
    """A readable field path: facts[2] becomes facts.<fact id> when the id is known."""
    parts: list[str] = []
    node: object = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list):
            entry = node[item] if item < len(node) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            if not ident and parts and parts[-1] == "profile" and isinstance(entry, dict):
                topic = entry.get("topic")  # profile ids are optional: name the entry by its topic
                ident = topic if isinstance(topic, str) and topic.strip() else None
            parts.append(f"{parts.pop()}[{_name(ident or item)}]" if parts else f"[{item}]")
            node = entry
        else:
            parts.append(_name(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(file)"


def parse_persona(data: dict, source: str, default_id: str) -> Persona:
    """Validate already-parsed TOML data; errors name ``source``."""
    if not isinstance(data, dict):
        raise PersonaError(f"{source}: (file): expected a TOML table")
    data = dict(data)
    data.setdefault("id", default_id)
    try:
        return Persona.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{source}: {_where(tuple(err.get('loc', ())), data)}: "
            + err.get("msg", "invalid").removeprefix("Value error, ")
            for err in exc.errors()
        ]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise PersonaError(problems[0] + more, problems) from None


#: a persona file is a few kilobytes; anything this big is not one (and would take long to parse)
MAX_FILE_BYTES = 1_000_000


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else ``PersonaError``.

    A FIFO, a device or a socket is refused without blocking: it is opened non-blocking and checked
    with ``fstat`` before anything is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PersonaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise PersonaError(f"{path}: cannot read: {what}")
        if info.st_size > limit:
            raise PersonaError(f"{path}: (file): too large for a persona file ({info.st_size} bytes)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise PersonaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def load_persona(path: str | Path) -> Persona:
    """Read and validate one persona file.  Raises ``PersonaError`` naming file, field and problem."""
    path = Path(path)
    raw = read_regular_file(path)
    if len(raw) > MAX_FILE_BYTES:
        raise PersonaError(f"{path}: (file): too large for a persona file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PersonaError(f"{path}: (file): not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(f"{path}: (file): invalid TOML: {exc}") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise PersonaError(f"{path}: (file): invalid TOML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise PersonaError(f"{path}: (file): invalid TOML: nested too deeply") from None
    stem = path.stem.lower().replace(" ", "-")
    return parse_persona(data, str(path), stem)


# ---- the leak check: lines said before any trust must not give away a hidden fact -------------------
#
# Public lines (said or sent to the LLM before the rep has earned anything): the situation, the
# opening line, every profile line, small talk, chat and deflections.  Hidden lines: the ``says`` and
# ``more`` of each fact with trust_needed > 0.  Both are cut into sentences (at . ! ? ;).  A public
# sentence gives a hidden fact away when it shares with one of the fact's sentences
#   - a number above twelve (digits or words: "40", "forty", "a hundred and twenty") that no public
#     fact (trust 0) states; numbers up to twelve are clock times and everyday counts; or
#   - two content words (stop words and numbers dropped, plurals and -ed/-ing folded), at least one
#     of which the public facts and the name, role, company and industry never use.

_LEAK_STOP_WORDS = """
    a about above after again against all almost already also always am an and any are around as at away back
    be because been before being below between both but by can cannot could day days did do does doing done dont
    down during each either else enough even ever every everyone everything few first for from further get gets
    getting go goes going gone good got great had has have having he her here hers herself him himself his how i
    id if ill im in into is isnt it its itself ive just keep keeps kept kind know last least less let lets like lot
    lots made make makes many may me might more most much must my myself need needs never new next no nobody nor
    not nothing now of off oh ok okay on once one only or other others our ours ourselves out over own people
    probably put quite rather really right run runs ran running said same say says see she should since so some
    someone something still such sure take takes than that thats the their theirs them themselves then there these
    they thing things think this those though through time times to too took under until up us use used very want
    wants was way we week weeks well were what whats when where which while who whom why will with without would
    year years yes yet you your youre yours yourself honestly actually basically mostly maybe anyway ha hm mm um uh
    yeah whole bit"""
_LEAK_STOP = frozenset(_LEAK_STOP_WORDS.split())
_UNITS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))}
_TENS = {w: 10 * i for i, w in enumerate(
    ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), start=2)}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[a-z]+")
_SENTENCE = re.compile(r"[.!?;]+(?=\s|$)")
#: a public number above this is distinctive (smaller ones are clock times and everyday counts)
LEAK_NUMBER_ABOVE = 12


def _is_number_word(word: str) -> bool:
    return word in _UNITS or word in _TENS or word in _SCALES or word == "hundred"


def _tokens(sentence: str) -> list[str]:
    return _TOKEN.findall(sentence.lower().replace("\u2019", "'").replace("'", ""))


def _numbers(tokens: list[str]) -> set[float]:
    """The numbers in a sentence, written in digits or words ("a hundred and twenty", "3.2 million")."""
    found: set[float] = set()
    total = current = 0.0
    inside = False
    i = 0

    def close() -> None:
        nonlocal total, current, inside
        if inside:
            found.add(total + current)
        total = current = 0.0
        inside = False

    while i < len(tokens):
        word = tokens[i]
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word[0].isdigit():
            close()
            current, inside = float(word.replace(",", "")), True
        elif word in _UNITS or word in _TENS:
            value, below_hundred = _UNITS.get(word, 0) + _TENS.get(word, 0), current % 100
            if inside and below_hundred and (value >= 10 or below_hundred % 10 or below_hundred < 20):
                close()  # "two three" or "nineteen ninety": two numbers ("forty one" is one)
            current += value
            inside = True
        elif word == "hundred" and (inside or tokens[i - 1:i] == ["a"]):
            current, inside = (current or 1) * 100, True
        elif word in _SCALES and (inside or tokens[i - 1:i] == ["a"]):
            total, current, inside = total + (current or 1) * _SCALES[word], 0.0, True
        elif word == "point" and inside and after in _UNITS:
            current += _UNITS[after] / 10
            i += 1
        elif word == "and" and inside and _is_number_word(after):
            pass
        elif word == "a" and after in ("hundred", *_SCALES):
            close()
        else:
            close()
        i += 1
    close()
    return found


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def _words(tokens: list[str]) -> dict[str, str]:
    """The content words of a sentence (no stop words, numbers or one- and two-letter words), folded
    form -> the word as written."""
    return {_stem(t): t for t in reversed(tokens)
            if len(t) > 2 and t not in _LEAK_STOP and not t[0].isdigit() and not _is_number_word(t)}


def _sentences(text: str) -> list[list[str]]:
    return [tokens for part in _SENTENCE.split(text) if (tokens := _tokens(part))]


def public_lines(persona: Persona) -> list[tuple[str, str]]:
    """(field, line) for every line said, or sent to the LLM, before the rep has earned any trust."""
    lines = [("situation", persona.situation), ("opening_line", persona.opening_line)]
    for entry in persona.profile:
        lines += [(f"profile[{entry.id}].says", line) for line in entry.says]
    lines += [("lines.small_talk", line) for line in persona.lines.small_talk]
    lines += [("lines.chat", line) for line in persona.lines.chat]
    lines += [("lines.deflect", line) for line in persona.lines.deflect]
    return lines


def leaks(persona: Persona) -> list[str]:
    """One line per public line that gives a hidden fact away: ``field: gives away hidden fact ...``."""
    public_text = [persona.name, persona.role, persona.company, persona.industry]
    for fact in persona.facts:
        if fact.trust_needed == 0:
            public_text += fact.says + fact.more
    public_words: set[str] = set()
    public_numbers: set[float] = set()
    for text in public_text:
        for tokens in _sentences(text):
            public_words |= _words(tokens).keys()
            public_numbers |= _numbers(tokens)
    hidden = [(fact, [(_numbers(t), _words(t)) for line in fact.says + fact.more for t in _sentences(line)])
              for fact in persona.facts if fact.trust_needed > 0]
    problems: list[str] = []
    for field, line in public_lines(persona):
        for tokens in _sentences(line):
            numbers = {n for n in _numbers(tokens) if n > LEAK_NUMBER_ABOVE} - public_numbers
            words = _words(tokens)
            for fact, sentences in hidden:
                shared = ""
                for fact_numbers, fact_words in sentences:
                    if common := sorted(numbers & fact_numbers):
                        shared = f"the number {common[0]:g}"
                        break
                    common_words = words.keys() & fact_words.keys()
                    if len(common_words) >= 2 and common_words - public_words:
                        shared = "the words " + " + ".join(f'"{words[w]}"' for w in sorted(common_words)[:4])
                        break
                if shared:
                    problems.append(f"{field}: gives away hidden fact {fact.id!r} (trust {fact.trust_needed}): "
                                    f"shares {shared} with it: {_name(line)}")
    return list(dict.fromkeys(problems))
