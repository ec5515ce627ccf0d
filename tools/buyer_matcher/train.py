"""Train the question-to-fact matcher on ``tools/buyer_matcher_data/*.jsonl`` and save its weights.

``python -m tools.buyer_matcher.train [--cv-only]``

The data: fictional buyers from 72 lines of business with their facts, and rep questions aimed at a
fact, or ``broad`` / ``profile`` / ``offtopic`` / ``uncovered``.  6-fold cross-validation over buyers (a
fold never sees the buyers it is scored on) chooses the broad threshold and reports its figures; the fact,
none and content thresholds are chosen on the development sets ``dev-*.tsv`` (questions about the shipped
personas by other authors; see ``DEV_OFFTOPIC_FLOOR``).  The held-out sets in ``tests/data/buyer_eval`` are
never read here.  Deterministic: full-batch gradient descent from zeros in a fixed order.  With a tuned sentence
model (``tune_encoder.py``), each training buyer is embedded by an adapter tuned without it (``ENCODER_FOLDS``).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.persona import embedding
from simulator.persona.understanding import (
    CLASSES,
    NONE_CLASSES,
    FactText,
    FactVectors,
    MatcherModel,
    decide,
    is_opener,
    pair_features,
    softmax,
    tokens,
)  # fmt: skip
from tools.buyer_eval import Item, items

DATA = Path(__file__).resolve().parents[1] / "buyer_matcher_data"
FOLDS = 6
#: softmax / logistic settings (L2 relative to the mean loss)
KIND_L2, KIND_STEPS, PAIR_L2, PAIR_STEPS, LR = 1e-3, 500, 1e-4, 1500, 0.5
MIN_COUNT = 2
#: the thresholds tried; the pair maximising aimed accuracy while keeping off-topic and profile/uncovered (the issue
#: puts discipline first: a question about nothing must not pull a hidden fact)
#: questions fact-free at least at these rates is kept
FACT_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
NONE_THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
OFFTOPIC_FLOOR, NONE_FLOOR = 0.97, 0.92
#: the final fact, none and content thresholds are chosen on the development sets (questions about the shipped
#: personas by other authors, ``dev-*.tsv``): of the triples that keep off-topic questions fact-free this often and
#: come within one question of the best aimed rate, the one that answers the most profile questions without a
#: hidden fact (then the strictest none threshold).  Cross-validation over
#: the training buyers still chooses the broad threshold and reports its own figures: the training questions were
#: written to reach their facts obliquely, so on them any gate on closeness in meaning costs aimed questions that
#: real ones (the development sets) do not lose
CONTENT_THRESHOLDS = (0.0, 0.15, 0.2, 0.25, 0.3)
DEV_FACT_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
DEV_OFFTOPIC_FLOOR = 0.97
#: broad-opener thresholds tried; questions about no fact that are not openers must stay non-broad this often
BROAD_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
NOT_BROAD_FLOOR = 0.97


@dataclass
class Question:
    buyer: str
    target: str
    text: str


#: the files the shipped model is trained on: the 72 buyers of train-a to train-d with their authors' questions,
#: and more questions about the same buyers by three more authors who saw the facts without their kinds
#: (train-h to train-j, session 12).  train-e and train-f (two more authors, session 4) are kept but not used:
#: trained with them, cross-validation over 100 buyers gave aimed 0.743, and the issue's reproduced misread
#: "Can you give me an overview of the plant and the shifts?" came back (docs/buyer.md); train-g, train-m and
#: train-n neither (tools/buyer_matcher_data/README.md)
TRAIN_GLOB = "train-[a-dh-j].jsonl"
#: the sentence model's adapter tuned without each third of the training buyers (``python -m
#: tools.buyer_matcher.tune_encoder --fold K --folds 3 --out .../foldK.npz``): the trainer embeds each buyer with
#: the one that never saw it.  The shipped adapter saw them all, so its cosines of the training questions with
#: their facts are closer than any real question's; weights learned on those trust the cosines too much
ENCODER_FOLDS = DATA / "encoder_folds"

#: the kinds later authors were briefed with, as the persona schema's seven (train-e and train-f)
KIND_ALIASES = {"impact": "cost", "budget": "cost", "decision": "people", "process": "situation",
                "timeline": "situation", "goal": "success", "history": "tried"}


def load(also: tuple[str, ...] = ()) -> tuple[dict[str, list[FactText]], list[Question]]:
    """The training buyers and questions of ``TRAIN_GLOB``, and of the files named in ``also`` (after them)."""
    buyers: dict[str, list[FactText]] = {}
    questions: list[Question] = []
    for path in sorted(DATA.glob(TRAIN_GLOB)) + [DATA / name for name in also]:
        for line in path.read_text(encoding="utf-8").splitlines():
            o = json.loads(line)
            if o["kind"] == "buyer":
                buyers[o["id"]] = [_fact_text(f) for f in o["facts"]]
            elif o["kind"] == "fact_add":  # one more fact for a buyer of an earlier file (train-m: personal costs)
                buyers[o["buyer"]].append(_fact_text(o["fact"]))
            else:
                questions.append(Question(o["buyer"], o["target"], o["text"]))
    return buyers, questions


def _fact_text(f: dict) -> FactText:
    """A training buyer's fact; a fact added later without a kind is a cost (train-m: personal costs)."""
    kind = f.get("kind", "cost")
    return FactText(f["id"], KIND_ALIASES.get(kind, kind), f["topic"], tuple(f["keywords"]), (f["says"],))


def target_class(q: Question, buyers: dict[str, list[FactText]]) -> int:
    if q.target in NONE_CLASSES:
        return CLASSES.index(q.target)
    kind = next(f.kind for f in buyers[q.buyer] if f.id == q.target)
    return CLASSES.index(kind)


def fit_softmax(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Weights (dim, k) for inputs whose last column is the bias (not penalised)."""
    n, dim = x.shape
    w = np.zeros((dim, k))
    onehot = np.eye(k)[y]
    mask = np.ones((dim, 1))
    mask[-1] = 0
    for _ in range(KIND_STEPS):
        p = softmax(x @ w)
        w -= LR * (x.T @ (p - onehot) / n + KIND_L2 * w * mask)
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(PAIR_STEPS):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) / len(y)
        grad[:-1] += PAIR_L2 * w[:-1]
        w -= LR * grad
    return w


def encoder_fold(buyers: list[str], folds: int) -> dict[str, int]:
    """Which of ``folds`` folds each training buyer is in (``tune_encoder --fold K --folds N`` leaves K out)."""
    names = sorted(buyers)
    np.random.RandomState(0).shuffle(names)
    return {b: k % folds for k, b in enumerate(names)}


class Trainer:
    def __init__(self) -> None:
        self.buyers, self.questions = load()
        self.q_vectors = np.zeros((len(self.questions), embedding.DIM), dtype=np.float32)
        self.vectors: dict[str, FactVectors] = {}
        # each buyer embedded by an encoder whose adapter was tuned without it (ENCODER_FOLDS), so the weights
        # learn how close a question comes to its fact in meaning as it does for buyers nobody tuned on
        shipped = embedding.adapter_path()
        adapters = sorted(ENCODER_FOLDS.glob("fold*.npz")) if shipped is not None else []
        fold = encoder_fold(list(self.buyers), len(adapters) or 1)
        for k, adapter in enumerate(adapters or [shipped]):
            def encode(texts, adapter=adapter):
                return embedding.encode(texts, adapter=adapter)

            mine = [i for i, q in enumerate(self.questions) if fold[q.buyer] == k]
            self.q_vectors[mine] = encode([self.questions[i].text for i in mine])
            self.vectors |= {b: FactVectors.build(f, encode) for b, f in self.buyers.items() if fold[b] == k}
        self.y = np.array([target_class(q, self.buyers) for q in self.questions])

    def kind_model(self, idx: list[int]) -> tuple[dict[str, int], np.ndarray]:
        counts = Counter(t for i in idx for t in tokens(self.questions[i].text))
        vocab = {t: n for n, t in enumerate(sorted(t for t, c in counts.items() if c >= MIN_COUNT))}
        stub = MatcherModel(vocab, np.zeros(0), np.zeros(0), 0, 0, {})
        x = np.vstack([stub.kind_inputs(self.questions[i].text, self.q_vectors[i]) for i in idx])
        return vocab, fit_softmax(x, self.y[idx], len(CLASSES))

    def fit(self, idx: list[int]) -> MatcherModel:
        """Kind model on ``idx``; the pair model on kind probabilities predicted out of fold (inner 3 folds)."""
        vocab, kind_w = self.kind_model(idx)
        probs: dict[int, np.ndarray] = {}
        buyers = sorted({self.questions[i].buyer for i in idx})
        for inner in range(3):
            fit_idx = [i for i in idx if buyers.index(self.questions[i].buyer) % 3 != inner]
            v, w = self.kind_model(fit_idx)
            m = MatcherModel(v, w, np.zeros(0), 0, 0, {})
            for i in idx:
                if buyers.index(self.questions[i].buyer) % 3 == inner:
                    probs[i] = m.kind_probs(self.questions[i].text, self.q_vectors[i])
        rows, labels = [], []
        for i in idx:
            q = self.questions[i]
            vec = self.vectors[q.buyer]
            rows.append(pair_features(q.text, self.q_vectors[i], vec, probs[i]))
            labels += [float(f.id == q.target) for f in vec.facts]
        pair_w = fit_logistic(np.vstack(rows), np.array(labels))
        return MatcherModel(vocab, kind_w, pair_w, 0.5, 0.5, {})

    def folds(self) -> list[tuple[list[int], list[int]]]:
        buyers = sorted(self.buyers)
        np.random.RandomState(0).shuffle(buyers)
        fold = {b: k % FOLDS for k, b in enumerate(buyers)}
        return [([i for i, q in enumerate(self.questions) if fold[q.buyer] != k],
                 [i for i, q in enumerate(self.questions) if fold[q.buyer] == k]) for k in range(FOLDS)]  # fmt: skip

    def cross_validate(self) -> dict:
        """Out-of-fold decisions for every threshold pair, and the pair chosen."""
        outcomes = []  # (question index, best fact id, best score, none prob, broad prob, likeliest kind)
        for train_idx, test_idx in self.folds():
            m = self.fit(train_idx)
            for i in test_idx:
                q = self.questions[i]
                m.fact_threshold, m.none_threshold = 0.0, 2.0
                u = decide(m, q.text, self.q_vectors[i], self.vectors[q.buyer])
                outcomes.append((i, u.fact_id, u.score, u.none_prob, u.broad_prob, u.kind))
        table = {}
        for ft in FACT_THRESHOLDS:
            for nt in NONE_THRESHOLDS:
                table[(ft, nt)] = self.rates(outcomes, ft, nt)
        ok = [k for k, r in table.items() if r["offtopic"] >= OFFTOPIC_FLOOR and r["none"] >= NONE_FLOOR]
        chosen = max(ok or table, key=lambda k: (table[k]["aimed"], table[k]["none"]))
        broad = {bt: self.broad_rates(outcomes, *chosen, bt) for bt in BROAD_THRESHOLDS}
        fine = [bt for bt, r in broad.items() if r["not_broad"] >= NOT_BROAD_FLOOR]
        bt = max(fine or broad, key=lambda b: (broad[b]["broad"], -b))
        return {"chosen": (*chosen, bt), "rates": {**table[chosen], **broad[bt]}, "table": table}

    def broad_rates(self, outcomes, ft: float, nt: float, bt: float) -> dict[str, float]:
        """Of the questions about no fact: broad openers taken as broad, the others not taken as broad."""
        hit, miss = [], []
        for i, fact_id, score, none_prob, broad_prob, kind in outcomes:
            target = self.questions[i].target
            if target not in NONE_CLASSES or opens_fact(fact_id, score, none_prob, ft, nt):
                continue
            (hit if target == "broad" else miss).append(is_opener(broad_prob, kind, bt))
        return {"broad": float(np.mean(hit)), "not_broad": 1.0 - float(np.mean(miss))}

    def rates(self, outcomes, ft: float, nt: float) -> dict[str, float]:
        aimed, none, off = [], [], []
        for i, fact_id, score, none_prob, *_ in outcomes:
            q = self.questions[i]
            is_fact = opens_fact(fact_id, score, none_prob, ft, nt)
            if q.target not in NONE_CLASSES:
                aimed.append(is_fact and fact_id == q.target)
            elif q.target != "broad":
                none.append(not is_fact)
                if q.target == "offtopic":
                    off.append(not is_fact)
        return {"aimed": float(np.mean(aimed)), "none": float(np.mean(none)), "offtopic": float(np.mean(off))}


def opens_fact(fact_id: str | None, score: float, none_prob: float, ft: float, nt: float) -> bool:
    """Whether an out-of-fold decision (``decide`` with no thresholds) opens its fact at thresholds ``ft`` / ``nt``.
    ``decide`` returns no fact at all where its own rules hold a fact back whatever the thresholds (a question whose
    likeliest kind is ``broad``), so those stay closed here too."""
    return fact_id is not None and score >= ft and none_prob < nt


def dev_rates(m: MatcherModel, dev: list[Item], q_vectors: np.ndarray) -> dict[str, float]:
    """On the development sets: aimed fact found; off-topic and profile questions opening no hidden fact."""
    from simulator.persona.loader import get
    from simulator.persona.understanding import vectors_for

    personas = {name: get(name) for name in {d.persona for d in dev}}
    vectors = {name: vectors_for(p) for name, p in personas.items()}
    aimed, off, profile = [], [], []
    for d, q in zip(dev, q_vectors, strict=True):
        persona = personas[d.persona]
        u = decide(m, d.question, q, vectors[d.persona])
        if d.target == "offtopic":
            off.append(u.fact_id is None)
        elif d.target == "profile":
            profile.append(u.fact_id is None or persona.fact(u.fact_id).trust_needed == 0)
        elif d.target != "broad":
            aimed.append(u.fact_id == d.target)
    return {"aimed": float(np.mean(aimed)), "offtopic": float(np.mean(off)), "profile": float(np.mean(profile))}


def choose_on_dev(m: MatcherModel) -> dict[str, float]:
    """The fact, none and content thresholds, chosen on the development sets (see ``DEV_OFFTOPIC_FLOOR``)."""
    dev = items(dev=True)  # the same reader as ``python -m tools.buyer_eval --dev``
    q_vectors = embedding.encode([d.question for d in dev])
    table = {}
    for ft, nt, c in itertools.product(DEV_FACT_THRESHOLDS, NONE_THRESHOLDS, CONTENT_THRESHOLDS):
        m.fact_threshold, m.none_threshold, m.content_threshold = ft, nt, c
        table[(ft, nt, c)] = dev_rates(m, dev, q_vectors)
    ok = [k for k, r in table.items() if r["offtopic"] >= DEV_OFFTOPIC_FLOOR] or list(table)
    # aimed rates within one development question of the best are a tie (noise): of those, the most everyday
    # questions answered without a hidden fact, then the strictest "no fact" threshold
    best = max(table[k]["aimed"] for k in ok)
    one = 1.0 / sum(1 for d in dev if d.target not in ("offtopic", "profile", "broad"))
    near = [k for k in ok if table[k]["aimed"] >= best - one - 1e-9]
    chosen = max(near, key=lambda k: (table[k]["profile"], -k[1], k[0]))
    m.fact_threshold, m.none_threshold, m.content_threshold = chosen
    without = max((k for k in table if k[2] == 0.0), key=lambda k: (table[k]["offtopic"] >= DEV_OFFTOPIC_FLOOR,
                                                                    table[k]["aimed"], table[k]["profile"]))
    for name, k in (("chosen", chosen), ("best without the content gate", without)):
        r = table[k]
        print(f"  development sets ({len(dev)} questions), {name}: thresholds {k}: aimed {r['aimed']:.3f}, off-topic "
              f"fact-free {r['offtopic']:.3f}, profile without a hidden fact {r['profile']:.3f}")
    return table[chosen]


def adapter_stamp() -> dict[str, str] | None:
    """The sentence model's adapter these weights were trained with (its file name and SHA-256), or None."""
    import hashlib

    path = embedding.adapter_path()
    if path is None:
        return None
    return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the buyer's question-to-fact matcher.")
    parser.add_argument("--cv-only", action="store_true", help="report cross-validation, do not save")
    args = parser.parse_args()
    t = Trainer()
    cv = t.cross_validate()
    ft, nt, bt = cv["chosen"]
    r = cv["rates"]
    print(f"cross-validation over {len(t.buyers)} buyers ({len(t.questions)} questions), thresholds {ft} / {nt} / "
          f"{bt}: aimed {r['aimed']:.3f}, off-topic fact-free {r['offtopic']:.3f}, profile+uncovered+off-topic "
          f"fact-free {r['none']:.3f}, broad openers taken as broad {r['broad']:.3f}, other no-fact questions "
          f"not taken as broad {r['not_broad']:.3f}")
    if args.cv_only:
        return
    m = t.fit(list(range(len(t.questions))))
    m.fact_threshold, m.none_threshold, m.broad_threshold = ft, nt, bt
    dev = choose_on_dev(m)
    m.meta = {"version": "understanding-3", "embedding": embedding.MODEL_NAME, "adapter": adapter_stamp(),
              "buyers": len(t.buyers), "questions": len(t.questions), "cv": {k: round(v, 4) for k, v in r.items()},
              "dev": {k: round(v, 4) for k, v in dev.items()}}  # fmt: skip
    m.save()
    print("saved simulator/persona/understanding_model.json")


if __name__ == "__main__":
    main()
