"""Does the buyer answer the question the rep asked?  Measured end to end on held-out question sets.

``python -m tools.buyer_eval [--by-persona] [--misses N] [--dev]``

Each line of ``tests/data/buyer_eval/set-*.tsv`` is one rep question aimed at a fact of a persona (or
``broad``, ``profile``, ``offtopic``).  The question goes through the real analyser and the real offline
engine, as its first turn after the opening, with trust set high (100) so gating by trust plays no part:

- aimed fact: the fact the question is aimed at is among the facts the reply reveals
  (``aimed``) and it is the only one (``only``);
- off-topic discipline: an ``offtopic`` question reveals no hidden fact;
- profile answers: a ``profile`` question is answered with public information: a line of the
  persona's public profile, or a fact that needs no trust (the buyer's overview), and nothing else
  (a persona without a profile deflects: then revealing nothing is right);
- broad openers: reveal nothing, or only a situation fact;
- guarded: with trust at the persona's start, an aimed question whose fact needs more trust gets that
  fact's own guarded line (when the fact has one).

The sets are never used to choose anything; see ``tests/data/buyer_eval/README.md``.  ``--dev`` measures the
same on the development sets instead (``tools/buyer_matcher_data/dev-*.tsv``: questions about the shipped personas
by other authors, the place for choices that training cross-validation cannot make).
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from simulator.conversation.analyser import analyse
from simulator.persona.loader import load_all
from simulator.persona.offline import OfflineEngine
from simulator.persona.schema import Persona, load_persona
from simulator.persona.state import BuyerState

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "buyer_eval"
DEV = ROOT / "tools" / "buyer_matcher_data"
TARGETS = ("aimed", "offtopic")
#: targets from the issue: aimed fact >= 0.90, off-topic >= 0.95
GOALS = {"aimed": 0.90, "offtopic": 0.95}


@dataclass(frozen=True)
class Item:
    set_name: str
    persona: str
    target: str
    question: str


def personas() -> dict[str, Persona]:
    """The shipped personas and the evaluation-only ones."""
    found, _ = load_all()
    for path in sorted((EVAL / "personas").glob("*.toml")):
        p = load_persona(path)
        found[p.id] = p
    return found


def items(names: tuple[str, ...] = (), dev: bool = False) -> list[Item]:
    out = []
    for path in sorted(DEV.glob("dev-*.tsv") if dev else EVAL.glob("set-*.tsv")):
        name = path.stem
        if names and name not in names:
            continue
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                out.append(Item(name, row["persona"], row["target"], row["question"]))
    return out


@dataclass
class Outcome:
    item: Item
    revealed: tuple[str, ...]
    reply: str
    labels: tuple[str, ...]
    guarded_ok: bool | None = None


@dataclass
class Tally:
    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, key: str, ok: bool) -> None:
        c = self.counts[key]
        c[0] += int(ok)
        c[1] += 1

    def rate(self, key: str) -> float | None:
        ok, n = self.counts.get(key, (0, 0))
        return ok / n if n else None


def ask(engine: OfflineEngine, persona: Persona, question: str, trust: float) -> tuple[tuple[str, ...], str, tuple]:
    rep = analyse(question, persona.opening_line)
    state = replace(BuyerState.start(persona), trust=trust)
    reply = engine.reply(persona, state, rep, [])
    return reply.revealed, reply.text, rep.labels


def run(selected: tuple[str, ...] = (), dev: bool = False) -> list[Outcome]:
    ps = personas()
    engine = OfflineEngine(seed=0)
    outcomes = []
    for item in items(selected, dev):
        persona = ps[item.persona]
        revealed, text, labels = ask(engine, persona, item.question, 100.0)
        outcome = Outcome(item, revealed, text, labels)
        fact = persona.fact(item.target)
        if fact is not None and fact.guarded and fact.trust_needed > persona.starting_trust:
            _, low_text, _ = ask(engine, persona, item.question, float(persona.starting_trust))
            outcome.guarded_ok = any(line in low_text for line in fact.guarded)
        outcomes.append(outcome)
    return outcomes


def tally(outcomes: list[Outcome], ps: dict[str, Persona]) -> dict[str, Tally]:
    """Rates per group: 'all', each set, each persona."""
    groups: dict[str, Tally] = defaultdict(Tally)
    for o in outcomes:
        persona = ps[o.item.persona]
        keys = ("all", o.item.set_name, o.item.persona)
        situation = {f.id for f in persona.facts if f.kind == "situation"}
        for key in keys:
            t = groups[key]
            if persona.fact(o.item.target) is not None:
                t.add("aimed", o.item.target in o.revealed)
                t.add("only", o.revealed == (o.item.target,))
                if o.guarded_ok is not None:
                    t.add("guarded", o.guarded_ok)
            elif o.item.target == "offtopic":
                t.add("offtopic", not o.revealed)
            elif o.item.target == "profile":
                profile = persona.profile
                said = any(line in o.reply for e in profile for line in e.says)
                public = {f.id for f in persona.facts if f.trust_needed == 0}
                # a persona without a profile answers with a deflection: then no fact revealed is right
                t.add("profile", (not o.revealed and (said or not profile))
                      or (bool(o.revealed) and set(o.revealed) <= public))
            elif o.item.target == "broad":
                t.add("broad", set(o.revealed) <= situation)
    return groups


def fmt(rate: float | None, tally_: Tally, key: str) -> str:
    if rate is None:
        return "-"
    ok, n = tally_.counts[key]
    return f"{rate:.2f} ({ok}/{n})"


def report(outcomes: list[Outcome], by_persona: bool = False, misses: int = 0) -> str:
    ps = personas()
    groups = tally(outcomes, ps)
    keys = ("aimed", "only", "offtopic", "profile", "broad", "guarded")
    lines = ["| group | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    names = ["all", *sorted({o.item.set_name for o in outcomes})]
    if by_persona:
        names += sorted({o.item.persona for o in outcomes})
    for name in names:
        t = groups[name]
        lines.append(f"| {name} | " + " | ".join(fmt(t.rate(k), t, k) for k in keys) + " |")
    if misses:
        lines.append("")
        shown = 0
        for o in outcomes:
            aimed = ps[o.item.persona].fact(o.item.target) is not None
            bad = (aimed and o.item.target not in o.revealed) or (not aimed and o.item.target != "broad" and o.revealed)
            if bad and shown < misses:
                shown += 1
                lines.append(f"- {o.item.persona} [{o.item.target}] {o.item.question!r} -> {list(o.revealed)} "
                             f"{list(o.labels)}: {o.reply[:90]!r}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], help="only this set (e.g. set-a); repeatable")
    parser.add_argument("--by-persona", action="store_true")
    parser.add_argument("--misses", type=int, default=0, help="list up to N misses")
    parser.add_argument("--dev", action="store_true", help="the development sets (tools/buyer_matcher_data/dev-*.tsv)")
    args = parser.parse_args()
    print(report(run(tuple(args.set), args.dev), args.by_persona, args.misses))


if __name__ == "__main__":
    main()
