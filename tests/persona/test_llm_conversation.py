"""The LLM buyer converses: every request answers the rep's actual words, grounded in the persona, the facts
earned so far (this turn's included) and the rules' decision, and never holds a fact the rep has not earned.

A scripted OpenAI-compatible server (``tests.llm_server.fault_server``) records every request; a practice
session with the bundled bakery owner runs through the real analyser and the real loop.
"""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from simulator.conversation.analyser import analyse
from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona import schema
from simulator.persona.engine import collect
from simulator.persona.llm import OpenAIEngine
from simulator.persona.llm_prompt import public_profile, system_prompt
from simulator.persona.llm_settings import LLMSettings
from simulator.persona.loader import get
from simulator.persona.schema import Persona
from simulator.persona.state import BuyerState
from simulator.session.events import Problem
from simulator.session.loop import PracticeSession
from tests.llm_server import fault_server, sample_persona  # noqa: F401 - fixture

SEED = 5


def engine_for(server) -> OpenAIEngine:
    settings = LLMSettings(model="m", base_url=server.url("script"), api_key="k", timeout_s=5).checked()
    return OpenAIEngine(settings, seed=SEED)


def sent(server, before: int) -> list[dict]:
    """The chat messages of each request made since ``before``."""
    return [body["messages"] for _, body in server.requests[before:]]


def notes_of(messages: list[dict]) -> str:
    assert messages[-1]["role"] == "system"
    return messages[-1]["content"]


def unearned_text(persona: Persona, earned: set[str]) -> list[str]:
    """Every line and topic of the facts not in ``earned``: none may reach the model."""
    return [text for f in persona.facts if f.id not in earned for text in (f.topic, *f.says, *f.more)]


def assert_grounded(persona: Persona, messages: list[dict], rep_words: str, earned: set[str]) -> None:
    whole = json.dumps(messages)
    notes = notes_of(messages)
    assert messages[-2] == {"role": "user", "content": rep_words} or messages[-2]["content"].endswith(rep_words)
    assert f'They just said: "{rep_words}"' in notes
    assert "Now answer what they said, as Rosa" in notes
    for fid in earned:
        fact = persona.fact(fid)
        assert all(line in notes for line in fact.says), f"earned fact {fid} is not in the notes"
    for text in unearned_text(persona, earned):
        assert json.dumps(text)[1:-1] not in whole, f"unearned {text!r} was sent to the model"


def test_a_bakery_conversation_sends_the_reps_words_the_decision_and_only_earned_facts(fault_server):  # noqa: F811
    persona = get("bakery-owner")
    events: list = []
    session = PracticeSession(persona, engine_for(fault_server), seed=SEED, sinks=[events.append])
    session.start()
    before = len(fault_server.requests)
    turns = [
        # rep's words, the model's scripted answer
        ("Thanks for making time, Rosa. How does the business run day to day?",
         "Oh, it's two shops now, with twelve staff, and my husband Luis does the deliveries."),
        ("Who signs off on spending here, and what sort of budget would you have?",
         "Ha, money talk already? Let's leave that for later."),
        ("Shall we get you signed up today? I can send the contract over now.",
         "Goodness, slow down! Honestly, I worry it'll be too complicated for my teenagers at the counter."),
        ("What makes you worry it would be too complicated for your staff?",
         "The last app had forty buttons, and we only ever needed three."),
        ("How do you take the custom orders at the moment?",
         "Honestly? We write them in a paper book at the counter, and it's always in the wrong place."),
    ]
    fault_server.script.extend(answer for _, answer in turns)
    states = []
    for words, answer in turns:
        reply = session.rep_turn(words)
        assert reply.text == answer  # streamed back, cleaned, kept as the buyer's turn
        states.append(session.state)
    requests = sent(fault_server, before)
    assert len(requests) == len(turns) and not [e for e in events if isinstance(e, Problem)]

    # 1. a plain question: the situation fact is earned now, and given as grounding
    notes = notes_of(requests[0])
    assert_grounded(persona, requests[0], turns[0][0], {"two-shops"})
    assert "already told them" not in notes  # nothing earned before this turn
    assert "You now trust them enough to tell them this" in notes and "the business and how it runs" in notes
    assert "asked you a sincere question" in notes
    assert states[0].revealed == ("two-shops",)

    # 2. asked about the budget too soon: a guarded deflection, and the budget fact stays out
    notes = notes_of(requests[1])
    assert_grounded(persona, requests[1], turns[1][0], {"two-shops"})
    assert "What you have already told them:" in notes
    assert "deflect politely and keep it vague" in notes
    assert "Money's tight, we'll see." in notes  # the rules' deflection as the gist
    assert "You now trust them enough" not in notes

    # 3. an early close: trust drops, and the rules raise a concern
    notes = notes_of(requests[2])
    assert_grounded(persona, requests[2], turns[2][0], {"two-shops"})
    assert "pushed you to commit or buy" in notes
    assert "Bring up your worry: it will be too complicated for the staff." in notes
    assert "Your reply must get this across" in notes
    assert states[2].concerns_raised == ("too-complicated",) and states[2].trust < states[1].trust

    # 4. the rep explores that concern
    notes = notes_of(requests[3])
    assert_grounded(persona, requests[3], turns[3][0], {"two-shops"})
    assert "They are asking about your worry (it will be too complicated for the staff)" in notes
    assert states[3].concerns_explored == ("too-complicated",)

    # 5. the paper order book is earned now, with everything earned before
    notes = notes_of(requests[4])
    assert_grounded(persona, requests[4], turns[4][0], {"two-shops", "paper-orders"})
    assert states[4].revealed == ("two-shops", "paper-orders")
    # the conversation so far is sent as chat turns, the buyer's earlier lines as the model's own
    assert {"role": "assistant", "content": turns[0][1]} in requests[1]
    assert {"role": "assistant", "content": turns[3][1]} in requests[4]


def test_the_buyer_ready_for_more_is_told_to_suggest_the_next_step(fault_server):  # noqa: F811
    persona = get("bakery-owner")
    told = ("two-shops", "paper-orders", "mixups-cause", "staff-rota", "busy-season")
    state = replace(BuyerState.start(persona), trust=70.0, revealed=told, last_topic="mixups-cause")
    words = "And what does that cost you in remakes and refunds?"
    rep = analyse(words, buyer_said="Things get lost in the copying.")
    history = [Turn("buyer", persona.opening_line), Turn("rep", "Why do the orders get mixed up?"),
               Turn("buyer", "Things get lost in the copying.")]
    fault_server.script.append("Probably a thousand dollars a month, I added it up once and then stopped adding. "
                               "Come back Thursday and we'll sit down with Luis.")
    before = len(fault_server.requests)
    reply = collect(engine_for(fault_server).respond(persona, state, rep, history))
    (messages,) = sent(fault_server, before)
    notes = notes_of(messages)
    assert_grounded(persona, messages, words, {*told, "refunds-cost"})
    assert "You would like to meet again: suggest the next step." in notes
    assert "money lost on redone cakes and refunds" in notes  # this turn's fact, with its lines
    assert reply.next_step and "refunds-cost" in reply.revealed


def test_a_meeting_the_rules_end_is_ended_by_the_model_too(fault_server):  # noqa: F811
    persona = sample_persona()
    state = replace(BuyerState.start(persona), early_closes=persona.close_tolerance)
    close = Analysis("sign here today, the offer ends tonight", ("close",))
    fault_server.script.append("I think we're done here. Goodbye.")
    before = len(fault_server.requests)
    reply = collect(engine_for(fault_server).respond(persona, state, close, [Turn("buyer", persona.opening_line)]))
    notes = notes_of(sent(fault_server, before)[0])
    assert reply.ended and "You are ending the meeting now, politely but firmly" in notes


def test_the_public_profile_is_in_the_system_prompt_when_the_persona_has_one():
    entries = [{"topic": "opening hours", "keywords": ["open"], "says": ["We open at seven, six on Saturdays."]}]
    assert public_profile(SimpleNamespace(profile=entries)) == ["opening hours: We open at seven, six on Saturdays."]
    assert public_profile(SimpleNamespace(profile={"hours": "seven to four"})) == ["hours: seven to four"]
    assert public_profile(SimpleNamespace()) == [] and public_profile(SimpleNamespace(profile=None)) == []
    persona = sample_persona()
    assert "What anyone may know" not in system_prompt(persona)  # no profile: no such section
    entry_model = getattr(schema, "ProfileEntry", None)
    if entry_model is None or "profile" not in Persona.model_fields:
        pytest.skip("this persona schema has no [profile] section yet")
    with_profile = persona.model_copy(update={"profile": [entry_model.model_validate(entries[0])]})
    prompt = system_prompt(with_profile)
    assert "What anyone may know about you" in prompt
    assert "- opening hours: We open at seven, six on Saturdays." in prompt


def test_the_system_prompt_says_to_answer_the_rep_in_character_with_no_invented_business_facts():
    prompt = system_prompt(get("bakery-owner"))
    assert prompt.startswith("You are Rosa Alvarez, Owner at Alvarez Family Bakery (Food retail).")
    assert "Warm, chatty" in prompt and "Short friendly sentences" in prompt
    assert "Answer what the salesperson actually says, as Rosa" in prompt
    assert "small everyday details" in prompt and "never make up problems, numbers" in prompt


def test_a_model_reading_its_notes_out_or_refusing_is_cleaned(fault_server):  # noqa: F811
    persona = sample_persona()
    fault_server.script.append("They just said: how is business. Right now you feel warming up to them. "
                               "I'm sorry, but I don't have the ability to access your private data. "
                               "Oh, busy as ever, the ovens never stop!")
    state = BuyerState.start(persona)
    reply = collect(engine_for(fault_server).respond(persona, state, Analysis("hi, how is business?", ("rapport",)),
                                                      [Turn("buyer", persona.opening_line)]))
    assert reply.text == "Oh, busy as ever, the ovens never stop!" and not reply.problem
