"""The LLM buyer engine (``--engine openai``): any OpenAI-compatible server answers the rep in character.

How a turn works:

1. The offline engine decides the turn with the shared deterministic rules
   (``state.apply_move``; fact matching and ``trust_needed``; concerns, next step, end of meeting).
   ``llm_prompt.plan_turn`` reads that decision: the facts earned so far and this turn's, whether the
   buyer deflects, raises or explores a concern, proposes a next step or ends the meeting, and the
   offline reply as the gist.  The facts this turn's decision shares are the only new facts *offered*.
2. The model is asked to answer the rep's actual words in the persona's voice, grounded in the persona
   and that decision (``llm_prompt``).  Its stream is cut into sentences (``llm_sentences``) and
   cleaned (``llm_parse``: role prefixes, stage directions, JSON, "as an AI", other speakers' lines,
   repeats; at most three sentences).  Each kept sentence is yielded as soon as it is complete, so
   the voice can start on the first one.
3. A fact counts as revealed only when the reply actually conveys it: the reply shares at least
   ``CONVEY_MIN`` content-word stems with one of the fact's lines (half the stems of a short line),
   not counting words the rep just used nor words common to the persona's other facts.  A fact the
   model left out stays hidden; the rep can ask again.  Trust, patience, concerns, next step and
   ending are the offline engine's, unchanged.

The one fallback policy (the practice loop has none; it only shows ``BuyerReply.problem``): any
fault while the model answers - timeouts, refused connections, 401/403/404/429/5xx, malformed or
empty output, a reply with nothing usable left after cleaning, or an unexpected error in the client
or the cleaning - never stops the session.  The turn is answered with the offline reply, which the
engine already has; if the stream broke after some sentences were yielded, those are kept as the
reply.  The first fault of a session is reported in ``BuyerReply.problem`` (one clear line, no API
key) for the caller to show as a ``Problem``; later ones are only logged and kept in
``engine.problems``, so a dead server gives one warning per session, not one per turn.  A session
starts when the history holds no rep turn yet (the factory builds one engine per session anyway).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.engine import BuyerReply
from simulator.persona.llm_client import LLMClient, LLMError
from simulator.persona.llm_parse import ReplyCleaner, looks_like_json, unwrap_json
from simulator.persona.llm_prompt import NOTE_ECHOES, STOP, PromptInput, build_messages, plan_turn
from simulator.persona.llm_sentences import SentenceSplitter
from simulator.persona.llm_settings import LLMSettings, resolve
from simulator.persona.matching import stems
from simulator.persona.offline import OfflineEngine
from simulator.persona.schema import Fact, Persona
from simulator.persona.state import BuyerState

log = logging.getLogger(__name__)

#: content-word stems a reply must share with a fact's lines for the fact to count as revealed
CONVEY_MIN = 3


def _fact_stems(fact: Fact) -> list[set[str]]:
    return [set(stems(line)) for line in [*fact.says, *fact.more]]


def conveys(reply: str, fact: Fact, rep_text: str = "", persona: Persona | None = None) -> bool:
    """Whether ``reply`` actually tells the rep ``fact`` (see the module docstring, step 3).

    With ``persona``, words that also run through two or more of its other facts ("order", "new" for a
    bakery) do not count: a rambling reply full of the business's everyday words conveys nothing."""
    said = set(stems(reply)) - set(stems(rep_text))
    if not said:
        return False
    lines = _fact_stems(fact)
    if persona is not None:
        counts: dict[str, int] = {}
        for other in persona.facts:
            if other.id != fact.id:
                for word in set().union(*_fact_stems(other), stems(other.topic)):
                    counts[word] = counts.get(word, 0) + 1
        lines = [{w for w in line if counts.get(w, 0) < 2} for line in lines]
    return any(line and len(said & line) >= min(CONVEY_MIN, max(1, len(line) / 2)) for line in lines)


class OpenAIEngine:
    """Buyer replies phrased by an LLM over the OpenAI chat API; state kept by the shared rules."""

    name = "openai"

    def __init__(self, settings: LLMSettings, seed: int | None = None, client: LLMClient | None = None) -> None:
        self.settings = settings
        self.client = client or LLMClient(settings)
        self.offline = OfflineEngine(seed=seed)
        #: every fault so far (one line each, no secrets); only the first of a session is reported
        self.problems: list[str] = []
        self._warned = False

    def __repr__(self) -> str:
        return f"OpenAIEngine({self.settings!r})"

    def respond(
        self, persona: Persona, state: BuyerState, rep: Analysis, history: list[Turn]
    ) -> Iterator[str | BuyerReply]:
        base = self.offline.reply(persona, state, rep, history)
        if not base.text:  # the meeting was already over: nothing to say
            yield base
            return
        if not any(turn.speaker == "rep" for turn in history):  # a new session: its first fault is shown
            self._warned = False
        plan = plan_turn(persona, state, base)
        prompt = PromptInput(persona, rep, list(history), plan, history_turns=self.settings.history_turns)
        cleaner = ReplyCleaner([persona.name], echoes=NOTE_ECHOES)
        fault = ""
        try:
            for i, sentence in enumerate(self._sentences(build_messages(prompt), cleaner)):
                yield sentence if i == 0 else " " + sentence
        except LLMError as exc:
            fault = exc.message
        except Exception as exc:  # a bug in the client or the cleaning: the same policy as a server fault
            log.info("the LLM engine failed", exc_info=True)
            fault = f"the LLM engine failed ({type(exc).__name__})"
        if not cleaner.sentences:
            problem = self._report(f"LLM: {fault or 'the model gave no usable reply'}; the offline buyer answered")
            yield base.text
            yield replace(base, problem=_both(base.problem, problem))
            return
        problem = self._report(f"LLM: {fault}; the reply was cut short") if fault else ""
        problem = _both(base.problem, problem)  # the offline decision's own problem line, if any, comes first
        text = cleaner.text
        offered = plan.sharing
        revealed = tuple(f.id for f in offered if conveys(text, f, rep.text, persona))
        kept = state.revealed + tuple(fid for fid in revealed if fid not in state.revealed)
        last_topic = base.state.last_topic if not offered or revealed else state.last_topic
        new_state = replace(base.state, revealed=kept, last_topic=last_topic)
        yield replace(base, text=text, revealed=revealed, state=new_state, problem=problem, guarded=plan.guarded)

    def _sentences(self, messages: list[dict[str, str]], cleaner: ReplyCleaner) -> Iterator[str]:
        """Cleaned sentences from the model's stream, as each one completes."""
        splitter = SentenceSplitter()
        stream = self.client.stream(messages, stop=STOP)
        head = ""
        whole: list[str] | None = None  # set when the answer is JSON: it is read whole, then unwrapped
        with contextlib.closing(stream):
            for chunk in stream:
                if whole is not None:
                    whole.append(chunk)
                    continue
                if not head.strip():
                    head += chunk
                    if not head.strip():
                        continue
                    chunk, head = head, "x"
                    if looks_like_json(chunk):
                        whole = [chunk]
                        continue
                for piece in splitter.feed_pieces(chunk):
                    kept = cleaner.add(piece)
                    if kept:
                        yield kept
                    if cleaner.done:
                        return
        rest = splitter.feed_pieces(unwrap_json("".join(whole))) if whole is not None else []
        for piece in rest + splitter.flush_pieces():
            kept = cleaner.add(piece)
            if kept:
                yield kept
            if cleaner.done:
                return

    def _report(self, message: str) -> str:
        """Keep a fault; return its line for ``BuyerReply.problem`` if it is the session's first, else ""."""
        message = self.settings.redact(message)
        self.problems.append(message)
        if self._warned:
            log.info("%s", message)
            return ""
        self._warned = True
        return message


def _both(first: str, second: str) -> str:
    """Two problem lines as one (either may be empty)."""
    return "; ".join(p for p in (first, second) if p)


def make_llm_engine(seed: int | None = None, settings: Any = None) -> OpenAIEngine:
    """The engine ``make_engine("openai", seed, settings)`` returns; settings as ``llm_settings.resolve``
    accepts them (``None``: from the environment).  Raises ``RapportError`` for unusable settings."""
    return OpenAIEngine(resolve(settings), seed=seed)
