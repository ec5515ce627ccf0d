"""``rapport transcribe`` and ``rapport devices``: the voice stack from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import click

from simulator.commands.common import echo_json, json_option, personas_option

stt_model_option = click.option(
    "--stt-model",
    default=None,
    help="Whisper model: tiny.en (bundled, the default), another size name already downloaded, or a CTranslate2 "
    "folder; with RAPPORT_STT_URL set, the server's model name (default whisper-1). Default: RAPPORT_STT_MODEL.",
)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@stt_model_option
@json_option
def transcribe(file: Path, stt_model: str | None, as_json: bool) -> None:
    """Transcribe an audio FILE (WAV, FLAC, MP3...) with Whisper: locally, or on the server in RAPPORT_STT_URL."""
    from simulator.speech.audio import load_audio
    from simulator.speech.transcriber import make_transcriber

    samples = load_audio(file)
    transcriber = make_transcriber(stt_model, beam_size=5)
    started = time.perf_counter()
    result = transcriber.transcribe(samples, timestamps=True)
    data = result.to_dict()
    data["elapsed_s"] = round(time.perf_counter() - started, 3)
    if as_json:
        echo_json(data)
        return
    for seg in result.segments:
        click.echo(f"[{seg.start:6.2f} - {seg.end:6.2f}] {seg.text}")
    click.echo(f"({data['duration_s']:.1f} s of audio in {data['elapsed_s']:.2f} s, model {data['model']})", err=True)


@click.command()
@click.option("--device", default=None, help="Microphone to check: index or part of its name.")
@click.option("--test-mic", is_flag=True, help="Record three seconds, then print the level and the transcript.")
@stt_model_option
@personas_option
@json_option
def devices(
    device: str | None, test_mic: bool, stt_model: str | None, personas_dirs: tuple[Path, ...], as_json: bool
) -> None:
    """List audio devices and check PortAudio, the microphone, espeak-ng, speech-to-text (which backend) and
    each persona's voice (tried for real: ok, fell back to another voice and why, or failed)."""
    from simulator.persona.loader import load_all
    from simulator.speech import health
    from simulator.speech.voice_health import check_voices

    checks = health.run_checks(device, stt_model)
    portaudio_ok = checks[0].ok
    listed = health.list_devices() if portaudio_ok else []
    found, _ = load_all(personas_dirs)  # a broken persona file is reported by `rapport personas list`
    voices = check_voices([(pid, p.voice) for pid, p in found.items()])
    mic = _test_mic(device, stt_model) if test_mic else None
    if as_json:
        out: dict = {"devices": listed, "checks": [c.to_dict() for c in checks]}
        out["voices"] = [v.to_dict() for v in voices]
        if mic is not None:
            out["test_mic"] = mic
        echo_json(out)
        return
    if listed:
        click.echo("Audio devices (> default input, < default output):")
        for d in listed:
            mark = (">" if d["default_input"] else " ") + ("<" if d["default_output"] else " ")
            click.echo(
                f" {mark} {d['index']:>2}  {d['name']}  [{d['host_api']}; in {d['inputs']}, out {d['outputs']}; "
                f"{int(d['default_samplerate'])} Hz]"
            )
    click.echo("Checks:")
    for c in checks:
        click.echo(f"  {'ok ' if c.ok else 'NO '} {c.name:<11} {c.detail}")
        if not c.ok:
            click.echo(f"      fix: {c.fix}")
    _show_voices(voices)
    if mic is not None:
        click.echo(f"Microphone test: level {mic['level']:.2f} (peak {mic['peak']:.2f}); heard: {mic['text']!r}")


def _show_voices(voices: list) -> None:
    """Each persona's voice: ok, fell back to another voice (why), or failed."""
    if not voices:
        return
    click.echo("Buyer voices (each persona's [voice], tried for real):")
    width = max(len(v.persona) for v in voices)
    for v in voices:
        if v.status == "ok":
            click.echo(f"  ok   {v.persona:<{width}}  {v.requested} -> {v.voice} ({v.detail})")
        elif v.status == "fell back":
            click.echo(f"  ok   {v.persona:<{width}}  {v.requested} -> fell back to {v.voice}: {v.detail}")
        else:
            click.echo(f"  NO   {v.persona:<{width}}  {v.requested}: {v.detail}")
            click.echo("      fix: reinstall espeak-ng-data, or pick a voice from `espeak-ng --voices=en`")


def _test_mic(device: str | None, stt_model: str | None, seconds: float = 3.0) -> dict:
    """Record ``seconds`` from the microphone; its level and what Whisper heard."""
    import numpy as np

    from simulator.speech.audio import level
    from simulator.speech.sources import MicSource
    from simulator.speech.transcriber import make_transcriber

    click.echo(f"Recording {seconds:.0f} s: say something...", err=True)
    audio = MicSource(device).record(seconds)
    text = ""
    if audio.size:
        heard = make_transcriber(stt_model).transcribe(audio)
        # Whisper says "you" to silence: the same filter as practice (few words, probably no speech)
        if len(heard.text.split()) > 2 or heard.no_speech_prob <= 0.8:
            text = heard.text
    return {
        "seconds": round(audio.size / 16000, 2),
        "level": round(level(audio), 3),
        "peak": round(float(np.abs(audio).max()) if audio.size else 0.0, 3),
        "text": text,
    }
