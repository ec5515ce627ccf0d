"""The one internal audio format (16 kHz mono float32) and conversions at the edges.

Files in any format soundfile or FFmpeg (through PyAV, shipped with faster-whisper) can read are
decoded and resampled here; recordings are written compressed (FLAC or OGG) for replay.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from simulator.errors import RapportError

#: Samples per second of every array that travels between the speech modules.
SAMPLE_RATE = 16_000
#: One Silero VAD window (32 ms at 16 kHz): sources hand audio on in blocks of this size.
BLOCK = 512


def as_mono_float(samples: np.ndarray) -> np.ndarray:
    """Any array of samples (int16/float, mono or (n, channels)) as a 1-D float32 array in -1..1."""
    arr = np.asarray(samples)
    if arr.dtype == np.int16:
        arr = arr.astype(np.float32) / 32768.0
    elif arr.dtype == np.int32:
        arr = arr.astype(np.float32) / 2147483648.0
    arr = arr.astype(np.float32, copy=False)
    if arr.ndim == 2:
        arr = arr.mean(axis=1, dtype=np.float32)
    return np.ascontiguousarray(arr.reshape(-1))


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling of a mono float array from ``rate`` to ``target``: polyphase, with a Kaiser-windowed
    sinc low-pass (the design scipy's ``resample_poly`` uses by default), in numpy alone.  Importing ``scipy.signal``
    added 72.5 MB to a voice session's resident memory, for the buyer's 22,050 Hz voice (docs/voice.md)."""
    if rate == target or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    from math import gcd

    g = gcd(int(rate), int(target))
    up, down = int(target) // g, int(rate) // g
    taps = _lowpass(up, down)
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    n_out = -(-x.size * up // down)  # ceil
    out = np.empty(n_out, np.float32)
    for start in range(0, n_out, RESAMPLE_CHUNK):
        m = np.arange(start, min(n_out, start + RESAMPLE_CHUNK), dtype=np.int64)
        out[start : start + m.size] = _polyphase(x, 0, m, up, down, taps)
    return out


def _polyphase(x: np.ndarray, base: int, m: np.ndarray, up: int, down: int, taps: np.ndarray) -> np.ndarray:
    """Output samples ``m`` (absolute indices at the target rate) of the polyphase filter over input ``x``, whose
    first sample is input index ``base``; input outside ``x`` counts as silence."""
    half = taps.size // 2
    # output m sits at input position m * down / up: the input samples within the filter's reach of it
    first = -((half - m * down) // up)  # ceil((m * down - half) / up), absolute
    i = first[:, None] + np.arange(2 * half // up + 2)[None, :]
    k = half + (m * down)[:, None] - i * up
    local = i - base
    ok = (k >= 0) & (k < taps.size) & (local >= 0) & (local < x.size)
    if not x.size:
        return np.zeros(m.size, np.float32)
    products = x[np.clip(local, 0, x.size - 1)] * taps[np.clip(k, 0, taps.size - 1)]
    return np.sum(np.where(ok, products, 0.0), axis=1).astype(np.float32)


#: output samples resampled at once (bounds the index arrays to a few MB)
RESAMPLE_CHUNK = 8192


@functools.lru_cache(maxsize=8)
def _lowpass(up: int, down: int) -> np.ndarray:
    """The anti-aliasing filter at ``up`` times the input rate: cut-off at the lower Nyquist, 10 zero crossings each
    side, Kaiser window (beta 5), gain ``up`` (each output sums every ``up``-th tap)."""
    widest = max(up, down)
    half = 10 * widest
    n = np.arange(-half, half + 1, dtype=np.float64)
    taps = np.sinc(n / widest) * np.kaiser(2 * half + 1, 5.0)
    return (taps * (up / taps.sum())).astype(np.float32)


class StreamResampler:
    """Resample a stream block by block (a microphone at 44.1/48 kHz): the same polyphase Kaiser-windowed sinc filter
    as :func:`resample`, in numpy, with the input it still needs and the next output's position carried between
    blocks, so consecutive blocks join seamlessly and the stream equals the whole signal resampled at once.

    An output sample is given once every input sample within the filter's reach of it has arrived: the stream runs
    ``10 * max(up, down) / up`` input samples behind (0.6 ms at 48 kHz)."""

    def __init__(self, rate: int, target: int = SAMPLE_RATE) -> None:
        from math import gcd

        self.rate, self.target = int(rate), int(target)
        g = gcd(self.rate, self.target)
        self.up, self.down = self.target // g, self.rate // g
        self._taps = _lowpass(self.up, self.down) if self.rate != self.target else np.ones(1, np.float32)
        self._half = self._taps.size // 2
        self._kept = np.zeros(0, dtype=np.float32)  # input from absolute index ``_base`` on
        self._base = 0
        self._next = 0  # absolute index of the next output sample

    def __call__(self, block: np.ndarray) -> np.ndarray:
        if self.rate == self.target:
            return block.astype(np.float32, copy=False)
        up, down, half = self.up, self.down, self._half
        x = np.concatenate([self._kept, np.asarray(block, dtype=np.float32).reshape(-1)])
        received = self._base + x.size
        # output m needs input up to index floor((m * down + half) / up)
        stop = max(self._next, (received * up - 1 - half) // down + 1)
        out = _polyphase(x, self._base, np.arange(self._next, stop, dtype=np.int64), up, down, self._taps)
        self._next = int(stop)
        keep_from = max(self._base, -((half - self._next * down) // up))  # the next output's first input
        self._kept = x[keep_from - self._base :]
        self._base = keep_from
        return out


def load_audio(path: str | Path) -> np.ndarray:
    """Decode an audio file (WAV, FLAC, OGG, MP3, M4A...) into 16 kHz mono float32.

    Raises RapportError with one line when the file is missing or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise RapportError(f"audio file not found: {path}")
    try:
        import soundfile as sf

        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        return resample(as_mono_float(data), rate)
    except Exception:  # noqa: BLE001 - not a format libsndfile knows: try FFmpeg below
        pass
    try:
        from faster_whisper.audio import decode_audio

        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE).astype(np.float32)
    except Exception as exc:  # noqa: BLE001
        raise RapportError(f"cannot decode audio file {path}: {type(exc).__name__}") from None
    if samples.size == 0:
        raise RapportError(f"cannot decode audio file {path}: no audio found in it")
    return samples


def write_audio(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write mono samples to ``path``; the suffix picks the format (.flac, .ogg, .wav)."""
    import soundfile as sf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    fmt = {".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"), ".wav": ("WAV", "PCM_16")}.get(suffix)
    if fmt is None:
        raise RapportError(f"unsupported recording format {suffix!r}: use .flac, .ogg or .wav")
    clipped = np.clip(as_mono_float(samples), -1.0, 1.0)
    sf.write(str(path), clipped, rate, format=fmt[0], subtype=fmt[1])
    return path


def save_turn_audio(samples: np.ndarray, directory: str | Path, name: str, fmt: str = "flac") -> str:
    """Keep one turn's audio for replay: write ``directory/name.fmt`` compressed and return its path.

    ``name`` is reduced to safe characters (e.g. ``"<session-id>-003-rep"``).  The sessions
    store keeps the returned path in ``Turn.audio``.
    """
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "turn"
    return str(write_audio(Path(directory) / f"{stem}.{fmt}", samples))


def rms(samples: np.ndarray) -> float:
    """Root-mean-square level of a block, 0..1."""
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def level(samples: np.ndarray) -> float:
    """A 0..1 meter value for a block: RMS on a dB scale from -60 dBFS (0) to 0 dBFS (1)."""
    value = rms(samples)
    if value <= 1e-6:
        return 0.0
    return float(min(1.0, max(0.0, (20 * np.log10(value) + 60) / 60)))
