"""Concerns: a pitch or early close brings one out; exploring it earns an `explored` answer and trust,
arguing with it (objection handling) still costs trust."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulator.conversation.analyser import analyse
from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.engine import collect
from simulator.persona.loader import get
from simulator.persona.matching import match_concern
from simulator.persona.offline import OfflineEngine
from simulator.persona.replies import GENERIC
from simulator.persona.state import CONCERN_EXPLORED, BuyerState, apply_move, move_delta

PITCHES = [("Our platform is the market leader.", ["pitch"]), ("We've helped hundreds of businesses.", ["pitch"])]


class Talk:
    """A scripted conversation with the offline buyer, one rep line at a time."""

    def __init__(self, persona_id: str, seed: int = 1) -> None:
        self.persona = get(persona_id)
        self.engine = OfflineEngine(seed=seed)
        self.state = BuyerState.start(self.persona)
        self.history = [Turn("buyer", self.persona.opening_line, trust=self.state.trust)]

    def say(self, text: str, labels: list[str] | None = None):
        """The rep says ``text`` (labelled by hand, or by the real analyser when ``labels`` is None)."""
        if labels is None:
            labels = list(analyse(text, buyer_said=self.history[-1].text).labels)
        before = self.state
        reply = collect(self.engine.respond(self.persona, before, Analysis(text, tuple(labels)), self.history))
        self.history += [Turn("rep", text, labels=tuple(labels)),
                         Turn("buyer", reply.text, trust=reply.state.trust, revealed=reply.revealed)]
        self.state = reply.state
        return reply, before

    def plain_gain(self, before: BuyerState, labels: list[str]) -> float:
        """What the same move would have earned without exploring a concern."""
        return apply_move(before, labels, self.persona).trust - before.trust


def voiced(talk: Talk, text: str):
    """The concern whose `says` line the buyer just used."""
    return next(c for c in talk.persona.concerns if any(line in text for line in c.says))


def test_pitch_raises_a_concern_and_exploring_it_gets_the_explored_answer_and_trust():
    talk = Talk("bakery-owner")
    talk.say(*PITCHES[0])
    reply, _ = talk.say(*PITCHES[1])
    concern = voiced(talk, reply.text)
    assert talk.state.open_concern == concern.id and talk.state.concerns_explored == ()
    reply, before = talk.say("What makes you say that?", ["question"])
    assert reply.text in concern.explored
    assert talk.state.concerns_explored == (concern.id,) and talk.state.open_concern is None
    gain = talk.state.trust - before.trust
    assert gain > talk.plain_gain(before, ["question"]) > 0
    assert talk.state.patience > before.patience


@pytest.mark.parametrize("text", [
    "um what makes you say that",
    "tell me more about that worry",
    "so youre worried the staff wont cope with anything complicated",
    "when you say complicated what do you mean",
])
def test_recogniser_text_explores_the_concern_with_the_real_analyser(text):
    talk = Talk("bakery-owner")
    talk.say(*PITCHES[0])
    reply, _ = talk.say(*PITCHES[1])
    concern = voiced(talk, reply.text)
    reply, before = talk.say(text)  # labelled by the analyser: question and/or listening
    labels = talk.history[-2].labels
    assert set(labels) <= {"question", "listening"}, labels
    assert reply.text in concern.explored
    assert talk.state.trust - before.trust > talk.plain_gain(before, list(labels))


def test_an_early_close_concern_explored_by_its_own_words_later_in_the_meeting():
    talk = Talk("logistics-ops-director")
    reply, _ = talk.say("Can I send over the contract today?", ["close"])
    concern = voiced(talk, reply.text)
    talk.say("How does dispatch work today?", ["question"])  # the concern is no longer the latest thing said
    assert talk.state.open_concern is None
    words = f"earlier you mentioned {concern.topic}, can you tell me about that"
    reply, before = talk.say(words, ["question"])
    assert reply.text in concern.explored and talk.state.concerns_explored == (concern.id,)
    assert talk.state.trust - before.trust > talk.plain_gain(before, ["question"])


def test_exploring_the_same_concern_twice_gives_no_extra_bonus_and_no_repeated_line():
    talk = Talk("bakery-owner")
    talk.say(*PITCHES[0])
    reply, _ = talk.say(*PITCHES[1])
    concern = voiced(talk, reply.text)
    first, _ = talk.say("what makes you say that", ["question"])
    second, before = talk.say(f"tell me more about {concern.topic}", ["question"])
    assert talk.state.concerns_explored == (concern.id,)
    assert talk.state.trust - before.trust == pytest.approx(talk.plain_gain(before, ["question"]))
    assert second.text and second.text != first.text and first.text not in second.text


def test_arguing_with_the_concern_still_costs_trust_and_brings_another():
    talk = Talk("bakery-owner")
    talk.say(*PITCHES[0])
    reply, _ = talk.say(*PITCHES[1])
    first = voiced(talk, reply.text)
    reply, before = talk.say("Honestly it's really simple, our clients never have a problem.", ["objection_handling"])
    assert talk.state.trust < before.trust
    assert talk.state.trust == apply_move(before, ["objection_handling"], talk.persona).trust
    assert any(line in reply.text for line in talk.persona.lines.rebuttal)
    second = voiced(talk, reply.text)
    assert second.id != first.id and talk.state.concerns_explored == ()
    assert set(talk.state.concerns_raised) == {first.id, second.id}


def test_a_question_about_a_fact_still_gets_the_fact_while_a_concern_is_open():
    rosa = get("bakery-owner")
    raised = ("cost",)
    assert match_concern("what does it cost you when a cake has to be remade", rosa, raised, "cost") is None
    m = match_concern("too expensive compared to what", rosa, raised, "cost")
    assert m is not None and m.concern.id == "cost"


def test_only_raised_concerns_can_be_explored():
    rosa = get("bakery-owner")
    assert match_concern("what makes you say that", rosa, (), None) is None
    assert match_concern("sounds like youve been burned before", rosa, ("cost",), None) is None
    m = match_concern("sounds like youve been burned before", rosa, ("cost", "burned-before"), "cost")
    assert m is not None and m.concern.id == "burned-before"
    # a generic phrase explores the concern just voiced, not an older one
    m = match_concern("what makes you say that", rosa, ("too-complicated", "cost"), "cost")
    assert m is not None and m.concern.id == "cost" and m.cue


def test_rules_bonus_once_only_for_raised_concerns_and_consultative_moves():
    rosa = get("bakery-owner")
    s = BuyerState.start(rosa).with_concern("cost")
    plain = move_delta(s, ["question"], rosa)
    bonus = move_delta(s, ["question"], rosa, explores="cost")
    assert bonus[0] == pytest.approx(plain[0] + CONCERN_EXPLORED[0] * 1.25)  # easy persona: gains x1.25
    assert bonus[1] == pytest.approx(plain[1] + CONCERN_EXPLORED[1])  # patience is not scaled
    after = apply_move(s, ["question"], rosa, explores="cost")
    assert after.concerns_explored == ("cost",) and after.open_concern is None
    assert move_delta(after, ["question"], rosa, explores="cost") == move_delta(after, ["question"], rosa)
    unraised = apply_move(s, ["question"], rosa, explores="burned-before")
    assert unraised.concerns_explored == () and unraised.trust == apply_move(s, ["question"], rosa).trust
    pushed = apply_move(s, ["objection_handling"], rosa, explores="cost")
    assert pushed.concerns_explored == () and pushed.trust == apply_move(s, ["objection_handling"], rosa).trust
    assert "concerns_explored" in after.to_dict() and after.to_dict()["concerns_explored"] == ["cost"]


def test_an_explored_concern_is_not_raised_again_while_others_remain():
    rosa = get("bakery-owner")
    state = replace(BuyerState.start(rosa), concerns_raised=tuple(c.id for c in rosa.concerns),
                    concerns_explored=("too-complicated", "cost"), pitches=1)  # a second pitch raises a concern
    reply = OfflineEngine(2).reply(rosa, state, Analysis("We're the best on the market.", ("pitch",)), [])
    burned = rosa.concern("burned-before")
    assert any(line in reply.text for line in burned.says)


def test_a_persona_without_explored_lines_answers_with_a_generic_line():
    rosa = get("bakery-owner")
    bare = rosa.model_copy(update={"concerns": [c.model_copy(update={"explored": []}) for c in rosa.concerns]})
    state = BuyerState.start(bare).with_concern("cost")
    reply = OfflineEngine(1).reply(bare, state, Analysis("what makes you say that", ("question",)), [])
    assert reply.text in GENERIC["concern_explored"] and reply.state.concerns_explored == ("cost",)


def test_exploring_is_deterministic_with_the_seed():
    script = [*PITCHES, ("what makes you say that", ["question"]), ("go on", ["listening"]),
              ("we're cheaper than anyone", ["objection_handling"]), ("that sounds like a real worry", ["listening"])]

    def run(seed):
        talk = Talk("saas-sales-vp", seed)
        return [talk.say(text, labels)[0].text for text, labels in script], talk.state

    texts, state = run(4)
    assert (texts, state) == run(4)
    assert len(state.concerns_explored) == 2
    assert len(set(texts)) == len(texts)
