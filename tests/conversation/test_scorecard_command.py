"""`rapport score FILE [--json]` end to end: the real command, the real analyser labelling rep lines."""

import json
import subprocess
import sys

import pytest

CALL = """# a short practice call
rep: Thanks for making the time today.
buyer: Sure. Honestly things are hectic, we lost two drivers last month.
REP: Two drivers in a month, that's a lot. What has that meant for your routes?
Buyer: The others are doing overtime and they're exhausted.

rep: How is the team holding up with all that overtime?
buyer: Not great. Why don't you send me something on how other depots handled it?
"""

PUSHY = """rep: Thanks for making the time today.
buyer: Sure. Honestly things are hectic, we lost two drivers last month.
rep: Our platform optimises every route automatically and plugs into all telematics boxes.
buyer: The others are doing overtime and they're exhausted.
rep: You'll cut overtime in half in the first month, guaranteed.
buyer: Not great timing for us though, and it sounds expensive.
"""


def rapport(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "simulator", "score", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def call_file(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text(CALL, encoding="utf-8")
    return path


def test_json_scorecard_with_labels_from_the_analyser(call_file):
    proc = rapport(str(call_file), "--json")
    assert proc.returncode == 0, proc.stderr
    card = json.loads(proc.stdout)
    assert 0 <= card["overall"] <= 100
    for figure in card["figures"]:
        assert {"name", "value", "reference", "verdict"} <= set(figure)
    reps = [t for t in card["turns"] if t["speaker"] == "rep"]
    assert len(reps) == 3 and all(t["labels"] for t in reps)
    assert "question" in reps[2]["labels"]
    step = next(f for f in card["figures"] if f["name"] == "buyer's next step")
    assert step["value"] is True


def test_consultative_transcript_beats_a_pushy_one(call_file, tmp_path):
    pushy = tmp_path / "pushy.txt"
    pushy.write_text(PUSHY, encoding="utf-8")
    good = json.loads(rapport(str(call_file), "--json").stdout)
    bad = json.loads(rapport(str(pushy), "--json").stdout)
    assert good["overall"] - bad["overall"] >= 30, (good["overall"], bad["overall"])
    assert bad["moments"] and bad["moments"][0]["alternative"]
    assert any("two drivers" in m["alternative"] or "expensive" in m["alternative"].lower()
               for m in bad["moments"]), bad["moments"]


def test_readable_scorecard_shows_figures_references_overall_and_moments(tmp_path):
    pushy = tmp_path / "pushy.txt"
    pushy.write_text(PUSHY, encoding="utf-8")
    proc = rapport(str(pushy))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Overall: ")
    assert "rep talk share" in out and "reference: top B2B performers talk ~43%" in out
    assert "The moments that cost the most" in out and "Try instead:" in out
    assert "How the overall is computed:" in out


def test_stdin_and_bad_lines(call_file):
    proc = rapport("-", stdin=CALL)
    assert proc.returncode == 0 and proc.stdout.startswith("Overall: ")
    bad = rapport("-", stdin="rep: hi\n\nthe buyer sighs\n")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "rapport: error: -: line 3: expected 'rep: ...' or 'buyer: ...', got 'the buyer sighs'"
    assert "Traceback" not in bad.stderr


def test_missing_file_and_no_rep_lines_are_one_line_errors(tmp_path):
    missing = rapport(str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "cannot read" in missing.stderr
    only_buyer = tmp_path / "buyer.txt"
    only_buyer.write_text("buyer: hello?\n", encoding="utf-8")
    proc = rapport(str(only_buyer))
    assert proc.returncode == 1 and "no rep lines to score" in proc.stderr


def test_json_session_keeps_trust_and_discovery(tmp_path):
    session = {"turns": [
        {"speaker": "rep", "text": "What's the hardest part of your week?", "labels": ["question"]},
        {"speaker": "buyer", "text": "We lost two drivers.", "trust": 48, "revealed": ["drivers"]},
        {"speaker": "rep", "text": "Shall I send the contract?"},
        {"speaker": "buyer", "text": "No.", "trust": 30, "revealed": []},
    ], "scorecard": {"discovery": {"revealed": 1, "total": 3}}}
    path = tmp_path / "session.json"
    path.write_text(json.dumps(session), encoding="utf-8")
    card = json.loads(rapport(str(path), "--json").stdout)
    assert card["discovery"] == {"revealed": 1, "total": 3}
    assert card["trust_curve"] == [48, 30] and card["trust_final"] == 30
    assert card["turns"][0]["labels"] == ["question"]
    assert "close" in card["turns"][2]["labels"]
    path.write_text('{"turns": [{"speaker": "rep", "text": "hi", "trust": "high"}]}', encoding="utf-8")
    proc = rapport(str(path))
    assert proc.returncode == 1 and "turn 1: trust must be a number" in proc.stderr
