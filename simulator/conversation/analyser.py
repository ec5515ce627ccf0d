"""The rep-move analyser: labels each rep utterance with the moves of ``docs/spec/moves.md`` and says why.

How it works, in three steps (details in ``docs/analyser.md``):

1. ``text.normalise`` turns the utterance into lower-case words without fillers, split into clauses
   (at punctuation, and where a new question plainly starts in unpunctuated speech).
2. ``features.extract`` fires phrase rules (``rules.py``), clause-structure features (is this clause a
   question? does it talk about "you" or "we"?), features read against the buyer's previous line
   (reusing their words, countering their concern) and word n-grams. Each rule carries a cue.
3. A one-vs-rest logistic regression (``model.py``, weights in ``analyser_model.json``, trained by
   ``python -m tools.analyser.train``) decides the labels; the analyser then shows the cues
   of the rules that speak for the labels it chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.conversation.catalogue import CATALOGUE
from simulator.conversation.features import extract
from simulator.conversation.model import Model
from simulator.conversation.moves import CONSULTATIVE, LABELS, TRANSACTIONAL, Analysis

if TYPE_CHECKING:
    import numpy as np

#: Recorded with every analysed turn; bump when the rules, features or weights change.
ANALYSER_VERSION = "rules+lr-2.10"

WEIGHTS = Path(__file__).with_name("analyser_model.json")

#: Clause-level labelling of multi-clause turns: a transactional label is added when the model gives it at least
#: ``CLAUSE_THRESHOLD`` on one clause read alone and at least ``CLAUSE_GATE`` on the whole turn (chosen by 5-fold
#: cross-validation on the corpus; see docs/analyser.md).
CLAUSE_THRESHOLD = 0.5
CLAUSE_GATE = 0.1
#: The same for a consultative label in a turn whose labels are all neutral (analyser 1.9).
CONSULTATIVE_GATE = 0.1

#: A cue for a chosen label when none of the rules that speak for it fired.
FALLBACK_CUES: dict[str, str] = {m.name: m.cue for m in CATALOGUE}


@lru_cache(maxsize=1)
def model() -> Model:
    """The committed weights (shipped inside the package, so the wheel needs no tests/ folder)."""
    try:
        return Model.load(WEIGHTS)
    except (OSError, ValueError, KeyError) as exc:
        from simulator.errors import RapportError

        raise RapportError(f"analyser weights unreadable ({WEIGHTS.name}): {exc}; "
                           "rebuild them from a source checkout with: python -m tools.analyser.train") from None


def choose_cues(labels: tuple[str, ...], fired: list[tuple[str, str]]) -> tuple[str, ...]:
    """The cues of the rules that agree with ``labels``, in label order, one fallback per silent label."""
    cues: list[str] = []
    for label in labels:
        own = [cue for rule_label, cue in fired if rule_label == label]
        for cue in own or [FALLBACK_CUES[label]]:
            if cue not in cues:
                cues.append(cue)
    return tuple(cues)


def analyse(text: str, buyer_said: str | None = None, weights: Model | None = None) -> Analysis:
    """Label one rep utterance, read against the buyer's previous line when there is one."""
    feats = extract(text, buyer_said)
    if feats.norm.empty:
        labels: tuple[str, ...] = ("other",)
    else:
        weights = weights or model()
        whole = weights.probabilities(feats.names)
        labels = weights.labels_for(whole)
        if len(feats.norm.clauses) > 1 and CLAUSE_THRESHOLD < 1.0:
            labels = _add_clause_labels(labels, whole, feats, buyer_said, weights)
    assert all(label in LABELS for label in labels)
    return Analysis(text=text, labels=labels, cues=choose_cues(labels, feats.readable(labels)))


def _add_clause_labels(labels: tuple[str, ...], whole: np.ndarray, feats, buyer_said: str | None,
                       weights: Model) -> tuple[str, ...]:
    """``labels`` plus the transactional labels that one clause, read on its own, clearly carries.

    A turn like "our platform fixes that, it's the best on the market, can we sign this week?" mixes a
    pitch, a benefit and a close; on the whole turn the strongest move can mask the others.
    """
    chosen = set(labels)
    # the strongest move decides the stance: a transactional clause counts in any turn, a consultative one in a
    # turn read as small talk only ("thanks for the time | could you tell me how your operation runs")
    stronger = TRANSACTIONAL | (CONSULTATIVE if not chosen & (TRANSACTIONAL | CONSULTATIVE) else frozenset())
    open_labels = [i for i, label in enumerate(weights.labels)
                   if label in stronger and label not in chosen
                   and whole[i] >= (CLAUSE_GATE if label in TRANSACTIONAL else CONSULTATIVE_GATE)]
    if not open_labels:  # nothing a clause could add: skip the per-clause pass (same result, faster)
        return labels
    for clause, marked in zip(feats.norm.clauses, feats.norm.marked_questions, strict=True):
        text = " ".join(clause) + ("?" if marked else "")
        p = weights.probabilities(extract(text, buyer_said).names)
        chosen.update(weights.labels[i] for i in open_labels if p[i] >= CLAUSE_THRESHOLD)
    return tuple(label for label in LABELS if label in chosen)


def analyse_many(items: Iterable[tuple[str, str | None]], weights: Model | None = None) -> list[Analysis]:
    """Label many ``(text, buyer_said)`` pairs."""
    weights = weights or model()
    return [analyse(text, buyer_said, weights) for text, buyer_said in items]
