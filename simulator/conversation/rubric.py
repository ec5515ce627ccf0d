"""Rubrics: what the scorecard counts, how much, against which targets, and what costs points.

A coach writes a rubric in TOML (``docs/scorecard.md#team-rubrics``)::

    name = "discovery-first"
    title = "Discovery first (inside sales)"
    pass_mark = 65

    [weights]            # the figures that count and their points; a figure left out does not count
    questions = 20
    follow_ups = 20
    listening = 15
    discovery = 25
    trust = 10

    [targets.listening]  # where a figure earns full points and its verdicts (left out: the default's)
    good = 25

    [penalties]          # points off per move on a rep turn (left out: the label catalogue's costs)
    pitch = 8
    close_early = 20

Everything left out takes the value of the default rubric, :data:`DEFAULT`, which is the scorecard as it
was before rubrics existed: its numbers are exactly the old literals (the penalties are the catalogue's
costs), so every stored session rescores to the same overall under it.  Without a ``[weights]`` table the
default weights are used; with one, only the figures it names count.

Pure: parses text, never reads files (``simulator.session.rubrics`` finds and reads them).
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.conversation.catalogue import CLOSE_EARLY_COST, COST_ORDER, move
from simulator.errors import RapportError

#: Words per second where a reference in seconds is applied to a conversation without timings.
WORDS_PER_SECOND = 2.5
#: The figures that can earn points, in the order the formula names them, with the formula's words.
WEIGHTED: dict[str, str] = {
    "questions": "questions",
    "follow_ups": "follow-ups",
    "listening": "listening",
    "talk_share": "talk share",
    "buyer_story": "buyer story",
    "patience": "patience",
    "discovery": "discovery",
    "trust": "trust",
    "next_step": "buyer's own next step",
}
#: When a weighted figure is measured at all (said after its points in the formula).
_WHEN = {"patience": "audio only", "discovery": "when the persona's facts are known", "trust": "when recorded"}
DEFAULT_WEIGHTS: dict[str, float] = {"questions": 25, "follow_ups": 10, "listening": 15, "talk_share": 15,
                                     "buyer_story": 10, "patience": 5, "discovery": 10, "trust": 10, "next_step": 5}
#: Penalty names: the catalogue's costly moves, a close before trust is earned, and the two monologue lengths.
PENALTIES: tuple[str, ...] = (*COST_ORDER, "close_early", "monologue_long", "monologue")
MAX_BYTES = 100_000


def _default_penalties() -> dict[str, float]:
    costs = {name: float(move(name).cost) for name in COST_ORDER}
    return {**costs, "close_early": float(CLOSE_EARLY_COST), "monologue_long": 10.0, "monologue": 3.0}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Questions(_Strict):
    #: target = min(max, ceil(share% × rep turns)), at least 1; full points at the target
    share: float = Field(40.0, gt=0, le=100, allow_inf_nan=False)
    max: int = Field(11, ge=1, le=1000)
    #: beyond this many questions returns diminish (verdict ok, not good)
    plenty: int = Field(14, ge=1, le=1000)


class FollowUps(_Strict):
    #: target = ceil(share% × the question target), at least 1
    share: float = Field(50.0, gt=0, le=100, allow_inf_nan=False)


class Listening(_Strict):
    #: share of rep turns that listen: full points and "good" at ``good``%, "ok" from ``ok``%
    good: float = Field(20.0, gt=0, le=100, allow_inf_nan=False)
    ok: float = Field(10.0, ge=0, le=100, allow_inf_nan=False)


class TalkShare(_Strict):
    #: full points at ``full``% or less, none from ``zero``%; "good" up to ``good``%, "ok" up to ``ok``%
    full: float = Field(43.0, ge=0, le=100, allow_inf_nan=False)
    zero: float = Field(75.0, ge=0, le=100, allow_inf_nan=False)
    good: float = Field(50.0, ge=0, le=100, allow_inf_nan=False)
    ok: float = Field(65.0, ge=0, le=100, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> TalkShare:
        if not self.full < self.zero:
            raise ValueError("full must be below zero (the share that earns full points is the lower one)")
        if not self.good <= self.ok:
            raise ValueError("good must not be above ok (a lower talk share is better)")
        return self


class BuyerStory(_Strict):
    #: target = ``seconds``, or ``share``% of all speech if that is less; "ok" from half the target
    seconds: float = Field(50.0, gt=0, le=3600, allow_inf_nan=False)
    share: float = Field(30.0, gt=0, le=100, allow_inf_nan=False)


class Monologue(_Strict):
    #: the rep's longest stretch: "good" up to ``good`` s, "ok" up to ``ok`` s (and the two penalties beyond)
    good: float = Field(45.0, gt=0, le=3600, allow_inf_nan=False)
    ok: float = Field(120.0, gt=0, le=3600, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> Monologue:
        if not self.good < self.ok:
            raise ValueError("good must be below ok (seconds; a shorter monologue is better)")
        return self


class Patience(_Strict):
    #: median pause before the rep speaks: no points at ``zero`` s, full at ``full`` s; verdicts at good / ok
    full: float = Field(1.5, gt=0, le=60, allow_inf_nan=False)
    zero: float = Field(0.3, ge=0, le=60, allow_inf_nan=False)
    good: float = Field(1.0, ge=0, le=60, allow_inf_nan=False)
    ok: float = Field(0.5, ge=0, le=60, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> Patience:
        if not self.zero < self.full:
            raise ValueError("zero must be below full (seconds; a longer pause earns more)")
        if not self.ok <= self.good:
            raise ValueError("ok must not be above good")
        return self


class Discovery(_Strict):
    #: facts revealed of the persona's: "good" from ``good``%, "ok" from ``ok``% (points in proportion)
    good: float = Field(60.0, ge=0, le=100, allow_inf_nan=False)
    ok: float = Field(30.0, ge=0, le=100, allow_inf_nan=False)


class Trust(_Strict):
    #: the buyer's final trust: "good" from ``good``, "ok" from ``ok`` (points in proportion)
    good: float = Field(60.0, ge=0, le=100, allow_inf_nan=False)
    ok: float = Field(40.0, ge=0, le=100, allow_inf_nan=False)


class Transactional(_Strict):
    #: "ok" when at most ``ok_share``% of rep turns are transactional and no close came before trust
    ok_share: float = Field(20.0, ge=0, le=100, allow_inf_nan=False)


class Targets(_Strict):
    questions: Questions = Questions()
    follow_ups: FollowUps = FollowUps()
    listening: Listening = Listening()
    talk_share: TalkShare = TalkShare()
    buyer_story: BuyerStory = BuyerStory()
    monologue: Monologue = Monologue()
    patience: Patience = Patience()
    discovery: Discovery = Discovery()
    trust: Trust = Trust()
    transactional: Transactional = Transactional()


class _Weights(_Strict):
    questions: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    follow_ups: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    listening: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    talk_share: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    buyer_story: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    patience: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    discovery: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    trust: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)
    next_step: float = Field(0.0, ge=0, le=1000, allow_inf_nan=False)


class _Penalties(_Strict):
    pitch: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    benefit: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    leading_question: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    objection_handling: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    close: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    close_early: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    monologue_long: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    monologue: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)


class _File(_Strict):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)
    pass_mark: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    weights: _Weights | None = None
    targets: Targets = Targets()
    penalties: _Penalties = _Penalties()


@dataclass(frozen=True)
class Rubric:
    """A validated rubric.  ``weights`` has every weighted figure (0: does not count), ``penalties`` every
    penalty name; ``hash`` identifies what scores (weights, targets, penalties, pass mark), not the wording."""

    name: str = "default"
    title: str = "Rapport default: relationship-first selling"
    description: str = ""
    pass_mark: float | None = None
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    targets: Targets = field(default_factory=Targets)
    penalties: dict[str, float] = field(default_factory=_default_penalties)

    @property
    def hash(self) -> str:
        content = {"weights": self.weights, "targets": self.targets.model_dump(), "penalties": self.penalties,
                   "pass_mark": self.pass_mark}
        canonical = json.dumps(_floats(content), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def is_default(self) -> bool:
        return self.hash == DEFAULT.hash

    def stamp(self) -> dict:
        """What a scorecard records of the rubric it was scored with."""
        return {"name": self.name, "title": self.title, "hash": self.hash, "pass_mark": self.pass_mark}

    def to_dict(self) -> dict:
        return {**self.stamp(), "description": self.description, "weights": dict(self.weights),
                "targets": self.targets.model_dump(), "penalties": dict(self.penalties)}

    # --- the formula --------------------------------------------------------------------------------

    def penalties_text(self) -> str:
        order = sorted(COST_ORDER, key=lambda n: (-self.penalties[n], COST_ORDER.index(n)))
        parts = []
        for name in order:
            text = f"{name.replace('_', ' ')} {self.penalties[name]:g}"
            if name == "close":
                text += f" ({self.penalties['close_early']:g} before trust is earned)"
            parts.append(text)
        return ", ".join(parts)

    def formula(self) -> str:
        """The overall formula in words, from this rubric (for the default: the scorecard's text of old)."""
        earned = []
        for key, words in WEIGHTED.items():
            if self.weights[key]:
                when = f" ({_WHEN[key]})" if key in _WHEN else ""
                earned.append(f"{words} {self.weights[key]:g}{when}")
        m = self.targets.monologue
        text = ("overall = clamp(100 × earned / available − penalties, 0, 100). Earned of available: "
                f"{', '.join(earned) or 'nothing'}. Penalties per move: {self.penalties_text()}; rep stretch over "
                f"{_seconds(m.ok)} {self.penalties['monologue_long']:g}, over {_seconds(m.good)} "
                f"{self.penalties['monologue']:g}.")
        if not self.is_default:
            changed = self.changed_targets()
            text = (f"Rubric {self.name} ({self.hash[:8]}). " + text
                    + (f" Targets changed from the default: {'; '.join(changed)}." if changed else ""))
        if self.pass_mark is not None:
            text += f" Pass mark {self.pass_mark:g}."
        return text

    def changed_targets(self) -> list[str]:
        mine, base = self.targets.model_dump(), DEFAULT.targets.model_dump()
        out = []
        for fig, values in mine.items():
            diff = [f"{k} {v:g}" for k, v in values.items() if v != base[fig][k]]
            if diff:
                out.append(f"{fig.replace('_', ' ')} {', '.join(diff)}")
        return out

    def to_toml(self) -> str:
        """The rubric as a complete TOML file (every value spelled out)."""
        lines = [f"name = {json.dumps(self.name)}", f"title = {json.dumps(self.title, ensure_ascii=False)}"]
        if self.description:
            lines.append(f"description = {json.dumps(self.description, ensure_ascii=False)}")
        if self.pass_mark is not None:
            lines.append(f"pass_mark = {self.pass_mark:g}")
        lines += ["", "[weights]"] + [f"{k} = {v:g}" for k, v in self.weights.items() if v]
        for fig, values in self.targets.model_dump().items():
            lines += ["", f"[targets.{fig}]"] + [f"{k} = {v:g}" for k, v in values.items()]
        lines += ["", "[penalties]"] + [f"{k} = {v:g}" for k, v in self.penalties.items()]
        return "\n".join(lines) + "\n"

    # --- derived targets ---------------------------------------------------------------------------

    def question_target(self, rep_turns: int) -> int:
        q = self.targets.questions
        return max(1, min(q.max, math.ceil(q.share / 100 * rep_turns)))

    def follow_up_target(self, question_target: int) -> int:
        return max(1, math.ceil(question_target * self.targets.follow_ups.share / 100))

    def monologue_penalty(self, seconds: float) -> float:
        m = self.targets.monologue
        if seconds > m.ok:
            return self.penalties["monologue_long"]
        return self.penalties["monologue"] if seconds > m.good else 0.0


def _floats(value: Any) -> Any:
    """Numbers as floats (25 and 25.0 hash alike), recursively."""
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _seconds(s: float) -> str:
    words = s * WORDS_PER_SECOND
    shown = f"{s / 60:g} min" if s >= 60 and s % 60 == 0 else f"{s:g} s"
    return f"{shown} ({words:g} words)" if words == int(words) else f"{shown} (≈{int(words)} words)"


DEFAULT = Rubric()


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(file)"


def parse(text: str, source: str = "rubric") -> Rubric:
    """A rubric from TOML text; a problem is one ``RapportError`` line naming ``source`` and the field."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise RapportError(f"{source}: larger than {MAX_BYTES // 1000} kB, too large for a rubric")
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RapportError(f"{source}: invalid TOML: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise RapportError(f"{source}: invalid TOML: {str(exc).splitlines()[0] or 'nested too deeply'}") from None
    return from_data(data, source)


def from_data(data: dict, source: str = "rubric") -> Rubric:
    try:
        doc = _File.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        msg = first.get("msg", "invalid").removeprefix("Value error, ")
        if first.get("type") == "extra_forbidden":
            msg = "unknown field" + _known(tuple(first.get("loc", ())))
        elif first.get("type") == "missing":
            msg = "required"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise RapportError(f"{source}: {_where(tuple(first.get('loc', ())))}: {msg}{more}") from None
    weights = doc.weights.model_dump() if doc.weights is not None else dict(DEFAULT_WEIGHTS)
    if not any(weights.values()):
        raise RapportError(f"{source}: weights: no figure counts (give at least one figure points)")
    penalties = _default_penalties()
    penalties.update({k: v for k, v in doc.penalties.model_dump().items() if v is not None})
    return Rubric(doc.name, doc.title or doc.name, doc.description, doc.pass_mark,
                  {k: float(v) for k, v in weights.items()}, doc.targets, penalties)


def _known(loc: tuple) -> str:
    """The fields that would have been accepted where an unknown one was found."""
    model: type[BaseModel] = _File
    for part in loc[:-1]:
        info = model.model_fields.get(str(part))
        if info is None:
            return ""
        ann = info.annotation
        inner = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and
                      issubclass(a, BaseModel)), None)
        if inner is None:
            return ""
        model = inner
    return f" (expected one of: {', '.join(model.model_fields)})"
