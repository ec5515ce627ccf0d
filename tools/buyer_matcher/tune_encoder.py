"""Tune the sentence model for rep questions -> buyer facts: a low-rank adapter (LoRA) on all-MiniLM-L6-v2.

``python -m tools.buyer_matcher.tune_encoder [--fold K] [--out FILE]``

A development tool: it needs PyTorch (``pip install torch --index-url https://download.pytorch.org/whl/cpu``),
which the app does not.  It trains rank-8 updates of the six dense layers of each of the model's six layers on
the matcher's training buyers (``TRAIN_GLOB`` in ``train.py``): for each aimed question, a softmax over its buyer's
facts, a fact scoring the soft maximum of the question's cosine with its topic, its topic and keywords and its
``says`` lines, as the matcher reads them.  Only the adapter learns; the model's own weights stay as shipped.  The
result is ``simulator/persona/sentence_adapter.npz`` (about 1.3 MB), which ``embedding.py`` adds to the weights
when it loads them, in numpy.  The tool checks that numpy, so merged, gives the vectors PyTorch gives.

``--fold K`` holds out the trainer's buyer fold K and reports the raw-cosine ranking (the right fact first, before
any other feature) on those buyers, and on the development sets before and after.  The held-out evaluation sets
(``tests/data/buyer_eval``) are never read.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import time
from pathlib import Path

import numpy as np

from simulator.persona import embedding
from simulator.persona.understanding import FactVectors
from tools.buyer_matcher.train import FOLDS, NONE_CLASSES, Question, encoder_fold, load

RANK, ALPHA, EPOCHS, LR, TAU = 8, 16.0, 3, 5e-4, 0.05
#: the cosine at which "no fact" starts, before training (it is learned; only the adapter is kept)
NONE_LEVEL = 0.35
#: the questions trained on: aimed at a fact, or about none of the buyer's facts (broad openers are neither)
TRAINED = ("offtopic", "profile", "uncovered")
BUYERS_PER_STEP, QUESTIONS_PER_BUYER, WARMUP_STEPS, SEED = 6, 8, 20, 0
LAYERS, HEADS, HEAD_DIM, DIM = 6, 12, 32, 384
OUT = Path(embedding.__file__).with_name(embedding.ADAPTER_FILE)


def _torch():
    try:
        import torch
    except ImportError:
        raise SystemExit("tune_encoder needs PyTorch: pip install torch --index-url "
                         "https://download.pytorch.org/whl/cpu") from None
    return torch


class Encoder:
    """all-MiniLM-L6-v2 in PyTorch (the forward pass of ``embedding._Model``) with a LoRA update per dense layer."""

    def __init__(self, folder: Path) -> None:
        torch = self.torch = _torch()
        from tokenizers import Tokenizer

        raw = embedding._read_safetensors(folder / "model.safetensors")
        self.w = {k: torch.from_numpy(np.array(v)) for k, v in raw.items()}
        self.scale = ALPHA / RANK
        gen = torch.Generator().manual_seed(SEED)
        self.lora: dict[str, object] = {}
        for i in range(LAYERS):
            for name in embedding._DENSE:
                out, inp = self.w[f"encoder.layer.{i}.{name}.weight"].shape
                a = torch.randn(RANK, inp, generator=gen) / math.sqrt(inp)
                self.lora[f"{i}.{name}.A"] = a.requires_grad_()
                self.lora[f"{i}.{name}.B"] = torch.zeros(out, RANK, requires_grad=True)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(embedding.MAX_TOKENS)

    def parameters(self) -> list:
        return list(self.lora.values())

    def _dense(self, x, i: int, name: str):
        key = f"encoder.layer.{i}.{name}"
        a, b = self.lora[f"{i}.{name}.A"], self.lora[f"{i}.{name}.B"]
        return x @ self.w[f"{key}.weight"].T + self.w[f"{key}.bias"] + (x @ a.T) @ b.T * self.scale

    def forward(self, texts: list[str]):
        torch, w = self.torch, self.w
        import torch.nn.functional as F

        ids = [self.tokenizer.encode(t).ids for t in texts]
        batch, length = len(ids), max(len(r) for r in ids)
        tokens = torch.zeros(batch, length, dtype=torch.long)
        mask = torch.zeros(batch, length)
        for j, row in enumerate(ids):
            tokens[j, : len(row)] = torch.tensor(row)
            mask[j, : len(row)] = 1.0

        def norm(x, key):
            return F.layer_norm(x, (DIM,), w[f"{key}.weight"], w[f"{key}.bias"], 1e-12)

        x = w["embeddings.word_embeddings.weight"][tokens] + w["embeddings.position_embeddings.weight"][:length]
        x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        padding = ((mask - 1.0) * 1e9)[:, None, None, :]
        for i in range(LAYERS):
            q, k, v = (self._dense(x, i, n).view(batch, length, HEADS, HEAD_DIM).transpose(1, 2)
                       for n in embedding._DENSE[:3])  # fmt: skip
            scores = q @ k.transpose(2, 3) / math.sqrt(HEAD_DIM) + padding
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, DIM)
            x = norm(self._dense(context, i, embedding._DENSE[3]) + x, f"encoder.layer.{i}.attention.output.LayerNorm")
            hidden = F.gelu(self._dense(x, i, embedding._DENSE[4]))
            x = norm(self._dense(hidden, i, embedding._DENSE[5]) + x, f"encoder.layer.{i}.output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=-1)

    def encode(self, texts: list[str]) -> np.ndarray:
        with self.torch.no_grad():
            order = sorted(range(len(texts)), key=lambda j: len(texts[j]))
            out = np.zeros((len(texts), DIM), dtype=np.float32)
            for start in range(0, len(order), 64):
                chunk = order[start : start + 64]
                out[chunk] = self.forward([texts[j] for j in chunk]).numpy()
            return out

    def save(self, path: Path) -> None:
        arrays = {k: v.detach().numpy().astype(np.float32) for k, v in self.lora.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:  # np.savez adds ".npz" to a name without it; a file object keeps the name
            np.savez(f, scale=np.float32(self.scale), **arrays)


def train(enc: Encoder, buyers: dict, questions: list[Question]) -> None:
    """Softmax over each question's buyer's facts and "no fact"; a fact scores the log-sum-exp of its texts'
    cosines / TAU."""
    torch = enc.torch
    import torch.nn.functional as F

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    by_buyer: dict[str, list[Question]] = {}
    for q in questions:
        by_buyer.setdefault(q.buyer, []).append(q)
    names = sorted(by_buyer)
    per_epoch = max(1, len(questions) // (BUYERS_PER_STEP * QUESTIONS_PER_BUYER))
    total = per_epoch * EPOCHS
    # "no fact": one more option beside the buyer's facts, at a learned level; the questions about none of them
    # (small talk, everyday and uncovered questions) are trained to keep every fact below it
    none_level = torch.tensor(NONE_LEVEL / TAU, requires_grad=True)
    opt = torch.optim.AdamW([*enc.parameters(), none_level], lr=LR, weight_decay=0.0)
    for step in range(total):
        if step % per_epoch == 0:
            started, losses = time.time(), []
        for group in opt.param_groups:  # linear warm-up, then linear decay to zero
            group["lr"] = LR * min(1.0, (step + 1) / WARMUP_STEPS) * (1.0 - step / total)
        texts, owners, asked = [], [], []
        for b in rng.sample(names, min(BUYERS_PER_STEP, len(names))):
            first = len(texts)
            facts = buyers[b]
            for fi, fact in enumerate(facts):
                for text in fact.texts():
                    texts.append(text)
                    owners.append(fi)
            ids = [f.id for f in facts]
            for q in rng.sample(by_buyer[b], min(QUESTIONS_PER_BUYER, len(by_buyer[b]))):
                asked.append((first, len(texts), ids.index(q.target) if q.target in ids else len(ids), q.text))
        vectors = enc.forward(texts + [text for *_, text in asked])
        owner = torch.tensor(owners)
        loss = 0.0
        for n, (first, last, target, _) in enumerate(asked):
            sims = vectors[first:last] @ vectors[len(texts) + n] / TAU
            mine = owner[first:last]
            scores = torch.stack([*(torch.logsumexp(sims[mine == fi], 0) for fi in range(int(mine.max()) + 1)),
                                  none_level])
            loss = loss + F.cross_entropy(scores[None], torch.tensor([target]))
        loss = loss / len(asked)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if (step + 1) % per_epoch == 0:
            print(f"  epoch {(step + 1) // per_epoch}: loss {np.mean(losses):.3f} ({time.time() - started:.0f} s)",
                  flush=True)


def raw_top1(encode, buyers: dict, questions: list[Question]) -> float:
    """How often a question's best cosine with one of its buyer's fact texts belongs to the fact it is aimed at."""
    hits = []
    for b in sorted({q.buyer for q in questions}):
        vectors = FactVectors.build(buyers[b], encode)
        mine = [q for q in questions if q.buyer == b]
        for q, v in zip(mine, encode([q.text for q in mine]), strict=True):
            best = np.maximum.reduce(vectors.cosines(v))  # topic, topic and keywords, best says line
            hits.append(vectors.facts[int(best.argmax())].id == q.target)
    return float(np.mean(hits))


def _development() -> tuple[dict, list[Question]]:
    from simulator.persona.loader import get
    from simulator.persona.understanding import persona_facts
    from tools.buyer_eval import items

    dev = [d for d in items(dev=True) if d.target not in ("offtopic", "profile", "broad")]
    buyers = {name: persona_facts(get(name)) for name in {d.persona for d in dev}}
    return buyers, [Question(d.persona, d.target, d.question) for d in dev]


def main() -> None:
    parser = argparse.ArgumentParser(description="Tune the sentence model's adapter for questions -> facts.")
    parser.add_argument("--fold", type=int, help="hold out this buyer fold (0 to --folds - 1) and score it")
    parser.add_argument("--folds", type=int, default=FOLDS, help=f"buyer folds (default {FOLDS}, the trainer's)")
    parser.add_argument("--out", type=Path, help=f"where to write the adapter (default: {OUT}, unless --fold)")
    parser.add_argument("--also", action="append", default=[], metavar="FILE",
                        help="more questions about the same buyers (a file in tools/buyer_matcher_data, e.g. "
                             "train-g.jsonl: small talk that borrows the buyer's setting)")
    args = parser.parse_args()
    _torch().set_num_threads(max(1, len(os.sched_getaffinity(0))))
    buyers, questions = load(tuple(args.also))
    aimed = [q for q in questions if q.target not in NONE_CLASSES]
    fold = encoder_fold(list(buyers), args.folds)
    held = [q for q in aimed if args.fold is not None and fold[q.buyer] == args.fold]
    enc = Encoder(embedding.model_dir())
    dev_buyers, dev = _development()

    def report(model: str) -> None:
        print(f"{model}: development sets raw top-1 {raw_top1(enc.encode, dev_buyers, dev):.3f}"
              + (f", held-out fold {raw_top1(enc.encode, buyers, held):.3f}" if held else ""), flush=True)

    report("plain model")
    train(enc, buyers, [q for q in questions if (q.target not in NONE_CLASSES or q.target in TRAINED)
                        and (args.fold is None or fold[q.buyer] != args.fold)])
    report("tuned")
    out = args.out or (None if args.fold is not None else OUT)
    if out is None:
        return
    enc.save(out)
    check = ["How do you work out who's on shift each day?", "the cost of remade cakes", "ok"]
    gap = float(np.abs(embedding.encode(check, adapter=out) - enc.encode(check)).max())
    print(f"saved {out}; numpy with the adapter merged differs from PyTorch by at most {gap:.1e}")
    if gap > 1e-4:
        raise SystemExit("numpy and PyTorch disagree: the adapter format or the merge is wrong")


if __name__ == "__main__":
    main()
