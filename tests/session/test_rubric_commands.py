"""Team rubrics through the real CLI: `rapport rubrics list|show|check`, and `--rubric` on score, simulate,
sessions rescore and export, and progress (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.conversation.rubric import DEFAULT, parse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "rubrics" / "discovery-first.toml"
TEAM = parse(EXAMPLE.read_text(encoding="utf-8"))
SCRIPT = ("Thanks for making the time.\nWhat's been keeping the bakery busy?\nOur app does online ordering and "
          "saves you hours.\nShall I sign you up today?\n")
CALL = """rep: Thanks for making the time today.
buyer: Sure. Honestly things are hectic, we lost two drivers last month.
rep: Two drivers in a month, that's a lot. What has that meant for your routes?
buyer: The others are doing overtime and they're exhausted.
rep: Our platform optimises every route automatically, you'll save hours.
buyer: Maybe.
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@pytest.fixture
def team_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "team-rubrics"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "discovery-first.toml")
    (folder / "broken.toml").write_text('name = "broken"\n[weights]\nquestons = 3\n', encoding="utf-8")
    monkeypatch.setenv("RAPPORT_RUBRICS", str(folder))
    return folder


def test_rubrics_list_show_and_check(capsys, team_folder, tmp_path):
    code, out, err = run(capsys, "rubrics", "list", "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert set(rows) == {"default", "discovery-first"}
    assert rows["default"]["hash"] == DEFAULT.hash and rows["default"]["where"] == "built in"
    assert rows["discovery-first"]["hash"] == TEAM.hash and rows["discovery-first"]["pass_mark"] == 60
    assert "skipped rubric" in err and "broken.toml: weights.questons: unknown field" in err

    code, out, _ = run(capsys, "rubrics", "show", "discovery-first")
    assert code == 0 and out.startswith(f"# Discovery first (inside sales team) (discovery-first, hash {TEAM.hash})")
    shown = parse("\n".join(line for line in out.splitlines() if not line.startswith("#")))
    assert shown.hash == TEAM.hash
    code, out, _ = run(capsys, "rubrics", "show", "default", "--json")
    assert json.loads(out)["formula"] == DEFAULT.formula()

    code, out, err = run(capsys, "rubrics", "check", str(EXAMPLE), str(team_folder / "broken.toml"))
    assert code == 1
    assert out.strip() == (f"{EXAMPLE}: ok (discovery-first, hash {TEAM.hash[:8]}; counts questions, follow_ups, "
                           "listening, discovery, trust)")
    assert err.strip().count("\n") == 0 and "broken.toml: weights.questons: unknown field" in err

    code, _, err = run(capsys, "rubrics", "show", "nope")
    assert code == 1 and err.strip() == ("rapport: error: unknown rubric 'nope'; known rubrics: default, "
                                         "discovery-first (or give the path of a .toml file)")


def test_score_with_a_rubric_file(capsys, tmp_path):
    call = tmp_path / "call.txt"
    call.write_text(CALL, encoding="utf-8")
    _, out, _ = run(capsys, "score", str(call), "--json")
    default = json.loads(out)
    code, out, _ = run(capsys, "score", str(call), "--rubric", str(EXAMPLE), "--json")
    assert code == 0
    coached = json.loads(out)
    assert coached["rubric"] == TEAM.stamp() and default["rubric"] == DEFAULT.stamp()
    assert coached["overall"] != default["overall"]
    assert coached["passed"] is (coached["overall"] >= 60) and default["passed"] is None
    _, text, _ = run(capsys, "score", str(call), "--rubric", str(EXAMPLE))
    verdict = "passed" if coached["passed"] else "not passed"
    assert (f"Rubric: Discovery first (inside sales team) (discovery-first, {TEAM.hash[:8]}); pass mark 60: "
            f"{verdict}") in text
    code, _, err = run(capsys, "score", str(call), "--rubric", str(tmp_path / "missing.toml"))
    assert code == 1 and "missing.toml: cannot read the rubric: No such file or directory" in err


def test_simulate_rescore_export_and_progress_with_a_rubric(capsys, db_url, team_folder, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    ids = []
    for seed, rubric in ((1, "default"), (2, "discovery-first")):
        code, out, _ = run(capsys, "simulate", "--persona", "bakery-owner", "--script", str(script), "--seed",
                           str(seed), "--rubric", rubric, "--db", db_url, "--json")
        assert code == 0
        doc = json.loads(out)
        assert doc["scorecard"]["rubric"]["name"] == rubric
        ids.append(doc["session_id"])
    _, out, _ = run(capsys, "sessions", "show", ids[1], "--db", db_url, "--json")
    shown = json.loads(out)
    assert shown["settings"]["rubric"] == "discovery-first" and shown["settings"]["rubric_hash"] == TEAM.hash
    assert shown["score_history"][-1]["rubric"] == "discovery-first"

    # the export names the rubric; --rubric scores the report under another one without storing it
    _, md, _ = run(capsys, "sessions", "export", ids[1], "--format", "md", "--db", db_url)
    assert f"- rubric: Discovery first (inside sales team) (discovery-first, {TEAM.hash[:8]}); pass mark 60" in md
    _, html, _ = run(capsys, "sessions", "export", ids[0], "--format", "html", "--rubric", "discovery-first",
                     "--db", db_url)
    assert 'id="rubric">Rubric: Discovery first (inside sales team) (discovery-first' in html
    assert f"Rubric discovery-first ({TEAM.hash[:8]})" in html  # the formula it was scored with
    _, out, _ = run(capsys, "sessions", "show", ids[0], "--db", db_url, "--json")
    assert len(json.loads(out)["score_history"]) == 1  # nothing stored by the export

    # progress: like with like
    _, out, _ = run(capsys, "progress", "--db", db_url, "--json")
    doc = json.loads(out)
    assert doc["rubric"]["name"] == "discovery-first" and doc["sessions"] == 1 and doc["left_out"] == 1
    code, out, _ = run(capsys, "sessions", "rescore", "--all", "--keep-labels", "--rubric", "discovery-first",
                       "--db", db_url)
    assert code == 0 and out.count("(rubric discovery-first)") == 2
    _, out, _ = run(capsys, "progress", "--db", db_url, "--rubric", "discovery-first", "--json")
    doc = json.loads(out)
    assert doc["sessions"] == 2 and doc["left_out"] == 0
    _, out, _ = run(capsys, "progress", "--db", db_url, "--rubric", "default", "--json")
    doc = json.loads(out)
    assert doc["sessions"] == 1 and doc["left_out"] == 1
    _, text, _ = run(capsys, "progress", "--db", db_url, "--rubric", "default")
    assert "1 session not scored under this rubric left out: rapport sessions rescore --all --rubric default" in text
