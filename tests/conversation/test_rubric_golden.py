"""The default rubric reproduces the scorecard of before rubrics exactly.

``tests/data/scorecard_golden.json`` was recorded with scorer 1.0 *before* the scorecard was parameterised
(``tools/scorecard_golden.py``): 140 generated conversations and the corpus's whole calls, scored.  Scorer 1.1
re-scored the same conversations (``--rescore``): one case changed, a buyer's "Can we meet again on Friday at
two?" now counting as their next step.  Every
value the old scorecard had must come out the same: overall, every figure (value, unit, verdict, detail,
reference), the moments (turn, labels, cost), discovery, trust, moves and the formula with this session's
arithmetic.  The moments' "why" and "alternative" are coaching text, owned by ``coaching``/``rephrase``, and
are compared only for being there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.conversation.rubric import DEFAULT
from simulator.conversation.scorecard import Scorecard, score
from simulator.conversation.turns import Turn

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "scorecard_golden.json"
CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))
COACHING_TEXT = {"why", "alternative"}


def same_as_before(old: dict, new: dict) -> list[str]:
    """Every key of the old scorecard has the same value in the new one (keys the new one adds are fine)."""
    problems = []
    for key, value in old.items():
        if key == "figures":
            for a, b in zip(value, new["figures"], strict=True):
                problems += [f"{a['name']}.{k}: {v!r} != {b.get(k)!r}" for k, v in a.items() if b.get(k) != v]
        elif key == "moments":
            if len(value) != len(new["moments"]):
                problems.append(f"moments: {len(value)} != {len(new['moments'])}")
                continue
            for a, b in zip(value, new["moments"], strict=True):
                problems += [f"moment {a['turn_index']}.{k}: {v!r} != {b.get(k)!r}" for k, v in a.items()
                             if k not in COACHING_TEXT and b.get(k) != v]
                problems += [f"moment {a['turn_index']}: no {k}" for k in COACHING_TEXT if not b.get(k)]
        elif new.get(key) != value:
            problems.append(f"{key}: {value!r} != {new.get(key)!r}")
    return problems


def test_the_golden_file_covers_what_the_rubric_changes():
    figures = [f for case in CASES for f in case["card"]["figures"]]
    verdicts = {(f["name"], f["verdict"]) for f in figures}
    for name in ("rep talk share", "longest rep monologue", "questions", "follow-up questions", "listening",
                 "patience", "transactional moves", "discovery", "buyer trust", "buyer's next step"):
        assert {v for n, v in verdicts if n == name} >= {"good", "ok", "poor"}, name
    formulas = "\n".join(case["card"]["formula"] for case in CASES)
    assert "monologue 10" in formulas and "monologue 3" in formulas and "close 14" in formulas
    assert len({case["card"]["overall"] for case in CASES}) > 50


@pytest.mark.parametrize("n", range(len(CASES)))
def test_default_rubric_scores_exactly_as_before(n):
    case = CASES[n]
    turns = [Turn.from_dict(t) for t in case["turns"]]
    new = score(turns, **case["args"]).to_dict()
    assert same_as_before(case["card"], new) == []
    assert new["rubric"] == DEFAULT.stamp() and new["passed"] is None
    explicit = score(turns, **case["args"], rubric=DEFAULT).to_dict()
    assert explicit == new
    assert Scorecard.from_dict(new).to_dict() == new
