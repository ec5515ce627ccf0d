"""Audio sources behind one interface: 16 kHz mono float32 blocks of 512 samples.

* :class:`FileSource` plays any audio file (or array) as fast as possible, or paced like a
  live microphone (``realtime=True``).
* :class:`MicSource` records a sounddevice input device; its callback only copies audio into a
  bounded queue (never blocks, never allocates much), and ``blocks()`` hands it on.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import BLOCK, SAMPLE_RATE, StreamResampler, as_mono_float, load_audio


class AudioSource(Protocol):
    """Anything that yields 512-sample float32 blocks at 16 kHz."""

    #: True when blocks arrive at the pace of real time (a microphone or a paced file)
    realtime: bool
    #: perf_counter time at which the last sample of the block just handed on was captured (None: not
    #: known).  The consumer may fall behind a microphone; this says when what it hears was said.
    captured_at: float | None

    def blocks(self) -> Iterator[np.ndarray]: ...

    def close(self) -> None: ...


class FileSource:
    """An audio file (or array) as a stream; ``tail_s`` of silence is appended so a last turn can end."""

    def __init__(self, audio: str | Path | np.ndarray, realtime: bool = False, tail_s: float = 2.0) -> None:
        samples = load_audio(audio) if isinstance(audio, str | Path) else as_mono_float(audio)
        tail = np.zeros(int(tail_s * SAMPLE_RATE), dtype=np.float32)
        self.samples = np.concatenate([samples, tail])
        self.duration_s = samples.size / SAMPLE_RATE
        self.realtime = realtime
        self._stop = threading.Event()
        #: perf_counter when the first block was handed on (audio time 0 as a microphone would have it)
        self.started_at: float | None = None
        self.captured_at: float | None = None

    def blocks(self) -> Iterator[np.ndarray]:
        n = self.samples.size // BLOCK
        padded = np.zeros((n + 1) * BLOCK, dtype=np.float32)
        padded[: self.samples.size] = self.samples
        started = self.started_at = time.perf_counter()
        for i in range(n + (1 if self.samples.size % BLOCK else 0)):
            if self._stop.is_set():
                return
            if self.realtime:
                # a microphone delivers block i once its last sample has been spoken
                due = started + (i + 1) * BLOCK / SAMPLE_RATE
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                self.captured_at = due
            yield padded[i * BLOCK : (i + 1) * BLOCK]

    def close(self) -> None:
        self._stop.set()


def resolve_device(device: str | int | None, kind: str = "input") -> int | None:
    """A sounddevice device index from an index, an index as text, or part of a name (None: default)."""
    sd = import_sounddevice()
    if device is None or device == "":
        return None
    if isinstance(device, int) or (isinstance(device, str) and device.isdigit()):
        index = int(device)
        try:
            info = sd.query_devices(index)
        except Exception:  # noqa: BLE001
            raise RapportError(f"no audio device with index {index}: see `rapport devices`") from None
        if info[f"max_{kind}_channels"] < 1:
            raise RapportError(f"audio device {index} ({info['name']}) has no {kind} channels")
        return index
    matches = [
        i
        for i, info in enumerate(sd.query_devices())
        if device.lower() in info["name"].lower() and info[f"max_{kind}_channels"] > 0
    ]
    if not matches:
        raise RapportError(f"no {kind} device named like {device!r}: see `rapport devices`")
    return matches[0]


def import_sounddevice():
    """sounddevice, or a one-line RapportError when PortAudio is missing."""
    try:
        import sounddevice as sd
    except OSError:
        raise RapportError("PortAudio is missing: install it (apt install libportaudio2) for audio devices") from None
    except ImportError:
        raise RapportError("sounddevice is not installed: pip install sounddevice") from None
    return sd


class MicSource:
    """A microphone (any sounddevice input device) as a stream of 16 kHz blocks.

    The device is opened at its own rate when 16 kHz is not supported and resampled here.
    When the consumer falls behind by more than ``max_queue_s`` the oldest audio is dropped
    (counted in ``dropped_blocks``) instead of blocking the audio thread.
    """

    realtime = True

    def __init__(self, device: str | int | None = None, max_queue_s: float = 10.0, rate: int | None = None) -> None:
        """``rate`` forces the device's sample rate (default: 16 kHz when the device takes it)."""
        self.sd = import_sounddevice()
        self.device = resolve_device(device, "input")
        try:
            info = self.sd.query_devices(self.device, "input")
        except Exception:  # noqa: BLE001
            raise RapportError("no microphone found: connect one or pick another with --device") from None
        self.device_name = info["name"]
        self.rate = rate or self._pick_rate(info)
        self.blocksize = int(round(BLOCK * self.rate / SAMPLE_RATE))
        # (samples, when their last sample was captured)
        size = max(4, int(max_queue_s * SAMPLE_RATE / BLOCK))
        self._queue: queue.Queue[tuple[np.ndarray, float]] = queue.Queue(maxsize=size)
        self.dropped_blocks = 0
        self.captured_at: float | None = None
        self._stream = None
        self._closed = threading.Event()

    def _pick_rate(self, info) -> int:
        try:
            self.sd.check_input_settings(device=self.device, samplerate=SAMPLE_RATE, channels=1, dtype="float32")
            return SAMPLE_RATE
        except Exception:  # noqa: BLE001
            return int(info["default_samplerate"])

    def _callback(self, indata, frames, time_info, status) -> None:  # audio thread: copy and queue only
        block = (indata[:, 0].copy(), time.perf_counter() - self._age(time_info, frames))
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            try:
                self._queue.get_nowait()
                self.dropped_blocks += 1
                self._queue.put_nowait(block)
            except (queue.Empty, queue.Full):
                pass

    def _age(self, time_info, frames: int) -> float:
        """How long ago the block's last sample was captured (PortAudio's times, else the stream's latency)."""
        try:
            age = float(time_info.currentTime) - float(time_info.inputBufferAdcTime) - frames / self.rate
        except (AttributeError, TypeError, ValueError):
            age = -1.0
        if 0.0 <= age < 1.0:
            return age
        stream = self._stream
        return float(getattr(stream, "latency", 0.0) or 0.0)

    def start(self) -> None:
        if self._stream is not None:
            return
        try:
            self._stream = self.sd.InputStream(
                device=self.device,
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                blocksize=self.blocksize,
                callback=self._callback,
            )
            self._stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError and friends
            self._stream = None
            raise RapportError(f"cannot open microphone {self.device_name!r}: {exc}") from None

    def blocks(self) -> Iterator[np.ndarray]:
        self.start()
        pending = np.zeros(0, dtype=np.float32)
        to_16k = StreamResampler(self.rate)
        while not self._closed.is_set():
            try:
                raw, raw_end = self._queue.get(timeout=0.5)
            except queue.Empty:
                stream = self._stream
                if stream is not None and not stream.active and not self._closed.is_set():
                    raise RapportError(
                        f"the microphone {self.device_name!r} stopped sending audio (unplugged?): "
                        "check `rapport devices`; you can type your turns"
                    ) from None
                continue
            chunk = to_16k(raw)
            pending = np.concatenate([pending, chunk]) if pending.size else chunk
            while pending.size >= BLOCK:
                block, pending = pending[:BLOCK], pending[BLOCK:]
                self.captured_at = raw_end - pending.size / SAMPLE_RATE
                yield block

    def record(self, seconds: float) -> np.ndarray:
        """Record ``seconds`` of audio (blocking) and return it as one array."""
        out: list[np.ndarray] = []
        need = int(seconds * SAMPLE_RATE)
        got = 0
        for block in self.blocks():
            out.append(block)
            got += block.size
            if got >= need:
                break
        self.close()
        return np.concatenate(out)[:need] if out else np.zeros(0, np.float32)

    def close(self) -> None:
        self._closed.set()
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None
