"""The buyer speaking: sentences synthesised in order and played one after another.

Text can arrive all at once (:meth:`BuyerVoice.speak`) or in chunks from a streaming engine
(:meth:`feed` then :meth:`finish`): each sentence is queued for synthesis as soon as it is
complete, so the first sentence plays while the rest is still being written.  :meth:`stop`
(barge-in) silences the buyer within one output block.  Each :class:`Reply` keeps its audio and
when it was heard, so the pipeline can store the buyer's turn with its times.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable

import numpy as np

from simulator.speech.playback import Player
from simulator.speech.tts import Synthesizer, VoiceSettings

_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
_DONE = object()


class Reply:
    """One reply being spoken: its thread, its audio so far, and when it was heard."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.thread: threading.Thread | None = None
        #: text was fed for this reply
        self.fed = False
        #: perf_counter when the first sentence's audio was ready
        self.first_ready_at: float | None = None
        #: perf_counter when the first sound was heard / when the last was (None: never played)
        self.started_at: float | None = None
        self.ended_at: float | None = None
        #: played on a device (not only synthesised)
        self.played = False
        #: cut off by :meth:`BuyerVoice.stop`
        self.interrupted = False

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.float32)


class BuyerVoice:
    """Speaks buyer replies; without a player the audio is only synthesised (and kept)."""

    def __init__(self, synth: Synthesizer, player: Player | None = None, settings: VoiceSettings | None = None):
        self.synth = synth
        self.player = player
        self.settings = settings or VoiceSettings()
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue = queue.Queue()
        self._buffer = ""
        self._stopped = threading.Event()
        self.reply = Reply()
        self._on_first: Callable[[float], None] | None = None
        #: muted: replies are still synthesised (and recorded) but not played
        self.muted = False

    @property
    def interrupted(self) -> bool:
        return self.reply.interrupted

    def warm_up(self) -> None:
        """Load the persona's voice and open the output device now (the first time is slow)."""
        self.synth.synth("Hello.", self.settings)
        if self.player is not None:
            self.player.open()

    # -- one reply ------------------------------------------------------------------------------
    def begin(self, on_first_audio: Callable[[float], None] | None = None) -> Reply:
        """Start a new reply (waits for the previous one to finish)."""
        self.wait()
        self._queue = queue.Queue()
        self._buffer = ""
        self._stopped.clear()
        self.reply = Reply()
        self._on_first = on_first_audio
        self._thread = threading.Thread(target=self._run, args=(self.reply,), name="rapport-voice", daemon=True)
        self.reply.thread = self._thread
        self._thread.start()
        return self.reply

    def feed(self, chunk: str) -> None:
        """More reply text; every sentence completed by it is queued for synthesis now."""
        if self._thread is None:
            self.begin()
        self.reply.fed = self.reply.fed or bool(chunk.strip())
        self._buffer += chunk
        while True:
            match = _SENTENCE_END.search(self._buffer)
            if not match:
                break
            sentence, self._buffer = self._buffer[: match.end()], self._buffer[match.end() :]
            self._submit(sentence)

    def finish(self) -> None:
        """No more text for this reply."""
        if self._thread is None:
            self.begin()
        self._submit(self._buffer)
        self._buffer = ""
        self._queue.put(_DONE)

    def speak(self, text: str, on_first_audio: Callable[[float], None] | None = None) -> Reply:
        """Speak a whole reply (returns at once; ``wait()`` blocks until it is over)."""
        reply = self.begin(on_first_audio)
        self.feed(text + " ")
        self.finish()
        return reply

    def _submit(self, sentence: str) -> None:
        if sentence.strip() and not self._stopped.is_set():
            self._queue.put(self.synth.synth_async(sentence.strip(), self.settings))

    def _run(self, reply: Reply) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                break
            try:
                audio = item.result()
            except Exception:  # noqa: BLE001 - a failed sentence is skipped, the reply goes on
                continue
            if self._stopped.is_set():
                continue
            now = time.perf_counter()
            if reply.first_ready_at is None:
                reply.first_ready_at = now
                if self._on_first:
                    self._on_first(now)
            reply.chunks.append(audio)
            if self.player is None or self.muted:
                continue
            if reply.started_at is None:
                reply.started_at = now + self.player.latency_s
                reply.played = True
            finished = self.player.play(audio)
            reply.ended_at = time.perf_counter() if finished else (self.player.stopped_at or time.perf_counter())
            if not finished:
                reply.interrupted = True

    # -- control ---------------------------------------------------------------------------------
    @property
    def speaking(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_muted(self, muted: bool) -> None:
        """Mute (stops the sentence playing now) or unmute the buyer."""
        self.muted = muted
        if muted and self.player is not None:
            self.player.stop()

    def stop(self) -> None:
        """Barge-in: stop speaking now and drop the sentences not yet played."""
        if self.speaking:
            self.reply.interrupted = True
        self._stopped.set()
        if self.player is not None:
            self.player.stop()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def close(self) -> None:
        """Stop speaking and release the output device."""
        self.stop()
        self.wait(5)
        if self.player is not None:
            self.player.close()
