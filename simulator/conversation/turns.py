"""A conversation as the scorecard, the store and the screens see it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Speaker = Literal["rep", "buyer"]


@dataclass
class Turn:
    """One turn of a conversation.

    Rep turns carry ``labels`` and ``cues`` from the analyser; buyer turns carry ``trust``
    (0-100, after the turn) and ``revealed`` (ids of hidden facts shared in this turn).
    Times are seconds from the start of the session (audio sessions only).
    """

    speaker: Speaker
    text: str
    labels: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    trust: float | None = None
    revealed: tuple[str, ...] = ()
    start_s: float | None = None
    end_s: float | None = None
    rep_name: str | None = None
    latency_ms: dict[str, float] | None = None
    audio: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        if self.start_s is None or self.end_s is None:
            return None
        return max(0.0, self.end_s - self.start_s)

    def to_dict(self) -> dict:
        """The JSON shape of a turn (the ``simulate`` contract): empty optional fields are left out."""
        d: dict = {"speaker": self.speaker, "text": self.text}
        if self.speaker == "rep":
            d["labels"] = list(self.labels)
            d["cues"] = list(self.cues)
        else:
            d["trust"] = self.trust
            d["revealed"] = list(self.revealed)
        for key in ("start_s", "end_s", "rep_name", "latency_ms", "audio"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.extra:
            d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Turn:
        known = {k for k in asdict(cls("rep", ""))}
        kwargs = {k: v for k, v in d.items() if k in known and k != "extra"}
        for key in ("labels", "cues", "revealed"):
            if key in kwargs and kwargs[key] is not None:
                kwargs[key] = tuple(kwargs[key])
        extra = {k: v for k, v in d.items() if k not in known and k != "stance"}
        return cls(**kwargs, extra=extra)
