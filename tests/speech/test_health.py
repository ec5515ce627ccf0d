"""Degrading cleanly: each missing part is one sentence with its fix; the commands never show a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from simulator.errors import RapportError
from simulator.speech import health

from .conftest import ROOT


class _BrokenPortAudio:
    """An import hook that makes ``import sounddevice`` fail the way it does without libportaudio."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_no_portaudio_is_one_sentence_with_the_fix(monkeypatch):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenPortAudio(), *sys.meta_path])
    check = health.check_portaudio()
    assert not check.ok and "PortAudio is missing" in check.detail and "libportaudio2" in check.fix
    from simulator.speech.sources import MicSource

    with pytest.raises(RapportError, match="PortAudio is missing"):
        MicSource()


def test_unknown_microphone_and_missing_espeak_and_bad_model(monkeypatch, tmp_path):
    check = health.check_device("input", "no-such-microphone-anywhere")
    assert not check.ok and "type your turns" in check.fix
    from simulator.speech import tts

    monkeypatch.setattr(tts, "espeak_available", lambda: False)
    check = health.check_espeak()
    assert not check.ok and "espeak-ng" in check.fix
    check = health.check_stt(str(tmp_path))
    assert not check.ok and "no model.bin" in check.detail and "--stt-model" in check.fix


def test_everything_here_is_healthy():
    checks = {c.name: c for c in health.run_checks()}
    assert checks["portaudio"].ok and checks["espeak-ng"].ok and checks["whisper"].ok


def _rapport(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_transcribe_command_json_and_errors(jfk_path, tmp_path):
    done = _rapport("transcribe", str(jfk_path), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert "my fellow americans" in doc["text"].lower() and doc["segments"]
    missing = _rapport("transcribe", str(tmp_path / "nothing.wav"))
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0
    assert "audio file not found" in missing.stderr and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00garbage" * 100)
    undecodable = _rapport("transcribe", str(bad))
    assert undecodable.returncode == 1 and "cannot decode" in undecodable.stderr
    assert "Traceback" not in undecodable.stderr
    model = _rapport("transcribe", str(jfk_path), "--stt-model", str(tmp_path))
    assert model.returncode == 1 and "no model.bin" in model.stderr and "Traceback" not in model.stderr


def test_devices_command_json():
    done = _rapport("devices", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {c["name"] for c in doc["checks"]} >= {"portaudio", "espeak-ng", "whisper"}
    assert all({"index", "name", "inputs", "outputs"} <= set(d) for d in doc["devices"])


def test_voice_problem_is_one_line_or_none():
    assert health.voice_problem() is None  # everything is installed here
    line = health.voice_problem("no-such-microphone-anywhere")
    assert line.startswith("Voice is off:") and "\n" not in line and "type your turns" in line
