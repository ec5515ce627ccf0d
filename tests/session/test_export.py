"""Exports: Markdown, JSON and the self-contained HTML report (escaping, no secrets, no external URLs)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess

import pytest

from simulator.conversation.turns import Turn
from simulator.session.export import export, write
from simulator.session.store import Store

from .png import count_colour, decode  # noqa: TID252

SECRET = "sk-fake-0123456789abcdef"
CARD = {
    "overall": 48,
    "figures": [
        {"name": "questions", "value": 2, "unit": "questions", "reference": "11–14 target questions (Gong)",
         "verdict": "ok", "detail": "2 in 3 rep turns"},
        {"name": "buyer's next step", "value": False, "unit": "", "reference": "—", "verdict": "ok", "detail": ""},
    ],
    "moments": [{"turn_index": 3, "text": "Shall I send the <contract>?", "labels": ["close"], "cost": 14.0,
                 "why": "a close before trust was earned", "alternative": "What would you need to see first?"}],
    "trust_curve": [30, 35, 28],
    "formula": "100 × earned / available − penalties",
}  # fmt: skip


@pytest.fixture
def session_id(store, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    sid = store.create_session(
        "ana-cfo", {"id": "ana-cfo", "name": "Ana <b>Ruiz</b>", "role": "CFO", "company": "Acme & Sons"},
        "llm", {"api_key": SECRET, "base_url": "http://127.0.0.1:8080/v1", "model": "smol"}, ["maya"],
    )  # fmt: skip
    rec = tmp_path / "rep0.flac"
    rec.write_bytes(b"fLaC\x00fake-recording")
    turns = [
        Turn("buyer", "Hi, what's this about?", trust=30.0),
        Turn("rep", "What's <script>alert(1)</script> slowing you down?", labels=("question",), rep_name="maya",
             audio=store.save_audio(sid, 1, "rep", rec)),
        Turn("buyer", "Approvals & invoices.", trust=35.0, revealed=("approvals",)),
        Turn("rep", "Shall I send the <contract>?", labels=("close",), rep_name="maya"),
        Turn("buyer", "Not yet.", trust=28.0),
    ]  # fmt: skip
    for i, turn in enumerate(turns):
        store.add_turn(sid, i, turn)
    store.add_coach_event(sid, "note", "too early for a <close>", t_s=12.5, turn_index=3)
    store.add_scorecard(sid, CARD, "a1", "s1")
    store.finish(sid)
    return sid


def test_json_export_is_the_show_document(store, session_id):
    doc = json.loads(export(store, session_id, "json"))
    assert doc["id"] == session_id and doc["status"] == "finished" and doc["reps"] == ["maya"]
    assert [t["speaker"] for t in doc["turns"]] == ["buyer", "rep", "buyer", "rep", "buyer"]
    assert doc["turns"][1]["labels"] == ["question"]
    assert doc["scorecard"]["overall"] == 48
    assert doc["coach_events"][0]["text"] == "too early for a <close>"
    assert doc["settings"] == {"base_url": "http://127.0.0.1:8080/v1", "model": "smol"}


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_no_export_contains_the_api_key(store, session_id, fmt):
    text = export(store, session_id, fmt, with_audio=(fmt == "html"))
    assert SECRET not in text
    assert "api_key" not in text


def test_markdown_has_transcript_moves_scorecard_moments_and_notes(store, session_id):
    md = export(store, session_id, "md")
    assert "2. **maya** (question): What's &lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "(trust 35)" in md and "reveals: approvals" in md
    assert "| questions | 2 questions | ok | 2 in 3 rep turns | 11–14 target questions (Gong) |" in md
    assert "| buyer's next step | no | ok |" in md and "False" not in md
    assert "try instead: “What would you need to see first?”" in md
    assert "   > coach (0:12): note: too early for a &lt;close&gt;" in md
    assert "- turn 4 (0:12): note: too early for a &lt;close&gt;" in md
    assert "overall score: **48/100**" in md


def test_html_is_escaped_self_contained_and_complete(store, session_id):
    html = export(store, session_id, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html and "Acme &amp; Sons" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "<link" not in html
    assert '<svg id="trust-chart"' in html and html.count("<circle") == 3
    assert 'class="move consultative">question<' in html and 'class="move transactional">close<' in html
    assert "What would you need to see first?" in html
    assert "too early for a &lt;close&gt;" in html
    assert "11–14 target questions (Gong)" in html
    assert "<audio" not in html  # only with --with-audio


def test_html_with_audio_embeds_recordings_and_survives_a_missing_one(store, session_id):
    html = export(store, session_id, "html", with_audio=True)
    data = re.search(r'src="data:audio/flac;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(data) == b"fLaC\x00fake-recording"
    shutil.rmtree(store.audio_dir / session_id)
    html = export(store, session_id, "html", with_audio=True)
    assert "(recording missing)" in html and "What&#x27;s" in html


def test_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.html"
    write("<p>hi</p>", target)
    assert target.read_text() == "<p>hi</p>"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.browser
def test_html_report_renders_in_headless_chromium(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        from conftest import require_service  # noqa: PLC0415

        require_service("chromium", "headless chromium is not installed")
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", tmp_path / "audio")
    sid = store.create_session("p", {"id": "p", "name": "Pat"}, "offline", {}, ["maya"])
    texts = ["Hello.", "How do you handle renewals?", "By hand, mostly.", "Our tool automates that.", "Hm."]
    for i, text in enumerate(texts):
        speaker = "buyer" if i % 2 == 0 else "rep"
        turn = Turn(speaker, text, trust=30.0 + i if speaker == "buyer" else None,
                    labels=(("question",) if i == 1 else ("pitch",)) if speaker == "rep" else ())  # fmt: skip
        store.add_turn(sid, i, turn)
    store.add_scorecard(sid, CARD)
    store.finish(sid)
    page = tmp_path / "report.html"
    write(export(store, sid, "html"), page)
    store.close()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    for needle in ('id="trust-chart"', 'id="turn-3"', "How do you handle renewals?", ">48<", "polyline"):
        assert needle in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    pixels = decode(shot.read_bytes())
    assert pixels.shape[:2] == (1600, 1200)
    # The trust line and its dots (#1f5fa8), a green consultative and a red transactional badge are drawn.
    assert count_colour(pixels, (0x1F, 0x5F, 0xA8)) > 500
    assert count_colour(pixels, (0x2F, 0x8F, 0x4E)) > 100
    assert count_colour(pixels, (0xC0, 0x39, 0x2B)) > 100
