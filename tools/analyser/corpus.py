"""Labelled rep utterances: reading ``LABELS|BUYER_SAID|TEXT`` files and making speech-like variants.

The corpus lives in ``tests/data`` of the source checkout; neither it nor this module is in the wheel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.conversation.catalogue import CATALOGUE
from simulator.conversation.moves import LABELS

#: The short codes of ``docs/spec/moves-examples.psv``.
CODES: dict[str, str] = {m.code: m.name for m in CATALOGUE}
_REPO = Path(__file__).resolve().parents[2]
_DATA = _REPO / "tests" / "data"
#: The training corpus: one file per batch (each written by one author with one brief), read in name order.
CORPUS_DIR = _DATA / "corpus"
#: Independent held-out sets, each by an author who never saw the corpus; never used for training or choices.
HELDOUT_SETS = (_DATA / "moves_heldout.psv", _DATA / "moves_heldout2.psv", _DATA / "moves_heldout3.psv",
                # small talk, asides and plain questions beside the sales moves they resemble (author a18, session 19)
                _DATA / "moves_heldout_asides.psv")
#: Independent held-out sets per other line of business (fundraising, property ...), each by an author other than
#: that domain's training batch; scored once, never used for training or choices.
DOMAIN_DIR = _DATA / "domains_heldout"
#: the second per-domain held-out sets (other authors, written after analyser 1.9 was measured on the first)
DOMAIN_DIR2 = _DATA / "domains_heldout2"
#: the third per-domain held-out sets (authors c7, c8), written while analyser 2.1 was current and scored first by 2.2
DOMAIN_DIR3 = _DATA / "domains_heldout3"
#: the fourth per-domain held-out sets (authors d9-d12, 140 utterances each), written while analyser 2.3 was current
DOMAIN_DIR4 = _DATA / "domains_heldout4"
#: the fifth per-domain held-out sets (authors d13-d16, 140 utterances each), written while analyser 2.3 was current
DOMAIN_DIR5 = _DATA / "domains_heldout5"
DOMAIN_DIRS = {"first": DOMAIN_DIR, "second": DOMAIN_DIR2, "third": DOMAIN_DIR3, "fourth": DOMAIN_DIR4,
               "fifth": DOMAIN_DIR5}


@dataclass(frozen=True)
class Example:
    """One labelled rep utterance (``labels`` in ``LABELS`` order)."""

    labels: tuple[str, ...]
    buyer_said: str | None
    text: str


def parse_labels(field: str) -> tuple[str, ...]:
    """"question,listening" or "L,Q" -> labels in LABELS order; unknown names raise ValueError."""
    names = set()
    for part in field.split(","):
        part = part.strip()
        if not part:
            continue
        name = CODES.get(part, part)
        if name not in LABELS:
            raise ValueError(f"unknown label '{part}'")
        names.add(name)
    if not names:
        raise ValueError("no labels")
    return tuple(label for label in LABELS if label in names)


def load(path: str | Path) -> list[Example]:
    """Read a corpus file; a malformed line raises ValueError naming the file and line number."""
    path = Path(path)
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("|", 2)
        if len(parts) != 3:
            raise ValueError(f"{path.name}:{number}: expected LABELS|BUYER_SAID|TEXT")
        try:
            labels = parse_labels(parts[0])
        except ValueError as exc:
            raise ValueError(f"{path.name}:{number}: {exc}") from None
        examples.append(Example(labels, parts[1].strip() or None, parts[2].strip()))
    return examples


_PUNCT = re.compile(r"[^\w\s']+")


def strip_punctuation(text: str) -> str:
    """What a speech recogniser without punctuation gives: lower case, no punctuation but apostrophes."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def speech_variant(example: Example) -> Example:
    """The same example with the rep's words as an unpunctuated transcript."""
    return Example(example.labels, example.buyer_said, strip_punctuation(example.text))


def corpus_files(folder: str | Path = CORPUS_DIR) -> list[Path]:
    """The corpus batch files, in name order."""
    return sorted(Path(folder).glob("*.psv"))


def load_batches(files: Sequence[str | Path] | None = None) -> dict[str, list[Example]]:
    """Each corpus batch by its file stem ("01-core": [...])."""
    return {Path(f).stem: load(f) for f in (corpus_files() if files is None else files)}


def load_corpus(files: Sequence[str | Path] | None = None) -> list[Example]:
    """The whole training corpus, batch after batch."""
    return [ex for batch in load_batches(files).values() for ex in batch]


def heldout_sets() -> dict[str, list[Example]]:
    """The independent held-out sets that exist in this checkout, by file stem."""
    return {path.stem: load(path) for path in HELDOUT_SETS if path.exists()}


def domain_heldout_sets(folder: str | Path = DOMAIN_DIR) -> dict[str, list[Example]]:
    """The per-domain held-out sets that exist in this checkout, by domain ("fundraising": [...])."""
    return {path.stem: load(path) for path in sorted(Path(folder).glob("*.psv"))}
