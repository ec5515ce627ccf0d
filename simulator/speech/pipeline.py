"""The voice loop: audio source -> end of turn -> transcription -> the practice session -> buyer voice.

One :class:`VoicePipeline` serves the microphone and audio files alike (``rapport practice``
and ``rapport simulate --audio``).  Per 32 ms window it runs the streaming VAD and the
end-of-turn policy; transcription runs on one worker thread, speculatively as soon as the rep
falls silent, so the text is usually ready when the pause is over.  Latencies are measured
from the moment the block holding the last speech sample was fed, as a microphone feeds it.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session.events import BuyerChunk, Event, EventSink, Level, PartialText, PhaseChanged, Problem
from simulator.speech import endpoint as ep
from simulator.speech.audio import level, save_turn_audio
from simulator.speech.sources import AudioSource
from simulator.speech.stt import Transcriber, Transcript
from simulator.speech.vad import StreamingVad
from simulator.speech.voice import BuyerVoice, Reply


class RepTurnTarget(Protocol):
    """What receives rep turns: ``PracticeSession`` (simulator/session/loop.py) fits."""

    def rep_turn(self, text: str, **kwargs) -> Turn | None: ...


@dataclass(frozen=True)
class PipelineSettings:
    endpoint: ep.EndpointSettings = field(default_factory=ep.EndpointSettings)
    #: stop the buyer when the rep talks over them (turn off for loudspeakers: the mic would hear the buyer)
    barge_in: bool = True
    #: speech needed to count as talking over the buyer
    barge_in_ms: int = 128
    #: partial text while the rep speaks (None: only for live sources)
    partials: bool | None = None
    #: where turn recordings go (None: not kept)
    record_dir: Path | None = None
    #: file name prefix of recordings (e.g. the session id)
    record_prefix: str = "turn"
    #: transcripts with at most this many words and a no-speech probability above 0.8 are noise
    noise_max_words: int = 2


@dataclass
class HeardTurn:
    """A rep turn as the pipeline heard it, with the buyer's answer when there was one."""

    text: str
    start_s: float
    end_s: float
    ending: str
    audio: str | None
    latency_ms: dict[str, float]
    buyer: Turn | None = None


class VoicePipeline:
    """Runs a source through end of turn and transcription into a session; see the module docstring."""

    def __init__(
        self,
        source: AudioSource,
        transcriber: Transcriber,
        target: RepTurnTarget | Callable[..., Turn | None],
        voice: BuyerVoice | None = None,
        events: EventSink | None = None,
        settings: PipelineSettings | None = None,
        on_buyer_audio: Callable[[Turn, str], None] | None = None,
    ) -> None:
        """``on_buyer_audio(turn, path)`` is called once a buyer reply's recording is written (after the
        turn was completed: e.g. ``Recorder.attach_audio``)."""
        self.on_buyer_audio = on_buyer_audio
        self._savers: list[threading.Thread] = []
        self.source = source
        self.transcriber = transcriber
        self._rep_turn = target.rep_turn if hasattr(target, "rep_turn") else target
        self.voice = voice
        self.emit: EventSink = events or (lambda event: None)
        self.s = settings or PipelineSettings()
        self.partials = source.realtime if self.s.partials is None else self.s.partials
        self.vad = StreamingVad()
        self.endpointer = ep.Endpointer(self.s.endpoint)
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rapport-stt")
        self._last_job: concurrent.futures.Future | None = None
        self._spec: tuple[int, concurrent.futures.Future] | None = None
        self._last_speech_wall = 0.0
        self._barge_windows = 0
        self._stop = threading.Event()
        self._count = 0
        self.turns: list[HeardTurn] = []
        self.started = time.perf_counter()
        self._streamed = False
        self.listening = True
        sinks = getattr(target, "sinks", None)
        if isinstance(sinks, list) and voice is not None:
            sinks.append(self._on_session_event)  # stream the buyer's words into the voice as they come

    def _on_session_event(self, event: Event) -> None:
        if isinstance(event, BuyerChunk) and self.voice is not None and event.text:
            self._streamed = True
            self.voice.feed(event.text)

    # -- running ---------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()
        self.source.close()

    def run(self) -> list[HeardTurn]:
        """Process the whole source (until it ends or :meth:`stop`); returns the turns heard."""
        self._warm_up()
        self.emit(PhaseChanged("listening", t=0.0))
        n = 0
        try:
            for block in self.source.blocks():
                if self._stop.is_set():
                    break
                self._feed(block)
                n += 1
                if n % 4 == 0:
                    self.emit(Level(level(block), t=self.endpointer.time_s))
            for action in self.endpointer.flush():
                self._handle(action)
        finally:
            if self.voice is not None:
                self.voice.wait()
            for saver in self._savers:
                saver.join(timeout=30)
            self._worker.shutdown(wait=True)
        self.emit(PhaseChanged("ended", t=self.endpointer.time_s))
        return self.turns

    def _warm_up(self) -> None:
        """First calls are slow (espeak loads the persona's voice, CTranslate2 allocates): pay that now."""
        self.emit(PhaseChanged("loading", t=0.0))
        self.transcriber.transcribe(np.zeros(8000, dtype=np.float32))
        if self.voice is not None:
            self.voice.synth.synth("Hello.", self.voice.settings)

    def set_listening(self, listening: bool) -> None:
        """Stop or resume hearing the rep (pause, push-to-talk): while off, the source is heard as silence."""
        self.listening = listening

    def _feed(self, block: np.ndarray) -> None:
        if not self.listening:
            block = np.zeros_like(block)
        fed = time.perf_counter()
        prob = self.vad.window(block)
        speech = prob >= self.s.endpoint.threshold
        if speech:
            self._last_speech_wall = fed
        if self.voice is not None and self.voice.player is not None and self.voice.speaking:
            if not self.s.barge_in:
                prob, block = 0.0, np.zeros_like(block)  # loudspeaker: do not hear the buyer as the rep
            else:
                self._barge_windows = self._barge_windows + 1 if speech else 0
                if self._barge_windows * ep.WINDOW_MS >= self.s.barge_in_ms:
                    self.voice.stop()
                    self.emit(PhaseChanged("hearing", "barge-in", t=self.endpointer.time_s))
        for action in self.endpointer.feed(block, prob):
            self._handle(action)

    # -- the endpointer's requests ---------------------------------------------------------------
    def _submit(self, audio: np.ndarray) -> concurrent.futures.Future:
        future = self._worker.submit(self.transcriber.transcribe, audio)
        self._last_job = future
        return future

    @property
    def _idle(self) -> bool:
        """True when the (single) transcription worker has nothing queued or running."""
        return self._last_job is None or self._last_job.done()

    def _handle(self, action: ep.Action) -> None:
        t = self.endpointer.time_s
        if isinstance(action, ep.SpeechStarted):
            self.emit(PhaseChanged("hearing", t=t))
        elif isinstance(action, ep.Partial):
            if self.partials and self._idle:
                turn = action.turn
                future = self._submit(action.audio)
                future.add_done_callback(lambda f: self._partial_ready(turn, f))
        elif isinstance(action, ep.Speculate):
            self._spec = (action.turn, self._submit(action.audio))
        elif isinstance(action, ep.SpeechResumed):
            self._spec = None
        elif isinstance(action, ep.NeedText):
            text = self._speculative(action.turn)
            for follow in self.endpointer.set_text(action.turn, text.text if text else ""):
                self._handle(follow)
        elif isinstance(action, ep.NoiseIgnored):
            self.emit(PhaseChanged("listening", "noise ignored", t=t))
        elif isinstance(action, ep.TurnEnded):
            self._turn_ended(action)

    def _partial_ready(self, turn: int, future: concurrent.futures.Future) -> None:
        if future.exception() is None and self.endpointer.in_turn and future.result().text:
            self.emit(PartialText(future.result().text, t=self.endpointer.time_s))

    def _speculative(self, turn: int) -> Transcript | None:
        if self._spec is None or self._spec[0] != turn:
            return None
        try:
            return self._spec[1].result()
        except Exception as exc:  # noqa: BLE001 - a failed decode must not end practice
            self.emit(Problem(f"transcription failed: {exc}", t=self.endpointer.time_s))
            return None

    # -- a finished rep turn ----------------------------------------------------------------------
    def _is_noise(self, transcript: Transcript) -> bool:
        words = transcript.text.split()
        return not words or (len(words) <= self.s.noise_max_words and transcript.no_speech_prob > 0.8)

    def _turn_ended(self, ended: ep.TurnEnded) -> None:
        speech_end = self._last_speech_wall
        transcript = self._speculative(ended.turn)
        if transcript is None:
            self.emit(PhaseChanged("transcribing", t=self.endpointer.time_s))
            transcript = self._submit(ended.audio).result()
        self._spec = None
        text_at = time.perf_counter()
        if self._is_noise(transcript):
            self.emit(PhaseChanged("listening", "noise ignored", t=self.endpointer.time_s))
            return
        latency = {
            "transcribe": round(transcript.elapsed_s * 1000, 1),
            "speech_end_to_transcript": round((text_at - speech_end) * 1000, 1),
        }
        index = self._count
        self._count += 1
        audio_path = self._record(ended.audio, f"{self.s.record_prefix}-{index:03d}-rep")
        heard = HeardTurn(transcript.text, ended.start_s, ended.end_s, ended.ending, audio_path, latency)
        self.turns.append(heard)
        self.emit(PhaseChanged("thinking", t=self.endpointer.time_s))
        buyer_latency: dict[str, float] = {"transcribe": latency["transcribe"]}

        def first_audio(at: float) -> None:
            buyer_latency["speech_end_to_voice"] = round((at - speech_end) * 1000, 1)

        reply = None
        if self.voice is not None:
            self._streamed = False
            reply = self.voice.begin(on_first_audio=first_audio)
        started = time.perf_counter()
        try:
            buyer = self._rep_turn(
                transcript.text, start_s=ended.start_s, end_s=ended.end_s, audio=audio_path, latency=dict(latency)
            )
        except RapportError as exc:  # e.g. the buyer has ended the meeting
            if self.voice is not None:
                self.voice.stop()
                self.voice.finish()
            self.emit(Problem(str(exc), t=self.endpointer.time_s))
            self.stop()
            return
        replied = time.perf_counter()
        heard.buyer = buyer
        buyer_latency["respond"] = round((replied - started) * 1000, 1)
        buyer_latency["speech_end_to_text"] = round((replied - speech_end) * 1000, 1)
        if buyer is None:
            if self.voice is not None:
                self.voice.finish()
            self.emit(PhaseChanged("listening", t=self.endpointer.time_s))
            return
        buyer.latency_ms = buyer_latency
        if self.voice is None or reply is None:
            self.emit(PhaseChanged("listening", t=self.endpointer.time_s))
            return
        if not self._streamed:
            self.voice.feed(buyer.text + " ")
        self.voice.finish()
        self.emit(PhaseChanged("speaking", t=self.endpointer.time_s))
        if not self.source.realtime:  # a file fed as fast as possible: speak (or synthesise) before going on
            reply.wait()
        self._keep_buyer_audio(buyer, reply, f"{self.s.record_prefix}-{index:03d}-buyer")

    def _record(self, audio: np.ndarray, name: str) -> str | None:
        if self.s.record_dir is None:
            return None
        # written now (a few ms): the session recorder copies it when the rep turn completes
        return save_turn_audio(audio, self.s.record_dir, name)

    def _keep_buyer_audio(self, buyer: Turn, reply: Reply, name: str) -> None:
        if self.s.record_dir is None:
            return
        buyer.audio = str(Path(self.s.record_dir) / f"{name}.flac")

        def save() -> None:
            reply.wait()
            path = save_turn_audio(reply.audio(), self.s.record_dir, name)
            if self.on_buyer_audio is not None:
                self.on_buyer_audio(buyer, path)

        saver = threading.Thread(target=save, daemon=True)
        self._savers.append(saver)
        saver.start()
