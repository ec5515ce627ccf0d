"""Running an audio file through a practice session: ``rapport simulate --audio FILE [--realtime]``.

The file goes through exactly the microphone's path (end of turn, transcription, the session's
analyser and buyer, the buyer's voice), only the source differs.  The buyer's voice is
synthesised but not played (``play=True`` plays it on the default output device).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from simulator.errors import RapportError
from simulator.speech.pipeline import HeardTurn, PipelineSettings, RepTurnTarget, VoicePipeline
from simulator.speech.sources import FileSource
from simulator.speech.stt import SttSettings, Transcriber


def make_voice(persona_voice: object | None, play: bool = False, device: str | int | None = None):
    """A BuyerVoice for a persona, or None (with the reason) when espeak-ng or the device is missing."""
    from simulator.speech.tts import VoiceSettings, shared_synthesizer
    from simulator.speech.voice import BuyerVoice

    try:
        synth = shared_synthesizer()
        player = None
        if play:
            from simulator.speech.playback import Player

            player = Player(device)
    except RapportError as exc:
        return None, str(exc)
    return BuyerVoice(synth, player, VoiceSettings.from_persona(persona_voice)), ""


def live_pipeline(
    session: RepTurnTarget,
    *,
    device: str | int | None = None,
    output_device: str | int | None = None,
    stt_model: str = "tiny.en",
    settings: PipelineSettings | None = None,
    events=None,
    on_buyer_audio=None,
    on_problem=None,
) -> VoicePipeline:
    """The microphone pipeline for the practice app: call ``.run()`` in a worker thread, ``.stop()`` to end.

    Raises RapportError (one line) when the microphone or Whisper cannot be used: the app then
    lets the rep type.  Without espeak-ng or an output device the buyer answers in text only
    (reported through ``on_problem``).
    """
    from simulator.speech.sources import MicSource

    mic = MicSource(device)
    transcriber = Transcriber(SttSettings(model=stt_model))
    persona = getattr(session, "persona", None)
    voice, problem = make_voice(getattr(persona, "voice", None), play=True, device=output_device)
    if voice is None and on_problem:
        on_problem(f"{problem}; the buyer answers in text only")
    mic.start()  # capture from now: audio waits in the queue while the pipeline warms up
    return VoicePipeline(mic, transcriber, session, voice=voice, events=events, settings=settings,
                         on_buyer_audio=on_buyer_audio)


def run_audio_file(
    session: RepTurnTarget,
    path: str | Path,
    *,
    realtime: bool = False,
    stt_model: str = "tiny.en",
    speak: bool = True,
    play: bool = False,
    settings: PipelineSettings | None = None,
    on_problem=None,
) -> list[HeardTurn]:
    """Feed ``path`` to ``session`` (a PracticeSession) turn by turn; returns the turns heard.

    Problems that do not stop practice (no espeak-ng: text-only buyer) go to ``on_problem``.
    """
    source = FileSource(path, realtime=realtime)
    transcriber = Transcriber(SttSettings(model=stt_model))
    voice = None
    if speak:
        persona = getattr(session, "persona", None)
        voice, problem = make_voice(getattr(persona, "voice", None), play=play)
        if voice is None and on_problem:
            on_problem(f"{problem}; the buyer answers in text only")
    start = getattr(session, "start", None)
    if callable(start) and not getattr(session, "turns", [None]):
        start()
    sinks = getattr(session, "sinks", None) or []
    recorder = next((sink for sink in sinks if hasattr(sink, "attach_audio")), None)
    with tempfile.TemporaryDirectory(prefix="rapport-turns-") as folder:
        if settings is None and recorder is not None:
            # the session is being saved: keep each turn's audio; the recorder copies it into the store
            settings = PipelineSettings(record_dir=Path(folder))

        def attach(turn, path: str) -> None:
            recorder.attach_late(turn, path, session.turns)

        pipeline = VoicePipeline(
            source, transcriber, session, voice=voice, settings=settings,
            on_buyer_audio=attach if recorder is not None else None,
        )
        heard = pipeline.run()
    for turn in getattr(session, "turns", []):
        if turn.audio and turn.audio.startswith(folder):
            turn.audio = None  # the temporary copy is gone; the store keeps its own
    return heard
