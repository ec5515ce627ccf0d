"""Playing audio through sounddevice, interruptible within one block (barge-in)."""

from __future__ import annotations

import threading
import time

import numpy as np

from simulator.speech.audio import SAMPLE_RATE
from simulator.speech.sources import import_sounddevice, resolve_device

#: output block: 20 ms, so a stop takes effect within ~20 ms plus the device latency
OUT_BLOCK = 320


class Player:
    """Plays one array at a time on an output device; :meth:`stop` cuts it off at the next block."""

    def __init__(self, device: str | int | None = None) -> None:
        self.sd = import_sounddevice()
        self.device = resolve_device(device, "output")
        self._stop = threading.Event()
        self._done = threading.Event()
        self._done.set()
        #: perf_counter when the last playback was cut off by :meth:`stop` (None if it ran to the end)
        self.stopped_at: float | None = None

    @property
    def playing(self) -> bool:
        return not self._done.is_set()

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE) -> bool:
        """Play to the end (blocking); False when :meth:`stop` interrupted it."""
        self._stop.clear()
        self._done.clear()
        self.stopped_at = None
        pos = 0
        data = np.asarray(samples, dtype=np.float32).reshape(-1)
        finished = threading.Event()

        def callback(outdata, frames, time_info, status) -> None:
            nonlocal pos
            if self._stop.is_set():
                outdata.fill(0)
                raise self.sd.CallbackStop
            chunk = data[pos : pos + frames]
            outdata[: chunk.size, 0] = chunk
            outdata[chunk.size :, 0] = 0
            pos += frames
            if pos >= data.size:
                raise self.sd.CallbackStop

        try:
            stream = self.sd.OutputStream(
                device=self.device,
                samplerate=rate,
                channels=1,
                dtype="float32",
                blocksize=OUT_BLOCK,
                latency="low",
                callback=callback,
                finished_callback=finished.set,
            )
            try:
                stream.start()
                while not finished.wait(0.005):
                    if self._stop.is_set():
                        stream.abort()  # drop what is buffered: silence now, not after the buffers drain
                        break
            finally:
                stream.close(ignore_errors=True)
        finally:
            if self._stop.is_set():
                self.stopped_at = time.perf_counter()
            self._done.set()
        return not self._stop.is_set()

    def stop(self) -> None:
        """Interrupt the current playback (barge-in); returns at once."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)
