"""The LLM buyer engine (``--engine openai``): any OpenAI-compatible server phrases the buyer's reply.

How a turn works:

1. The offline engine decides the turn with the shared deterministic rules
   (``state.apply_move``; fact matching and ``trust_needed``; concerns, next step, end of meeting).
   Its reply is the *gist*, and the facts it shares are the only facts *offered* to the model.
2. The model is asked to say the gist in the persona's voice (``llm_prompt``).  Its stream is cut
   into sentences (``llm_sentences``) and cleaned (``llm_parse``: role prefixes, stage directions,
   JSON, "as an AI", other speakers' lines, repeats; at most three sentences).  Each kept sentence
   is yielded as soon as it is complete, so the voice can start on the first one.
3. A fact counts as revealed only when the reply actually conveys it: the reply shares at least
   ``CONVEY_MIN`` content-word stems with one of the fact's lines (half the stems of a short line),
   not counting words the rep just used nor words common to the persona's other facts.  A fact the
   model left out stays hidden; the rep can ask again.  Trust, patience, concerns, next step and
   ending are the offline engine's, unchanged.
4. Faults (timeouts, refused connections, 401/403/404/429/5xx, malformed or empty output, a
   reply with nothing usable left after cleaning) never stop the session: the turn is answered
   with the offline gist and ``BuyerReply.problem`` carries one clear line (no API key) for the
   caller to show as a ``Problem``; ``engine.problems`` keeps them all.  If the stream breaks after
   some sentences were already yielded, those are kept as the reply and the problem is reported.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.engine import BuyerReply
from simulator.persona.llm_client import LLMClient, LLMError
from simulator.persona.llm_parse import ReplyCleaner, looks_like_json, unwrap_json
from simulator.persona.llm_prompt import STOP, PromptInput, build_messages
from simulator.persona.llm_sentences import SentenceSplitter
from simulator.persona.llm_settings import LLMSettings, resolve
from simulator.persona.matching import stems
from simulator.persona.offline import OfflineEngine
from simulator.persona.schema import Fact, Persona
from simulator.persona.state import BuyerState

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
        #: every problem reported so far (one line each, no secrets)
        self.problems: list[str] = []

    def __repr__(self) -> str:
        return f"OpenAIEngine({self.settings!r})"

    def respond(
        self, persona: Persona, state: BuyerState, rep: Analysis, history: list[Turn]
    ) -> Iterator[str | BuyerReply]:
        base = self.offline.reply(persona, state, rep, history)
        if not base.text:  # the meeting was already over: nothing to say
            yield base
            return
        offered = [f for f in (persona.fact(fid) for fid in base.revealed) if f is not None]
        prompt = PromptInput(persona, rep, list(history), base.state.trust, base.text, ending=base.ended,
                             history_turns=self.settings.history_turns)
        cleaner = ReplyCleaner([persona.name])
        fault = ""
        try:
            for i, sentence in enumerate(self._sentences(build_messages(prompt), cleaner)):
                yield sentence if i == 0 else " " + sentence
        except LLMError as exc:
            fault = exc.message
        if not cleaner.sentences:
            problem = self._report(f"LLM: {fault or 'the model gave no usable reply'}; the offline buyer answered")
            yield base.text
            yield replace(base, problem=problem)
            return
        problem = self._report(f"LLM: {fault}; the reply was cut short") if fault else ""
        text = cleaner.text
        revealed = tuple(f.id for f in offered if conveys(text, f, rep.text, persona))
        kept = state.revealed + tuple(fid for fid in revealed if fid not in state.revealed)
        last_topic = base.state.last_topic if not offered or revealed else state.last_topic
        new_state = replace(base.state, revealed=kept, last_topic=last_topic)
        yield BuyerReply(text, revealed, new_state, next_step=base.next_step, ended=base.ended, problem=problem)

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
        message = self.settings.redact(message)
        self.problems.append(message)
        return message


def make_llm_engine(seed: int | None = None, settings: Any = None) -> OpenAIEngine:
    """The engine ``make_engine("openai", seed, settings)`` returns; settings as ``llm_settings.resolve``
    accepts them (``None``: from the environment).  Raises ``RapportError`` for unusable settings."""
    return OpenAIEngine(resolve(settings), seed=seed)
