"""Persona files: validation errors name file, field and problem; broken files are skipped, not fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import bundled_personas_dir
from simulator.errors import RapportError
from simulator.persona.loader import get, load_all
from simulator.persona.schema import PersonaError, load_persona

SHIPPED = sorted(bundled_personas_dir().glob("*.toml"))

MINIMAL = """
name = "Sam Test"
role = "Owner"
company = "Test Co"
industry = "Testing"
situation = "Tests things."
opening_line = "Hello."
[[facts]]
id = "one"
kind = "problem"
topic = "the problem"
trust_needed = 10
says = ["It is broken."]
"""


def test_at_least_eight_shipped_personas_across_difficulty():
    personas, warnings = load_all()
    assert warnings == []
    assert len(personas) >= 8
    assert {p.difficulty for p in personas.values()} == {"easy", "medium", "hard"}
    assert len({p.industry for p in personas.values()}) >= 8


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_persona_is_rich_enough(path: Path):
    p = load_persona(path)
    assert p.id == path.stem
    assert 10 <= len(p.facts) <= 14
    assert {"situation", "problem", "cause", "cost", "people", "tried", "success"} <= {f.kind for f in p.facts}
    for fact in p.facts:
        assert len(fact.says) >= 2 and fact.keywords, fact.id
    assert len(p.concerns) >= 2
    for name in ("pitch", "guarded", "listening", "close_early", "next_step", "goodbye"):
        assert len(getattr(p.lines, name)) >= 2, name
    assert p.voice.rate and p.voice.gender


def test_minimal_persona_defaults(tmp_path):
    f = tmp_path / "Sam Test.toml"
    f.write_text(MINIMAL)
    p = load_persona(f)
    assert p.id == "sam-test"
    assert p.difficulty == "medium" and p.close_tolerance == 2 and p.starting_trust == 30


@pytest.mark.parametrize(
    "edit, field, problem",
    [
        (lambda s: s.replace("trust_needed = 10", "trust_needed = 140"), "facts[one].trust_needed",
         "less than or equal"),
        (lambda s: s.replace('name = "Sam Test"\n', ''), "name", "Field required"),
        (lambda s: s.replace('kind = "problem"', 'kind = "gossip"'), "facts[one].kind", "situation"),
        (lambda s: s + '\ncolour = "blue"\n', "colour", "Extra inputs"),
        (lambda s: s + '\n[voice]\nrate = "fast"\n', "voice.rate", "integer"),
        (lambda s: s.replace('says = ["It is broken."]', 'says = []'), "facts[one].says", "at least 1"),
        (lambda s: s + '\n[[facts]]\nid = "one"\nkind = "cost"\ntopic = "dup"\ntrust_needed = 1\nsays = ["x"]\n',
         "facts", "duplicate fact id"),
        (lambda s: s.replace('topic = "the problem"', 'personal = true\ntopic = "the problem"')
         + '\n[[facts]]\nid = "two"\nkind = "cost"\npersonal = true\ntopic = "her evenings"\ntrust_needed = 1\n'
         'says = ["x"]\n',
         "facts", "2 facts are personal (one, two); mark at most one"),
        (lambda s: s.replace('opening_line = "Hello."', 'opening_line = "Hello.'), "(file)", "invalid TOML"),
    ],
)
def test_errors_name_file_field_and_problem(tmp_path, edit, field, problem):
    f = tmp_path / "broken.toml"
    f.write_text(edit(MINIMAL))
    with pytest.raises(PersonaError) as info:
        load_persona(f)
    msg = str(info.value)
    assert str(f) in msg and field in msg and problem in msg
    assert "\n" not in msg


def test_broken_file_is_skipped_with_one_warning(tmp_path):
    (tmp_path / "good.toml").write_text(MINIMAL)
    (tmp_path / "bad.toml").write_text("name = [unclosed")
    personas, warnings = load_all([tmp_path])
    assert "good" in personas and "bad" not in personas
    assert len(warnings) == 1 and "bad.toml" in warnings[0]
    assert len(personas) >= 9  # the shipped ones are still there


def test_user_folder_and_extra_dir_override_by_id(tmp_path, rapport_home):
    user = rapport_home / "config" / "personas"
    user.mkdir(parents=True)
    (user / "bakery-owner.toml").write_text(MINIMAL.replace("Sam Test", "User Rosa"))
    assert get("bakery-owner").name == "User Rosa"
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "bakery-owner.toml").write_text(MINIMAL.replace("Sam Test", "Extra Rosa"))
    assert get("bakery-owner", [extra]).name == "Extra Rosa"


def test_unknown_id_lists_known_ones():
    with pytest.raises(RapportError, match="unknown persona 'nobody'.*bakery-owner"):
        get("nobody")
