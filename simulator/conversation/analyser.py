"""The rep-move analyser: labels each rep utterance with the moves of ``shared/spec/moves.md`` and says why.

How it works, in three steps (details in ``docs/analyser.md``):

1. ``text.normalise`` turns the utterance into lower-case words without fillers, split into clauses
   (at punctuation, and where a new question plainly starts in unpunctuated speech).
2. ``features.extract`` fires phrase rules (``rules.py``), clause-structure features (is this clause a
   question? does it talk about "you" or "we"?), features read against the buyer's previous line
   (reusing their words, countering their concern) and word n-grams. Each rule carries a cue.
3. A one-vs-rest logistic regression (``model.py``, weights in ``analyser_model.json``, trained by
   ``python -m simulator.conversation.train``) decides the labels; the analyser then shows the cues
   of the rules that speak for the labels it chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from simulator.conversation.features import extract
from simulator.conversation.model import Model
from simulator.conversation.moves import LABELS, Analysis

#: Recorded with every analysed turn; bump when the rules, features or weights change.
ANALYSER_VERSION = "rules+lr-1.3"

WEIGHTS = Path(__file__).with_name("analyser_model.json")

#: A cue for a chosen label when none of the rules that speak for it fired.
FALLBACK_CUES: dict[str, str] = {
    "question": "asks about the buyer's situation",
    "listening": "shows the buyer they were heard",
    "pitch": "talks about the seller's product or company",
    "benefit": "claims an outcome for the buyer before they asked for it",
    "leading_question": "asks a question with the answer built in",
    "objection_handling": "argues with the buyer's concern instead of exploring it",
    "close": "pushes for commitment",
    "rapport": "builds rapport (greeting, thanks, small talk or agenda)",
    "other": "logistics or filler, no selling move",
}


@lru_cache(maxsize=1)
def model() -> Model:
    """The committed weights (shipped inside the package, so the wheel needs no tests/ folder)."""
    try:
        return Model.load(WEIGHTS)
    except (OSError, ValueError, KeyError) as exc:
        from simulator.errors import RapportError

        raise RapportError(f"analyser weights unreadable ({WEIGHTS.name}): {exc}; "
                           "rebuild them with: python -m simulator.conversation.train") from None


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
        labels = (weights or model()).predict(feats.names)
    assert all(label in LABELS for label in labels)
    return Analysis(text=text, labels=labels, cues=choose_cues(labels, feats.readable(labels)))


def analyse_many(items: Iterable[tuple[str, str | None]], weights: Model | None = None) -> list[Analysis]:
    """Label many ``(text, buyer_said)`` pairs."""
    weights = weights or model()
    return [analyse(text, buyer_said, weights) for text, buyer_said in items]
