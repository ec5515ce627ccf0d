"""The turn-taking set: rep turns with pauses, spoken, to measure when a turn is judged over.

Scripts are in ``tests/data/turn_taking/scripts-<author>.tsv`` (``id<TAB>kind<TAB>script``, a
pause written ``[p=SECONDS]``), each file by an independent author with one brief: ``unfinished``
(a pause where the sentence is plainly unfinished), ``hesitation`` (a pause after "um", "so",
"and"...), ``between`` (a breath between a lead-in sentence and the rest) and ``finished`` (a
complete turn, then silence).  Authors a1 and a2 are the development half (choices may look at
them); a3 and a4 are held out (measured, never tuned on).  Each turn is spoken by espeak-ng in one
of six voices (accent, gender and rate vary), with the pauses as true silence; a phrase cut by a
pause mid-sentence is spoken with the intonation of an unfinished phrase (a comma's, not a full stop's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE

FOLDER = Path(__file__).resolve().parents[2] / "tests" / "data" / "turn_taking"
DEV = ("a1", "a2")
HELD_OUT = ("a3", "a4")
LEAD_S = 0.6
TAIL_S = 2.5
_PAUSE = re.compile(r"\[p=([0-9.]+)\]")
VOICES = (("en-us", "female", 165), ("en-gb", "male", 155), ("en-us", "male", 180),
          ("en-gb", "female", 170), ("en-us", "female", 150), ("en-gb", "male", 185))


@dataclass
class Item:
    id: str
    kind: str
    author: str
    script: str
    #: (start, end) in seconds of each spoken part, in order; pauses lie between them
    parts: list[tuple[float, float]] = field(default_factory=list)
    pauses: list[float] = field(default_factory=list)
    audio: np.ndarray | None = field(default=None, repr=False)

    @property
    def speech_end(self) -> float:
        return self.parts[-1][1]

    @property
    def last_start(self) -> float:
        return self.parts[-1][0]


def load(authors: tuple[str, ...]) -> list[Item]:
    items = []
    for author in authors:
        path = FOLDER / f"scripts-{author}.tsv"
        if not path.is_file():
            raise RapportError(f"the turn-taking set is missing ({path}): run the benchmark from a clone")
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip():
                ident, kind, script = line.split("\t", 2)
                items.append(Item(ident.strip(), kind.strip(), author, script.strip()))
    return items


def speak(items: list[Item]) -> list[Item]:
    """Synthesise every item (pauses as silence), recording where each spoken part starts and ends."""
    from simulator.speech.tts import VoiceSettings, shared_synthesizer

    synth = shared_synthesizer()
    for n, item in enumerate(items):
        voice, gender, rate = VOICES[n % len(VOICES)]
        settings = VoiceSettings(voice=voice, gender=gender, rate=rate)
        texts = _PAUSE.split(item.script)  # text, pause, text, pause, ...
        chunks = [np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32)]
        t = LEAD_S
        item.parts, item.pauses = [], []
        for i, piece in enumerate(texts):
            if i % 2:  # a pause
                seconds = float(piece)
                item.pauses.append(seconds)
                chunks.append(np.zeros(int(seconds * SAMPLE_RATE), np.float32))
                t += seconds
                continue
            said = piece.strip()
            if i < len(texts) - 1 and not said.endswith((".", "?", "!")):
                # a phrase that goes on after the pause: espeak gives a comma the voice of an unfinished
                # phrase (no final fall), as people sound when they pause mid-sentence
                said += ","
            speech = _trim(synth.synth(said, settings))
            chunks.append(speech)
            item.parts.append((round(t, 3), round(t + speech.size / SAMPLE_RATE, 3)))
            t += speech.size / SAMPLE_RATE
        chunks.append(np.zeros(int(TAIL_S * SAMPLE_RATE), np.float32))
        item.audio = np.concatenate(chunks)
    return items


def _trim(speech: np.ndarray, floor: float = 0.005) -> np.ndarray:
    """Speech without the engine's leading and trailing silence (so pauses are exactly as written)."""
    loud = np.flatnonzero(np.abs(speech) > floor)
    return speech[loud[0] : loud[-1] + 1] if loud.size else speech
