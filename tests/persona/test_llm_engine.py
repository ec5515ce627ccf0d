"""The LLM engine with a scripted OpenAI-compatible server: streaming, cleaning, and facts that count as
revealed only when the reply conveys them, with trust kept by the shared rules."""

from __future__ import annotations

from dataclasses import replace

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.engine import BuyerReply, collect
from simulator.persona.factory import make_engine
from simulator.persona.llm import OpenAIEngine, conveys
from simulator.persona.llm_settings import LLMSettings
from simulator.persona.offline import OfflineEngine
from simulator.persona.state import BuyerState
from tests.llm_server import fault_server, sample_persona  # noqa: F401 - fixture

ASK_ORDERS = Analysis("what is the hardest part with the custom orders", ("question",))


def engine_for(base_url: str) -> OpenAIEngine:
    return OpenAIEngine(LLMSettings(model="m", base_url=base_url, api_key="k", timeout_s=5).checked(), seed=3)


def trusting_state():
    persona = sample_persona()
    return persona, replace(BuyerState.start(persona), trust=50.0)


def test_the_first_sentence_arrives_before_the_model_has_finished(fault_server):  # noqa: F811
    persona, state = trusting_state()
    fault_server.gate.clear()
    gen = engine_for(fault_server.url("gated")).respond(persona, state, ASK_ORDERS, [])
    assert next(gen) == "We bake bread all day."  # the server is still holding back the rest
    fault_server.gate.set()
    rest = list(gen)
    assert rest[0] == " Mostly sourdough."
    assert isinstance(rest[-1], BuyerReply) and rest[-1].text == "We bake bread all day. Mostly sourdough."


def test_an_offered_fact_the_reply_conveys_is_revealed(fault_server):  # noqa: F811
    persona, state = trusting_state()
    offline = OfflineEngine(seed=3).reply(persona, state, ASK_ORDERS, [])
    assert offline.revealed == ("paper-orders",)
    fault_server.script.append("Rosa: *sighs* Honestly? Our custom orders live in a paper book, and that book is "
                               "always at the wrong shop.\nRep: That sounds hard.")
    items = list(engine_for(fault_server.url("script")).respond(persona, state, ASK_ORDERS, []))
    reply = items[-1]
    assert "".join(items[:-1]) == reply.text
    assert reply.text == ("Honestly? Our custom orders live in a paper book, and that book is always at the wrong "
                          "shop.")
    assert reply.revealed == ("paper-orders",) and reply.state.revealed == ("paper-orders",)
    assert reply.state.trust == offline.state.trust and reply.problem == ""
    request = fault_server.requests[-1][1]
    system = request["messages"][-1]["content"]
    assert "asked you a sincere question" in system and f"trust {offline.state.trust:.0f} out of 100" in system
    assert "paper book at the counter" in system  # the offered fact is the gist
    assert "wedding cakes" not in str(request)  # an unearned fact is never sent to the model
    assert request["stream"] is True and request["messages"][-2] == {"role": "user", "content": ASK_ORDERS.text}


def test_an_offered_fact_the_reply_leaves_out_stays_hidden(fault_server):  # noqa: F811
    persona, state = trusting_state()
    fault_server.script.append('{"reply": "Oh, it is a busy time of year for us.", "revealed": ["paper-orders"]}')
    reply = collect(engine_for(fault_server.url("script")).respond(persona, state, ASK_ORDERS, []))
    assert reply.text == "Oh, it is a busy time of year for us."
    assert reply.revealed == () and reply.state.revealed == ()  # the model's own claim is not trusted
    assert reply.state.last_topic is None


def test_a_pushy_close_moves_trust_by_the_rules_whatever_the_model_says(fault_server):  # noqa: F811
    persona = sample_persona()
    state = BuyerState.start(persona)
    close = Analysis("shall I send the contract over today", ("close",))
    fault_server.script.append("Yes! I trust you completely, send it now.")
    reply = collect(engine_for(fault_server.url("script")).respond(persona, state, close, []))
    offline = OfflineEngine(seed=3).reply(persona, state, close, [])
    assert reply.state == offline.state and reply.state.trust < state.trust


def test_a_meeting_already_over_gets_no_request(fault_server):  # noqa: F811
    persona = sample_persona()
    state = replace(BuyerState.start(persona), ended=True, end_reason="pushed")
    before = len(fault_server.requests)
    reply = collect(engine_for(fault_server.url("script")).respond(persona, state, ASK_ORDERS, []))
    assert reply.text == "" and reply.ended and len(fault_server.requests) == before


def test_make_engine_builds_it_from_the_environment(monkeypatch, fault_server):  # noqa: F811
    monkeypatch.setenv("OPENAI_BASE_URL", fault_server.url("script"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("RAPPORT_LLM_MODEL", "tiny")
    engine = make_engine("openai", seed=1)
    assert engine.name == "openai" and engine.settings.model == "tiny"
    persona = sample_persona()
    fault_server.script.append("We have two shops and twelve staff.")
    history = [Turn("buyer", persona.opening_line)]
    reply = collect(engine.respond(persona, BuyerState.start(persona), Analysis("how is business", ("question",)),
                                   history))
    assert reply.text == "We have two shops and twelve staff." and reply.revealed == ("two-shops",)
    assert fault_server.requests[-1][1]["model"] == "tiny"


def test_conveys_needs_the_facts_own_words_not_the_reps():
    fact = sample_persona().fact("paper-orders")
    assert conveys("Everything goes in a paper book at the counter.", fact)
    assert not conveys("The custom orders? Yes, orders.", fact, rep_text="tell me about custom orders")
    assert not conveys("I used to think about everything.", fact)


def test_everyday_words_of_the_business_do_not_convey_a_fact():
    persona = sample_persona()
    fact = persona.fact("two-shops")
    babble = "Our staff love the shops. Twelve new things happen."
    assert conveys(babble, fact)  # three shared words...
    extra = persona.model_copy(update={"facts": [*persona.facts, *(
        f.model_copy(update={"id": f"x{i}", "says": ["The staff in both shops, twelve of them."]})
        for i, f in enumerate(persona.facts[1:]))]})
    assert not conveys(babble, extra.fact("two-shops"), persona=extra)  # ...that every other fact uses too
    assert conveys("My husband Luis does the deliveries for us.", extra.fact("two-shops"), persona=extra)
