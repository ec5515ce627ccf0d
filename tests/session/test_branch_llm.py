"""Retry from a moment with the LLM buyer (a real HTTP server streaming the model's words, tests/llm_server.py):
the state rebuilt from the stored turns is the live state (the facts the model really conveyed, the concern it
raised), and the retried turn is answered by the LLM with the stored conversation as its history."""

from __future__ import annotations

import pytest

from simulator.persona.factory import make_engine
from simulator.persona.llm_settings import LLMSettings
from simulator.persona.loader import get
from simulator.session import branch
from simulator.session.recorder import Recorder
from simulator.session.start import StoredPractice
from tests.llm_server import fault_server, llama_server  # noqa: F401 - fixture

SEED = 5
TURNS = [
    ("Thanks for making time, Rosa. How does the business run day to day?",
     "Oh, it's two shops now, with twelve staff, and my husband Luis does the deliveries."),
    ("Who signs off on spending here, and what sort of budget would you have?",
     "Ha, money talk already? Let's leave that for later."),
    ("Shall we get you signed up today? I can send the contract over now.",
     "Goodness, slow down! Honestly, I worry it'll be too complicated for my teenagers at the counter."),
    ("What makes you worry it would be too complicated for your staff?",
     "The last app had forty buttons, and we only ever needed three."),
    ("How do you take the custom orders at the moment?",
     "Mostly on the phone, it's fine."),  # the rules share the paper order book; the model leaves it out
]


def settings(server) -> LLMSettings:
    return LLMSettings(model="m", base_url=server.url("script"), api_key="k", timeout_s=5).checked()


def test_an_llm_session_rebuilds_exactly_and_the_retry_is_answered_by_the_llm(store, db_url, tmp_path,
                                                                                fault_server):  # noqa: F811
    persona = get("bakery-owner")
    sid = store.create_session(persona.id, persona.model_dump(mode="json"), "openai", {"seed": SEED})
    recorder = Recorder(store, sid)
    session = StoredPractice(persona, make_engine("openai", seed=SEED, settings=settings(fault_server)), seed=SEED,
                             sinks=[recorder])
    session.start()
    fault_server.script.extend(answer for _, answer in TURNS)
    before = {}
    for words, _ in TURNS:
        before[len(session.turns)] = session.state
        session.rep_turn(words)
    session.end()
    stored = store.get(sid)
    assert [t.text for t in stored.turns if t.speaker == "buyer"][1:] == [a for _, a in TURNS]
    assert session.state.revealed == ("two-shops",)  # the paper order book was offered but not conveyed
    for index, state in before.items():
        assert branch.rebuild(stored, index).state == state, index
    assert before[7].concerns_raised == ("too-complicated",)

    # retry the early close (turn 6) with a question; the model answers with the stored turns as history
    retry = branch.open_branch(f"{sid}:6", engine_settings=settings(fault_server), db_url=db_url,
                               audio_dir=tmp_path)
    assert retry.engine.name == "openai"
    retry.start()
    assert retry.state == before[5]
    asked = len(fault_server.requests)
    fault_server.script.append("Well, the mornings are chaos, honestly.")
    reply = retry.rep_turn("What does a busy morning look like for you?")
    retry.end()
    assert reply.text == "Well, the mornings are chaos, honestly." and reply.trust > stored.turns[6].trust
    messages = fault_server.requests[asked][1]["messages"]
    assert {"role": "assistant", "content": TURNS[0][1]} in messages
    assert {"role": "assistant", "content": TURNS[1][1]} in messages
    assert not any(TURNS[2][0] in m["content"] for m in messages)  # the retried close is not in the history
    kept = store.get(retry.session_id)
    assert kept.summary.engine == "openai" and kept.summary.parent_id == sid and kept.summary.parent_turn == 5


@pytest.mark.llm
def test_a_retry_with_the_real_model(tmp_path, llama_server):  # noqa: F811
    """The real llama.cpp server (SmolLM2) answers a session, then a retry of its pitch; the rebuilt state is
    the live state (the facts the model really conveyed) and the retry is stored and compared."""
    from simulator.session.branch_compare import compare
    from simulator.session.store import Store

    real = LLMSettings(model="smollm2", base_url=llama_server.base_url, api_key="sk-local-test", timeout_s=60,
                       max_tokens=80).checked()
    db = f"sqlite:///{tmp_path / 'sessions.db'}"
    persona = get("bakery-owner")
    with Store.open(db, tmp_path / "audio") as store:
        sid = store.create_session(persona.id, persona.model_dump(mode="json"), "openai", {"seed": SEED})
        session = StoredPractice(persona, make_engine("openai", seed=SEED, settings=real), seed=SEED,
                                 sinks=[Recorder(store, sid)])
        session.start()
        before = {}
        for words in ("Thanks for making time, Rosa. How does the business run day to day?",
                      "Our app fixes all of that, it pays for itself in a month.",
                      "How do you take the custom orders at the moment?"):
            before[len(session.turns)] = session.state
            session.rep_turn(words)
        session.end()
        stored = store.get(sid)
        for index, state in before.items():
            assert branch.rebuild(stored, index).state == state, index
        retry = branch.open_branch(f"{sid}:4", engine_settings=real, db_url=db, audio_dir=tmp_path / "audio")
        retry.start()
        reply = retry.rep_turn("What's the hardest part of running two shops?")
        retry.end()
        assert reply.text.strip() and reply.trust > stored.turns[4].trust
        doc = compare(store, retry.session_id)
    assert doc["before"]["labels"] and "pitch" in doc["before"]["labels"]
    assert doc["after"]["reply"] == reply.text
    assert next(r for r in doc["moment"] if r["name"] == "transactional moves")["change"] == "better"
