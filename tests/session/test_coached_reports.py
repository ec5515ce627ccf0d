"""Reports a coach can trust: notes at the turns they were made, a section per rep of a group session,
no raw values (ids, booleans, seconds), discovery and next step of imported transcripts."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from simulator.persona.loader import get
from simulator.session.export import export, write
from simulator.session.importer import import_transcript
from simulator.session.start import open_practice
from simulator.session.store import Store

from .png import count_colour, decode  # noqa: TID252

RAW = ("flag_good", "flag_bad", "handover", "False", "True", "None", "👍", "👎")


def coached_group_session(db_url: str) -> str:
    """Sam, then Alex after a hand-over, with a note, flags and a steer at known moments."""
    session = open_practice(persona_id="logistics-ops-director", rep_name="Sam", seed=3, db_url=db_url)
    session.start()
    session.rep_turn("Thanks for the time. What made you take this meeting?")
    session.coach("note", "good open question")  # after turn index 2 (the buyer's answer)
    session.rep_turn("Our platform cuts driver turnover in half, guaranteed.")
    session.coach("flag_bad")  # index 4
    session.hand_over("Alex")  # index 4
    session.rep_turn("Tell me more about what happens when a driver leaves.")
    session.coach("flag_good")  # index 6
    session.coach("steer", "harder")
    session.rep_turn("So losing drivers hurts most in peak season. What has that cost you?")
    session.rep_turn("Shall we sign today?")
    session.end()
    session.recorder.store.close()
    return session.session_id


@pytest.fixture
def group(db_url) -> tuple[Store, str]:
    sid = coached_group_session(db_url)
    store = Store.open(db_url)
    yield store, sid
    store.close()


def test_coach_events_are_stored_at_the_turn_they_were_made(group):
    store, sid = group
    events = store.get(sid).coach_events
    assert [(e.kind, e.turn_index) for e in events] == [
        ("note", 2), ("flag_bad", 4), ("handover", 4), ("flag_good", 6), ("steer", 6)]


def test_html_report_has_a_section_per_rep_and_notes_under_their_turns(group):
    store, sid = group
    html = export(store, sid, "html")
    assert "Sam\u2019s part" in html and "Alex\u2019s part" in html
    assert html.count('class="rep-part"') == 2
    # each note sits between the turn it was made at and the next turn
    for index, words in ((2, "note: good open question"), (4, "flagged bad"), (4, "handed over to Alex"),
                         (6, "flagged good"), (6, "steered the buyer: a harder buyer")):
        at, note, after = html.index(f'id="turn-{index}"'), html.index(words), html.index(f'id="turn-{index + 1}"')
        assert at < note < after, words
    sam, alex = html.index('id="rep-1"'), html.index('id="rep-2"')
    assert sam < html.index("flagged bad", sam) < alex and html.index("flagged good", alex) > alex
    visible = re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1])
    for raw in RAW:
        assert raw not in visible, raw


def test_markdown_reads_as_words_and_has_each_reps_part(group):
    store, sid = group
    md = export(store, sid, "md")
    for raw in RAW:
        assert raw not in md, raw
    assert "## Sam's part: overall" in md and "## Alex's part: overall" in md
    assert re.search(r"\| buyer's next step \| (yes|no) \|", md)
    assert re.search(r"- turn 3 \(\d:\d\d\): note: good open question", md)
    lines = md.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("3. **Buyer**")))
    assert lines[at + 1].startswith("   > coach (") and lines[at + 1].endswith("note: good open question")


def test_each_reps_moments_point_at_the_session_turns(group):
    from simulator.session.rescore import rep_scorecards

    store, sid = group
    session = store.get(sid)
    cards = rep_scorecards(session.turns, session.persona, session.summary.reps)
    assert list(cards) == ["Sam", "Alex"]
    for rep, card in cards.items():
        for moment in card["moments"]:
            turn = session.turns[moment["turn_index"]]
            assert turn.rep_name == rep and turn.text == moment["text"]
    assert "Shall we sign today?" in [m["text"] for m in cards["Alex"]["moments"]]


def test_one_moment_has_one_suggestion_in_the_whole_session_and_the_reps_parts(group):
    """The whole-session part and the rep's own part of a report give the same "try instead" for a turn (they had
    given two, seeded by the turn's place in each); so do the app's per-rep scorecards."""
    store, sid = group
    md = export(store, sid, "md")
    told: dict[str, set[str]] = {}
    for turn, alternative in re.findall(r"^- (turn \d+) .*\n.*\n  - try instead: “(.*)”$", md, re.MULTILINE):
        told.setdefault(turn, set()).add(alternative)
    assert told and any(md.count(f"- {turn} ") > 1 for turn in told), md  # a moment shown in two parts
    assert all(len(alternatives) == 1 for alternatives in told.values()), told
    html = export(store, sid, "html")
    for alternatives in told.values():
        (alternative,) = alternatives
        shown = alternative.replace("'", "&#x27;")
        assert html.count(shown) == md.count(alternative), alternative
    session = store.get(sid)
    whole = {m["turn_index"]: m["alternative"] for m in session.scorecard["moments"]}
    from simulator.session.rescore import rep_scorecards

    for card in rep_scorecards(session.turns, session.persona, session.summary.reps, whole=session.scorecard).values():
        for moment in card["moments"]:
            assert whole.get(moment["turn_index"], moment["alternative"]) == moment["alternative"]


def test_the_apps_rep_scorecards_keep_the_whole_sessions_suggestions(db_url):
    session = open_practice(persona_id="logistics-ops-director", rep_name="Sam", seed=3, db_url=db_url)
    session.start()
    session.rep_turn("Thanks for the time. What made you take this meeting?")
    session.rep_turn("Our platform cuts driver turnover in half, guaranteed.")
    session.hand_over("Alex")
    session.rep_turn("Tell me more about what happens when a driver leaves.")
    session.rep_turn("So losing drivers hurts most in peak season. What has that cost you?")
    session.rep_turn("Shall we sign today?")
    session.end()
    session.recorder.store.close()
    whole = session.scorecard()
    told = {m["turn_index"]: m["alternative"] for m in whole["moments"]}
    cards = session.scorecards_by_rep(whole)
    assert list(cards) == ["Sam", "Alex"]
    shared = [m for card in cards.values() for m in card["moments"] if m["turn_index"] in told]
    assert shared and all(m["alternative"] == told[m["turn_index"]] for m in shared)


@pytest.mark.browser
def test_group_report_in_headless_chromium(group, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        from conftest import require_service  # noqa: PLC0415

        require_service("chromium", "headless chromium is not installed")
    store, sid = group
    page = tmp_path / "group.html"
    write(export(store, sid, "html"), page)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    for needle in ('id="rep-1"', 'id="rep-2"', "flagged good", "flagged bad", "handed over to Alex"):
        assert needle in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    pixels = decode(shot.read_bytes())
    # the good flag's green band and the bad flag's red band are drawn in the transcript
    assert count_colour(pixels, (0xE8, 0xF5, 0xEC)) > 2000
    assert count_colour(pixels, (0xFD, 0xEC, 0xEA)) > 2000


BRUSH_OFF = """\
buyer: Morning. What's this about?
rep: We help distributors like you cut driver turnover. Shall we set up a pilot today?
buyer: No. Send me something I can show Frank.
"""


def test_import_with_persona_reads_discovery_and_a_brush_off_is_not_a_next_step(store):
    persona = get("logistics-ops-director").model_dump(mode="json")
    fact = persona["facts"][0]
    text = BRUSH_OFF + f"rep: What's behind that?\nbuyer: {fact['says'][0]}\n"
    sid = import_transcript(store, text, persona, "Sam")
    card = store.get(sid).scorecard
    figures = {f["name"]: f for f in card["figures"]}
    assert figures["discovery"]["verdict"] != "n/a"
    assert figures["discovery"]["value"] == 1 and fact["topic"] in figures["discovery"]["detail"]
    assert card["discovery"]["total"] == len(persona["facts"])
    assert figures["buyer's next step"]["value"] is False

    plain = import_transcript(store, BRUSH_OFF, persona, "Sam")
    figures = {f["name"]: f for f in store.get(plain).scorecard["figures"]}
    assert figures["discovery"]["value"] == 0 and figures["discovery"]["verdict"] == "poor"
