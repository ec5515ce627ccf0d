"""Streaming Silero VAD matches faster-whisper's batch run and tells speech from silence."""

from __future__ import annotations

import numpy as np

from simulator.speech.audio import BLOCK, load_audio
from simulator.speech.vad import StreamingVad


def test_streaming_matches_batch_exactly(jfk_path):
    from faster_whisper.vad import get_vad_model

    audio = load_audio(jfk_path)
    n = audio.size // BLOCK * BLOCK
    batch = get_vad_model()(audio[:n]).reshape(-1)
    vad = StreamingVad()
    # feed in odd-sized pieces: the remainder is carried between calls
    probs = []
    for start in range(0, audio.size, 1000):
        probs += vad.feed(audio[start : start + 1000])
    assert len(probs) == batch.size
    assert np.max(np.abs(np.array(probs) - batch)) < 1e-5


def test_silence_is_not_speech_and_speech_is(jfk_path):
    vad = StreamingVad()
    silence = vad.feed(np.zeros(16000, np.float32))
    assert max(silence) < 0.1
    vad.reset()
    speech = np.array(vad.feed(load_audio(jfk_path)))
    assert speech.max() > 0.9
    assert np.sum(speech > 0.5) * 0.032 > 5.0  # most of the 11 s is speech
