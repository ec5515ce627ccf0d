"""The scorecard: figures against their references, the overall score and the costly moments.

Rep turns carry explicit labels here, so these tests do not depend on the analyser.
"""

import json
import subprocess
import sys

import pytest

from simulator.conversation import scorecard as sc
from simulator.conversation.scorecard import SCORER_VERSION, question_target, score
from simulator.conversation.turns import Turn


def rep(text, *labels, start=None, end=None):
    return Turn("rep", text, labels=tuple(labels), start_s=start, end_s=end)


def buyer(text, trust=None, revealed=(), start=None, end=None, **extra):
    return Turn("buyer", text, trust=trust, revealed=tuple(revealed), start_s=start, end_s=end, extra=extra)


BUYER_LINES = [
    "Sure, happy to chat. Things are hectic at the depot.",
    "Honestly we lost two drivers last month and the routes are a mess now.",
    "It is. The rest of the team is doing overtime and morale is low.",
    "People are tired and I'm worried we'll lose more drivers before summer.",
]

CONSULTATIVE = [
    rep("Thanks for making the time today.", "rapport"),
    rep("What's been making things hectic at the depot?", "question"),
    rep("Two drivers in a month, that's a lot to absorb.", "listening"),
    rep("How is the overtime affecting the team?", "question"),
]
TRANSACTIONAL = [
    rep("Our platform optimises every route automatically.", "pitch"),
    rep("You'll cut overtime in half within a month.", "benefit"),
    rep("I hear you, but we are cheaper than hiring anyone.", "objection_handling"),
    rep("Shall I send the agreement over today?", "close"),
]


def conversation(rep_turns, trusts=(None, None, None, None)):
    turns = []
    for r, b, t in zip(rep_turns, BUYER_LINES, trusts, strict=True):
        turns += [r, buyer(b, trust=t)]
    return turns


def test_consultative_call_scores_far_above_a_transactional_one_of_the_same_length():
    good = score(conversation(CONSULTATIVE))
    bad = score(conversation(TRANSACTIONAL))
    assert len(CONSULTATIVE) == len(TRANSACTIONAL)
    assert good.overall - bad.overall >= 30, (good.overall, bad.overall)
    assert good.overall >= 70
    assert good.moments == []
    assert [m.labels for m in bad.moments][0] == ["close"]


def test_adding_a_transactional_move_lowers_the_score():
    base = conversation(CONSULTATIVE)
    before = score(base).overall
    for extra in (rep("So, shall we get you signed up this week?", "close"),
                  rep("We also integrate with every telematics box.", "pitch")):
        after = score([*base, extra]).overall
        assert after < before, (extra.labels, before, after)


def test_replacing_a_question_with_a_pitch_lowers_the_score():
    base = conversation(CONSULTATIVE)
    worse = list(base)
    worse[6] = rep("Our app shows the team their overtime live.", "pitch")
    assert score(worse).overall < score(base).overall


def test_figures_cover_the_spec_and_carry_references_and_verdicts():
    card = score(conversation(CONSULTATIVE))
    names = [f.name for f in card.figures]
    assert names == ["rep talk share", "longest rep monologue", "longest buyer story", "questions",
                     "follow-up questions", "listening", "patience", "transactional moves", "discovery",
                     "buyer trust", "buyer's next step"]
    assert "Gong Labs, 25,537 calls" in card.figure("rep talk share").reference
    assert "Rackham & Carlisle 1978" in card.figure("listening").reference
    assert "~1.5 s vs ~0.3 s" in card.figure("patience").reference
    assert all(f.verdict in ("good", "ok", "poor", "n/a") for f in card.figures)


def test_word_based_talk_share_monologue_and_buyer_story():
    turns = [rep("one two three four", "question"), rep("five six", "other"), buyer("a b c d e f g h i j"),
             rep("seven eight", "question"), buyer("k l m n")]
    card = score(turns)
    assert card.figure("rep talk share").value == pytest.approx(100 * 8 / 22, abs=0.1)
    assert card.figure("rep talk share").unit == "%"
    monologue = card.figure("longest rep monologue")
    assert (monologue.value, monologue.unit, monologue.verdict) == (6, "words", "good")
    assert "turns 1–2" in monologue.detail
    assert card.figure("longest buyer story").value == 10


def test_timed_figures_use_seconds_and_patience():
    turns = [
        rep("What brought this up now?", "question", start=0.0, end=3.0),
        buyer("We lost two drivers last month and it hurts.", start=3.5, end=63.5),
        rep("Two drivers, what did that do to your routes?", "listening", "question", start=65.0, end=70.0),
        buyer("Chaos.", start=70.2, end=71.0),
        rep("Our routing engine handles this.", "pitch", start=71.1, end=200.0),
    ]
    card = score(turns)
    talk = card.figure("rep talk share")
    assert talk.value == pytest.approx(100 * (3 + 5 + 128.9) / (3 + 60 + 5 + 0.8 + 128.9), abs=0.1)
    monologue = card.figure("longest rep monologue")
    assert (monologue.unit, monologue.verdict) == ("s", "poor")
    assert monologue.value == pytest.approx(128.9, abs=0.01)
    story = card.figure("longest buyer story")
    assert (story.value, story.verdict) == (60.0, "good")
    patience = card.figure("patience")
    assert patience.value == pytest.approx(statistics_median([1.5, 0.1]))
    assert "per 10 minutes" in card.figure("questions").detail
    worst = card.moments[0]
    assert worst.turn_index == 4 and worst.cost == 15  # pitch 5 + monologue over 2 minutes 10
    assert "without letting the buyer in" in worst.why


def statistics_median(values):
    values = sorted(values)
    return (values[0] + values[1]) / 2 if len(values) == 2 else values[len(values) // 2]


def test_patience_is_not_applicable_without_audio():
    patience = score(conversation(CONSULTATIVE)).figure("patience")
    assert (patience.value, patience.verdict) == (None, "n/a")


def test_follow_ups_and_reflections_reuse_the_buyers_words():
    turns = [buyer("Our invoicing is a mess and customers complain."),
             rep("What happens with the invoices when customers complain?", "question"),
             buyer("They get wrong totals."),
             rep("How many people are on your team?", "question"),
             buyer("Twelve, and they're stretched."),
             rep("So twelve people, all stretched thin.", "listening"),
             rep("That sounds draining.", "listening")]
    card = score(turns)
    follow = card.figure("follow-up questions")
    assert follow.value == 1
    assert "invoices" in follow.detail
    listening = card.figure("listening")
    assert listening.value == 2
    assert "1 reflect the buyer's own words" in listening.detail


def test_question_targets_scale_with_the_length_of_the_call():
    assert question_target(3) == 2
    assert question_target(6) == 3
    assert question_target(28) == 11
    assert question_target(200) == 11
    short = [rep("What's going on?", "question"), buyer("Busy."), rep("What's making it busy?", "question"),
             buyer("Hiring."), rep("Say more?", "question"), buyer("We can't find drivers."),
             rep("Which roles are hardest?", "question"), buyer("Night shifts."),
             rep("That's tough.", "listening"), buyer("Yes."), rep("Thanks for sharing.", "rapport"),
             buyer("Sure.")]
    questions = score(short).figure("questions")
    assert questions.verdict == "good"
    assert "target 3–14" in questions.detail


def test_many_questions_show_diminishing_returns():
    turns = []
    for k in range(16):
        turns += [rep(f"What about part {k}?", "question"), buyer("Fine.")]
    questions = score(turns).figure("questions")
    assert (questions.value, questions.verdict) == (16, "ok")
    assert "diminish" in questions.detail


def test_transactional_moves_are_counted_per_label():
    card = score(conversation(TRANSACTIONAL))
    moves = card.figure("transactional moves")
    assert moves.value == 4 and moves.verdict == "poor"
    assert "close 1" in moves.detail and "pitch 1" in moves.detail
    assert card.moves == {"pitch": 1, "benefit": 1, "objection_handling": 1, "close": 1}


def test_discovery_with_and_without_the_persona_total():
    turns = [rep("What's hard?", "question"), buyer("Drivers.", revealed=["drivers"]),
             rep("And?", "question"), buyer("Budget is frozen.", revealed=["budget", "drivers"])]
    card = score(turns, facts_total=4, fact_titles={"drivers": "Lost two drivers"})
    assert card.discovery == {"revealed": 2, "total": 4}
    fig = card.figure("discovery")
    assert (fig.value, fig.verdict) == (2, "ok")
    assert "Lost two drivers" in fig.detail
    unknown = score(turns).figure("discovery")
    assert unknown.verdict == "n/a"
    assert score(turns).discovery == {"revealed": 2, "total": None}


def test_trust_curve_change_and_a_next_step_the_buyer_offers():
    turns = conversation(CONSULTATIVE, trusts=(40, 45, 55, 70))
    turns.append(buyer("Why don't you send me a few examples from other depots?", trust=72))
    card = score(turns, trust_start=35)
    assert card.trust_curve == [35, 40, 45, 55, 70, 72]
    assert card.trust_final == 72
    trust = card.figure("buyer trust")
    assert trust.verdict == "good" and "(+37)" in trust.detail
    step = card.figure("buyer's next step")
    assert step.value is True and step.verdict == "good"


def test_next_step_from_extra_and_negated_offers():
    assert sc.offers_next_step(buyer("Fine.", next_step=True))
    assert sc.offers_next_step(buyer("OK. Let's set up a time next week."))
    assert sc.offers_next_step(buyer("Can you come back on Tuesday with numbers?"))
    assert not sc.offers_next_step(buyer("I'm not ready to talk about next steps."))
    assert not sc.offers_next_step(rep("Let's set up a time.", "close"))


def test_a_close_before_trust_is_earned_is_the_costliest_moment():
    turns = [rep("Our platform is the best on the market.", "pitch"), buyer("Our price worries me.", trust=30),
             rep("You'd want fewer errors, wouldn't you?", "leading_question"), buyer("Maybe.", trust=30),
             rep("Let's get the paperwork started today.", "close"), buyer("Hold on.", trust=25),
             rep("You'll save thousands.", "benefit"), buyer("We lost two drivers last month.", trust=25)]
    card = score(turns)
    assert [m.turn_index for m in card.moments] == [4, 2, 6]
    assert card.moments[0].cost == sc.EARLY_CLOSE_COST
    assert "before the buyer trusted you (trust 30/100)" in card.moments[0].why
    alternatives = [m.alternative for m in card.moments]
    assert len(set(alternatives)) == 3


def test_alternatives_are_built_from_the_buyers_previous_words():
    turns = [rep("Hi.", "rapport"), buyer("We lost two drivers last month."),
             rep("Our routing engine is best in class.", "pitch")]
    moment = score(turns).moments[0]
    assert "two drivers" in moment.alternative
    assert "We lost two drivers last month" in moment.why


def test_a_close_after_trust_is_earned_costs_less():
    turns = [rep("What matters most?", "question"), buyer("Reliability.", trust=75),
             rep("Shall we set up a pilot?", "close"), buyer("Sure.", trust=75)]
    assert score(turns).moments[0].cost == sc.MOVE_COST["close"]


def test_to_dict_has_the_contract_shape_and_is_json():
    card = score(conversation(TRANSACTIONAL, trusts=(40, 35, 30, 20)), facts_total=3)
    d = json.loads(json.dumps(card.to_dict()))
    assert set(d) >= {"overall", "figures", "moments", "discovery", "trust_final", "trust_curve", "formula",
                      "scorer_version"}
    assert d["scorer_version"] == SCORER_VERSION
    assert 0 <= d["overall"] <= 100
    for fig in d["figures"]:
        assert set(fig) == {"name", "value", "unit", "reference", "verdict", "detail", "key", "better", "ideal",
                            "points", "available"}
        assert fig["better"] in ("up", "down")
    assert set(d["moments"][0]) == {"turn_index", "text", "labels", "cost", "why", "alternative"}
    assert d["discovery"] == {"revealed": 0, "total": 3}
    assert d["trust_final"] == 20


def test_formula_is_documented_and_shows_this_sessions_arithmetic():
    card = score(conversation(TRANSACTIONAL))
    assert "overall = clamp(100 × earned / available − penalties, 0, 100)" in card.formula
    assert "overall" in sc.__doc__ and "Penalties" in sc.__doc__
    assert "This session:" in card.formula and "close 14" in card.formula
    assert card.formula.rstrip(".").endswith(str(card.overall))


def test_empty_and_rep_only_conversations_do_not_crash():
    empty = score([])
    assert empty.overall == 0 and empty.moments == []
    alone = score([rep("Our product is great.", "pitch")])
    assert alone.overall == 0
    assert alone.figure("longest buyer story").verdict == "poor"


def test_scorecard_module_is_pure():
    code = ("import sys, simulator.conversation.scorecard, simulator.conversation.coaching, "
            "simulator.conversation.transcript;"
            "heavy = {'textual', 'sounddevice', 'openai', 'faster_whisper', 'sqlalchemy', 'numpy', 'click'};"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_scorecard_round_trips_through_its_dict():
    turns = [Turn("buyer", "we lose orders between the shops"),
             Turn("rep", "our app fixes that, sign today?", labels=["pitch", "close"]),
             Turn("buyer", "hmm", trust=20.0)]
    card = score(turns, facts_total=5)
    doc = {**card.to_dict(), "trust_final": 20.0, "buyer_ended": False}  # a session adds keys
    again = sc.Scorecard.from_dict(doc)
    assert again.to_dict() == {**card.to_dict(), "trust_final": 20.0}
    assert again.moments and again.moments[0].alternative == card.moments[0].alternative


def test_material_the_buyer_names_is_their_next_step_and_a_bare_send_me_something_is_not():
    from simulator.conversation.scorecard_figures import offers_next_step

    assert offers_next_step(Turn("buyer", "Not great. Why don't you send me something on how other depots handled it?"))
    assert not offers_next_step(Turn("buyer", "Just send me something."))
    assert not offers_next_step(Turn("buyer", "No. Send me something I can show Frank."))
