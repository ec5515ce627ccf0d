"""Transcription of real human speech and of speech made with espeak-ng at test time."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.errors import RapportError
from simulator.speech.audio import load_audio
from simulator.speech.stt import resolve_model
from simulator.speech.transcriber import make_transcriber

from .conftest import SPEECH, references, wer

#: faster-whisper tiny.en's own WER on these files (tests/data/speech/README.md), plus a margin of 0.05
BASELINE = {"jfk.flac": 0.00, "arctic_a0024.wav": 0.00, "LDC93S1.wav": 0.18}


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_real_speech_wer_matches_faster_whisper(name, transcriber):
    reference = references()[name]
    audio = load_audio(SPEECH / name)
    fast = transcriber.transcribe(audio)  # the live path: shortened encoder window
    full = transcriber.transcribe(audio, timestamps=True)  # the file path: Whisper's 30 s window
    print(f"{name}: WER live {wer(reference, fast.text):.2f}, full {wer(reference, full.text):.2f}")
    assert wer(reference, fast.text) <= BASELINE[name] + 0.05
    assert wer(reference, full.text) <= BASELINE[name] + 0.05
    assert full.segments and full.segments[-1].end <= full.duration_s + 0.5


def test_espeak_speech_made_now_is_transcribed(transcriber, synth):
    from simulator.speech.tts import VoiceSettings

    sentences = ["Tell me about the last time a customer was unhappy.", "How many people work in your office?"]
    for sentence in sentences:
        speech = synth.synth(sentence, VoiceSettings(rate=140))
        audio = np.concatenate([np.zeros(4000, np.float32), speech, np.zeros(4000, np.float32)])
        result = transcriber.transcribe(audio)
        assert wer(sentence, result.text) <= 0.1, result.text


def test_silence_gives_no_words(transcriber):
    result = transcriber.transcribe(np.zeros(16000 * 2, np.float32))
    assert len(result.text.split()) <= 2  # Whisper may say "you" on silence; the pipeline filters it
    assert transcriber.transcribe(np.zeros(100, np.float32)).text == ""


def test_json_shape(transcriber, jfk_path):
    data = transcriber.transcribe(jfk_path, timestamps=True).to_dict()
    assert set(data) == {"text", "segments", "duration_s", "elapsed_s", "model"}
    assert data["model"] == "tiny.en" and data["duration_s"] == pytest.approx(11.0, abs=0.1)
    assert all(set(s) == {"start", "end", "text"} for s in data["segments"])


def test_bad_model_names_and_folders_are_one_line_errors(tmp_path):
    with pytest.raises(RapportError, match="no model.bin"):
        resolve_model(str(tmp_path))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    with pytest.raises(RapportError, match="cannot load Whisper model"):
        make_transcriber(str(broken), env={})
    with pytest.raises(RapportError, match="not found"):
        resolve_model("./no/such/folder")
    with pytest.raises(RapportError, match="not cached and could not be downloaded"):
        make_transcriber("medium.en-never-downloaded", env={})
