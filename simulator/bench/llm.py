"""LLM buyer benchmark: how soon the first sentence can be spoken, and how long a whole reply takes.

Runs against ``OPENAI_BASE_URL`` (your Ollama, vLLM, OpenAI ...) and reports only the cleaning
figure, with a note, when it is not set.  In a source checkout, ``make bench`` (``python -m
tools.llm_local rapport bench``) starts the local llama.cpp server with SmolLM2-135M (``make llm``)
for the run and sets ``OPENAI_BASE_URL``.  Also measures the cost of cleaning a messy reply.

Targets: first sentence within 1.5 s and the whole reply within 4 s (local small model), so the
buyer answers about as quickly as a person would; cleaning well under a millisecond.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from simulator.bench import Result

TURNS = [
    ("thanks for making the time today", ("rapport",)),
    ("so how does the business run day to day", ("question",)),
    ("that sounds like a lot to juggle", ("listening",)),
    ("what is the hardest part with the custom orders", ("question",)),
    ("what happens when an order gets mixed up", ("question",)),
    ("our app fixes that and pays for itself", ("pitch", "benefit")),
]
MESSY = ("Rosa: *sighs* Well, honestly? (laughs) The orders. As an AI I can't say more.\n"
         "Rep: Why?\nRosa: Because.") * 3


def run(quick: bool) -> list[Result]:
    results = [_cleaning(200 if quick else 2000)]
    base_url = os.environ.get("OPENAI_BASE_URL")
    if not base_url:
        print("llm: no LLM server, reply figures skipped: set OPENAI_BASE_URL (in a source checkout, "
              "`python -m tools.llm_local rapport bench llm` starts a local one)", file=sys.stderr)
        return results
    return results + _replies(base_url, TURNS[:3] if quick else TURNS)


def _cleaning(n: int) -> Result:
    from simulator.persona.llm_parse import clean_reply

    start = time.perf_counter()
    for _ in range(n):
        clean_reply(MESSY, ["Rosa Alvarez"])
    per_ms = (time.perf_counter() - start) / n * 1000
    return Result("llm reply cleaning", round(per_ms, 3), "ms", target=1.0, detail=f"{n} messy replies")


def _replies(base_url: str, turns: list[tuple[str, tuple[str, ...]]]) -> list[Result]:
    from simulator.conversation.moves import Analysis
    from simulator.conversation.turns import Turn
    from simulator.persona.engine import BuyerReply
    from simulator.persona.llm import OpenAIEngine
    from simulator.persona.llm_settings import LLMSettings
    from simulator.persona.loader import get
    from simulator.persona.state import BuyerState

    settings = LLMSettings.from_env(base_url=base_url)
    engine = OpenAIEngine(settings, seed=1)
    persona = get("bakery-owner")
    state, history = BuyerState.start(persona), [Turn("buyer", persona.opening_line)]
    first, whole, words = [], [], []
    for text, labels in turns:
        rep = Analysis(text, labels)
        start = time.perf_counter()
        first_at = None
        reply = None
        for item in engine.respond(persona, state, rep, history):
            if isinstance(item, BuyerReply):
                reply = item
            elif first_at is None:
                first_at = time.perf_counter() - start
        whole.append(time.perf_counter() - start)
        first.append(first_at if first_at is not None else whole[-1])
        words.append(len(reply.text.split()))
        history += [Turn("rep", text, labels=labels), Turn("buyer", reply.text)]
        state = reply.state
    where = f"{settings.model} at {settings.display_url}, {len(turns)} turns"
    fallbacks = len(engine.problems)
    return [
        Result("llm first sentence (median)", round(statistics.median(first), 3), "s", target=1.5, detail=where),
        Result("llm whole reply (median)", round(statistics.median(whole), 3), "s", target=4.0, detail=where),
        Result("llm reply length (median)", statistics.median(words), "words", target=60, detail=where),
        Result("llm turns answered offline", fallbacks, "turns", target=0, detail="; ".join(engine.problems)[:200]),
    ]
