"""Stored text never drives the terminal: ESC, BEL, DEL and C1 characters from persona files,
transcripts, rep names and LLM replies are shown (command line) or removed (TUI), never sent raw.

The command-line tests run the real ``rapport`` command and look at the bytes it writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.safe_text import has_controls, json_text, strip_controls, visible
from tests.conftest import ROOT
from tests.llm_server import fault_server  # noqa: F401 - fixture

sys.path.insert(0, str(Path(__file__).parent / "tui"))
from history_seed import BASE, store_session, wait_for  # noqa: E402

#: what a hostile file may hold: clipboard write (OSC 52), clear screen, a hidden link (OSC 8),
#: a C1 CSI and a C1 OSC window title, BEL, backspace, DEL
EVIL = ("\x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\"
        "\x9b31m\x9d0;pwned\x9c\x08\x7f\x07")
#: markup Textual would read (an unmatched closing tag stops the app with a MarkupError)
MARKUP = "[bold]x[/bold] [/oops]"
EVIL_NAME = f"Rosa {EVIL}{MARKUP} Alvarez"
EVIL_REP = f"Sam{EVIL}"
PERSONA_ID = "evil-bakery"
#: raw control bytes in UTF-8 output: C0 except tab and newline, DEL, C1 (encoded as C2 80 - C2 9F)
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def assert_safe(data: bytes, where: str = "output") -> None:
    found = RAW_CONTROL.search(data)
    assert found is None, f"raw control byte {found.group()!r} in {where}: {data[max(0, found.start() - 40):][:80]!r}"


def toml_string(text: str) -> str:
    """A TOML basic string for ``text`` (control characters as \\uXXXX escapes, as TOML requires)."""
    return '"' + "".join(f"\\u{ord(c):04x}" if not c.isprintable() or c in '"\\' else c for c in text) + '"'


def write_evil_persona(folder: Path) -> Path:
    """A copy of the bakery owner whose name, company, situation and opening line hold escape sequences."""
    text = (ROOT / "personas" / "bakery-owner.toml").read_text(encoding="utf-8")
    for key, value in (("name", EVIL_NAME), ("company", f"Alvarez {EVIL}Bakery"),
                       ("situation", f"Busy {EVIL} bakery."), ("opening_line", f"Hi, come in!{EVIL} What's up?")):
        text = re.sub(rf"^{key} = .*$", lambda _m, k=key, v=value: f"{k} = {toml_string(v)}", text, count=1, flags=re.M)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PERSONA_ID}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def personas_dir(tmp_path) -> Path:
    folder = tmp_path / "personas"
    write_evil_persona(folder)
    return folder


def rapport_command() -> list[str]:
    script = Path(sys.executable).with_name("rapport")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simulator"]


def rapport(*args: str, stdin: bytes | None = None, env: dict | None = None, code: int = 0,
            ) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    """Run the real command; its stdout and stderr must hold no raw control character."""
    proc = subprocess.run([*rapport_command(), *args], input=stdin, capture_output=True, timeout=180,
                          env={**os.environ, **(env or {})})  # fmt: skip
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    assert proc.returncode == code, (proc.returncode, proc.stderr.decode(errors="replace"))
    assert_safe(proc.stdout, f"stdout of rapport {' '.join(args)}")
    assert_safe(proc.stderr, f"stderr of rapport {' '.join(args)}")
    return proc


# ---- the function itself --------------------------------------------------------------------------
CONTROL_CHARS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def test_every_control_character_is_made_visible_and_newline_and_tab_are_kept():
    for ch in CONTROL_CHARS:
        shown = visible(f"a{ch}b")
        assert shown == f"a\\u{ord(ch):04x}b" and not has_controls(shown)
        assert strip_controls(f"a{ch}\nb") == "a\nb"  # (ESC b would be a sequence: both removed)
    assert visible("line one\n\tline two é ü 日本 ✦") == "line one\n\tline two é ü 日本 ✦"
    assert strip_controls("line one\n\tline two é") == "line one\n\tline two é"


def test_whole_escape_sequences_are_removed_not_just_their_escape_character():
    assert strip_controls("Rosa\x1b]52;c;aGVsbG8=\x07 Alvarez") == "Rosa Alvarez"
    assert strip_controls("a\x1b[2J\x1b[1;31mb\x1b[0m") == "ab"
    assert strip_controls("see \x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\.") == "see here."
    assert strip_controls("x\x9b31my\x9d0;title\x9cz") == "xyz"


def test_json_output_escapes_c1_and_del_which_json_dumps_leaves_raw():
    data = {"name": EVIL_NAME, "é": "ü"}
    raw = json.dumps(data, ensure_ascii=False)
    assert "\x9b" in raw and "\x7f" in raw  # the reason json_text exists
    text = json_text(data)
    assert not has_controls(text) and "é" in text
    assert json.loads(text) == data


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(st.text())
def test_no_control_character_survives_any_text(text):
    assert not has_controls(visible(text)) and not has_controls(strip_controls(text))
    assert not has_controls(json_text(text)) and json.loads(json_text(text)) == text
    assert json.loads(visible(json.dumps(text, ensure_ascii=False))) == text  # stdout's escaping keeps JSON exact


# ---- the command line ------------------------------------------------------------------------------
def test_personas_list_and_show_print_a_hostile_persona_file_harmlessly(personas_dir):
    listed = rapport("personas", "list", "--personas", str(personas_dir)).stdout.decode()
    line = next(line for line in listed.splitlines() if line.startswith(PERSONA_ID))
    assert "Rosa \\u001b]52;c;aGVsbG8=\\u0007" in line and "\\u009b31m" in line and "\\u007f" in line
    shown = rapport("personas", "show", PERSONA_ID, "--personas", str(personas_dir)).stdout.decode()
    assert shown.startswith("Rosa \\u001b]52;c;aGVsbG8=\\u0007")
    for args in (["personas", "list"], ["personas", "show", PERSONA_ID]):
        doc = json.loads(rapport(*args, "--personas", str(personas_dir), "--json").stdout)
        names = [p["name"] for p in doc] if isinstance(doc, list) else [doc["name"]]
        assert EVIL_NAME in names  # the JSON carries the exact text, escaped


def test_simulate_prints_a_hostile_persona_and_script_harmlessly(personas_dir, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(f"Hi Rosa,{EVIL} thanks for the time.\nWhat keeps you busy{EVIL} these days?\n", encoding="utf-8")
    out = rapport("simulate", "--persona", PERSONA_ID, "--personas", str(personas_dir), "--script", str(script),
                  "--seed", "1").stdout.decode()
    assert "Simulated conversation with Rosa \\u001b]52" in out and "keeps you busy\\u001b]52" in out
    sid = re.search(r"Saved as session (\w+)", out).group(1)
    assert "keeps you busy\\u001b]52" in rapport("sessions", "show", sid).stdout.decode()
    doc = json.loads(rapport("simulate", "--persona", PERSONA_ID, "--personas", str(personas_dir), "--script",
                             str(script), "--seed", "1", "--no-save", "--json").stdout)
    assert doc["turns"][0]["text"] == f"Hi, come in!{EVIL} What's up?"  # the exact text, in valid JSON


def test_sessions_and_progress_print_a_stored_hostile_session_harmlessly(personas_dir):
    sid = _stored_evil_session(personas_dir)  # a rep name and notes with escapes, as an older store may hold
    listed = rapport("sessions", "list").stdout.decode()
    assert sid in listed and "Sam\\u001b]52" in listed
    shown = rapport("sessions", "show", sid).stdout.decode()
    assert "\\u001b]52;c;aGVsbG8=\\u0007" in shown
    stored = json.loads(rapport("sessions", "show", sid, "--json").stdout)
    assert stored["reps"] == [EVIL_REP]  # the exact text, in valid JSON
    assert json.loads(rapport("sessions", "list", "--json").stdout)[0]["reps"] == [EVIL_REP]
    assert "Sam\\u001b]52" in rapport("progress", "--rep", EVIL_REP).stdout.decode()
    assert json.loads(rapport("progress", "--json").stdout)


def test_score_and_import_of_a_hostile_transcript_print_it_harmlessly(personas_dir, tmp_path):
    transcript = tmp_path / "call.txt"
    transcript.write_text(f"rep: Our platform{EVIL} has forty features. Shall I send the contract today?\n"
                          f"buyer: Slow down{EVIL}, please.\n"
                          "rep: What made you take this meeting?\n", encoding="utf-8")
    scored = rapport("score", str(transcript)).stdout.decode()
    assert "platform\\u001b]52;c;aGVsbG8=\\u0007" in scored
    rapport("score", str(transcript), "--json")
    imported = rapport("sessions", "import", str(transcript), "--persona", PERSONA_ID, "--personas",
                       str(personas_dir), "--rep", "Sam").stdout.decode()
    sid = re.search(r"as session (\w+)", imported).group(1)
    assert "platform\\u001b]52" in rapport("sessions", "show", sid).stdout.decode()
    rapport("sessions", "export", sid, "--format", "md")
    rapport("sessions", "export", sid, "--format", "json")


def test_error_messages_show_hostile_text_harmlessly(tmp_path):
    missing = tmp_path / f"no{EVIL}such.txt"
    err = rapport("score", str(missing), code=1).stderr.decode()
    assert err.startswith("rapport: error: ") and len(err.strip().splitlines()) == 1
    rapport("personas", "show", f"x{EVIL}", code=1)
    rapport("sessions", "list", "--db", f"sqlite:///{tmp_path}/a{EVIL}.db", code=1)


def test_llm_replies_are_cleaned_before_they_are_shown_or_stored(personas_dir, tmp_path, fault_server):  # noqa: F811
    hostile = "\x1b]52;c;aGVsbG8=\x07\x1b[2J\x9b31m\x9d0;pwned\x9c\x08\x7f"
    fault_server.script[:] = [f"Rosa: Well,{hostile} we bake \x1b[1mall\x1b[0m day. Orders live on paper.",
                              f"\x1b]0;title\x07Honestly? Mostly sourdough{hostile}."]
    script = tmp_path / "script.txt"
    script.write_text("What keeps you busy these days?\nHow do you take orders?\n", encoding="utf-8")
    env = {"OPENAI_BASE_URL": fault_server.url("script"), "RAPPORT_LLM_MODEL": "test"}
    out = rapport("simulate", "--persona", PERSONA_ID, "--personas", str(personas_dir), "--script", str(script),
                  "--seed", "1", "--engine", "openai", env=env).stdout.decode()
    assert "Well, we bake all day. Orders live on paper." in out and "Honestly? Mostly sourdough." in out, out
    sid = re.search(r"Saved as session (\w+)", out).group(1)
    stored = json.loads(rapport("sessions", "show", sid, "--json").stdout)
    buyer = [t["text"] for t in stored["turns"] if t["speaker"] == "buyer"][1:]  # after the persona's opening
    assert buyer == ["Well, we bake all day. Orders live on paper.", "Honestly? Mostly sourdough."]


# ---- the TUI ---------------------------------------------------------------------------------------
def assert_screen_safe(app) -> str:
    svg = app.export_screenshot()
    found = re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", svg)
    assert found is None, f"raw control character {found.group()!r} on screen"
    assert "aGVsbG8" not in svg and "pwned" not in svg  # the sequences are gone, payload and all
    return svg


def _shown(svg: str) -> str:
    """The screenshot's text (Textual writes spaces as &#160; and splits text into spans)."""
    return re.sub(r"<[^>]+>", "", svg).replace("&#160;", " ").replace("&#x27;", "'").replace("&amp;", "&")


def _stored_evil_session(personas_dir: Path) -> str:
    from simulator.commands.simulate import run_script
    from simulator.persona.loader import get
    from simulator.session.store import Store

    session = run_script(get(PERSONA_ID, [personas_dir]), [f"Hi Rosa,{EVIL} thanks.", f"What {MARKUP} matters?"],
                         seed=1, rep_name=EVIL_REP)
    with Store.open() as store:
        return store_session(store, session, BASE, notes=((1, "note", f"nice{EVIL} {MARKUP}"),))


#: what the TUI shows of them: the sequences removed (only the OSC 8 link's visible text, "link", stays)
SHOWN_NAME = "Rosa link[bold]x[/bold] [/oops] Alvarez"


async def test_tui_start_practice_and_scorecard_show_a_hostile_persona_as_plain_text(personas_dir):
    from textual.widgets import Input

    from simulator.tui.app import AppOptions, make_app
    from simulator.tui.screens.practice import PracticeScreen
    from simulator.tui.screens.scorecard import ScorecardScreen
    from simulator.tui.widgets.turns import TurnView

    (personas_dir / "broken.toml").write_text(f"name = {toml_string(EVIL + MARKUP)}\n", encoding="utf-8")
    app = make_app(AppOptions(personas_dirs=(personas_dir,), rep_name=EVIL_REP))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.3)
        text = _shown(assert_screen_safe(app))
        assert SHOWN_NAME in text  # markup shown as written
        app.begin_practice(AppOptions(persona=PERSONA_ID, personas_dirs=(personas_dir,), rep_name=EVIL_REP,
                                      save=False, seed=1))
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.session is not None)
        await wait_for(pilot, lambda: len(app.screen.query(TurnView)) >= 1)
        app.screen.query_one("#typed", Input).value = "What keeps you busy?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen.query(TurnView)) >= 3)
        app.notify(f"problem{EVIL}{MARKUP}")
        await pilot.pause(0.2)
        text = _shown(assert_screen_safe(app))
        assert "Hi, come in!link What's up?" in text and SHOWN_NAME in text
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen))
        await pilot.pause(0.2)
        assert f"Scorecard: {SHOWN_NAME}" in _shown(assert_screen_safe(app))


async def test_tui_replay_watch_and_progress_show_a_hostile_session_as_plain_text(personas_dir):
    from simulator.tui.app import AppOptions, make_app
    from simulator.tui.screens.replay import ReplayScreen, SessionReplayScreen
    from simulator.tui.screens.watch import WatchScreen
    from simulator.tui.widgets.timeline import Timeline

    sid = _stored_evil_session(personas_dir)
    app = make_app(AppOptions(start="replay"))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen) and app.screen.rows)
        await pilot.pause(0.2)
        assert "Sam" in _shown(assert_screen_safe(app))
        app.screen.open_session(sid)
        await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
        timeline = app.screen.query_one("#timeline", Timeline)
        for index in range(timeline.option_count):  # every turn's detail, coach note included
            timeline.highlighted = index
            await pilot.pause(0.05)
            text = _shown(assert_screen_safe(app))
        assert "nicelink [bold]x[/bold] [/oops]" in text and "What [bold]x[/bold] [/oops] matters?" in text
        app.action_open_watch(sid)
        await wait_for(pilot, lambda: isinstance(app.screen, WatchScreen) and app.screen.turns)
        await pilot.pause(0.2)
        assert SHOWN_NAME in _shown(assert_screen_safe(app))
        app.action_open_progress()
        await pilot.pause(1.0)
        assert_screen_safe(app)
