"""Drills (SQLite and PostgreSQL): chosen from the rep's weakest figure, run against the offline buyer with the
real analyser, passed or failed with a reason naming the turn, stored, and shown in progress."""

from __future__ import annotations

import json
import re

import pytest

from simulator.cli import main
from simulator.conversation.transcript import content_words
from simulator.conversation.turns import Turn
from simulator.persona.loader import get
from simulator.session import drills, rescore
from simulator.session.progress import progress, render


def build_on(buyer: str) -> str:
    """A follow-up question on the buyer's own words (a longish content word they just used)."""
    words = [w for w in content_words(buyer) if len(w) > 4] or content_words(buyer)
    return f"You mentioned the {words[0]}. What does the {words[0]} mean for you day to day?"


def run(session, lines) -> dict:
    session.start()
    for line in lines:
        if session.ended:
            break
        session.rep_turn(line(session) if callable(line) else line)
    session.end()
    return drills.record(session)


GOOD = {
    "follow-ups": [lambda s: build_on(s.last_buyer_text())] * 3,
    "concern": ["What makes you worry it would be too complicated for your staff?",
                "So it has to be simple enough for the counter staff. What would simple look like to them?"],
    "reflect": ["So you've got two shops now and a lot of custom orders for birthdays and weddings.",
                "How do those custom orders come in at the moment?"],
    "ask": ["How do the custom orders come in today?", "What happens when one goes missing?",
            "Who else deals with the order book?"],
}
BAD = {
    "follow-ups": (["How did you get into baking?", "What else?", "Anything more?"],
                   "turn 1 did not build on the buyer's words"),
    "concern": (["Honestly it's really simple, your staff will pick it up in five minutes.",
                 "Trust me, it's easy."], "turn 1 argued with the concern ("),
    "reflect": (["How many staff do you have?", "And what do they do?"], "turn 1 did not reflect the buyer's words"),
    "ask": (["How do orders come in?", "Our app puts every order in one place and saves you hours.", "Sound good?"],
            "turn 2 was transactional"),
}


@pytest.mark.parametrize("key", [d.key for d in drills.DRILLS])
def test_each_drill_passes_and_fails_with_a_reason_and_is_stored(store, db_url, key):
    good = run(drills.open_drill(key, persona_id="bakery-owner", rep_name="Sam", seed=1, db_url=db_url), GOOD[key])
    assert good["passed"], good["reason"]
    lines, why = BAD[key]
    bad = run(drills.open_drill(key, persona_id="bakery-owner", rep_name="Sam", seed=1, db_url=db_url), lines)
    assert not bad["passed"] and bad["reason"].startswith(why), bad["reason"]
    attempts = store.drill_attempts("Sam")
    assert [(a["drill"], a["passed"]) for a in attempts] == [(key, True), (key, False)]
    assert attempts[1]["reason"] == bad["reason"]
    kept = store.get(bad["session_id"])
    assert kept.summary.source == "drill" and kept.summary.status == "finished"
    assert sum(1 for t in kept.turns if t.speaker == "rep") == drills.drill(key).turns
    doc = progress(store, "Sam")
    assert doc["sessions"] == 0 and doc["drills"] == [
        {"drill": key, "attempts": 2, "passed": 1, "last": {"passed": False, "reason": bad["reason"],
                                                            "at": doc["drills"][0]["last"]["at"],
                                                            "session_id": bad["session_id"]}}]
    assert f"{key}" in render(doc) and "passed 1 of 2; last failed: " in render(doc)


def test_the_drill_is_chosen_from_the_weakest_figure(store, db_url):
    assert drills.weakness([]) == {d.key: 1.0 for d in drills.DRILLS}
    persona = get("bakery-owner")
    # a rep who argues with concerns (the turns as the analyser labelled them, scored as the store scores them)
    turns = [Turn("buyer", persona.opening_line, trust=30.0),
             Turn("rep", "How do orders come in?", labels=("question",), rep_name="Ana"),
             Turn("buyer", "On paper. And honestly I worry it would be too complicated.", trust=33.0),
             Turn("rep", "It really isn't, your staff will pick it up in five minutes.",
                  labels=("objection_handling",), rep_name="Ana"), Turn("buyer", "Hm.", trust=25.0)]
    snapshot = persona.model_dump(mode="json")
    sid = store.add_finished_session(persona.id, snapshot, "offline", {}, turns, rescore.scorecard(turns, snapshot),
                                     "x", "x", source="practice", end_reason="finished")
    chosen, scores = drills.weakest(store, "Ana")
    card = store.get(sid).scorecard
    assert card["moves"].get("objection_handling") and scores["concern"] == 0.0
    assert chosen.key == "concern"
    passed = run(drills.open_drill(None, persona_id="bakery-owner", rep_name="Ana", seed=1, db_url=db_url),
                 GOOD["concern"])
    assert passed["drill"] == "concern" and passed["passed"]
    _, again = drills.weakest(store, "Ana")
    assert again["concern"] == 0.5  # a pass counts, so the next weakest comes up in turn
    assert progress(store, "Ana")["session_ids"] == [sid]  # the drill's session is not a practice session


def test_drill_command(capsys, store, db_url):
    def cli(*args):
        with pytest.raises(SystemExit) as done:
            main([*args, "--db", db_url])
        out, err = capsys.readouterr()
        return done.value.code, out, err

    code, out, _ = cli("drill", "--list", "--rep", "Sam", "--json")
    assert code == 0 and [r["drill"] for r in json.loads(out)] == [d.key for d in drills.DRILLS]
    code, out, err = cli("drill", "--rep", "Sam", "--drill", "ask", "--persona", "bakery-owner", "--seed", "1",
                         *[arg for line in GOOD["ask"] for arg in ("--say", line)])
    assert code == 0, err
    assert out.startswith("Drill: Ask, don't tell (3 turns).") and "PASSED: 3 turns without a transactional move" in out
    code, out, _ = cli("drill", "--rep", "Sam", "--drill", "reflect", "--persona", "bakery-owner", "--json",
                       "--say", "How many staff?", "--say", "Why?")
    doc = json.loads(out)
    assert code == 0 and doc["passed"] is False and re.match("turn 1 did not reflect", doc["reason"])
    code, _, err = cli("drill", "--rep", "Sam", "--drill", "nope", "--say", "x")
    assert code == 1 and "unknown drill 'nope'; drills: follow-ups, concern, reflect, ask" in err
    code, out, _ = cli("progress", "--rep", "Sam")
    assert "ask                      passed 1 of 1" in out and "reflect                  passed 0 of 1" in out
