"""The practice loop with the real analyser and scorecard: turns, events, steering, engine faults."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from simulator.errors import RapportError
from simulator.persona.factory import make_engine
from simulator.persona.loader import get
from simulator.persona.offline import OfflineEngine
from simulator.session import loop
from simulator.session.events import BuyerChunk, CoachAction, PhaseChanged, Problem, SessionEnded, TurnCompleted
from simulator.session.loop import PracticeSession


def session(persona_id="bakery-owner", engine=None, **kw):
    events = []
    s = PracticeSession(get(persona_id), engine or make_engine("offline", seed=1), seed=1, sinks=[events.append], **kw)
    return s, events


def test_start_then_rep_turn_records_turns_and_emits_events():
    s, events = session()
    opening = s.start()
    assert opening.speaker == "buyer" and opening.text == s.persona.opening_line and opening.trust == 40
    buyer = s.rep_turn("so tell me a bit about the business", start_s=1.0, end_s=3.5)
    rep = s.turns[-2]
    # analyser 2.6 reads this invitation as listening alone (2.5: question and listening); either is consultative
    assert rep.speaker == "rep" and rep.duration_s == 2.5
    assert rep.labels and set(rep.labels) <= {"question", "listening"}
    assert buyer is s.turns[-1] and buyer.revealed and buyer.trust > 40
    kinds = [type(e) for e in events]
    assert kinds.count(TurnCompleted) == 3 and BuyerChunk in kinds
    assert [e.index for e in events if isinstance(e, TurnCompleted)] == [0, 1, 2]
    chunk = next(e for e in events if isinstance(e, BuyerChunk))
    assert chunk.text == buyer.text
    assert any(isinstance(e, PhaseChanged) and e.phase == "thinking" for e in events)


def test_analyser_sees_the_previous_buyer_line():
    s, _ = session()
    s.start()
    s.rep_turn("what's the hardest part of your week")
    s.rep_turn("so the order book is always in the wrong place")
    assert "listening" in s.turns[-2].labels


def test_scorecard_has_discovery_and_trust_final():
    s, events = session()
    s.start()
    for line in ["What's the hardest part of running two shops?", "Tell me more about that."]:
        s.rep_turn(line)
    card = s.scorecard()
    assert card["discovery"]["revealed"] == len(s.state.revealed) >= 2
    assert card["discovery"]["total"] == 11
    assert card["trust_final"] == s.state.trust
    assert 0 <= card["overall"] <= 100
    ended = s.end("finished")
    assert isinstance(ended, SessionEnded) and ended.scorecard["trust_final"] == s.state.trust
    assert s.end("again") is ended  # idempotent
    with pytest.raises(RapportError, match="ended"):
        s.rep_turn("one more thing")


def test_buyer_ending_the_meeting_ends_the_session():
    s, events = session("enterprise-cfo")
    s.start()
    s.rep_turn("Shall I send over the contract today?")
    s.rep_turn("Can we get the paperwork signed this week?")
    assert s.state.ended and s.ended
    assert s.turns[-1].extra.get("ended") is True
    assert any(isinstance(e, SessionEnded) for e in events)


def test_transactional_move_triggers_a_hint():
    from simulator.session.events import Hint

    s, events = session()
    s.start()
    s.rep_turn("Can I send you the order form now?")
    assert any(isinstance(e, Hint) for e in events)


def test_coach_steer_concern_makes_the_buyer_raise_one():
    s, events = session()
    s.start()
    s.coach("steer", "concern")
    assert s.state.concern_pending
    s.rep_turn("How do you take orders today?")
    assert s.state.concerns_raised and not s.state.concern_pending
    assert any(isinstance(e, CoachAction) and e.kind == "steer" and e.text == "concern" for e in events)
    with pytest.raises(RapportError):
        s.coach("steer", "louder")
    s.coach("softer")
    assert s.state.coach_gain > 1


def test_hand_over_changes_the_rep_name_on_later_turns():
    s, _ = session(rep_name="ana")
    s.start()
    s.rep_turn("How is business?")
    s.hand_over("ben")
    s.rep_turn("What's the hardest part?")
    reps = [t.rep_name for t in s.turns if t.speaker == "rep"]
    assert reps == ["ana", "ben"]


class RecoveringEngine:
    """An engine that recovered from a fault by itself and says so in ``BuyerReply.problem``."""

    name = "openai"

    def respond(self, persona, state, rep, history):
        reply = OfflineEngine(seed=1).reply(persona, state, rep, history)
        yield reply.text
        yield replace(reply, problem="LLM: the server went away; the offline buyer answered")


class BrokenEngine:
    name = "openai"

    def respond(self, persona, state, rep, history):
        yield "Well"
        raise ConnectionError("server went away")


def test_an_engines_problem_line_becomes_one_problem_event():
    s, events = session(engine=RecoveringEngine())
    s.start()
    buyer = s.rep_turn("What does a normal week look like?")
    assert buyer.text and s.state.turns == 1
    problems = [e for e in events if isinstance(e, Problem)]
    assert [p.message for p in problems] == ["LLM: the server went away; the offline buyer answered"]


def test_the_loop_has_no_fallback_of_its_own():
    """Recovering is the engine's job (the LLM engine's one fallback policy); the loop never swaps engines."""
    s, events = session(engine=BrokenEngine())
    s.start()
    with pytest.raises(ConnectionError):
        s.rep_turn("What does a normal week look like?")
    assert not [e for e in events if isinstance(e, Problem)]
    assert "OfflineEngine" not in Path(loop.__file__).read_text()


def test_broken_sink_does_not_break_the_session():
    def bad_sink(event):
        raise RuntimeError("listener bug")

    s = PracticeSession(get("bakery-owner"), make_engine("offline", seed=1), seed=1, sinks=[bad_sink])
    s.start()
    assert s.rep_turn("How's the week going?").text
