"""The label catalogue is the one place a label's properties live, and everything reads it."""

from __future__ import annotations

import ast
from pathlib import Path

from simulator.conversation import analyser, catalogue, coaching, scorecard
from simulator.conversation.catalogue import CATALOGUE, COST_ORDER, move
from simulator.conversation.moves import CONSULTATIVE, LABELS, NEUTRAL, TRANSACTIONAL, stance_of
from simulator.persona import llm_prompt, state
from tools.analyser.corpus import CODES

ROOT = Path(__file__).resolve().parents[2]


def test_every_label_is_described_once_and_completely():
    assert LABELS == ("question", "listening", "pitch", "benefit", "leading_question", "objection_handling", "close",
                      "rapport", "other")
    assert len({m.code for m in CATALOGUE}) == len(CATALOGUE)
    for m in CATALOGUE:
        assert m.stance in ("consultative", "transactional", "neutral")
        assert m.meaning and m.cue and m.buyer_meaning, m.name
        assert stance_of([m.name]) == m.stance
        costly = m.stance == "transactional"
        assert bool(m.cost) == costly, m.name
        if costly:  # every costly move can be coached
            assert m.why and m.also and m.hint and len(m.alternatives) == 3, m.name
            assert m.effect[0] < 0 and m.effect[1] < 0, m.name
        else:
            assert m.effect[0] >= 0, m.name
    assert {"question", "listening"} == CONSULTATIVE and {"rapport", "other"} == NEUTRAL
    assert {"pitch", "benefit", "leading_question", "objection_handling", "close"} == TRANSACTIONAL


def test_every_reader_takes_its_table_from_the_catalogue():
    assert COST_ORDER == ("close", "objection_handling", "leading_question", "benefit", "pitch")
    assert coaching.COST_ORDER == COST_ORDER
    assert {name: move(name).cost for name in COST_ORDER} == scorecard.MOVE_COST
    assert scorecard.EARLY_CLOSE_COST == catalogue.CLOSE_EARLY_COST
    assert "close 10 (14 before trust is earned), objection handling 9, leading question 7, benefit 6, pitch 5" \
        in scorecard.FORMULA
    assert {m.name: m.effect for m in CATALOGUE if m.name != "close"} == state.MOVE_EFFECTS
    assert state.CLOSE_EARLY == catalogue.CLOSE_EARLY_EFFECT and state.CLOSE_READY == catalogue.CLOSE_READY_EFFECT
    assert {"pitch", "benefit", "leading_question"} == state.PITCHES
    assert {m.name: m.buyer_meaning for m in CATALOGUE} == llm_prompt.LABEL_MEANINGS
    assert {m.name: m.cue for m in CATALOGUE} == analyser.FALLBACK_CUES
    assert {m.code: m.name for m in CATALOGUE} == CODES


def test_coaching_text_comes_from_the_catalogue():
    for name in COST_ORDER:
        entry = move(name)
        assert coaching.why([name]).startswith(entry.why)
        assert coaching.alternative([name]) in entry.alternatives
        assert coaching.hint_for([name]) == entry.hint
    assert coaching.hint_for(["pitch"], {"buyer_said": "We lost two drivers."}) == \
        move("pitch").hint_with_clause.format(clause="you lost two drivers")
    assert coaching.hint_for(["close"], {"trust": 20}) == catalogue.CLOSE_EARLY_HINT
    assert coaching.why(["close"], trust=20, trust_earned=False).startswith("Pushed for commitment before the buyer "
                                                                              "trusted you (trust 20/100)")


def _label_literals(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in LABELS}


def test_no_module_spells_out_a_table_or_set_of_labels_again():
    """A dict, set, tuple or list literal naming three or more labels outside the catalogue is a copy."""
    copies = []
    for path in sorted((ROOT / "simulator").rglob("*.py")):
        if path.name == "catalogue.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict | ast.Set | ast.Tuple | ast.List):
                keys = node.keys if isinstance(node, ast.Dict) else node.elts
                named = {k.value for k in keys if isinstance(k, ast.Constant) and k.value in LABELS}
                if len(named) >= 3:
                    copies.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not copies, copies
