"""Rubrics and the store, on SQLite and PostgreSQL: every stored session rescores identically under the default
rubric; a coach's rubric is stamped on the scorecard (name and content hash, in the data and in columns);
progress compares scorecards of one rubric only."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.conversation.rubric import DEFAULT, parse
from simulator.conversation.scorecard import SCORER_VERSION
from simulator.conversation.turns import Turn
from simulator.session import rescore
from simulator.session.progress import progress

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "conversation"))
from test_rubric_golden import same_as_before  # noqa: E402

STORED = json.loads((ROOT / "tests" / "data" / "stored_sessions_golden.json").read_text(encoding="utf-8"))
TEAM = parse((ROOT / "docs" / "rubrics" / "discovery-first.toml").read_text(encoding="utf-8"))
#: what only the live practice loop adds to its scorecard (the buyer's own state), not the scoring
LIVE_ONLY = {"next_step_offered", "buyer_ended"}


def load_stored(store, limit: int | None = None) -> list[tuple[str, dict]]:
    """The sessions as Rapport stored them before rubrics, into this store; (id, stored scorecard)."""
    out = []
    for s in STORED["sessions"][:limit]:
        turns = [Turn.from_dict(t) for t in s["turns"]]
        sid = store.add_finished_session(s["persona_id"], STORED["personas"][s["persona_id"]], s["engine"], {}, turns,
                                         s["scorecard"], s["analyser_version"], s["scorer_version"], reps=s["reps"],
                                         source=s["source"])
        out.append((sid, s["scorecard"]))
    return out


def old_keys(card: dict) -> dict:
    # the scorer's version moved on (1.1 counts "Can we meet again on Friday?" as a next step); the values must not
    card = {k: v for k, v in card.items() if k not in LIVE_ONLY and k != "scorer_version"}
    if isinstance(card.get("discovery"), dict) and "facts" in card["discovery"]:  # the same facts, in any order
        card["discovery"] = {**card["discovery"], "facts": sorted(card["discovery"]["facts"])}
    return card


def test_every_stored_session_rescores_identically_under_the_default_rubric(store):
    stored = load_stored(store)
    assert len(stored) == 58 and {store.get(sid).summary.source for sid, _ in stored} == {"practice", "import"}
    results = rescore.rescore_all(store, relabel=False)
    assert len(results) == len(stored)
    assert all(r["rubric"] == "default" and r["rubric_hash"] == DEFAULT.hash for r in results)
    problems = {}
    for sid, before in stored:
        session = store.get(sid)
        assert len(session.scores) == 2
        after = session.scores[-1]
        assert (after.rubric_name, after.rubric_hash) == ("default", DEFAULT.hash)
        assert session.scores[0].rubric_hash is None  # stored before rubrics
        assert after.overall == before["overall"] == session.summary.overall
        assert (session.scores[0].scorer_version, after.scorer_version) == ("1.0", SCORER_VERSION)
        new = dict(after.data)
        new["discovery"] = {**new.get("discovery", {}), "facts": sorted(new.get("discovery", {}).get("facts", []))}
        found = same_as_before(old_keys(before), new)
        if found:
            problems[sid] = found
    assert problems == {}


def test_a_coachs_rubric_is_stamped_in_the_data_and_the_columns(store):
    sid, before = load_stored(store, 41)[40]
    result = rescore.rescore(store, sid, rubric=TEAM, relabel=False)
    assert result["rubric"] == "discovery-first" and result["rubric_hash"] == TEAM.hash
    session = store.get(sid)
    card = session.scorecard
    assert card["rubric"] == TEAM.stamp() and card["passed"] is (card["overall"] >= 60)
    assert card["formula"].startswith(f"Rubric discovery-first ({TEAM.hash[:8]}).")
    with store.engines.read.connect() as conn:
        rows = conn.execute(sa.text("SELECT rubric_name, rubric_hash FROM scorecards ORDER BY id")).all()
    assert [tuple(r) for r in rows][-1] == ("discovery-first", TEAM.hash)
    history = session.to_dict()["score_history"]
    assert [h["rubric"] for h in history] == [None, "discovery-first"]


def test_progress_compares_like_with_like(store):
    stored = load_stored(store, 6)
    for sid, _ in stored[:3]:
        rescore.rescore(store, sid, rubric=TEAM, relabel=False)
    default = progress(store)
    team = progress(store, rubric=TEAM)
    assert default["rubric"]["hash"] == DEFAULT.hash and team["rubric"]["hash"] == TEAM.hash
    assert default["sessions"] == 6 and team["sessions"] == 3
    overall = next(f for f in team["figures"] if f["name"] == "overall")
    expected = [store.get(sid).scorecard["overall"] for sid, _ in stored[:3]]
    assert overall["values"] == expected
    # the default series reads each session's default-rubric scorecard, even where a team one came later
    default_overall = next(f for f in default["figures"] if f["name"] == "overall")
    assert default_overall["values"] == [float(card["overall"]) for _, card in stored]
    assert team["left_out"] == 3


@pytest.mark.parametrize("relabel", [True, False])
def test_a_session_stored_now_rescores_identically(store, relabel):
    from simulator.commands.simulate import run_script
    from simulator.persona.loader import get
    from simulator.session.recorder import Recorder

    persona = get("logistics-ops-director")
    sid = store.create_session(persona.id, persona.model_dump(mode="json"), "offline", {"seed": 3})
    recorder = Recorder(store, sid)
    session = run_script(persona, ["Thanks for making the time today.", "What has been keeping the depot busy?",
                                   "Two drivers in a month, that's a lot to absorb.",
                                   "Our platform optimises every route automatically.",
                                   "How is the overtime affecting the team?"], seed=3, sinks=[recorder])
    session.end()
    before = store.get(sid).scorecard
    result = rescore.rescore(store, sid, relabel=relabel)
    assert result["after"] == result["before"] == before["overall"]
    after = store.get(sid).scorecard
    after["discovery"]["facts"] = sorted(after["discovery"]["facts"])
    assert same_as_before(old_keys(before), after) == []
