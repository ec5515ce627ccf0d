"""Train the text side of end-of-turn detection (simulator/speech/turn_text.py).

    python -m tools.turn_taking.train_text [--folds 5]

Data: the rep and buyer lines of the analyser corpus (tests/data/corpus/*.psv) and the buyer matcher's
training questions (tools/buyer_matcher_data/train-*.jsonl), never the turn-taking sets.
Each line whole is complete (1); cut after a word that ends no sentence it is unfinished (0); whole
and followed by a filler or connective it is unfinished (0).  Full-batch Adam on the
logistic loss with an L2 penalty, from zeros, in a fixed order: the same corpus gives the same weights.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np

from simulator.speech import turn_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
USE_MATCHER = False
MATCHER = ROOT / "tools" / "buyer_matcher_data"
#: what people say when they are not done: a whole sentence followed by one of these is unfinished
FILLERS = ("um", "uh", "so", "and", "but", "like", "you know", "i mean", "and um", "so um", "or")
L2 = 1e-4
STEPS = 300
RATE = 0.05


def rep_lines() -> list[str]:
    """Complete turns: the corpus's rep lines and buyer lines, and the matcher's training questions."""
    lines = []
    for path in sorted(CORPUS.glob("*.psv")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.startswith("#") and raw.count("|") >= 2:
                _, buyer, rep = raw.split("|", 2)
                lines.append(rep.strip())
                if buyer.strip():
                    lines.append(buyer.strip())
    for path in sorted(MATCHER.glob("train-*.jsonl")) if USE_MATCHER else ():
        for raw in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(raw)
            if row.get("kind") == "question":
                lines.append(row["text"].strip())
    return sorted(set(lines))


def examples(lines: list[str], seed: int = 0) -> list[tuple[list[str], int]]:
    rng = random.Random(seed)
    out: list[tuple[list[str], int]] = []
    for line in lines:
        words = turn_text.words_of(line)
        if not words:
            continue
        out.append((words, 1))
        # where sentences end in the written line: a cut there is not "unfinished"
        ends, count = set(), 0
        for token in re.findall(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[.?!]", line):
            if token in ".?!":
                ends.add(count)
            else:
                count += 1
        cuts = [k for k in range(1, len(words)) if k not in ends]
        for k in rng.sample(cuts, min(2, len(cuts))):
            out.append((words[:k], 0))
        if rng.random() < 0.3:
            out.append((words + rng.choice(FILLERS).split(), 0))
    return out


def fit(data: list[tuple[list[str], int]]) -> tuple[dict[str, float], float]:
    from scipy import sparse

    names = sorted({f for words, _ in data for f in turn_text.features(words)})
    index = {n: i for i, n in enumerate(names)}
    rows, cols = [], []
    for r, (words, _) in enumerate(data):
        for f in turn_text.features(words):
            rows.append(r)
            cols.append(index[f])
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(data), len(names)))
    y = np.array([label for _, label in data], dtype=np.float64)
    w, b = np.zeros(len(names)), 0.0
    m, v, mb, vb = np.zeros_like(w), np.zeros_like(w), 0.0, 0.0  # Adam, from zeros, full batch
    for step in range(1, STEPS + 1):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = p - y
        gw = x.T @ g / len(y) + L2 * w
        gb = g.mean()
        m, v = 0.9 * m + 0.1 * gw, 0.999 * v + 0.001 * gw**2
        mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb**2
        w -= RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        b -= RATE * (mb / (1 - 0.9**step)) / (np.sqrt(vb / (1 - 0.999**step)) + 1e-8)
    return {n: round(float(w[i]), 4) for n, i in index.items() if abs(w[i]) >= 1e-4}, round(float(b), 4)


def accuracy(weights: dict[str, float], bias: float, data) -> float:
    hits = 0
    for words, label in data:
        z = bias + sum(weights.get(f, 0.0) for f in turn_text.features(words))
        hits += (z >= 0) == bool(label)
    return hits / len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds to report (0: none)")
    args = parser.parse_args(argv)
    lines = rep_lines()
    if args.folds:
        scores = []
        for k in range(args.folds):
            train = [line for i, line in enumerate(lines) if i % args.folds != k]
            test = [line for i, line in enumerate(lines) if i % args.folds == k]
            weights, bias = fit(examples(train))
            scores.append(accuracy(weights, bias, examples(test, seed=1)))
        print(f"{args.folds}-fold accuracy on corpus cuts: {np.mean(scores):.3f}")
    weights, bias = fit(examples(lines))
    turn_text.MODEL_FILE.write_text(json.dumps({"about": "simulator/speech/turn_text.py", "lines": len(lines),
                                                "bias": bias, "weights": weights}, sort_keys=True) + "\n")
    print(f"{len(weights)} weights from {len(lines)} lines -> {turn_text.MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
