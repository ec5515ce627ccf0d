"""The voice loop: audio source -> end of turn -> transcription -> the conversation -> buyer voice.

One :class:`VoicePipeline` serves the microphone and audio files alike.  What it needs from the
rest of Rapport is explicit and given at construction: a :class:`Conversation` (the practice
session fits) that answers a rep turn with a reply and records the reply once it is finished, and
an event sink for what the pipeline reports (phase, level, partial text, problems).

Per 32 ms window: the echo of the buyer's own voice is taken out (``echo.py``), the streaming VAD
scores the window and the endpointer decides whether the rep has finished (``endpoint.py``),
asking for a judgement from the sound (Smart Turn, ``turn_model.py``) and from the words
(``turn_text.py``).  Transcription runs on one worker thread, speculatively as soon as the rep
falls silent, so the text is usually ready when the decision is.  A buyer reply is spoken sentence
by sentence; when it has been heard (or cut off by barge-in) the pipeline gives it its start and
end on the rep's audio clock, its recording and latencies, and only then has the conversation
record it.  Latencies are measured from the moment the block holding the last speech sample was
fed, as a microphone feeds it.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.speech import endpoint as ep
from simulator.speech import turn_text
from simulator.speech.audio import SAMPLE_RATE, level, save_turn_audio
from simulator.speech.echo import EchoGate
from simulator.speech.events import EventSink, Level, PartialText, PhaseChanged, Problem
from simulator.speech.sources import AudioSource
from simulator.speech.stt import Transcript
from simulator.speech.transcriber import Transcriber
from simulator.speech.vad import StreamingVad
from simulator.speech.voice import BuyerVoice, Reply


class Conversation(Protocol):
    """What the pipeline talks to (``PracticeSession`` in simulator/session/loop.py fits)."""

    def opening(self) -> Turn | None:
        """The buyer's first words, not yet recorded (None when the conversation has already started)."""
        ...

    def respond(self, text: str, *, start_s: float | None = None, end_s: float | None = None,
                audio: str | None = None, latency: dict[str, float] | None = None,
                on_text: Callable[[str], None] | None = None) -> Turn | None:
        """Record the rep's turn; return the buyer's reply (not yet recorded), its words going to
        ``on_text`` as they come, or None when nobody answers (a listener, e.g. a benchmark).
        RapportError ends the voice loop (e.g. the meeting is over)."""
        ...

    def complete(self, reply: Turn) -> Turn:
        """Record the reply, now that it has been spoken (times, recording and latencies filled in)."""
        ...


class Listener:
    """A conversation that only listens: it keeps what the rep said and never answers."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def opening(self) -> None:
        return None

    def respond(self, text: str, **timing) -> None:
        self.heard.append(text)

    def complete(self, reply: Turn) -> Turn:
        return reply


class TurnJudge(Protocol):
    def probability(self, audio: np.ndarray) -> float: ...


class TalkOver:
    """Is the rep talking over the buyer?  At least ``need_ms`` of speech windows within the last ``span_ms``."""

    def __init__(self, need_ms: int, span_ms: int) -> None:
        self.need = max(1, round(need_ms / ep.WINDOW_MS))
        self._recent: deque[bool] = deque(maxlen=max(self.need, round(span_ms / ep.WINDOW_MS)))

    def window(self, speech: bool) -> bool:
        """One 32 ms window (speech or not, after the echo is removed); True once the rep is heard over the buyer."""
        self._recent.append(speech)
        return sum(self._recent) >= self.need

    def reset(self) -> None:
        self._recent.clear()


@dataclass(frozen=True)
class PipelineSettings:
    endpoint: ep.EndpointSettings = field(default_factory=ep.EndpointSettings)
    #: stop the buyer when the rep talks over them
    barge_in: bool = True
    #: open speakers in a room: the microphone is closed while the buyer speaks (and no barge-in)
    loudspeakers: bool = False
    #: speech needed to count as talking over the buyer, within the last ``barge_in_span_ms``: with the echo taken out,
    #: a rep about as loud as the buyer's echo reaches the VAD chopped (the gate silences the blocks where the buyer
    #: is louder), so 128 ms *running* came 1.8 s late in a barge-in sink test run (docs/voice.md)
    barge_in_ms: int = 128
    barge_in_span_ms: int = 192
    #: partial text while the rep speaks (None: only for live sources)
    partials: bool | None = None
    #: where turn recordings go (None: not kept)
    record_dir: Path | None = None
    #: file name prefix of recordings (e.g. the session id)
    record_prefix: str = "turn"
    #: transcripts with at most this many words and a no-speech probability above 0.8 are noise
    noise_max_words: int = 2
    #: with loudspeakers, how long after the buyer's last sound the microphone stays closed
    loudspeaker_tail_s: float = 0.3


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
    #: the (sound, words) probabilities that the turn was complete, when judged
    judgements: tuple[float | None, float | None] = (None, None)
    #: audio time at which the turn was judged over
    decided_s: float = 0.0


@dataclass
class _Speaking:
    """A reply being spoken, and what is needed to finish its turn."""

    turn: Turn
    reply: Reply
    index: int
    latency: dict[str, float]
    decided_s: float
    decided_wall: float


class VoicePipeline:
    """Runs a source through end of turn and transcription into a conversation; see the module docstring."""

    def __init__(
        self,
        source: AudioSource,
        transcriber: Transcriber,
        conversation: Conversation,
        *,
        events: EventSink | None = None,
        voice: BuyerVoice | None = None,
        judge: TurnJudge | None = None,
        echo: EchoGate | None = None,
        settings: PipelineSettings | None = None,
    ) -> None:
        self.source = source
        self.transcriber = transcriber
        self.conversation = conversation
        self.emit: EventSink = events or (lambda event: None)
        self.voice = voice
        self.judge = judge
        self.echo = echo
        self.s = settings or PipelineSettings()
        self.partials = source.realtime if self.s.partials is None else self.s.partials
        self.vad = StreamingVad()
        self.endpointer = ep.Endpointer(self.s.endpoint)
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rapport-stt")
        self._last_job: concurrent.futures.Future | None = None
        self._spec: tuple[int, concurrent.futures.Future] | None = None
        self._last_speech_wall = 0.0
        self._talk_over = TalkOver(self.s.barge_in_ms, self.s.barge_in_span_ms)
        #: every barge-in: when, how far behind the microphone, and the echo gate's last checks (diagnostics)
        self.barge_ins: list[dict] = []
        #: the echo gate's raw audio at the latest barge-in (``EchoGate.snapshot``), for diagnostics
        self.last_barge_in_audio: dict | None = None
        self._stop = threading.Event()
        self._count = 0
        self._speaking: _Speaking | None = None
        self._clock = (time.perf_counter(), 0.0)  # (wall, audio time) of the last block fed
        self._quiet_until = 0.0  # loudspeakers: the microphone is closed until then (perf_counter)
        self._hold_request: bool | None = None
        self.turns: list[HeardTurn] = []
        self.listening = True

    # -- running ---------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()
        self.source.close()

    def run(self) -> list[HeardTurn]:
        """Process the whole source (until it ends or :meth:`stop`); returns the turns heard."""
        self._warm_up()
        self._open()
        n = 0
        try:
            for block in self.source.blocks():
                if self._stop.is_set():
                    break
                self._feed(block)
                n += 1
                if n % 4 == 0:
                    self.emit(Level(level(block), t=self.endpointer.time_s))
            if not self._stop.is_set():
                for action in self.endpointer.flush():
                    self._handle(action)
        finally:
            self._finish_reply(wait=True)
            self._worker.shutdown(wait=True)
        self.emit(PhaseChanged("ended", t=self.endpointer.time_s))
        return self.turns

    def _warm_up(self) -> None:
        """First calls are slow (espeak loads the persona's voice, CTranslate2 allocates): pay that now."""
        self.emit(PhaseChanged("loading", t=0.0))
        self.transcriber.transcribe(np.zeros(8000, dtype=np.float32))
        if self.judge is not None:
            self.judge.probability(np.zeros(8000, dtype=np.float32))
        if self.voice is not None:
            self.voice.warm_up()

    def _open(self) -> None:
        """The buyer speaks first (its opening line) when the conversation starts here."""
        first = self.conversation.opening()
        if first is None:
            self.emit(PhaseChanged("listening", t=0.0))
            return
        if self.voice is None:
            first.start_s = first.end_s = 0.0
            self.conversation.complete(first)
            return
        reply = self.voice.speak(first.text)
        self.emit(PhaseChanged("speaking", "opening", t=0.0))
        self._clock = (time.perf_counter(), 0.0)
        self._speaking = _Speaking(first, reply, -1, {}, 0.0, time.perf_counter())
        if not self.source.realtime:
            self._finish_reply(wait=True)

    def set_listening(self, listening: bool) -> None:
        """Stop or resume hearing the rep (pause): while off, the source is heard as silence."""
        self.listening = listening

    def hold(self, held: bool) -> None:
        """Push-to-talk: while held, no pause ends the rep's turn; releasing ends it now.

        Called from any thread: takes effect at the next block."""
        self._hold_request = held

    # -- one block ---------------------------------------------------------------------------------
    def _feed(self, block: np.ndarray) -> None:
        held = self._hold_request
        if held is not None:
            self._hold_request = None
            for action in self.endpointer.hold(held):
                self._handle(action)
        fed = time.perf_counter()
        # when this block was said: the pipeline may be behind the microphone (a slow transcription)
        captured = getattr(self.source, "captured_at", None) or fed
        self._clock = (captured, self.endpointer.time_s)
        if self._speaking is not None and not self._speaking.reply.running:
            self._finish_reply()
        if not self.listening:
            block = np.zeros_like(block)
        speaking = self.voice is not None and self.voice.speaking
        if self.s.loudspeakers:  # no echo gate then (run.build_pipeline): the tail covers the room
            if speaking:
                self._quiet_until = fed + self.s.loudspeaker_tail_s
            if fed < self._quiet_until:
                block = np.zeros_like(block)  # the microphone would hear the buyer: hear nothing
        elif self.echo is not None:
            block = self.echo.clean(block, at=captured)
        prob = self.vad.window(block)
        speech = prob >= self.s.endpoint.threshold
        if speech:
            self._last_speech_wall = captured
        # only what the rep said while the buyer could be heard talks over the buyer
        over = speaking and self.voice.reply.started_at is not None and captured >= self.voice.reply.started_at
        if over and self.s.barge_in and not self.s.loudspeakers and self.voice.player is not None:
            if self._talk_over.window(speech) and not self.voice.reply.interrupted:
                self.voice.stop()
                self._note_barge_in(captured, fed)
                self.emit(PhaseChanged("hearing", "barge-in", t=self.endpointer.time_s))
        else:
            self._talk_over.reset()
        for action in self.endpointer.feed(block, prob):
            self._handle(action)

    def _note_barge_in(self, captured: float, fed: float) -> None:
        """Keep what led to a barge-in: when, how far behind, and the echo gate's last checks relative to it."""
        checks = [(round(at - captured, 3), round(corr, 2), round(left, 3))
                  for at, corr, left in (self.echo.trace if self.echo is not None else ())]
        self.barge_ins.append({"t": self.endpointer.time_s, "at": captured, "behind_s": round(fed - captured, 3),
                               "echo": checks})
        if self.echo is not None:  # the audio behind the latest one only (about 1 MB)
            self.last_barge_in_audio = self.echo.snapshot()

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
                future = self._submit(action.audio)
                future.add_done_callback(self._partial_ready)
        elif isinstance(action, ep.Speculate):
            self._spec = (action.turn, self._submit(action.audio))
        elif isinstance(action, ep.SpeechResumed):
            self._spec = None
        elif isinstance(action, ep.Judge):
            p = self.judge.probability(action.audio) if self.judge is not None else None
            for follow in self.endpointer.set_judgement(action.turn, p):
                self._handle(follow)
        elif isinstance(action, ep.NeedText):
            heard = self._speculative(action.turn)
            text = heard.text if heard else ""
            for follow in self.endpointer.set_text(action.turn, text, turn_text.probability(text)):
                self._handle(follow)
        elif isinstance(action, ep.NoiseIgnored):
            self.emit(PhaseChanged("listening", "noise ignored", t=t))
        elif isinstance(action, ep.TurnEnded):
            self._turn_ended(action)

    def _partial_ready(self, future: concurrent.futures.Future) -> None:
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
        self._finish_reply(wait=True)  # a reply cut off by barge-in is recorded before the next turn
        speech_end = self._last_speech_wall
        transcript = self._speculative(ended.turn)
        if transcript is None:
            self.emit(PhaseChanged("transcribing", t=self.endpointer.time_s))
            try:
                transcript = self._submit(ended.audio).result()
            except RapportError as exc:
                self.emit(Problem(f"transcription failed: {exc}", t=self.endpointer.time_s))
                return
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
        heard = HeardTurn(transcript.text, ended.start_s, ended.end_s, ended.ending, audio_path, latency,
                          judgements=(ended.audio_p, ended.text_p), decided_s=ended.decided_s)
        self.turns.append(heard)
        self.emit(PhaseChanged("thinking", t=self.endpointer.time_s))
        buyer_latency: dict[str, float] = {"transcribe": latency["transcribe"]}

        def first_audio(at: float) -> None:
            buyer_latency["speech_end_to_voice"] = round((at - speech_end) * 1000, 1)

        reply = self.voice.begin(on_first_audio=first_audio) if self.voice is not None else None
        started = time.perf_counter()
        try:
            buyer = self.conversation.respond(
                transcript.text, start_s=ended.start_s, end_s=ended.end_s, audio=audio_path, latency=dict(latency),
                on_text=self.voice.feed if self.voice is not None else None,
            )
        except RapportError as exc:  # e.g. the buyer has ended the meeting
            if self.voice is not None:
                self.voice.stop()
                self.voice.finish()
            self.emit(Problem(str(exc), t=self.endpointer.time_s))
            self.stop()
            return
        replied = time.perf_counter()
        if buyer is None:
            if self.voice is not None:
                self.voice.finish()
            self.emit(PhaseChanged("listening", t=self.endpointer.time_s))
            return
        heard.buyer = buyer
        buyer_latency["respond"] = round((replied - started) * 1000, 1)
        buyer_latency["speech_end_to_text"] = round((replied - speech_end) * 1000, 1)
        if self.voice is None or reply is None:
            buyer.latency_ms = buyer_latency
            buyer.start_s = buyer.end_s = None
            self.conversation.complete(buyer)
            return
        if not reply.fed:
            self.voice.feed(buyer.text + " ")
        self.voice.finish()
        self.emit(PhaseChanged("speaking", t=self.endpointer.time_s))
        self._speaking = _Speaking(buyer, reply, index, buyer_latency, ended.decided_s, time.perf_counter())
        if not self.source.realtime:  # a file fed as fast as possible: speak (or synthesise) before going on
            self._finish_reply(wait=True)

    def _audio_time(self, wall: float) -> float:
        """A perf_counter time on the rep's audio clock (the source's samples)."""
        fed_wall, fed_s = self._clock
        return round(fed_s + (wall - fed_wall), 3)

    def _finish_reply(self, wait: bool = False) -> None:
        """Record the reply being spoken once it has been heard (or cut off): times, recording, latencies."""
        speaking = self._speaking
        if speaking is None:
            return
        if wait:
            speaking.reply.wait()
        elif speaking.reply.running:
            return
        self._speaking = None
        reply, buyer = speaking.reply, speaking.turn
        audio = reply.audio()
        heard = reply.started_at is not None and reply.played
        if heard and self.source.realtime:
            start = self._audio_time(reply.started_at)
            end = self._audio_time(reply.ended_at or time.perf_counter())
        else:  # synthesised, not played (or a file fed fast): as if spoken right after the decision
            start = round(speaking.decided_s + (reply.first_ready_at or speaking.decided_wall)
                          - speaking.decided_wall, 3) if reply.first_ready_at else speaking.decided_s
            end = round(start + audio.size / SAMPLE_RATE, 3)
        buyer.start_s, buyer.end_s = start, max(start, end)
        buyer.latency_ms = speaking.latency or None
        if reply.interrupted:
            buyer.extra["interrupted"] = True
        if self.s.record_dir is not None and audio.size:
            name = f"{self.s.record_prefix}-" + (f"{speaking.index:03d}-buyer" if speaking.index >= 0 else "opening")
            buyer.audio = save_turn_audio(audio, self.s.record_dir, name)
        self.conversation.complete(buyer)
        if not self._stop.is_set():
            self.emit(PhaseChanged("listening", t=self.endpointer.time_s))

    def _record(self, audio: np.ndarray, name: str) -> str | None:
        if self.s.record_dir is None:
            return None
        # written now (a few ms): the session recorder copies it when the rep turn completes
        return save_turn_audio(audio, self.s.record_dir, name)
