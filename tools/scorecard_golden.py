"""Record what the scorecard gives for a fixed, varied set of conversations (``tests/data/scorecard_golden.json``).

The file pins the scores of scorer 1.1: scorer 1.0's, taken *before* the scorecard was parameterised by rubrics
(issue 15), with the one case 1.1 changed re-scored (see below):
``tests/conversation/test_rubric_golden.py`` checks that the default rubric still gives exactly these
numbers, and ``tests/session/test_rubric_store.py`` that sessions stored with them rescore identically.
When the scoring is meant to change, bump ``SCORER_VERSION`` and score the same conversations again (the
changed cases are printed; read them)::

    .venv/bin/python -m tools.scorecard_golden --rescore tests/data/scorecard_golden.json

Without ``--rescore`` the conversations are generated afresh from today's corpus, which has grown since the
file was made: every case would change.  Scorer 1.1 re-scored the file once: a buyer's "Can we meet again on
Friday at two?" is now a next step (one case).

Conversations: 140 generated from the corpus's whole calls and buyer lines with a fixed seed (every
label, multi-label turns, rep and buyer stretches, monologues over 45 s and 2 min, timed and untimed,
talking over the buyer, trust recorded or not, revealed facts with and without the persona's total,
buyer next steps and brush-offs), plus the whole calls of ``tests/data/corpus/09-whole-calls.psv`` as
labelled there.  Rep turns carry their labels, so the file does not depend on the analyser.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from simulator.conversation.scorecard import score
from simulator.conversation.turns import Turn

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"
LABELS = ("question", "listening", "pitch", "benefit", "leading_question", "objection_handling", "close",
          "rapport", "other")
TRANSACTIONAL = {"pitch", "benefit", "leading_question", "objection_handling", "close"}
NEXT_STEPS = ("Why don't you send me a proposal for the Leeds site?", "Let's set up a time next week with my CFO.",
              "No. Send me something and I'll look.", "Just email me some info.",
              "I'm not ready for next steps yet.", "Could you come back on Thursday and show the team?")


def corpus_lines() -> list[tuple[str, str, str]]:
    lines = []
    for path in sorted(CORPUS.glob("*.psv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                labels, buyer, text = line.split("|", 2)
                lines.append((labels, buyer, text))
    return lines


def whole_calls() -> list[list[Turn]]:
    calls: list[list[Turn]] = []
    for line in (CORPUS / "09-whole-calls.psv").read_text(encoding="utf-8").splitlines():
        if line.startswith("# Call"):
            calls.append([])
        elif line.strip() and not line.startswith("#") and calls:
            labels, buyer, text = line.split("|", 2)
            if buyer:
                calls[-1].append(Turn("buyer", buyer))
            calls[-1].append(Turn("rep", text, labels=tuple(labels.split(","))))
    return [c for c in calls if c]


def generated(rng: random.Random, lines: list[tuple[str, str, str]]) -> tuple[list[Turn], dict]:
    n = rng.randint(1, 24)
    timed = rng.random() < 0.4
    with_trust = rng.random() < 0.55
    facts = [f"f{i}" for i in range(rng.randint(3, 7))]
    turns: list[Turn] = []
    trust = rng.uniform(10, 60)
    rep_first = rng.random() < 0.3
    pushy = rng.choice((0.0, 0.1, 0.25, 0.5))  # the share of transactional lines this rep says
    kind = {True: [x for x in lines if set(x[0].split(",")) & TRANSACTIONAL],
            False: [x for x in lines if not set(x[0].split(",")) & TRANSACTIONAL]}
    for k in range(n):
        labels, buyer_said, text = rng.choice(kind[rng.random() < pushy])
        if k or not rep_first:
            said = buyer_said or rng.choice(lines)[1] or "Go on."
            if rng.random() < 0.12:
                said = rng.choice(NEXT_STEPS)
            extra = {"next_step": True} if rng.random() < 0.05 else {}
            trust = max(0.0, min(100.0, trust + rng.uniform(-15, 15)))
            revealed = tuple(rng.sample(facts, rng.randint(1, 2))) if rng.random() < 0.25 else ()
            turns.append(Turn("buyer", said, trust=round(trust, 1) if with_trust else None, revealed=revealed,
                              extra=extra))
            if rng.random() < 0.1:  # the buyer goes on (a buyer stretch)
                turns.append(Turn("buyer", rng.choice(lines)[1] or "And another thing.", trust=None))
        if rng.random() < 0.06:
            labels = ",".join(rng.sample(LABELS, rng.randint(1, 3)))
        if rng.random() < 0.08:
            text = " ".join([text] * rng.choice((6, 12, 25)))  # a long turn
        turns.append(Turn("rep", text, labels=tuple(labels.split(","))))
        if rng.random() < 0.12:  # the rep goes on (a rep stretch)
            labels, _, text = rng.choice(lines)
            turns.append(Turn("rep", text, labels=tuple(labels.split(","))))
    if rng.random() < 0.5:
        turns.append(Turn("buyer", rng.choice(NEXT_STEPS), trust=round(trust, 1) if with_trust else None))
    if timed:
        t = 0.0
        for turn in turns:
            gap = rng.choice((rng.uniform(-0.8, 0.0), rng.uniform(0.0, 0.6), rng.uniform(0.5, 3.0)))
            start = max(0.0, t + gap)
            turn.start_s = round(start, 2)
            turn.end_s = round(start + len(turn.text.split()) / rng.uniform(1.8, 3.2), 2)
            t = turn.end_s
    args: dict = {}
    if rng.random() < 0.6:
        args["facts_total"] = len(facts)
        args["fact_titles"] = {f: f"topic {f}" for f in facts}
    if with_trust and rng.random() < 0.7:
        args["trust_start"] = round(rng.uniform(10, 60), 1)
    return turns, args


def cases(count: int = 140, seed: int = 15) -> list[tuple[list[Turn], dict]]:
    rng = random.Random(seed)
    lines = corpus_lines()
    out = [generated(rng, lines) for _ in range(count)]
    out += [(call, {}) for call in whole_calls()]
    return out


def generate(path: str) -> None:
    """Generate the conversations afresh (from today's corpus) and score them."""
    doc = [{"args": args, "turns": [t.to_dict() for t in turns], "card": score(turns, **args).to_dict()}
           for turns, args in cases()]
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=None) + "\n", encoding="utf-8")
    print(f"wrote {len(doc)} scorecards to {path}")


def rescore(path: str) -> None:
    """Keep the file's conversations and score them again with today's scorer, printing what changed.

    Each stored card keeps its shape (the keys it had); keys the scorecard has gained since are not added."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    for n, case in enumerate(doc):
        card = score([Turn.from_dict(t) for t in case["turns"]], **case["args"]).to_dict()
        changes: list[str] = []
        case["card"] = _same_shape(case["card"], card, "", changes)
        for change in changes:
            print(f"case {n}: {change}")
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=None) + "\n", encoding="utf-8")
    print(f"re-scored {len(doc)} conversations in {path}")


def _same_shape(old, new, where: str, changes: list[str]):
    """``new`` cut to the keys of ``old`` (recursively); every value that differs is noted in ``changes``."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: _same_shape(v, new.get(k), f"{where}.{k}".lstrip("."), changes) for k, v in old.items()}
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [_same_shape(a, b, f"{where}[{i}]", changes) for i, (a, b) in enumerate(zip(old, new, strict=True))]
    if old != new and not where.endswith(("scorer_version", ".why", ".alternative")):
        changes.append(f"{where}: {old!r} -> {new!r}")
    return new


def main(argv: list[str]) -> None:
    rescoring = "--rescore" in argv
    paths = [a for a in argv if a != "--rescore"]
    path = paths[0] if paths else str(ROOT / "tests" / "data" / "scorecard_golden.json")
    (rescore if rescoring else generate)(path)


if __name__ == "__main__":
    main(sys.argv[1:])
