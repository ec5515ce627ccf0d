"""Choose the end-of-turn settings on the development half of the turn-taking set (authors a1, a2).

    python -m tools.turn_taking.tune

For every pause inside a turn and for the end of every turn, the two judgements the pipeline would
make (Smart Turn on the audio so far, the words' model on Whisper's transcript of it) are computed
once; then each candidate setting is scored by replaying the decisions: a pause is cut when it is at
least as long as the pause the setting needs for those judgements.  The held-out half is never read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
from pathlib import Path

from simulator.bench.turn_set import DEV, load, speak
from simulator.speech import turn_text
from simulator.speech.audio import SAMPLE_RATE
from simulator.speech.endpoint import EndpointSettings
from simulator.speech.transcriber import make_transcriber
from simulator.speech.turn_model import TurnModel

PAUSED = ("unfinished", "hesitation")


def judgements(cache: Path | None = None):
    """(id, kind, pause or None for the end, sound's p, words' p, text) for every pause of the development half.

    ``cache``: a file keeping what Smart Turn and Whisper made of the audio (the words' model is applied
    afresh, so a retrained model is scored without speaking the set again)."""
    if cache is not None and cache.is_file():
        kept = [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
        return [(*row[:4], turn_text.probability(row[4]), row[4]) for row in kept]
    rows = _judge()
    if cache is not None:
        cache.write_text("".join(json.dumps([*row[:4], row[5]]) + "\n" for row in rows), encoding="utf-8")
    return rows


def _judge():
    items = speak(load(DEV))
    transcriber, model = make_transcriber(), TurnModel()
    rows = []  # (item, kind, pause length or None for the end, audio p, text p)
    for item in items:
        first = max(0, int((item.parts[0][0] - 0.256) * SAMPLE_RATE))
        for n, (_, end) in enumerate(item.parts):
            cut = int((end + 0.2) * SAMPLE_RATE)
            audio_p = model.probability(item.audio[first:cut])
            text = transcriber.transcribe(item.audio[first : int((end + 0.032) * SAMPLE_RATE)]).text
            pause = item.pauses[n] if n < len(item.pauses) else None
            rows.append((item.id, item.kind, pause, audio_p, turn_text.probability(text), text))
    return rows


def score(rows, s: EndpointSettings):
    cut, paused, between_cut, delays = set(), set(), 0, []
    for ident, kind, pause, audio_p, text_p, _ in rows:
        needed = max(s.pause_for(audio_p, text_p)[0], s.judge_after_ms) / 1000
        if pause is None:
            if kind == "finished":
                delays.append(needed)
        elif kind in PAUSED and pause <= 1.0:
            paused.add(ident)
            if pause >= needed:
                cut.add(ident)
        elif kind == "between" and pause >= needed:
            between_cut += 1
    return len(cut) / max(1, len(paused)), 1000 * statistics.median(delays), between_cut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every judgement")
    parser.add_argument("--cache", type=Path, help="keep (or reuse) what the models made of the spoken set here")
    args = parser.parse_args(argv)
    rows = judgements(args.cache)
    for row in rows if args.verbose else ():
        print(f"{row[0]:6s} {row[1]:10s} {str(row[2]):5s} sound {row[3]:.2f} words {row[4]:.2f}  {row[5]}")
    rate, delay, between = score(rows, EndpointSettings())
    print(f"the current defaults: cut rate {rate:.3f}, median decision {delay:.0f} ms, between cut {between}")
    best = []
    for weight, quick_above, unsure_above, quick, unsure, incomplete, alone, veto in itertools.product(
        (0.0, 0.2, 0.35, 0.5, 0.7), (-0.5, 0.0, 0.5, 1.0, 1.5), (-2.5, -2.0, -1.5, -1.0, -0.5, 0.0), (200, 300),
        (500, 600, 800, 1000, 1300), (1500, 2000), (0.8, 0.85, 0.9, 0.95, 1.01), (0.0, 0.2, 0.3, 0.4, 0.5)
    ):
        if unsure_above >= quick_above:
            continue
        s = EndpointSettings(audio_weight=weight, quick_above=quick_above, unsure_above=unsure_above,
                             quick_pause_ms=quick, unsure_pause_ms=unsure, incomplete_pause_ms=incomplete,
                             words_alone_above=alone, words_veto_below=veto)
        rate, delay, between = score(rows, s)
        best.append((rate > 0.05, delay, rate, between, weight, quick_above, unsure_above, quick, unsure, incomplete,
                     alone, veto))
    best.sort()
    print("over 5%?, median decision ms, cut rate, between cut, audio weight, quick above, unsure above, "
          "quick, unsure, incomplete, words alone above, words veto below")
    for row in best[:5]:
        print(row)
    print("the frontier: the quickest median decision at each false cut-off rate")
    frontier: dict[float, tuple] = {}
    for row in best:
        rate = round(row[2], 3)
        if rate not in frontier or row[1] < frontier[rate][1]:
            frontier[rate] = row
    for rate in sorted(frontier):
        print(frontier[rate])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
