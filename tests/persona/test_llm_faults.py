"""The LLM engine against servers that fail: every fault gives one clear line without the API key, and the
turn is answered by the offline buyer (or, if the stream broke mid-reply, by the sentences already spoken)."""

from __future__ import annotations

import pytest

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.engine import BuyerReply, collect
from simulator.persona.llm import OpenAIEngine
from simulator.persona.llm_settings import LLMSettings
from simulator.persona.offline import OfflineEngine
from simulator.persona.state import BuyerState
from tests.llm_server import fault_server, free_port, sample_persona  # noqa: F401 - fixture

KEY = "sk-test-SECRET-4f9a8b7c"
QUESTION = Analysis("so how does the business run day to day", ("question",))


def engine_for(base_url: str) -> OpenAIEngine:
    settings = LLMSettings(model="test-model", base_url=base_url, api_key=KEY, timeout_s=1.5, connect_timeout_s=1.0)
    return OpenAIEngine(settings.checked(), seed=7)


def run(engine: OpenAIEngine, rep: Analysis = QUESTION) -> tuple[list[str], BuyerReply]:
    persona = sample_persona()
    items = list(engine.respond(persona, BuyerState.start(persona), rep, [Turn("buyer", persona.opening_line)]))
    assert isinstance(items[-1], BuyerReply) and all(isinstance(i, str) for i in items[:-1])
    return items[:-1], items[-1]


def offline_reply(rep: Analysis = QUESTION) -> BuyerReply:
    persona = sample_persona()
    return OfflineEngine(seed=7).reply(persona, BuyerState.start(persona), rep, [Turn("buyer", persona.opening_line)])


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("status401", "refused the API key (HTTP 401)"),
        ("status403", "refused the API key (HTTP 403)"),
        ("status404", "'test-model' or the API path was not found"),
        ("status429", "rate limiting requests (HTTP 429)"),
        ("status500", "internal error (HTTP 500)"),
        ("status503", "internal error (HTTP 503)"),
        ("garbage", "not a valid chat completion"),
        ("html", "did not send an event stream"),
        ("empty", "empty reply"),
        ("hang", "did not answer within 1.5 s"),
    ],
)
def test_a_failing_server_gives_a_clear_problem_and_the_offline_answer(fault_server, mode, says):  # noqa: F811
    before = len(fault_server.requests)
    engine = engine_for(fault_server.url(mode))
    chunks, reply = run(engine)
    expected = offline_reply()
    assert reply.text == expected.text and "".join(chunks) == expected.text
    assert reply.revealed == expected.revealed and reply.state == expected.state
    assert says in reply.problem and reply.problem.endswith("the offline buyer answered")
    assert reply.problem.startswith("LLM: ") and "\n" not in reply.problem
    assert KEY not in reply.problem and engine.problems == [reply.problem]
    assert len(fault_server.requests) - before == 1  # one request per turn: no retries


def test_a_refused_connection_falls_back_to_offline():
    engine = engine_for(f"http://127.0.0.1:{free_port()}/v1")
    _, reply = run(engine)
    assert reply.text == offline_reply().text
    assert "cannot reach the LLM server at http://127.0.0.1:" in reply.problem
    assert "connection refused" in reply.problem


@pytest.mark.parametrize(("mode", "says"), [("stall", "did not answer within"), ("cut", "broke in the middle")])
def test_a_stream_that_breaks_mid_reply_keeps_what_was_already_said(fault_server, mode, says):  # noqa: F811
    chunks, reply = run(engine_for(fault_server.url(mode)))
    assert chunks == ["Well, we bake bread all day."]
    assert reply.text == "Well, we bake bread all day."
    assert says in reply.problem and reply.problem.endswith("the reply was cut short")
    assert reply.state.trust == offline_reply().state.trust  # the rules, not the model, move trust


def test_a_reply_with_nothing_usable_falls_back_to_offline(fault_server):  # noqa: F811
    fault_server.script.append("As an AI language model, I cannot role-play.\nUser: ok then")
    _, reply = run(engine_for(fault_server.url("script")))
    assert reply.text == offline_reply().text
    assert reply.problem == "LLM: the model gave no usable reply; the offline buyer answered"


def test_the_key_is_never_in_any_message_even_when_the_server_echoes_it(fault_server):  # noqa: F811
    engine = engine_for(fault_server.url("status401"))
    _, reply = run(engine)
    texts = [reply.problem, repr(reply), repr(engine), *engine.problems]
    assert all(KEY not in t for t in texts)


def test_a_faulty_turn_does_not_stop_the_next_ones_and_warns_once(fault_server):  # noqa: F811
    engine = engine_for(fault_server.url("status500"))
    persona = sample_persona()
    state, history = BuyerState.start(persona), [Turn("buyer", persona.opening_line)]
    problems = []
    for text in ("thanks for the time", "how does the business run", "what is the hardest part of the orders"):
        rep = Analysis(text, ("question",) if "?" in text or text.startswith(("how", "what")) else ("rapport",))
        reply = collect(engine.respond(persona, state, rep, history))
        assert reply.text == OfflineEngine(seed=7).reply(persona, state, rep, history).text
        problems.append(reply.problem)
        history += [Turn("rep", text, labels=rep.labels), Turn("buyer", reply.text)]
        state = reply.state
    assert state.turns == 3 and len(engine.problems) == 3  # every fault is kept...
    assert problems[0] == engine.problems[0] and problems[1:] == ["", ""]  # ...one is shown per session
    # a new session (no rep turn yet) with the same engine gets its own warning
    reply = collect(engine.respond(persona, BuyerState.start(persona), QUESTION, [Turn("buyer", persona.opening_line)]))
    assert reply.problem.endswith("the offline buyer answered") and len(engine.problems) == 4


class ExplodingClient:
    """A client with a bug: it fails with an error that is not an ``LLMError``."""

    def __init__(self, after: list[str] | None = None) -> None:
        self.after = after or []

    def stream(self, messages, stop=None):
        yield from self.after
        raise KeyError("choices")


@pytest.mark.parametrize(("said", "ending"), [([], "the offline buyer answered"),
                                              (["We bake bread all day. ", "And"], "the reply was cut short")])
def test_an_unexpected_error_in_the_engine_follows_the_same_policy(said, ending):
    settings = LLMSettings(model="m", base_url="http://127.0.0.1:9/v1", api_key=KEY).checked()
    engine = OpenAIEngine(settings, seed=7, client=ExplodingClient(said))
    chunks, reply = run(engine)
    expected = "We bake bread all day." if said else offline_reply().text
    assert reply.text == expected == "".join(chunks)
    assert reply.problem == f"LLM: the LLM engine failed (KeyError); {ending}"
    assert reply.state.trust == offline_reply().state.trust


def test_a_practice_session_on_a_dead_server_warns_once_and_the_offline_buyer_answers_every_turn(fault_server):  # noqa: F811
    """The one fallback policy lives in the LLM engine: the loop only shows its problem line."""
    from simulator.persona.loader import get
    from simulator.session.events import BuyerChunk, Problem
    from simulator.session.loop import PracticeSession

    events: list = []
    engine = engine_for(fault_server.url("status503"))
    session = PracticeSession(get("bakery-owner"), engine, seed=7, sinks=[events.append])
    session.start()
    offline = PracticeSession(get("bakery-owner"), OfflineEngine(seed=7), seed=7)
    offline.start()
    for text in ("Thanks for having me.", "How does the business run day to day?", "What is the hardest part?"):
        assert session.rep_turn(text).text == offline.rep_turn(text).text
    problems = [e.message for e in events if isinstance(e, Problem)]
    assert problems == ["LLM: the LLM server had an internal error (HTTP 503); the offline buyer answered"]
    assert len(engine.problems) == 3 and session.state == offline.state
    assert [e.text for e in events if isinstance(e, BuyerChunk)] == [t.text for t in offline.turns[2::2]]
