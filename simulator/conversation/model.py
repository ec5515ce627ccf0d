"""The learned part of the analyser: one-vs-rest logistic regression over named features, in numpy.

Inputs are the binary features of ``features.extract`` (rule firings, clause structure, overlap
with the buyer's words, word unigrams and bigrams). Training is full-batch Adam on the
cross-entropy of each label with an L2 penalty; it starts from zeros and visits the data in a
fixed order, so the same corpus always gives the same weights. Weights are saved as JSON keyed
by feature name, so the file is readable ("w:sign" -> its weight for each label).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.conversation.moves import LABELS

BIAS = "__bias__"


@dataclass(frozen=True)
class TrainConfig:
    """Training settings (documented defaults; the committed weights use these)."""

    #: Adam steps over the whole batch (250 from zeros: stopping early is part of the regularisation)
    steps: int = 250
    #: Adam learning rate
    learning_rate: float = 0.05
    #: L2 penalty per word unigram, clause-initial and clause-final weight (relative to the mean loss)
    l2: float = 3e-5
    #: L2 penalty per word bigram weight (bigrams are sparser and overfit more, so twice ``l2``)
    l2_bigrams: float = 6e-5
    #: L2 penalty per rule or structure weight
    l2_rules: float = 1e-4
    #: (analyser 1.7: all chosen by leave-one-batch-out and 5-fold cross-validation on the nine-batch corpus;
    #: the 1.3 values, 20 times stronger on n-grams, were best for the one-author corpus of the time)
    #: n-gram features seen fewer times than this are dropped (rule features are always kept)
    min_count: int = 2
    #: weights are rounded to this many decimals when saved
    decimals: int = 5


@dataclass
class Model:
    """Weights per feature name and label; ``scores`` gives one probability per label."""

    labels: tuple[str, ...]
    features: list[str]
    weights: np.ndarray
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {name: i for i, name in enumerate(self.features)}

    def probabilities(self, names: Iterable[str]) -> np.ndarray:
        rows = [i for i in map(self.index.get, set(names)) if i is not None]
        rows.append(self.index[BIAS])
        z = self.weights[rows].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, names: Iterable[str], threshold: float = 0.5) -> tuple[str, ...]:
        """Every label above ``threshold``; the most likely one when none is."""
        return self.labels_for(self.probabilities(names), threshold)

    def labels_for(self, p: np.ndarray, threshold: float = 0.5) -> tuple[str, ...]:
        """The labels that ``probabilities`` ``p`` give: every one above ``threshold``, else the likeliest."""
        chosen = {self.labels[i] for i in np.flatnonzero(p >= threshold)}
        if not chosen:
            chosen = {self.labels[int(np.argmax(p))]}
        return tuple(label for label in LABELS if label in chosen)

    # --- persistence -------------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "format": "rapport-analyser-lr/1",
            "labels": list(self.labels),
            "meta": self.meta,
            "weights": {name: [float(x) for x in self.weights[i]] for i, name in enumerate(self.features)},
        }

    def save(self, path: str | Path) -> None:
        """Write the weights as JSON, one feature per line (small diffs when the corpus grows)."""
        data = self.to_json()
        head = {k: v for k, v in data.items() if k != "weights"}
        lines = [json.dumps(head)[:-1] + ', "weights": {']
        items = [f"{json.dumps(name)}: {json.dumps(row)}" for name, row in data["weights"].items()]
        lines.append(",\n".join(items))
        lines.append("}}")
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict) -> Model:
        if data.get("format") != "rapport-analyser-lr/1":
            raise ValueError("not a Rapport analyser weights file")
        names = list(data["weights"])
        weights = np.array([data["weights"][n] for n in names], dtype=np.float64)
        return cls(tuple(data["labels"]), names, weights, data.get("meta", {}))

    @classmethod
    def load(cls, path: str | Path) -> Model:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _is_ngram(name: str) -> bool:
    return name.startswith(("w:", "b:", "^", "$"))


def _penalty(name: str, config: TrainConfig) -> float:
    """The L2 penalty of one feature: bigrams most, other n-grams less, rules and structure least."""
    if name.startswith("b:"):
        return config.l2_bigrams
    return config.l2 if _is_ngram(name) else config.l2_rules


def train(samples: Sequence[list[str]], targets: Sequence[Sequence[str]], config: TrainConfig = TrainConfig(),
          labels: tuple[str, ...] = LABELS) -> Model:
    """Fit one logistic regression per label on feature-name lists ``samples`` with label sets ``targets``."""
    counts: Counter[str] = Counter()
    for names in samples:
        counts.update(set(names))
    vocab = sorted(n for n, c in counts.items() if c >= config.min_count or not _is_ngram(n))
    vocab.insert(0, BIAS)
    index = {n: i for i, n in enumerate(vocab)}
    rows, cols = [], []
    for r, names in enumerate(samples):
        ids = sorted({index[n] for n in names if n in index} | {0})
        rows.extend([r] * len(ids))
        cols.extend(ids)
    rows_a = np.asarray(rows, dtype=np.int64)
    cols_a = np.asarray(cols, dtype=np.int64)
    n, d, k = len(samples), len(vocab), len(labels)
    y = np.zeros((n, k))
    for r, t in enumerate(targets):
        for label in t:
            y[r, labels.index(label)] = 1.0
    row_ptr = np.flatnonzero(np.r_[True, rows_a[1:] != rows_a[:-1]])
    order = np.argsort(cols_a, kind="stable")
    cols_sorted = cols_a[order]
    col_ptr = np.flatnonzero(np.r_[True, cols_sorted[1:] != cols_sorted[:-1]])
    rows_by_col = rows_a[order]
    w = np.zeros((d, k))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    b1, b2, eps = 0.9, 0.999, 1e-8
    reg = np.array([[_penalty(name, config)] for name in vocab])
    reg[0] = 0.0
    for step in range(1, config.steps + 1):
        z = np.add.reduceat(w[cols_a], row_ptr, axis=0)
        g_rows = (1.0 / (1.0 + np.exp(-z)) - y) / n
        grad = np.add.reduceat(g_rows[rows_by_col], col_ptr, axis=0) + reg * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= config.learning_rate * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + eps)
    w = np.round(w, config.decimals)
    meta = {"examples": n, "features": d, **{k_: getattr(config, k_) for k_ in ("steps", "learning_rate", "l2",
                                                                              "l2_bigrams", "l2_rules",
                                                                              "min_count")}}
    return Model(tuple(labels), vocab, w, meta)
