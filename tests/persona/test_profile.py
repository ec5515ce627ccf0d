"""The public profile ([[profile]]), the deflect lines and the leak check: lines said before any
trust (situation, opening line, profile, small talk, deflections) must not give away a hidden fact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.config import bundled_personas_dir
from simulator.persona.schema import PersonaError, _numbers, _tokens, leaks, load_persona

SHIPPED = sorted(bundled_personas_dir().glob("*.toml"))

BASE = """
name = "Sam Test"
role = "Owner"
company = "Test Bakery"
industry = "Food retail"
situation = "Owns a small bakery with two shops."
opening_line = "Hello, come in."

[[facts]]
id = "shops"
kind = "situation"
topic = "the shops"
trust_needed = 0
says = ["We have two shops and twelve staff, and we sell bread and cakes."]

[[facts]]
id = "paper-orders"
kind = "problem"
topic = "orders on paper"
trust_needed = 38
says = ["Custom orders go in a paper order book at the counter.", "We write every order in the book."]
more = ["We redo about three cakes a month, forty wedding cakes are booked for May."]
"""

PROFILE = """
[[profile]]
topic = "opening hours"
keywords = ["open", "what time"]
says = ["We open at seven, and close at five.", "Seven till five, closed Mondays."]

[[profile]]
id = "best"
topic = "the best seller"
says = ["The cinnamon buns, without a doubt."]
"""


def write(tmp_path: Path, text: str, name: str = "sam.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- parsing ------------------------------------------------------------------------------------
def test_profile_is_optional(tmp_path):
    p = load_persona(write(tmp_path, BASE))
    assert p.profile == [] and p.lines.deflect == []


def test_profile_entries_parse_with_ids_from_topics(tmp_path):
    text = BASE + PROFILE + '\n[lines]\ndeflect = ["Hm, not something I\'ve thought about."]\n'
    p = load_persona(write(tmp_path, text))
    assert [e.id for e in p.profile] == ["opening-hours", "best"]
    hours = p.profile_entry("opening-hours")
    assert hours is not None and hours.topic == "opening hours" and hours.keywords == ["open", "what time"]
    assert len(hours.says) == 2 and p.profile_entry("best").keywords == []
    assert p.profile_entry("nope") is None
    assert p.lines.deflect == ["Hm, not something I've thought about."]


@pytest.mark.parametrize(
    "extra, field, problem",
    [
        ('[[profile]]\ntopic = "opening hours"\nsays = ["Seven."]\ncolour = "blue"\n',
         "profile[opening hours].colour", "Extra inputs"),
        ('[[profile]]\ntopic = "opening hours"\nsays = ["Seven.", "  "]\n', "profile[opening hours].says",
         "must not contain empty lines"),
        ('[[profile]]\ntopic = "opening hours"\nkeywords = [""]\nsays = ["Seven."]\n',
         "profile[opening hours].keywords", "must not contain empty lines"),
        ('[[profile]]\ntopic = "opening hours"\nsays = []\n', "profile[opening hours].says", "at least 1"),
        ('[[profile]]\ntopic = "opening hours"\nsays = ["a", "b", "c", "d"]\n', "profile[opening hours].says",
         "at most 3"),
        ('[[profile]]\ntopic = "opening hours"\n', "profile[opening hours].says", "Field required"),
        ('[[profile]]\nsays = ["Seven."]\n', "profile[0].topic", "Field required"),
        ('[[profile]]\nid = "Opening Hours"\ntopic = "hours"\nsays = ["Seven."]\n', "profile[Opening Hours].id",
         "pattern"),
        ('[[profile]]\ntopic = "hours"\nsays = ["Seven."]\n[[profile]]\ntopic = "Hours!"\nsays = ["Eight."]\n',
         "profile", "duplicate profile id 'hours'"),
        ('[profile]\ntopic = "hours"\nsays = ["Seven."]\n', "profile", "valid list"),
        ('[lines]\ndeflect = ["Hm.", ""]\n', "lines.deflect", "must not contain empty lines"),
    ],
)
def test_profile_errors_name_file_field_and_problem(tmp_path, extra, field, problem):
    path = write(tmp_path, BASE + extra, "broken.toml")
    with pytest.raises(PersonaError) as info:
        load_persona(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and f": {field}" in message and problem in message, message
    assert "\n" not in message


# ---- the leak check -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, numbers",
    [
        ("a hundred and twenty trucks", {120}),
        ("forty-one stockouts", {41}),
        ("two hundred and ten thousand dollars", {210_000}),
        ("three point two million", {3_200_000}),
        ("$18,000 a month and 1.4 million", {18_000, 1_400_000}),
        ("a 300-person plant since 1974", {300, 1974}),
        ("nineteen ninety", {19, 90}),
        ("the one to convince", {1}),
        ("no numbers here", set()),
    ],
)
def test_numbers_are_read_in_digits_and_words(text, numbers):
    assert _numbers(_tokens(text)) == numbers


def leaks_with(tmp_path: Path, text: str) -> list[str]:
    return leaks(load_persona(write(tmp_path, text)))


def test_a_clean_persona_has_no_leaks(tmp_path):
    assert leaks_with(tmp_path, BASE + PROFILE) == []


@pytest.mark.parametrize(
    "situation, shared",
    [
        ("Owns a bakery; its orders live on paper.", 'the words "orders" + "paper"'),  # a phrase, paraphrased
        ("Owns a bakery with 40 wedding cakes booked.", "the number 40"),  # a number in digits...
        ("Owns a bakery with forty weddings booked.", "the number 40"),  # ...and in words
    ],
)
def test_leak_check_catches_a_situation_naming_a_hidden_fact(tmp_path, situation, shared):
    found = leaks_with(tmp_path, BASE.replace("Owns a small bakery with two shops.", situation))
    assert len(found) == 1
    assert found[0].startswith("situation: gives away hidden fact 'paper-orders' (trust 38): ")
    assert f"shares {shared} with it" in found[0] and situation in found[0]


def test_public_numbers_small_numbers_and_public_words_do_not_count(tmp_path):
    for situation in (
        "Owns a bakery with two shops and twelve staff.",  # public (trust 0) facts may be repeated
        "Owns a bakery; opens at five, three days a week.",  # numbers up to twelve are everyday
        "Owns a bakery that sells bread and cakes in two shops.",  # every shared word is public
    ):
        assert leaks_with(tmp_path, BASE.replace("Owns a small bakery with two shops.", situation)) == [], situation


def test_a_trust_zero_fact_is_never_leaked(tmp_path):
    text = BASE.replace("trust_needed = 38", "trust_needed = 0")
    assert leaks_with(tmp_path, text.replace("Owns a small bakery with two shops.", "Paper order book.")) == []


def test_leak_check_covers_profile_opening_small_talk_chat_and_deflect(tmp_path):
    text = BASE.replace('opening_line = "Hello, come in."', 'opening_line = "Hi! Forty wedding cakes to go."')
    text += PROFILE.replace("The cinnamon buns, without a doubt.", "Every order goes in the paper book.")
    text += ('\n[lines]\nsmall_talk = ["We redo three cakes a month."]\n'
             'chat = ["Ha, I live in the paper order book."]\ndeflect = ["No idea. Ask the order book."]\n')
    fields = [line.split(":")[0] for line in leaks_with(tmp_path, text)]
    assert fields == ["opening_line", "profile[best].says", "lines.small_talk", "lines.chat", "lines.deflect"]


def test_the_old_bakery_situation_leaks(tmp_path):
    old = "Runs a busy two-shop bakery; orders and staff rotas live on paper and in her head."
    text = (bundled_personas_dir() / "bakery-owner.toml").read_text(encoding="utf-8")
    lines = [f'situation = "{old}"' if line.startswith("situation = ") else line for line in text.splitlines()]
    found = leaks_with(tmp_path, "\n".join(lines))
    assert {line.split("'")[1] for line in found} >= {"paper-orders", "staff-rota"}


# ---- the shipped personas -----------------------------------------------------------------------
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_persona_has_a_public_profile_and_no_leaks(path: Path):
    p = load_persona(path)
    assert 8 <= len(p.profile) <= 12
    assert all(1 <= len(e.says) <= 3 and e.keywords for e in p.profile)
    assert len(p.lines.deflect) >= 3
    assert "\n" not in p.situation
    assert leaks(p) == []


# ---- the commands -------------------------------------------------------------------------------
def test_personas_show_lists_profile_topics_and_json_has_the_profile():
    out = CliRunner().invoke(cli, ["personas", "show", "bakery-owner"])
    assert out.exit_code == 0
    assert "Public profile, said to anyone (11 topics):" in out.output and "  - opening hours" in out.output
    assert "Doors open at seven" not in out.output  # topics, not the text
    out = CliRunner().invoke(cli, ["personas", "show", "bakery-owner", "--json"])
    doc = json.loads(out.output)
    assert doc["profile"][0]["id"] == "opening-hours" and doc["profile"][0]["topic"] == "opening hours"
    assert doc["profile"][0]["says"] and len(doc["lines"]["deflect"]) == 3


def test_personas_check_warns_about_leaks_and_fails_with_strict(tmp_path):
    good = write(tmp_path, BASE + PROFILE, "good.toml")
    leaky = write(tmp_path, BASE.replace("Owns a small bakery with two shops.", "Forty weddings booked."), "leaky.toml")
    out = CliRunner().invoke(cli, ["personas", "check", str(good), str(leaky)])
    assert out.exit_code == 0
    assert f"{good}: ok (good: 2 facts, 0 concerns, 2 profile topics)" in out.stdout
    assert f"{leaky}: ok (leaky: 2 facts, 0 concerns, 0 profile topics, 1 warning)" in out.stdout
    assert out.stderr.startswith(f"rapport: warning: {leaky}: situation: gives away hidden fact 'paper-orders'")
    out = CliRunner().invoke(cli, ["personas", "check", "--strict", str(good), str(leaky)])
    assert out.exit_code == 1 and f"rapport: error: {leaky}: situation:" in out.stderr
    assert CliRunner().invoke(cli, ["personas", "check", "--strict", str(good)]).exit_code == 0


def test_shipped_personas_check_clean_with_strict():
    out = CliRunner().invoke(cli, ["personas", "check", "--strict", *map(str, SHIPPED)])
    assert out.exit_code == 0 and out.stderr == "" and out.stdout.count(": ok (") == len(SHIPPED)
