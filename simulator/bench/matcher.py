"""The buyer's question matcher: ``rapport bench matcher``.

Per-turn cost of ``understanding.understand`` (one sentence embedding plus the two small models) on
one core, the one-off cost of embedding a persona's facts, and the resident memory the sentence
model adds. Targets (issue "a buyer who listens"): at most 20 ms a turn, at most 150 MB more memory.
"""

from __future__ import annotations

import statistics
import time

from simulator.bench import Result
from simulator.memory import rss_mb

_QUESTIONS = [
    "How do you work out who's on shift each day?",
    "Who besides you would have a say in spending money on something like this?",
    "what happens when an order goes wrong",
    "Do you play golf at all?",
    "so um tell me a bit about the business",
    "What time do you open in the mornings?",
    "You mentioned the weekends are busy - what does a Saturday look like?",
    "If this was all sorted a year from now, what would be different for you?",
]


def run(quick: bool = False) -> list[Result]:
    from simulator.persona import understanding
    from simulator.persona.loader import get

    persona = get("bakery-owner")
    before = rss_mb()
    t0 = time.perf_counter()
    understanding.model()
    understanding.vectors_for(persona)
    understanding.vectors_for(persona, profile=True)
    setup_s = time.perf_counter() - t0
    rounds = 3 if quick else 10
    times = []
    for _ in range(rounds):
        for q in _QUESTIONS:
            start = time.perf_counter()
            understanding.understand(q, persona)
            times.append((time.perf_counter() - start) * 1000)
    grown = rss_mb() - before
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    return [
        Result("understand one rep question (median)", statistics.median(times), "ms", target=20.0,
               detail=f"{len(times)} questions, p95 {p95:.1f} ms"),
        Result("load the models and embed a persona's facts and profile", setup_s * 1000, "ms"),
        Result("resident memory added by the matcher", grown, "MB", target=150.0),
    ]
