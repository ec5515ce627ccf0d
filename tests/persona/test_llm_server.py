"""The LLM engine against a real OpenAI-compatible server: llama.cpp's, running SmolLM2-135M-Instruct.

The model is tiny and often ignores its instructions; the point is that the engine stays robust with
it: every turn gets a short, clean, in-character reply (or the offline one, with a problem line), and
the buyer state follows the shared rules.  Requests are few and bounded (max 120 tokens each).
"""

from __future__ import annotations

import re

import pytest

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.engine import BuyerReply
from simulator.persona.factory import make_engine
from simulator.persona.llm import OpenAIEngine
from simulator.persona.llm_client import LLMClient, LLMError
from simulator.persona.llm_settings import LLMSettings
from simulator.persona.offline import OfflineEngine
from simulator.persona.state import BuyerState, apply_move
from simulator.session.events import BuyerChunk, Problem
from tests.llm_server import llama_server, sample_persona  # noqa: F401 - fixture

pytestmark = pytest.mark.llm

SCRIPT = [
    Analysis("hi rosa thanks for making time today", ("rapport",)),
    Analysis("so how does the business run day to day", ("question",)),
    Analysis("that sounds like a lot to juggle", ("listening",)),
    Analysis("what is the hardest part with the custom orders", ("question",)),
    Analysis("our app fixes all of that, it pays for itself in a month", ("pitch", "benefit")),
]
ROLE_PREFIX = re.compile(r"^\s*(buyer|assistant|rosa|rep|user|salesperson)\s*:", re.I)


def settings_for(server) -> LLMSettings:
    return LLMSettings(model="smollm2", base_url=server.base_url, api_key="sk-local-test", timeout_s=60,
                       max_tokens=120).checked()


def test_the_server_streams_text_through_the_client(llama_server):  # noqa: F811
    chunks = list(LLMClient(settings_for(llama_server)).stream([{"role": "user", "content": "Say hello."}]))
    assert len(chunks) > 1 and "".join(chunks).strip()


def test_a_conversation_with_the_real_model_stays_clean_and_consistent(llama_server):  # noqa: F811
    persona = sample_persona()
    engine = OpenAIEngine(settings_for(llama_server), seed=11)
    state = BuyerState.start(persona)
    history = [Turn("buyer", persona.opening_line)]
    for rep in SCRIPT:
        items = list(engine.respond(persona, state, rep, history))
        reply = items[-1]
        assert isinstance(reply, BuyerReply)
        chunks = items[:-1]
        assert "".join(chunks) == reply.text
        assert reply.text.strip(), f"empty reply to {rep.text!r}"
        sentences = re.findall(r"[.!?…]+(?:\s|$)", reply.text)
        assert 1 <= len(sentences) <= 3 or reply.problem
        assert not ROLE_PREFIX.match(reply.text) and "*" not in reply.text and "{" not in reply.text
        assert "\n" not in reply.text and "as an ai" not in reply.text.lower()
        # trust follows the shared rules, whatever the model wrote
        assert reply.state.trust == apply_move(state, rep.labels, persona).trust
        offline = OfflineEngine(seed=11).reply(persona, state, rep, history)
        assert set(reply.revealed) <= set(offline.revealed)
        assert reply.state.revealed == state.revealed + tuple(f for f in reply.revealed if f not in state.revealed)
        history += [Turn("rep", rep.text, labels=rep.labels), Turn("buyer", reply.text, revealed=reply.revealed)]
        state = reply.state
    assert state.turns == len(SCRIPT)
    assert state.trust < 100 and state.pitches == 1


def test_a_model_name_the_server_does_not_know_is_still_answered(llama_server):  # noqa: F811
    """llama.cpp's server serves its one model whatever the name; the engine must not depend on the name."""
    settings = LLMSettings(model="no-such-model", base_url=llama_server.base_url, timeout_s=60).checked()
    try:
        text = "".join(LLMClient(settings).stream([{"role": "user", "content": "Hi"}]))
    except LLMError as exc:  # a stricter server: a clear, classified line
        assert exc.kind in ("not_found", "http")
    else:
        assert text.strip()


def test_a_too_short_timeout_against_the_real_server_falls_back(llama_server):  # noqa: F811
    persona = sample_persona()
    settings = LLMSettings(model="m", base_url=llama_server.base_url, timeout_s=0.001, connect_timeout_s=0.001)
    engine = OpenAIEngine(settings.checked(), seed=2)
    items = list(engine.respond(persona, BuyerState.start(persona), SCRIPT[1], [Turn("buyer", persona.opening_line)]))
    reply = items[-1]
    offline = OfflineEngine(seed=2).reply(persona, BuyerState.start(persona), SCRIPT[1],
                                          [Turn("buyer", persona.opening_line)])
    assert reply.text == offline.text and "the offline buyer answered" in reply.problem


def test_a_stored_practice_session_with_the_real_model(llama_server, tmp_path):  # noqa: F811
    """The plumbing end to end: the model's reply streams back as chunks, is cleaned, becomes the buyer's turn
    and is stored with the session; the request carried the rep's words and the rules' notes."""
    from simulator.session.start import open_practice
    from simulator.session.store import Store

    url, audio = f"sqlite:///{tmp_path / 'sessions.db'}", tmp_path / "audio"
    settings = LLMSettings(model="smollm2", base_url=llama_server.base_url, timeout_s=60, max_tokens=80,
                           temperature=0.0)
    assert make_engine("openai", seed=3, settings=settings).name == "openai"
    events: list = []
    session = open_practice(persona_id="bakery-owner", engine="openai", seed=3, db_url=url, audio_dir=audio,
                            sinks=[events.append], engine_settings=settings)
    session.start()
    buyers = [session.rep_turn(text) for text in ("Thanks for making time, Rosa.",
                                                  "How does the business run day to day?")]
    session.end()
    chunks = "".join(e.text for e in events if isinstance(e, BuyerChunk))
    assert chunks == "".join(b.text for b in buyers)
    problems = [e.message for e in events if isinstance(e, Problem)]
    assert len(problems) <= 1 and all(p.startswith("LLM: ") for p in problems)  # at most one warning per session
    for buyer in buyers:
        assert buyer.text.strip() and "\n" not in buyer.text and "*" not in buyer.text
        assert not ROLE_PREFIX.match(buyer.text) and "as an ai" not in buyer.text.lower()
    with Store.open(url, audio) as store:
        stored = store.get(session.session_id)
    assert [t.text for t in stored.turns if t.speaker == "buyer"][1:] == [b.text for b in buyers]
