"""The one internal format: decoding files of several formats, resampling, writing recordings."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE, level, load_audio, resample, save_turn_audio, write_audio


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_wav_at_another_rate_in_stereo_becomes_16k_mono(tmp_path):
    stereo = np.stack([tone(1.0, 44100), tone(1.0, 44100)], axis=1)
    path = tmp_path / "tone.wav"
    sf.write(path, stereo, 44100)
    audio = load_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size - SAMPLE_RATE) <= 2
    # still a 440 Hz tone: the spectrum peaks there
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / audio.size - 440) < 3


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the MP3")
def test_mp3_is_decoded_through_ffmpeg(tmp_path):
    wav, mp3 = tmp_path / "t.wav", tmp_path / "t.mp3"
    sf.write(wav, tone(2.0, 22050), 22050)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), str(mp3)], check=True)
    audio = load_audio(mp3)
    assert abs(audio.size / SAMPLE_RATE - 2.0) < 0.1
    assert level(audio) > 0.5


def test_missing_and_undecodable_files_are_one_line_errors(tmp_path):
    with pytest.raises(RapportError, match="not found"):
        load_audio(tmp_path / "nope.wav")
    bad = tmp_path / "bad.flac"
    bad.write_text("this is not audio")
    with pytest.raises(RapportError, match="cannot decode"):
        load_audio(bad)


def test_turn_audio_is_kept_compressed_and_reads_back(tmp_path):
    audio = tone(2.0, SAMPLE_RATE)
    path = save_turn_audio(audio, tmp_path / "rec", "session 1/003 rep")
    assert path.endswith(".flac") and "/" not in path.rsplit("/rec/", 1)[1]
    back, rate = sf.read(path, dtype="float32")
    assert rate == SAMPLE_RATE and back.size == audio.size
    assert np.max(np.abs(back - audio)) < 1e-3
    ogg = write_audio(tmp_path / "x.ogg", audio)
    assert sf.info(str(ogg)).format == "OGG"
    assert (tmp_path / "rec").stat().st_size >= 0 and ogg.stat().st_size < audio.size * 2


def test_resample_keeps_duration():
    out = resample(tone(1.5, 48000), 48000)
    assert out.size == int(1.5 * SAMPLE_RATE)
    assert resample(out, SAMPLE_RATE) is out or np.array_equal(resample(out, SAMPLE_RATE), out)


@pytest.mark.parametrize("rate", [8000, 22050, 24000, 44100, 48000])
def test_resample_matches_scipys_polyphase_filter(rate):
    """The numpy resampler is scipy's ``resample_poly`` (same Kaiser-windowed sinc), without importing scipy.signal."""
    from math import gcd

    from scipy.signal import resample_poly

    rng = np.random.default_rng(rate)
    t = np.arange(int(rate * 1.7)) / rate
    x = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t) + 0.05 * rng.normal(size=t.size))
    g = gcd(rate, SAMPLE_RATE)
    expected = resample_poly(x.astype(np.float32), SAMPLE_RATE // g, rate // g)
    out = resample(x.astype(np.float32), rate)
    assert out.dtype == np.float32 and out.size == expected.size
    assert np.max(np.abs(out - expected)) < 1e-5


def test_the_buyers_voice_is_resampled_without_scipy():
    """Importing scipy.signal added 72.5 MB to a voice session (docs/voice.md): a 22,050 Hz voice must not need it."""
    code = ("import sys, numpy as np; from simulator.speech.audio import resample; "
            "resample(np.ones(22050, np.float32), 22050); print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


def test_stream_resampler_joins_blocks_seamlessly():
    """A 48 or 44.1 kHz microphone resampled block by block equals the whole signal resampled at once (the same
    filter), only a few output samples behind (the filter's reach), without scipy."""
    from simulator.speech.audio import StreamResampler, resample

    for rate, block in ((48000, 1536), (48000, 1000), (44100, 1411), (22050, 700)):
        signal = tone(2.0, rate, 300.0) + np.random.default_rng(rate).normal(0, 0.05, 2 * rate).astype(np.float32)
        stream = StreamResampler(rate)
        pieces = np.concatenate([stream(signal[i : i + block]) for i in range(0, signal.size, block)])
        whole = resample(signal, rate)
        assert whole.size == 32000 and 32000 - 12 <= pieces.size < 32000  # 10 outputs behind at these rates
        assert np.max(np.abs(pieces - whole[: pieces.size])) < 1e-5
        # the tone survives, and the signal stays smooth at block edges (no clicks)
        spectrum = np.abs(np.fft.rfft(pieces[1000:]))
        assert abs(np.argmax(spectrum) * 16000 / pieces[1000:].size - 300) < 3
    mic = StreamResampler(48000)
    clean = np.concatenate([mic(tone(1.0, 48000)[i : i + 1536]) for i in range(0, 48000, 1536)])
    assert np.max(np.abs(np.diff(clean[1000:]))) < 0.1
    assert np.array_equal(StreamResampler(16000)(clean), clean)  # a 16 kHz microphone passes through


def test_the_microphone_resampler_does_not_import_scipy():
    code = ("import sys, numpy as np; from simulator.speech.audio import StreamResampler; "
            "StreamResampler(44100)(np.ones(1411, np.float32)); print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
