"""Train the analyser's weights from the corpus: ``python -m tools.analyser.train`` (from the repository root).

Reads the corpus batches ``tests/data/corpus/*.psv`` (or the files given), adds each utterance again as an
unpunctuated transcript, fits the model and writes ``simulator/conversation/analyser_model.json``: the weights
the analyser loads at run time (they ship in the package; this tool does not). Training is deterministic: the
same corpus gives the same file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from simulator.conversation.features import extract
from simulator.conversation.model import Model, TrainConfig, train
from tools.analyser.corpus import Example, corpus_files, load, speech_variant


def training_set(examples: Sequence[Example]) -> list[Example]:
    """Each example as written and, when different, as an unpunctuated transcript."""
    out: list[Example] = []
    for ex in examples:
        out.append(ex)
        variant = speech_variant(ex)
        if variant.text != ex.text:
            out.append(variant)
    return out


def fit(examples: Sequence[Example], config: TrainConfig | None = None,
        cache: dict[tuple[str, str | None], list[str]] | None = None) -> Model:
    """Fit the model on ``examples`` (plus their speech variants). ``cache`` keeps each utterance's feature
    names between fits (cross-validation trains many models on overlapping data)."""
    data = training_set(examples)
    cache = {} if cache is None else cache
    samples = []
    for ex in data:
        key = (ex.text, ex.buyer_said)
        if key not in cache:
            cache[key] = extract(ex.text, ex.buyer_said).names
        samples.append(cache[key])
    return train(samples, [ex.labels for ex in data], config or TrainConfig())


def main(argv: list[str] | None = None) -> int:
    from simulator.conversation.analyser import WEIGHTS

    parser = argparse.ArgumentParser(prog="python -m tools.analyser.train", description=__doc__)
    parser.add_argument("corpus", nargs="*", type=Path, help="LABELS|BUYER_SAID|TEXT files "
                        "(default: tests/data/corpus/*.psv)")
    parser.add_argument("-o", "--output", type=Path, default=WEIGHTS, help="weights file to write")
    args = parser.parse_args(argv)
    files = args.corpus or corpus_files()
    if not files:
        print("train: no corpus files found (tests/data/corpus/*.psv)", file=sys.stderr)
        return 1
    examples: list[Example] = []
    for path in files:
        try:
            examples += load(path)
        except (OSError, ValueError) as exc:
            print(f"train: {exc}", file=sys.stderr)
            return 1
    model = fit(examples)
    model.meta["corpus"] = [p.name for p in files]
    model.save(args.output)
    print(f"trained on {len(examples)} utterances ({model.meta['examples']} with variants), "
          f"{len(model.features)} features -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
