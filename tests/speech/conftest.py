"""Fixtures for the voice tests: one loaded Whisper model, the sample calls, a WER helper."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "tests" / "data" / "speech"
SAMPLES = ROOT / "audio"


@pytest.fixture(scope="session")
def transcriber():
    from simulator.speech.transcriber import make_transcriber

    return make_transcriber(env={})  # the local model, whatever RAPPORT_STT_* say


@pytest.fixture(scope="session")
def synth():
    from simulator.speech.tts import shared_synthesizer

    return shared_synthesizer()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate (edit distance over words / reference words), lower-case, no punctuation."""
    ref, hyp = words(reference), words(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(ref))


def references() -> dict[str, str]:
    rows = (SPEECH / "references.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {row.split("\t")[0]: row.split("\t")[1] for row in rows if row.strip()}


def sample_turns(name: str) -> list[tuple[float, float, str]]:
    rows = (SAMPLES / f"{name}.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out = []
    for row in rows:
        _, start, end, text = row.split("\t")
        out.append((float(start), float(end), text))
    return out
