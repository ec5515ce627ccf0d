"""``rapport analyze``: plain lines or JSON lines in, one JSON object per line out."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from simulator.commands.analyze import analyze


def run(args: list[str], stdin: str):
    return CliRunner().invoke(analyze, args, input=stdin)


def outputs(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_plain_lines_from_stdin_skip_blank_lines():
    result = run([], "What made you look at this now?\n\n   \nOur platform has forty features.\n")
    assert result.exit_code == 0
    outs = outputs(result)
    assert [o["text"] for o in outs] == ["What made you look at this now?", "Our platform has forty features."]
    assert outs[0]["stance"] == "consultative" and "question" in outs[0]["labels"]
    assert outs[1]["stance"] == "transactional" and "pitch" in outs[1]["labels"]
    assert all(set(o) == {"text", "labels", "stance", "cues"} for o in outs)


def test_jsonl_with_buyer_lines_and_a_bad_line():
    lines = [
        json.dumps({"text": "so you're short on drivers", "buyer_said": "We lost two drivers."}),
        "{not json",
        json.dumps({"buyer_said": "no text here"}),
        json.dumps({"text": "Shall I send the contract?"}),
    ]
    result = CliRunner().invoke(analyze, ["--jsonl", "-"], input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    outs = outputs(result)
    assert len(outs) == 2
    assert "listening" in outs[0]["labels"]
    assert "close" in outs[1]["labels"]
    assert "line 2: not valid JSON" in result.stderr
    assert "line 3:" in result.stderr and "text" in result.stderr


def test_reads_a_file(tmp_path):
    f = tmp_path / "turns.txt"
    f.write_text("thanks for the time\nwalk me through your week\n", encoding="utf-8")
    result = CliRunner().invoke(analyze, [str(f)])
    assert result.exit_code == 0
    assert [o["labels"] for o in outputs(result)][1] == ["question"] or "question" in outputs(result)[1]["labels"]


def test_real_command_no_traceback_on_bad_input():
    proc = subprocess.run([sys.executable, "-m", "simulator", "analyze", "--jsonl"], input="[1, 2]\n{}\n",
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "rapport: line 1:" in proc.stderr and "rapport: line 2:" in proc.stderr
