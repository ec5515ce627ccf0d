"""Generate the sample recordings in audio/: two discovery calls, rep side only, spoken by espeak-ng.

Each call is a list of rep turns separated by ~1.5 s of silence (as a buyer would be talking).
A turn may contain a mid-turn pause after a trailing word (``|`` in the script below), which
the end-of-turn policy must not take for the end of the turn, and a call may contain a short
noise burst, which must not become a turn.  Writes ``audio/<name>.flac`` (16 kHz mono) and
``audio/<name>.tsv`` (turn, start_s, end_s, text: where the speech lies in the file).

Run: .venv/bin/python scripts/make_samples.py   (deterministic for a given espeak-ng version)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.speech.audio import SAMPLE_RATE, write_audio  # noqa: E402
from simulator.speech.tts import Synthesizer, VoiceSettings  # noqa: E402

GAP_S = 1.5
MID_PAUSE_S = 0.8
NOISE = "<noise>"

CALLS: dict[str, list[str]] = {
    "consultative_call": [
        "Hi Dana, thanks for making the time today.",
        "Before I say anything about us, could you tell me how your team handles renewals right now?",
        "What happens when a renewal slips through the cracks?",
        NOISE,
        "So the spreadsheet is the real bottleneck and um | it sounds like that falls on you personally.",
        "How is that affecting the rest of the team?",
        "If this was solved a year from now, what would be different for you?",
    ],
    "transactional_call": [
        "Hi Dana, thanks for taking my call.",
        "Our platform automates renewals and integrates with every major CRM.",
        "You would cut your admin time in half within the first month.",
        NOISE,
        "I hear you on the budget, but we are cheaper than anyone else over three years.",
        "You would want fewer missed renewals, wouldn't you?",
        "Shall I send over the agreement today so we can lock in the discount?",
    ],
}


def trim(samples: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Drop espeak's leading and trailing silence."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples


def noise_burst(seconds: float = 0.12, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    burst = rng.normal(0, 0.2, int(seconds * SAMPLE_RATE)).astype(np.float32)
    return burst * np.hanning(burst.size).astype(np.float32)


def build(turns: list[str], synth: Synthesizer, voice: VoiceSettings) -> tuple[np.ndarray, list[tuple]]:
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), np.float32)
    parts: list[np.ndarray] = [np.zeros(int(0.5 * SAMPLE_RATE), np.float32)]
    rows: list[tuple] = []
    pos = parts[0].size
    for text in turns:
        if text == NOISE:
            burst = noise_burst()
            parts += [burst, gap]
            pos += burst.size + gap.size
            continue
        start = pos
        pieces = [p.strip() for p in text.split("|")]
        for i, piece in enumerate(pieces):
            speech = trim(synth.synth(piece, voice))
            parts.append(speech)
            pos += speech.size
            if i < len(pieces) - 1:
                pause = np.zeros(int(MID_PAUSE_S * SAMPLE_RATE), np.float32)
                parts.append(pause)
                pos += pause.size
        rows.append((len(rows), round(start / SAMPLE_RATE, 3), round(pos / SAMPLE_RATE, 3), " ".join(pieces)))
        parts.append(gap)
        pos += gap.size
    return np.concatenate(parts), rows


def main() -> None:
    out = ROOT / "audio"
    synth = Synthesizer()
    voice = VoiceSettings(voice="en-us", rate=140)
    for name, turns in CALLS.items():
        audio, rows = build(turns, synth, voice)
        write_audio(out / f"{name}.flac", audio * 0.8)
        lines = ["turn\tstart_s\tend_s\ttext"] + ["\t".join(str(v) for v in row) for row in rows]
        (out / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}: {len(rows)} turns, {audio.size / SAMPLE_RATE:.1f} s")
    synth.close()


if __name__ == "__main__":
    main()
