"""Team rubrics: parsing, validation messages, what a coach's rubric changes in the score, and the formula."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.conversation.catalogue import CLOSE_EARLY_COST, COST_ORDER, move
from simulator.conversation.rubric import DEFAULT, parse
from simulator.conversation.scorecard import FORMULA, score
from simulator.conversation.turns import Turn
from simulator.errors import RapportError

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "rubrics" / "discovery-first.toml"


def rep(text, *labels):
    return Turn("rep", text, labels=tuple(labels))


def buyer(text, trust=None, revealed=()):
    return Turn("buyer", text, trust=trust, revealed=tuple(revealed))


CALL = [
    buyer("Hi, what's this about?", trust=30),
    rep("Thanks for the time. What's been keeping the depot busy?", "rapport", "question"),
    buyer("We lost two drivers last month and routes are a mess.", trust=36, revealed=("drivers",)),
    rep("Two drivers in a month. How are the routes holding up without them?", "listening", "question"),
    buyer("Badly. Overtime is through the roof.", trust=42, revealed=("overtime",)),
    rep("Our platform optimises every route automatically.", "pitch"),
    buyer("Everyone says that.", trust=37),
    rep("Shall I send the agreement over today?", "close"),
    buyer("No.", trust=30),
]


def test_default_rubric_penalties_are_the_catalogues_costs_and_its_formula_is_the_old_text():
    assert {name: DEFAULT.penalties[name] for name in COST_ORDER} == {name: move(name).cost for name in COST_ORDER}
    assert DEFAULT.penalties["close_early"] == CLOSE_EARLY_COST
    assert DEFAULT.formula() == FORMULA
    assert FORMULA.startswith("overall = clamp(100 × earned / available − penalties, 0, 100). Earned of available: "
                              "questions 25, follow-ups 10, listening 15, talk share 15, buyer story 10")
    assert "close 10 (14 before trust is earned)" in FORMULA and "over 2 min (300 words) 10" in FORMULA


def test_a_rubric_file_with_only_a_name_is_the_default_under_another_name():
    r = parse('name = "same"\n')
    assert r.hash == DEFAULT.hash and r.is_default
    card = score(CALL, facts_total=4, rubric=r).to_dict()
    assert card["overall"] == score(CALL, facts_total=4).to_dict()["overall"]
    assert card["rubric"]["name"] == "same"


def test_the_example_rubric_changes_the_score_the_formula_and_the_stamp():
    team = parse(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    default = score(CALL, facts_total=4)
    coached = score(CALL, facts_total=4, rubric=team)
    assert coached.overall != default.overall
    assert coached.rubric == {"name": "discovery-first", "title": "Discovery first (inside sales team)",
                              "hash": team.hash, "pass_mark": 60}
    assert coached.passed is (coached.overall >= 60)
    assert coached.formula.startswith(f"Rubric discovery-first ({team.hash[:8]}).")
    assert "talk share" not in coached.formula.splitlines()[0].split("Penalties")[0]
    assert "pitch 8" in coached.formula and "close 10 (20 before trust is earned)" in coached.formula
    assert "Pass mark 60." in coached.formula
    talk = coached.figure("rep talk share")
    assert talk.available == 0 and talk.points == 0 and talk.verdict in ("good", "ok", "poor")  # shown, not counted
    assert coached.figure("discovery").available == 30
    # the penalties: a pitch (8) and a close before trust was earned (20)
    assert coached.formula.splitlines()[1].endswith(f"penalties 28 (pitch 8, close 20) → {coached.overall}.")
    assert [m.cost for m in coached.moments] == [20, 8]


def test_weights_name_the_figures_that_count_and_points_scale():
    only_questions = parse('name = "q"\n[weights]\nquestions = 50\n')
    card = score(CALL, rubric=only_questions)
    q = card.figure("questions")
    assert q.available == 50 and sum(f.available for f in card.figures) == 50
    # 2 questions of a target of 2 (40% of 4 rep turns): full points; minus 5 (pitch) and 14 (early close)
    assert q.points == 50 and card.overall == 100 - 5 - 14


def test_targets_move_the_verdicts_and_the_points():
    strict = parse('name = "strict"\n[targets.listening]\ngood = 50\nok = 30\n')
    default = score(CALL).figure("listening")
    coached = score(CALL, rubric=strict).figure("listening")
    assert (default.verdict, coached.verdict) == ("good", "poor")  # 1 of 4 rep turns = 25%
    assert coached.points == pytest.approx(15 * 0.25 / 0.5) and default.points == 15
    assert "the reference's 50%/30%" in coached.detail


def test_every_figure_has_a_direction():
    card = score(CALL, facts_total=4)
    better = {f.name: f.better for f in card.figures}
    assert better["rep talk share"] == "down" and better["longest rep monologue"] == "down"
    assert better["transactional moves"] == "down" and better["questions"] == "up"
    assert card.figure("rep talk share").ideal == 43


@pytest.mark.parametrize("text, message", [
    ('title = "x"', "rubric: name: required"),
    ('name = "Bad Name"', "rubric: name: String should match pattern"),
    ('name = "x"\n[weights]\nquestions = -1', "rubric: weights.questions: Input should be greater than or equal to 0"),
    ('name = "x"\n[weights]\nquestons = 10', "rubric: weights.questons: unknown field (expected one of: questions,"),
    ('name = "x"\n[weights]\nquestions = 0', "rubric: weights: no figure counts"),
    ('name = "x"\n[penalties]\npich = 3', "rubric: penalties.pich: unknown field (expected one of: pitch,"),
    ('name = "x"\n[targets.talk_share]\nfull = 80', "rubric: targets.talk_share: full must be below zero"),
    ('name = "x"\npass_mark = 101', "rubric: pass_mark: Input should be less than or equal to 100"),
    ('name = "x"\npass_mark = nan', "rubric: pass_mark: Input should be a finite number"),
    ('name = "x"\n[targets]\nlistening = 3', "rubric: targets.listening: Input should be a valid dictionary"),
    ('name = ', "rubric: invalid TOML: "),
    ("x" * 100_001, "rubric: larger than 100 kB"),
])
def test_bad_rubrics_are_one_line_naming_the_field(text, message):
    with pytest.raises(RapportError) as err:
        parse(text)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_to_toml_reads_back_as_the_same_rubric():
    team = parse(EXAMPLE.read_text(encoding="utf-8"))
    again = parse(team.to_toml())
    assert again.hash == team.hash and again.title == team.title
    assert parse(DEFAULT.to_toml()).hash == DEFAULT.hash
