"""Do the words so far make a finished turn?  A small logistic model over how the text ends.

People rarely stop on "the", "is", "about", "and um" or "what I'd like to know is": a turn whose
recognised words end like that is almost surely unfinished, whatever the pause.  The model reads
only the last words (lower-cased, punctuation dropped, because the recogniser adds full stops to
unfinished phrases too) and gives the probability that the words are a complete turn.

It is trained by ``python -m tools.turn_taking.train_text`` on the rep lines of the analyser's
corpus (tests/data/corpus): each line whole is a complete turn; the line cut after a word that
ends no sentence is an unfinished one, and so is a whole line followed by a filler ("um", "and",
"so").  The turn-taking sets the benchmark measures on were written by other authors and are
never used for training.  Weights: ``turn_text_model.json`` beside this file.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("turn_text_model.json")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def features(words: list[str]) -> list[str]:
    """Named binary features of how ``words`` end."""
    if not words:
        return ["empty"]
    last = words[-1]
    out = [f"w1={last}", f"n={min(len(words), 8)}"]
    if len(words) >= 2:
        out.append(f"w2={words[-2]}_{last}")
        out.append(f"p2={words[-2]}")
    if len(words) >= 3:
        out.append(f"w3={words[-3]}_{words[-2]}_{last}")
    out.append(f"first={words[0]}")
    return out


@functools.lru_cache(maxsize=1)
def _weights() -> tuple[dict[str, float], float]:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return dict(data["weights"]), float(data["bias"])


def probability(text: str) -> float:
    """The probability that ``text`` (what the recogniser heard so far) is a complete turn."""
    stripped = text.strip()
    if stripped.endswith(("...", "…", ",", "-", "—")):
        return 0.05  # the recogniser itself heard the voice trail off
    weights, bias = _weights()
    z = bias + sum(weights.get(name, 0.0) for name in features(words_of(stripped)))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
