"""Does the buyer answer the question the rep asked?  Measured end to end (the real analyser, the real offline
buyer) on held-out question sets that no choice was made on (tests/data/buyer_eval, three independent authors,
two of the personas written for evaluation only).  Targets from the issue "a buyer who listens": the aimed fact
comes out for at least 90% of aimed questions, and off-topic questions reveal no hidden fact at least 95% of the
time.  ``python -m tools.buyer_eval --by-persona`` prints the same figures per set and persona.
"""

from __future__ import annotations

import pytest

from tools.buyer_eval import GOALS, items, personas, run, tally

#: Figures known to miss their target, with the measured value (docs/buyer.md). Strict: a figure that starts
#: meeting its target fails until its mark is removed.
KNOWN_GAPS: dict[str, str] = {
    "aimed": "known gap (matcher understanding-3 on the tuned sentence model, with questions to the buyer as a "
             "person): aimed 0.80 (336 of 418, analyser 2.10) on the held-out sets (0.78 without that rule, 0.74 "
             "with understanding-2; target 0.90)",
}


@pytest.fixture(scope="module")
def groups():
    return tally(run(), personas())


def test_the_sets_are_whole():
    """646 questions over 10 personas: a set that lost lines would quietly change every figure."""
    rows = items()
    assert len(rows) == 646
    assert {r.set_name for r in rows} == {"set-a", "set-b", "set-c"}
    known = personas()
    assert all(r.persona in known for r in rows)
    assert all(known[r.persona].fact(r.target) or r.target in ("broad", "profile", "offtopic") for r in rows)


def test_the_development_sets_are_apart_and_well_formed():
    """The matcher's thresholds are chosen on these (tools/buyer_matcher_data/dev-*.tsv): questions about the shipped
    personas only, every target a fact of its persona or a no-fact class.  Independent authors wrote 14 of the same
    short everyday lines as the held-out sets ("How was your weekend?"; docs/buyer.md), never an aimed question."""
    dev = items(dev=True)
    assert len(dev) >= 400 and {r.set_name for r in dev} >= {"dev-profile", "dev-k", "dev-l"}
    known = personas()
    assert all(known[r.persona].fact(r.target) or r.target in ("broad", "profile", "offtopic") for r in dev)
    held_out = {r.question.lower() for r in items()}
    shared = [r for r in dev if r.question.lower() in held_out]
    assert len(shared) <= 14 and all(r.target in ("broad", "profile", "offtopic") for r in shared)
    assert all(len(r.question.split()) <= 10 for r in shared)


@pytest.mark.parametrize("figure", sorted(GOALS))
def test_held_out_figure_meets_its_target(groups, figure, request):
    if figure in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[figure]))
    rate = groups["all"].rate(figure)
    assert rate is not None and rate >= GOALS[figure], f"{figure}: {rate:.3f} < {GOALS[figure]}"


def test_small_talk_and_everyday_questions_rarely_pull_a_fact_and_openers_open_the_situation(groups):
    """Floors a little under today's figures (docs/buyer.md), so the buyer cannot slide back towards 'any question
    yields a fact' (the word matcher: aimed 0.46, off-topic 0.62, broad 0.55, guarded 0.40) while targets are missed."""
    t = groups["all"]
    assert t.rate("profile") >= 0.75 and t.rate("broad") >= 0.85 and t.rate("offtopic") >= 0.85
    assert t.rate("aimed") >= 0.70 and t.rate("guarded") >= 0.60
