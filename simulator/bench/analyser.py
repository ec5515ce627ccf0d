"""Analyser speed: ``rapport bench analyser``.

Times ``analyse`` on 10,000 varied utterances (made by combining openers, bodies and endings,
with and without punctuation and buyer lines), on one core. Target: under 5 s in all.
"""

from __future__ import annotations

import itertools
import random
import time

from simulator.bench import Result

_OPENERS = ["", "um ", "so ", "okay so ", "right, ", "and ", "you know, "]
_BODIES = [
    "what does the renewal process look like on your side",
    "how do you handle late shipments today",
    "that sounds like it has been weighing on you",
    "so the real issue is approvals, not the software",
    "our platform syncs with every major ERP out of the box",
    "you'll cut your admin time in half",
    "you'd like to grow revenue this year, wouldn't you",
    "I hear you, but we're cheaper over five years",
    "shall I send over the agreement today",
    "thanks for fitting me in this week",
    "sorry, I think you froze for a moment",
    "walk me through what happened when the system went down last quarter and who had to deal with it",
]
_ENDINGS = ["", "?", ".", " uh", " right", " for the team"]
_BUYERS = [None, "We lost two drivers last month.", "It's too expensive for us.", "Send me something after the call."]


def utterances(n: int, seed: int = 1) -> list[tuple[str, str | None]]:
    """``n`` (text, buyer_said) pairs from a seeded mix of openers, bodies, endings and buyer lines."""
    combos = list(itertools.product(_OPENERS, _BODIES, _ENDINGS, _BUYERS))
    rng = random.Random(seed)
    rng.shuffle(combos)
    picked = (combos * (n // len(combos) + 1))[:n]
    return [(f"{o}{b}{e}", buyer) for o, b, e, buyer in picked]


def run(quick: bool = False) -> list[Result]:
    """Time 10,000 analyses (2,000 with ``quick``, scaled to 10,000 for the figure)."""
    from simulator.conversation.analyser import analyse_many, model

    model()  # loading the weights is not part of the per-utterance cost
    n = 2_000 if quick else 10_000
    items = utterances(n)
    start = time.perf_counter()
    analyse_many(items)
    elapsed = time.perf_counter() - start
    per_ms = elapsed / n * 1000
    t0 = time.perf_counter()
    model.cache_clear()
    model()
    load_s = time.perf_counter() - t0
    scaled = elapsed * 10_000 / n
    detail = f"{n} utterances measured" + (" (quick run, scaled)" if quick else "")
    return [
        Result("analyse 10,000 utterances", scaled, "s", target=5.0, direction="max", detail=detail),
        Result("analyse one utterance", per_ms, "ms", target=0.5, direction="max"),
        Result("load analyser weights", load_s * 1000, "ms"),
    ]
