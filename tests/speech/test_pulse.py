"""The microphone path with a real audio server: PulseAudio null sink -> monitor -> PortAudio -> pipeline.

Speech is played into ``rapport_sink`` with ``paplay`` (as a person would speak into a
microphone, in real time), recorded from ``rapport_sink.monitor`` by :class:`MicSource` through
sounddevice and PortAudio's ALSA ``pulse`` device, cut into turns and transcribed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

import pytest

from tests.conftest import ROOT, require_service

from .conftest import SPEECH, references, wer

pytestmark = pytest.mark.pulse
DEVICE = os.environ.get("RAPPORT_TEST_MIC", "pulse")


def _pactl_ok() -> bool:
    return shutil.which("pactl") is not None and subprocess.run(["pactl", "info"], capture_output=True).returncode == 0


def ensure_pulse() -> None:
    """PulseAudio up with the null sink (started by scripts/pulse.sh when needed), seen by PortAudio."""
    sinks = ""
    if shutil.which("pactl"):
        if not _pactl_ok():
            subprocess.run(["sh", str(ROOT / "scripts" / "pulse.sh"), "start"], capture_output=True, timeout=60)
        sinks = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True).stdout
    if "rapport_sink" not in sinks:
        require_service("PulseAudio", "no rapport_sink null sink (run `sh scripts/pulse.sh start`)")
    import sounddevice as sd

    if not any(DEVICE in d["name"] for d in sd.query_devices()):
        # PortAudio lists devices once, at initialisation: look again now that the server is up
        from simulator.speech.playback import close_all

        close_all()  # no stream may outlive PortAudio
        sd._terminate()
        sd._initialize()
    if not any(DEVICE in d["name"] for d in sd.query_devices()):
        require_service("PulseAudio", f"PortAudio has no {DEVICE!r} device (apt install libasound2-plugins)")


def play_into_sink(path) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "--device=rapport_sink", str(path)])


@pytest.mark.parametrize("rate", [None, 48000], ids=["16k", "48k-resampled"])
def test_mic_records_speech_played_into_the_sink_and_the_pipeline_transcribes_it(transcriber, rate):
    ensure_pulse()
    from simulator.speech.pipeline import Listener, VoicePipeline
    from simulator.speech.sources import MicSource

    mic = MicSource(DEVICE, rate=rate)
    assert mic.rate == (rate or 16000)
    listener = Listener()
    heard = listener.heard
    pipeline = VoicePipeline(mic, transcriber, listener)
    mic.start()  # capture from now on; blocks wait in the queue while the pipeline warms up
    runner = threading.Thread(target=pipeline.run, daemon=True)
    runner.start()
    player = play_into_sink(SPEECH / "arctic_a0024.wav")
    player.wait(timeout=30)
    timer = threading.Timer(3.0, pipeline.stop)  # the last turn ends ~0.6 s after the speech
    timer.start()
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert mic.dropped_blocks == 0
    reference = references()["arctic_a0024.wav"]
    text = " ".join(heard)
    print(f"heard through PulseAudio: {text!r}; WER {wer(reference, text):.2f}")
    assert wer(reference, text) <= 0.10


def test_devices_lists_the_pulse_device_and_passes_checks():
    ensure_pulse()
    from simulator.speech import health

    names = [d["name"] for d in health.list_devices()]
    assert DEVICE in names
    assert health.check_device("input", DEVICE).ok


def test_not_listening_hears_nothing(transcriber):
    ensure_pulse()
    from simulator.speech.pipeline import Listener, VoicePipeline
    from simulator.speech.sources import MicSource

    listener = Listener()
    heard = listener.heard
    mic = MicSource(DEVICE)
    pipeline = VoicePipeline(mic, transcriber, listener)
    pipeline.set_listening(False)
    mic.start()
    runner = threading.Thread(target=pipeline.run, daemon=True)
    runner.start()
    play_into_sink(SPEECH / "arctic_a0024.wav").wait(timeout=30)
    threading.Timer(1.5, pipeline.stop).start()
    runner.join(timeout=30)
    assert heard == []


def test_a_player_dropped_while_open_closes_its_stream():
    """A player dropped with its stream open (the barge-in benchmark did) left PortAudio's thread running a freed
    callback: the process died minutes later in a native thread. Dropping it now closes the stream."""
    import gc

    import numpy as np

    from simulator.speech.playback import Player

    ensure_pulse()
    player = Player(DEVICE)
    player.play(np.zeros(1600, np.float32))
    stream, closed = player._stream, threading.Event()
    # the wrapper is held by the stream alone: it keeps nothing else alive
    stream.close = lambda close=stream.close: (closed.set(), close())
    del player, stream
    gc.collect()
    assert closed.is_set()
