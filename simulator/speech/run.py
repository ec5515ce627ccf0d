"""Wiring a voice pipeline, in one place, for the practice app and ``rapport simulate --audio``.

:func:`build_pipeline` picks the source (the microphone, or an audio file paced like one or fed as
fast as possible), the transcriber (``make_transcriber``), the end-of-turn model, the buyer's voice
and player, and the echo gate, from one :class:`VoiceSetup`.  What cannot run is said once, in one
line, through the event sink, and the loop carries on without it: no espeak-ng or output device ->
the buyer answers in text; no end-of-turn model -> the words alone judge the turn.  A missing
microphone or Whisper model raises RapportError (one line): the caller lets the rep type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.errors import RapportError
from simulator.speech.endpoint import EndpointSettings
from simulator.speech.events import EventSink, Problem
from simulator.speech.pipeline import Conversation, HeardTurn, PipelineSettings, VoicePipeline


@dataclass(frozen=True)
class VoiceSetup:
    """Everything that decides how a voice session runs (flags and options map onto it)."""

    #: microphone (None: the default input)
    device: str | int | None = None
    #: speaker (None: the default output)
    output_device: str | int | None = None
    #: an audio file (or 16 kHz samples) instead of the microphone
    audio_file: Path | np.ndarray | None = None
    #: an audio file paced like a microphone (True) or fed as fast as possible
    realtime: bool = True
    #: synthesise the buyer's voice
    speak: bool = True
    #: play it on the output device (else it is only synthesised and recorded)
    play: bool = True
    #: ``--stt-model`` (None: the default; see simulator/speech/transcriber.py)
    stt_model: str | None = None
    #: stop the buyer when the rep talks over them
    barge_in: bool = True
    #: open speakers in a room: the microphone closes while the buyer speaks
    loudspeakers: bool = False
    #: where turn recordings go (None: not kept)
    record_dir: Path | None = None
    record_prefix: str = "turn"
    endpoint: EndpointSettings = field(default_factory=EndpointSettings)


def make_voice(persona_voice: object | None, *, play: bool = False, device: str | int | None = None,
               echo=None):
    """A BuyerVoice for a persona, or None (with the reason) when espeak-ng or the device is missing."""
    from simulator.speech.tts import VoiceSettings, shared_synthesizer
    from simulator.speech.voice import BuyerVoice

    try:
        synth = shared_synthesizer()
        player = None
        if play:
            from simulator.speech.playback import Player

            player = Player(device, on_output=echo.played if echo is not None else None)
    except RapportError as exc:
        return None, str(exc)
    return BuyerVoice(synth, player, VoiceSettings.from_persona(persona_voice)), ""


def turn_judge(emit: EventSink):
    """Smart Turn, or None (said once) when it cannot run here."""
    from simulator.speech.turn_model import TurnModel

    try:
        return TurnModel()
    except RapportError as exc:
        emit(Problem(f"{exc}; the words alone decide when you have finished"))
        return None


def build_pipeline(conversation: Conversation, persona_voice: object | None, setup: VoiceSetup,
                   events: EventSink | None = None) -> VoicePipeline:
    """The pipeline for ``setup``: call ``.run()`` (in a worker thread when live), ``.stop()`` to end."""
    from simulator.memory import return_freed_memory
    from simulator.speech.echo import EchoGate
    from simulator.speech.sources import FileSource, MicSource
    from simulator.speech.transcriber import make_transcriber

    return_freed_memory()  # audio buffers come and go every turn: give them back (docs/voice.md, memory)
    emit = events or (lambda event: None)
    if setup.audio_file is None:
        source = MicSource(setup.device)
    else:
        source = FileSource(setup.audio_file, realtime=setup.realtime)
    transcriber = make_transcriber(setup.stt_model)
    play = setup.play and setup.speak
    # only a microphone can hear the buyer's voice: a recording fed as the microphone has no echo to remove
    # (a gate there would take the rep's quiet onsets under the buyer's reply for echo)
    echo = EchoGate() if play and not setup.loudspeakers and setup.audio_file is None else None
    voice = None
    if setup.speak:
        voice, problem = make_voice(persona_voice, play=play, device=setup.output_device, echo=echo)
        if voice is None:
            emit(Problem(f"{problem}; the buyer answers in text only"))
        else:
            for warning in voice.synth.warnings:
                emit(Problem(warning))
    settings = PipelineSettings(endpoint=setup.endpoint, barge_in=setup.barge_in and not setup.loudspeakers,
                                loudspeakers=setup.loudspeakers, record_dir=setup.record_dir,
                                record_prefix=setup.record_prefix)
    pipeline = VoicePipeline(source, transcriber, conversation, events=emit, voice=voice, judge=turn_judge(emit),
                             echo=echo, settings=settings)
    if isinstance(source, MicSource):
        source.start()  # capture from now: audio waits in the queue while the pipeline warms up
    return pipeline


def run_audio_file(conversation: Conversation, persona_voice: object | None, path: str | Path, *,
                   realtime: bool = False, stt_model: str | None = None, speak: bool = True, play: bool = False,
                   record_dir: Path | None = None, events: EventSink | None = None) -> list[HeardTurn]:
    """``rapport simulate --audio``: feed ``path`` to ``conversation`` turn by turn; returns the turns heard.

    With ``record_dir`` each turn's recording is written there as the conversation records the turn
    (the session store copies it)."""
    setup = VoiceSetup(audio_file=Path(path), realtime=realtime, speak=speak, play=play, stt_model=stt_model,
                       record_dir=record_dir)
    pipeline = build_pipeline(conversation, persona_voice, setup, events)
    try:
        return pipeline.run()
    finally:
        if pipeline.voice is not None:
            pipeline.voice.close()
