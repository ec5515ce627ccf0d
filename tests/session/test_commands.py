"""The `sessions` and `progress` commands, and `simulate` saving its session, through the real CLI."""

from __future__ import annotations

import json

import pytest

from simulator.cli import main
from simulator.session.store import Store

SCRIPT = "Thanks for making the time.\nHow do you handle orders today?\nOur app does online ordering.\n"
TRANSCRIPT = """# a conversation from a call
rep: thanks for making the time today
buyer: sure, it's a busy week with the ovens
rep: what makes the ovens a worry right now
buyer: they break down and we lose whole batches
rep: so a breakdown costs you a whole batch
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "script.txt"
    path.write_text(SCRIPT)
    return str(path)


def test_simulate_saves_and_sessions_show_returns_it(capsys, db_url, script):
    code, out, _ = run(capsys, "simulate", "--persona", "bakery-owner", "--script", script, "--seed", "4",
                       "--db", db_url, "--json")  # fmt: skip
    assert code == 0
    sim = json.loads(out)
    sid = sim["session_id"]
    code, out, _ = run(capsys, "sessions", "show", sid[:6], "--db", db_url, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["id"] == sid and shown["status"] == "finished" and shown["persona"] == "bakery-owner"
    assert [t["text"] for t in shown["turns"]] == [t["text"] for t in sim["turns"]]
    assert [t.get("labels") for t in shown["turns"]] == [t.get("labels") for t in sim["turns"]]
    assert shown["scorecard"]["overall"] == sim["scorecard"]["overall"]
    assert shown["coach_events"] == [] and "started_at" in shown and "reps" in shown
    assert shown["score_history"][0]["analyser_version"]


def test_simulate_no_save_stores_nothing(capsys, db_url, script):
    code, out, _ = run(capsys, "simulate", "--persona", "bakery-owner", "--script", script, "--no-save",
                       "--db", db_url, "--json")  # fmt: skip
    assert code == 0 and "session_id" not in json.loads(out)
    with Store.open(db_url) as store:
        assert store.list_sessions() == []


def test_list_filters_and_json_fields(capsys, db_url, tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)
    for rep in ("maya", "li", "maya"):
        assert run(capsys, "sessions", "import", str(transcript), "--persona", "bakery-owner", "--rep", rep,
                   "--db", db_url)[0] == 0  # fmt: skip
    code, out, _ = run(capsys, "sessions", "list", "--rep", "maya", "--db", db_url, "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2
    for row in rows:
        assert {"id", "started_at", "status", "persona", "reps", "overall", "turns"} <= set(row)
        assert row["reps"] == ["maya"] and row["turns"] == 5 and row["persona"] == "bakery-owner"
    assert len(json.loads(run(capsys, "sessions", "list", "--limit", "1", "--db", db_url, "--json")[1])) == 1
    assert json.loads(run(capsys, "sessions", "list", "--persona", "nope", "--db", db_url, "--json")[1]) == []
    code, out, _ = run(capsys, "sessions", "list", "--db", db_url)
    assert code == 0 and out.count("bakery-owner") == 3


def test_import_labels_and_scores_a_transcript(capsys, db_url, tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)
    code, out, _ = run(capsys, "sessions", "import", str(transcript), "--persona", "bakery-owner", "--rep", "maya",
                       "--db", db_url, "--json")  # fmt: skip
    assert code == 0
    sid = json.loads(out)["id"]
    shown = json.loads(run(capsys, "sessions", "show", sid, "--db", db_url, "--json")[1])
    assert shown["status"] == "finished" and shown["source"] == "import"
    rep_turns = [t for t in shown["turns"] if t["speaker"] == "rep"]
    assert all(t["labels"] for t in rep_turns) and all(t["rep_name"] == "maya" for t in rep_turns)
    assert "question" in rep_turns[1]["labels"]
    assert isinstance(shown["scorecard"]["overall"], int)


def test_import_errors_are_one_line_and_store_nothing(capsys, db_url, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("rep: hello\nthis line has no speaker\n")
    code, _, err = run(capsys, "sessions", "import", str(bad), "--persona", "bakery-owner", "--db", db_url)
    assert code == 1 and err.count("\n") == 1 and "line 2" in err
    code, _, err = run(capsys, "sessions", "import", str(tmp_path / "none.txt"), "--persona", "bakery-owner",
                       "--db", db_url)  # fmt: skip
    assert code == 1 and err.count("\n") == 1
    code, _, err = run(capsys, "sessions", "import", str(bad), "--persona", "no-such-persona", "--db", db_url)
    assert code == 1 and err.count("\n") == 1
    with Store.open(db_url) as store:
        assert store.list_sessions() == []


def test_rescore_keeps_history_and_delete_removes(capsys, db_url, tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)
    sid = json.loads(run(capsys, "sessions", "import", str(transcript), "--persona", "bakery-owner",
                         "--db", db_url, "--json")[1])["id"]  # fmt: skip
    with Store.open(db_url) as store:  # pretend an old analyser labelled a turn differently
        store.update_labels(sid, {2: (("pitch",), ())})
    code, out, _ = run(capsys, "sessions", "rescore", sid, "--db", db_url, "--json")
    assert code == 0 and json.loads(out)[0]["id"] == sid
    shown = json.loads(run(capsys, "sessions", "show", sid, "--db", db_url, "--json")[1])
    assert "question" in shown["turns"][2]["labels"]
    assert len(shown["score_history"]) == 2
    code, out, _ = run(capsys, "sessions", "rescore", "--all", "--db", db_url, "--json")
    assert code == 0 and len(json.loads(out)) == 1
    assert run(capsys, "sessions", "rescore", "--db", db_url)[0] == 1
    code, out, _ = run(capsys, "sessions", "delete", sid, "--db", db_url, "--yes")
    assert code == 0 and sid in out
    code, _, err = run(capsys, "sessions", "show", sid, "--db", db_url)
    assert code == 1 and "no session" in err


def test_export_to_a_file(capsys, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-never-appear-42")
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)
    sid = json.loads(run(capsys, "sessions", "import", str(transcript), "--persona", "bakery-owner",
                         "--db", db_url, "--json")[1])["id"]  # fmt: skip
    for fmt in ("md", "html", "json"):
        target = tmp_path / f"report.{fmt}"
        code, _, _ = run(capsys, "sessions", "export", sid, "--format", fmt, "-o", str(target), "--db", db_url)
        assert code == 0 and "ovens" in target.read_text()
        assert "sk-should-never-appear-42" not in target.read_text()
    code, _, err = run(capsys, "sessions", "export", sid, "--format", "md", "--with-audio", "--db", db_url)
    assert code == 1 and "--with-audio" in err


def test_progress_shows_trends(capsys, db_url, tmp_path):
    worse = tmp_path / "worse.txt"
    worse.write_text("rep: our app cuts your costs in half, shall I send the contract\nbuyer: no thanks\n")
    better = tmp_path / "better.txt"
    better.write_text(TRANSCRIPT)
    for path in (worse, better):
        run(capsys, "sessions", "import", str(path), "--persona", "bakery-owner", "--rep", "maya", "--db", db_url)
    code, out, _ = run(capsys, "progress", "--rep", "maya", "--db", db_url, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["sessions"] == 2
    figures = {f["name"]: f for f in doc["figures"]}
    assert figures["overall"]["trend"] == "improving"
    assert figures["overall"]["last"] > figures["overall"]["first"]
    assert figures["transactional moves"]["trend"] == "improving"
    code, out, _ = run(capsys, "progress", "--rep", "maya", "--db", db_url)
    assert code == 0 and "overall" in out and "improving" in out
    assert "No scored sessions" in run(capsys, "progress", "--rep", "nobody", "--db", db_url)[1]


def test_a_corrupt_default_database_is_one_line(capsys, rapport_home):
    db = rapport_home / "data" / "sessions.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"garbage" * 100)
    code, _, err = run(capsys, "sessions", "list")
    assert code == 1 and err.count("\n") == 1 and "left untouched" in err
    assert db.read_bytes() == b"garbage" * 100


def test_a_session_replays_after_its_persona_file_is_deleted(capsys, db_url, script, tmp_path):
    from simulator.config import bundled_personas_dir

    folder = tmp_path / "my-personas"
    folder.mkdir()
    # The persona id comes from the file name: the same buyer, known only from this folder.
    (folder / "temp-baker.toml").write_text((bundled_personas_dir() / "bakery-owner.toml").read_text())
    code, out, err = run(capsys, "simulate", "--persona", "temp-baker", "--personas", str(folder), "--script", script,
                         "--db", db_url, "--json")  # fmt: skip
    assert code == 0, err
    sid = json.loads(out)["session_id"]
    (folder / "temp-baker.toml").unlink()
    shown = json.loads(run(capsys, "sessions", "show", sid, "--db", db_url, "--json")[1])
    assert shown["persona"] == "temp-baker" and shown["persona_name"] == "Rosa Alvarez"
    assert run(capsys, "sessions", "rescore", sid, "--db", db_url)[0] == 0
    code, out, _ = run(capsys, "sessions", "export", sid, "--format", "html", "--db", db_url)
    assert code == 0 and "Rosa Alvarez" in out


def test_progress_text_shows_units_and_yes_no():
    from simulator.session.progress import render

    doc = {"rep": "maya", "sessions": 3, "first": "2026-01-01T00:00:00Z", "last": "2026-01-03T00:00:00Z",
           "figures": [
               {"name": "rep talk share", "unit": "%", "values": [60.0, 50.0, 40.0], "first": 60.0, "last": 40.0,
                "best": 40.0, "trend": "improving"},
               {"name": "questions", "unit": "questions", "values": [1.0, 3.0, 5.0], "first": 1.0, "last": 5.0,
                "best": 5.0, "trend": "improving"},
               {"name": "buyer's next step", "unit": "", "values": [0.0, 1.0, 1.0], "first": 0.0, "last": 1.0,
                "best": 1.0, "trend": "improving"},
           ]}
    lines = render(doc).splitlines()
    assert lines[2].endswith("60% -> 40%  (best 40% (nearest 43%); improving)")
    assert lines[3].endswith("1 question -> 5 questions  (best 5 questions; improving)")
    assert lines[4].endswith("no -> yes  (yes in 2 of 3; improving)")


def test_list_with_filters_that_match_nothing_says_so(capsys, db_url, tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)
    run(capsys, "sessions", "import", str(transcript), "--persona", "bakery-owner", "--rep", "maya", "--db", db_url)
    code, out, _ = run(capsys, "sessions", "list", "--persona", "enterprise-cfo", "--rep", "li", "--db", db_url)
    assert code == 0 and out.strip() == "No sessions match rep 'li', persona 'enterprise-cfo'."


def test_simulate_rep_name_is_stored_and_filters_the_list(capsys, db_url, script):
    code, out, _ = run(capsys, "simulate", "--persona", "bakery-owner", "--script", script, "--rep", "Maya",
                       "--db", db_url, "--json")  # fmt: skip
    sid = json.loads(out)["session_id"]
    code, out, _ = run(capsys, "sessions", "list", "--rep", "Maya", "--db", db_url, "--json")
    listed = json.loads(out)
    assert code == 0 and [s["id"] for s in listed] == [sid] and listed[0]["reps"] == ["Maya"]
    assert all(t.get("rep_name") == "Maya" for t in json.loads(
        run(capsys, "sessions", "show", sid, "--db", db_url, "--json")[1])["turns"] if t["speaker"] == "rep")


@pytest.mark.parametrize("command", [["sessions", "list"], ["sessions", "show", "abcd"], ["progress"],
                                     ["sessions", "rescore", "--all"]])
def test_a_mistyped_db_path_on_a_read_command_is_one_line_and_creates_nothing(capsys, tmp_path, command):
    missing = tmp_path / "no-such-folder" / "sesions.db"
    code, out, err = run(capsys, *command, "--db", f"sqlite:///{missing}")
    assert code != 0 and out == ""
    assert err.strip().count("\n") == 0 and "no session database at" in err and str(missing) in err
    assert not missing.exists() and not missing.parent.exists()


def test_the_default_database_on_a_fresh_install_lists_nothing(capsys, rapport_home):
    code, out, _ = run(capsys, "sessions", "list")
    assert code == 0 and "No sessions stored yet." in out


def test_import_creates_a_database_named_by_db(capsys, tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)
    new_db = tmp_path / "fresh" / "team.db"
    code, _, _ = run(capsys, "sessions", "import", str(transcript), "--persona", "bakery-owner",
                     "--db", f"sqlite:///{new_db}")  # fmt: skip
    assert code == 0 and new_db.exists()
