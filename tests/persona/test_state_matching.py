"""Buyer state rules and question-to-fact matching."""

from __future__ import annotations

import pytest

from simulator.persona.loader import get
from simulator.persona.matching import kind_hint, match, stem
from simulator.persona.state import BuyerState, apply_move, ready_for_next_step, steer


@pytest.fixture
def rosa():
    return get("bakery-owner")


@pytest.fixture
def cfo():
    return get("enterprise-cfo")


def test_questions_and_listening_earn_trust_transactional_moves_spend_it(rosa):
    start = BuyerState.start(rosa)
    assert apply_move(start, ["question"], rosa).trust > start.trust
    assert apply_move(start, ["listening"], rosa).trust > apply_move(start, ["question"], rosa).trust
    for label in ("pitch", "benefit", "leading_question", "objection_handling", "close"):
        assert apply_move(start, [label], rosa).trust < start.trust, label


def test_early_close_costs_the_most(rosa):
    start = BuyerState.start(rosa)
    close = apply_move(start, ["close"], rosa).trust
    others = [apply_move(start, [label], rosa).trust for label in ("pitch", "benefit", "objection_handling")]
    assert close < min(others)


def test_transactional_label_cancels_consultative_gain(rosa):
    start = BuyerState.start(rosa)
    assert apply_move(start, ["question", "leading_question"], rosa).trust < start.trust


def test_apply_move_is_pure(rosa):
    start = BuyerState.start(rosa)
    apply_move(start, ["close"], rosa)
    assert start.trust == rosa.starting_trust and start.turns == 0


def test_repeated_early_closes_end_the_meeting(cfo, rosa):
    s = BuyerState.start(cfo)
    s = apply_move(s, ["close"], cfo)
    assert not s.ended
    s = apply_move(s, ["close"], cfo)  # hard persona tolerates one early close
    assert s.ended and s.end_reason == "pushed"
    s = BuyerState.start(rosa)
    for _ in range(rosa.close_tolerance):
        s = apply_move(s, ["close"], rosa)
    assert not s.ended
    assert apply_move(s, ["close"], rosa).ended


def test_difficulty_scales_gains(rosa, cfo):
    gain_easy = apply_move(BuyerState.start(rosa), ["question"], rosa).trust - rosa.starting_trust
    gain_hard = apply_move(BuyerState.start(cfo), ["question"], cfo).trust - cfo.starting_trust
    assert gain_easy > gain_hard > 0


def test_interrogation_halves_question_gains(rosa):
    s = BuyerState.start(rosa)
    gains = []
    for _ in range(6):
        before = s.trust
        s = apply_move(s, ["question"], rosa)
        gains.append(s.trust - before)
    assert gains[-1] < gains[0]


def test_steers(rosa):
    s = steer(BuyerState.start(rosa), "harder")
    assert apply_move(s, ["question"], rosa).trust < apply_move(BuyerState.start(rosa), ["question"], rosa).trust
    assert steer(BuyerState.start(rosa), "concern").concern_pending
    with pytest.raises(ValueError):
        steer(BuyerState.start(rosa), "louder")


def test_ready_for_next_step_needs_trust_and_discovery(rosa):
    s = BuyerState(trust=90)
    assert not ready_for_next_step(s, rosa)
    s = s.with_revealed(f.id for f in rosa.facts[:6])
    assert ready_for_next_step(s, rosa)
    assert not ready_for_next_step(BuyerState(trust=20).with_revealed(f.id for f in rosa.facts), rosa)


def test_stemmer_joins_word_forms():
    assert stem("invoicing") == stem("invoices") == stem("invoiced")
    assert stem("scheduling") == stem("schedules")


@pytest.mark.parametrize(
    "text, fact_id",
    [
        ("how do you take the custom orders", "paper-orders"),
        ("um so who makes the shift schedule for the staff", "staff-rota"),  # recogniser text, paraphrase
        ("what about the weddings this summer", "busy-season"),
        ("have you ever had to remake a cake", "refunds-cost"),
        ("does your husband have a say in what you spend", "budget-decision"),
    ],
)
def test_questions_find_facts_by_paraphrase(rosa, text, fact_id):
    m = match(text, rosa)
    assert m.fact is not None and m.fact.id == fact_id


def test_question_shapes_and_follow_ups():
    assert kind_hint("what have you tried so far") == "tried"
    assert kind_hint("who else is affected by this") == "people"
    assert kind_hint("if this was solved what would be different") == "success"
    assert kind_hint("why does that keep happening") == "cause"
    rosa = get("bakery-owner")
    assert match("tell me more about that", rosa).follow_up
    assert match("what would be a good next step", rosa).next_step
    assert match("hello there", rosa).fact is None


def test_gains_slow_down_once_the_buyer_is_ready_and_costs_do_not(rosa):
    below = BuyerState(trust=rosa.next_step_trust - 10)
    above = BuyerState(trust=rosa.next_step_trust)
    gain_below = apply_move(below, ["listening"], rosa).trust - below.trust
    gain_above = apply_move(above, ["listening"], rosa).trust - above.trust
    assert gain_above == pytest.approx(gain_below / 2)
    cost_above = apply_move(above, ["pitch"], rosa).trust - above.trust
    assert cost_above == apply_move(below, ["pitch"], rosa).trust - below.trust


def test_a_twelve_turn_consultative_meeting_does_not_pin_an_easy_buyer_at_full_trust(rosa):
    s = BuyerState.start(rosa)
    for labels in (["question"], ["listening"], ["question", "listening"]) * 4:
        s = apply_move(s, labels, rosa)
    assert rosa.next_step_trust < s.trust < 100
