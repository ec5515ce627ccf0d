"""The labels a rep's utterance can carry (``docs/spec/moves.md``; each described in ``catalogue.py``) and the
analysis result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.conversation.catalogue import CATALOGUE, labels_with

#: The labels in their canonical order (the catalogue's).
LABELS: tuple[str, ...] = tuple(move.name for move in CATALOGUE)
CONSULTATIVE: frozenset[str] = labels_with("consultative")
TRANSACTIONAL: frozenset[str] = labels_with("transactional")
NEUTRAL: frozenset[str] = labels_with("neutral")
#: The seven labels that say something about the rep's selling behaviour.
BEHAVIOURAL: tuple[str, ...] = tuple(label for label in LABELS if label not in NEUTRAL)

STANCES: tuple[str, ...] = ("consultative", "transactional", "neutral")


def stance_of(labels: Iterable[str]) -> str:
    """Transactional if any transactional label is present, else consultative if any
    consultative one is, else neutral."""
    labels = set(labels)
    if labels & TRANSACTIONAL:
        return "transactional"
    if labels & CONSULTATIVE:
        return "consultative"
    return "neutral"


@dataclass(frozen=True)
class Analysis:
    """What the analyser says about one rep utterance."""

    text: str
    labels: tuple[str, ...]
    cues: tuple[str, ...] = field(default=())

    @property
    def stance(self) -> str:
        return stance_of(self.labels)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "labels": list(self.labels),
            "stance": self.stance,
            "cues": list(self.cues),
        }
