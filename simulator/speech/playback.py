"""Playing audio through sounddevice: one output stream for the whole session, interruptible
within one block (barge-in).

The stream is opened at the first reply and kept open: opening a stream per sentence cost about a
second each time through PulseAudio's ALSA plug-in (gaps between the buyer's sentences) and could
leave playback hanging.  The stream's callback takes samples from the reply being played and
outputs silence between replies.  :meth:`Player.play` returns when the last sample has left the
speaker (the device's output latency included), so "the buyer is speaking" follows what is heard.
Every block sent to the device is also handed to ``on_output`` (the echo gate's reference).
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections.abc import Callable

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE
from simulator.speech.sources import import_sounddevice, resolve_device

#: output block: 20 ms, so a stop takes effect within ~20 ms plus the device latency
OUT_BLOCK = 320
#: what the device may buffer: enough not to stutter on a busy machine, little enough for barge-in
OUT_LATENCY_S = 0.1
#: silent blocks played after opening, before the first sound
PRIME_BLOCKS = 15

OutputTap = Callable[[np.ndarray, float], None]

#: players with an open stream, closed at exit (a stream left running while Python shuts down crashes)
_open_players: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def close_all() -> None:
    """Close every player's stream (before PortAudio is shut down or restarted)."""
    for player in list(_open_players):
        player.close()


class Player:
    """Plays one array at a time on an output device; :meth:`stop` cuts it off at the next block."""

    def __init__(self, device: str | int | None = None, on_output: OutputTap | None = None) -> None:
        self.sd = import_sounddevice()
        self.device = resolve_device(device, "output")
        #: called from the audio thread with each block sent to the device and the perf_counter time
        #: at which it should be heard
        self.on_output = on_output
        self._lock = threading.Lock()
        self._data = np.zeros(0, dtype=np.float32)
        self._pos = 0
        self._stop = threading.Event()
        self._drained = threading.Event()
        self._drained.set()
        self._idle = threading.Event()
        self._idle.set()
        self._stream = None
        self._latency_s = 0.0
        self._blocks_out = 0
        #: perf_counter when the last playback was cut off by :meth:`stop` (None if it ran to the end)
        self.stopped_at: float | None = None
        #: blocks the device ran short of samples for (PortAudio's output underflow): a gap was heard
        self.underflows = 0

    # -- the stream -------------------------------------------------------------------------------
    def open(self) -> None:
        """Open the output stream now (it is opened at the first play otherwise)."""
        if self._stream is not None:
            return
        try:
            stream = self.sd.OutputStream(device=self.device, samplerate=SAMPLE_RATE, channels=1, dtype="float32",
                                          blocksize=OUT_BLOCK, latency=OUT_LATENCY_S, callback=self._callback)
            stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError and friends
            raise RapportError(f"cannot play the buyer's voice on the output device: {exc}") from None
        self._stream = stream
        self._latency_s = float(stream.latency or 0.0)
        _open_players.add(self)
        # PulseAudio's ALSA plug-in drops what comes before its buffers are primed: start with silence
        deadline = time.perf_counter() + 1.0
        while self._blocks_out < PRIME_BLOCKS and time.perf_counter() < deadline:
            time.sleep(0.005)

    def _callback(self, outdata, frames, time_info, status) -> None:  # audio thread
        self._blocks_out += 1
        if status and status.output_underflow:
            self.underflows += 1
        with self._lock:
            if self._stop.is_set():
                self._pos = self._data.size
            chunk = self._data[self._pos : self._pos + frames]
            self._pos += chunk.size
            outdata[: chunk.size, 0] = chunk
            outdata[chunk.size :, 0] = 0
            if self._pos >= self._data.size and not self._drained.is_set():
                self._drained.set()
        if self.on_output is not None:
            self.on_output(outdata[:, 0].copy(), time.perf_counter() + self._latency_s)

    # -- playing ----------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return not self._idle.is_set()

    @property
    def latency_s(self) -> float:
        """The output device's latency (known once the stream is open)."""
        return self._latency_s

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE) -> bool:
        """Play to the end (blocking, until it has been heard); False when :meth:`stop` interrupted it."""
        if rate != SAMPLE_RATE:
            from simulator.speech.audio import resample

            samples = resample(samples, rate, SAMPLE_RATE)
        self.open()
        data = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            self._stop.clear()
            self.stopped_at = None
            self._data, self._pos = data, 0
            self._drained.clear()
            self._idle.clear()
        try:
            seconds = data.size / SAMPLE_RATE
            while not self._drained.wait(0.005):
                if self._stop.is_set():
                    break
                if not self._stream.active:  # the device went away
                    raise RapportError("the output device stopped playing (unplugged?): see `rapport devices`")
                seconds -= 0.005
                if seconds < -5.0:  # the callback stopped running: never hang the conversation
                    raise RapportError("the output device stopped taking audio: see `rapport devices`")
            if not self._stop.is_set():
                # the last block left PortAudio: it is heard after the device's latency
                deadline = time.perf_counter() + self._latency_s
                while time.perf_counter() < deadline and not self._stop.is_set():
                    time.sleep(0.005)
        finally:
            if self._stop.is_set():
                self.stopped_at = time.perf_counter()
            self._idle.set()
        return not self._stop.is_set()

    def stop(self) -> None:
        """Interrupt the current playback (barge-in); returns at once."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)

    def __del__(self) -> None:
        # a player dropped with its stream open left PortAudio's thread calling a freed callback: the process
        # died minutes later (SIGILL / SIGSEGV in a native thread, found in ``rapport bench voice``)
        if getattr(self, "_stream", None) is not None:
            self.close()

    def close(self) -> None:
        """Stop and close the stream (the next :meth:`play` opens it again)."""
        self.stop()
        stream, self._stream = self._stream, None
        _open_players.discard(self)
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # noqa: BLE001 - closing a stream whose device vanished
                pass
