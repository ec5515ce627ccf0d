"""A fact's ``story``: what the buyer says at length once trust is high and the rep asks openly or
reflects (60-150 words a line, optional).  Every shipped fact has one, about that fact only."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.config import bundled_personas_dir
from simulator.persona.schema import (
    LEAK_NUMBER_ABOVE,
    STORY_WORDS,
    PersonaError,
    _numbers,
    _sentences,
    load_persona,
    public_lines,
)

SHIPPED = sorted(bundled_personas_dir().glob("*.toml"))
#: what a shipped story aims for, inside the schema's bounds
SHIPPED_WORDS = (70, 130)

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
says = ["Custom orders go in a paper order book at the counter."]
"""


def words(n: int) -> str:
    return " ".join(["bread"] * n)


def with_story(*lines: str) -> str:
    return BASE + "story = [" + ", ".join(f'"{line}"' for line in lines) + "]\n"


def write(tmp_path: Path, text: str, name: str = "sam.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_story_bounds():
    assert STORY_WORDS == (60, 150)


# ---- the field ---------------------------------------------------------------------------------------
def test_story_is_optional(tmp_path):
    p = load_persona(write(tmp_path, BASE))
    assert all(f.story == [] for f in p.facts)


@pytest.mark.parametrize("n", [60, 100, 150])
def test_a_story_within_bounds_loads(tmp_path, n):
    p = load_persona(write(tmp_path, with_story(words(n), words(61))))
    assert [len(line.split()) for line in p.fact("paper-orders").story] == [n, 61]


@pytest.mark.parametrize(
    "lines, problem",
    [
        ((words(12),), "line 1 has 12 words; a story is 60-150 words"),
        ((words(59),), "line 1 has 59 words; a story is 60-150 words"),
        ((words(80), words(151)), "line 2 has 151 words; a story is 60-150 words"),
        ((words(80), "   "), "must not contain empty lines"),
    ],
)
def test_a_story_out_of_bounds_is_an_error_naming_file_fact_and_field(tmp_path, lines, problem):
    path = write(tmp_path, with_story(*lines))
    with pytest.raises(PersonaError) as err:
        load_persona(path)
    assert str(err.value) == f"{path}: facts[paper-orders].story: {problem}"


def test_personas_check_reports_a_too_short_story(tmp_path):
    path = write(tmp_path, with_story("Too short to be a story."))
    result = CliRunner().invoke(cli, ["personas", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}: facts[paper-orders].story: line 1 has 6 words" in result.output


# ---- the shipped personas -----------------------------------------------------------------------------
def test_eight_personas_ship_eighty_eight_facts():
    assert len(SHIPPED) == 8
    assert sum(len(load_persona(path).facts) for path in SHIPPED) == 88


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_fact_has_a_story_within_bounds(path):
    for fact in load_persona(path).facts:
        assert fact.story, f"{path.name}: facts[{fact.id}].story: missing"
        for line in fact.story:
            n = len(line.split())
            assert SHIPPED_WORDS[0] <= n <= SHIPPED_WORDS[1], f"{path.name}: facts[{fact.id}].story: {n} words"


def _numbers_in(lines: list[str]) -> set[float]:
    return {n for line in lines for tokens in _sentences(line) for n in _numbers(tokens)}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_story_tells_its_own_facts_numbers_and_no_other_hidden_facts(path):
    """The story keeps the numbers of its fact's says lines, and never brings in a distinctive number
    (above twelve) that only another hidden fact states."""
    persona = load_persona(path)
    public = [persona.name, persona.role, persona.company, persona.industry,
              *(line for _, line in public_lines(persona))]
    public += [line for fact in persona.facts if fact.trust_needed == 0 for line in fact.says + fact.more]
    for fact in persona.facts:
        told = _numbers_in(fact.story)
        says = {n for n in _numbers_in(fact.says) if n > LEAK_NUMBER_ABOVE}
        assert says <= told, f"{path.name}: facts[{fact.id}].story misses {sorted(says - told)}"
        known = _numbers_in(public + fact.says + fact.more)
        for other in persona.facts:
            if other.id == fact.id or other.trust_needed == 0:
                continue
            leaked = {n for n in told & _numbers_in(other.says + other.more) if n > LEAK_NUMBER_ABOVE} - known
            assert not leaked, f"{path.name}: facts[{fact.id}].story gives away {sorted(leaked)} of {other.id}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_story_ends_without_asking_the_rep(path):
    for fact in load_persona(path).facts:
        for line in fact.story:
            assert not line.rstrip().endswith("?"), f"{path.name}: facts[{fact.id}].story ends with a question"
