"""Retry from a moment (SQLite and PostgreSQL): the buyer's state rebuilt from the stored turns is exactly the
state the live session had before that turn; the retry is stored linked to its parent and turn; saying the
same words again gets the same reaction (the session's seed); the comparison shows both reactions and each
figure; the CLI (`rapport retry`, `rapport compare`)."""

from __future__ import annotations

import json

import pytest

from simulator.cli import main
from simulator.errors import RapportError
from simulator.persona.factory import make_engine
from simulator.persona.loader import get
from simulator.session import branch
from simulator.session.branch_compare import compare
from simulator.session.recorder import Recorder
from simulator.session.start import StoredPractice

LINES = [
    "Thanks for making the time today.",
    "What has been keeping the depot busy?",
    "Our platform optimises every route automatically.",  # a pitch: the costly moment
    "How is the overtime affecting the team?",
    "So the drivers are stretched thin at the moment.",
    "Shall I send the agreement over today?",
    "What would you need to see before deciding anything?",
]


def live(store, persona_id="logistics-ops-director", seed=3, steers=None, engine="offline", engine_settings=None):
    """Play LINES as a stored practice session; returns (session id, the state before each rep turn by index)."""
    persona = get(persona_id)
    sid = store.create_session(persona.id, persona.model_dump(mode="json"), engine, {"seed": seed})
    recorder = Recorder(store, sid)
    session = StoredPractice(persona, make_engine(engine, seed=seed, settings=engine_settings), seed=seed,
                             sinks=[recorder])
    session.start()
    before: dict[int, object] = {}
    for n, line in enumerate(LINES):
        if session.state.ended:
            break
        for kind in (steers or {}).get(n, []):
            session.coach(kind)
        before[len(session.turns)] = session.state
        session.rep_turn(line)
    session.end()
    return sid, before


@pytest.mark.parametrize("steers", [None, {2: ["concern"], 4: ["harder"]}])
def test_the_rebuilt_state_is_the_live_state_before_every_rep_turn(store, steers):
    sid, before = live(store, steers=steers)
    stored = store.get(sid)
    assert len(before) >= 5
    for index, state in before.items():
        rebuilt = branch.rebuild(stored, index)
        assert rebuilt.state == state, index
        assert rebuilt.turns == stored.turns[:index] and rebuilt.differed == []
    if steers:
        assert before[max(before)].coach_gain == 0.7


def test_saying_the_same_words_again_gets_the_same_reaction_and_the_retry_is_linked(store, db_url, tmp_path):
    sid, _ = live(store)
    parent = store.get(sid)
    index = 5  # "Our platform optimises..." (turn 6)
    same = branch.open_branch(f"{sid}:{index + 1}", db_url=db_url, audio_dir=tmp_path)
    same.start()
    reply = same.rep_turn(parent.turns[index].text)
    assert reply.text == parent.turns[index + 1].text and reply.trust == parent.turns[index + 1].trust
    assert reply.revealed == parent.turns[index + 1].revealed
    same.end()
    other = branch.open_branch(f"{sid}:{index + 1}", db_url=db_url, audio_dir=tmp_path)
    other.start()
    better = other.rep_turn("What would a better week look like for your drivers?")
    other.end()
    assert better.trust > parent.turns[index + 1].trust

    stored = store.get(other.session_id)
    assert (stored.summary.parent_id, stored.summary.parent_turn) == (sid, index)
    assert stored.to_dict()["retry_of"] == {"session": sid, "turn": index + 1}
    assert [t.text for t in stored.turns[:index]] == [t.text for t in parent.turns[:index]]
    assert stored.turns[index].text == "What would a better week look like for your drivers?"
    assert stored.settings["retry_of"] == f"{sid}:{index + 1}" and stored.settings["seed"] == 3
    assert [s.id for s in store.branches(sid)] == [same.session_id, other.session_id]

    doc = compare(store, other.session_id)
    assert doc["turn"] == index + 1 and doc["parent"] == sid
    assert doc["before"]["said"] == parent.turns[index].text and doc["before"]["labels"] == ["pitch"]
    assert doc["after"]["reply"] == better.text and doc["after"]["trust_after"] == better.trust
    assert doc["before"]["trust_before"] == doc["after"]["trust_before"] == parent.turns[index - 1].trust
    rows = {r["name"]: r for r in doc["moment"]}
    assert rows["transactional moves"]["before"] == 1 and rows["transactional moves"]["after"] == 0
    assert rows["transactional moves"]["change"] == "better" and rows["buyer trust"]["change"] == "better"
    assert rows["overall"]["after"] > rows["overall"]["before"]
    assert compare(store, same.session_id)["moment"] == [
        {**r, "after": r["before"], "verdict_after": r["verdict_before"],
         "change": "same" if r["before"] is not None else "n/a"} for r in compare(store, same.session_id)["moment"]]


def test_the_default_moment_is_the_costliest_and_bad_moments_are_one_line(store, db_url, tmp_path):
    sid, _ = live(store)
    parent = store.get(sid)
    costliest = parent.scorecard["moments"][0]["turn_index"]
    session = branch.open_branch(sid[:5], db_url=db_url, save=False)
    assert session.parent_turn == costliest and "close" in parent.turns[costliest].labels
    for ref, message in [(f"{sid}:1", "turn 1 of session .* is the buyer's; retry one of the rep's turns \\(2, 4"),
                         (f"{sid}:99", "has \\d+ turns; there is no turn 99"),
                         (f"{sid}:x", "the turn must be a turn number from 1"),
                         (":3", "expected SESSION:TURN"),
                         ("zzzzzzzz:2", "no session 'zzzzzzzz'")]:
        with pytest.raises(RapportError, match=message):
            branch.open_branch(ref, db_url=db_url, save=False)


def test_retry_and_compare_commands(capsys, store, db_url):
    sid, _ = live(store)
    with pytest.raises(SystemExit) as done:
        main(["retry", f"{sid}:6", "--say", "What would a better week look like for your drivers?",
              "--say", "What gets in the way of that today?", "--db", db_url, "--json"])
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    doc = json.loads(out)
    assert doc["parent"] == sid and doc["turn"] == 6 and doc["after"]["labels"] == ["question"]
    with pytest.raises(SystemExit) as done:
        main(["compare", doc["retry"], "--db", db_url])
    text = capsys.readouterr().out
    assert done.value.code == 0
    assert text.startswith(f"Retry {doc['retry']} of session {sid}, turn 6")
    assert "Before: you said (pitch): “Our platform optimises every route automatically.”" in text
    assert "After: you said (question): “What would a better week look like for your drivers?”" in text
    assert "transactional moves" in text and "better" in text
    with pytest.raises(SystemExit) as done:
        main(["compare", sid, "--db", db_url])
    assert done.value.code == 1 and "is not a retry" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["retry", f"{sid}:6", "--db", db_url])
    assert done.value.code == 1 and "--say TEXT" in capsys.readouterr().err


def test_practice_from_a_moment_that_cannot_be_retried_is_one_line(capsys, store, db_url):
    sid, _ = live(store)
    for ref, message in [("zzzzzzzz:3", "no session 'zzzzzzzz'"), (f"{sid}:3", "turn 3 of session")]:
        with pytest.raises(SystemExit) as done:
            main(["practice", "--from", ref, "--text", "--db", db_url])
        err = capsys.readouterr().err
        assert done.value.code == 1 and message in err and err.count("\n") == 1


def test_retries_are_left_out_of_progress(store, db_url):
    from simulator.session.progress import progress

    sid, _ = live(store)
    retry = branch.open_branch(f"{sid}:6", db_url=db_url)
    retry.start()
    retry.rep_turn("What would a better week look like for your drivers?")
    retry.end()
    assert progress(store)["session_ids"] == [sid]
