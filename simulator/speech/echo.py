"""The buyer's own voice, heard back through the microphone, taken out before anything listens.

With open speakers the microphone hears the buyer.  Rapport knows exactly what it played: the
player hands every output block to :meth:`EchoGate.played`.  For each microphone block,
:meth:`EchoGate.clean` finds where the recent microphone audio lines up with what was played around
the time it was captured (normalised cross-correlation over a few seconds, by FFT: the output's
latency changes, most at a stream's start and after an underrun), fits the echo's
gain by least squares and subtracts the delayed, scaled copy.  Searching by capture time keeps this
right when the pipeline falls behind the microphone (a slow transcription on a busy machine); when
the echo path jumps inside the matched window (an output underrun, lost input), a shorter window and
then the block's parts are matched on their own.  When almost nothing is left (less than
``ECHO_ONLY`` of the block's energy, or of the echo's level over the window when the block is quieter:
the echo path's own distortion, a word's tail), the block is silence; otherwise what is left is the
rep talking over the buyer, so barge-in still works.  While the buyer is heard, a block is also judged against the
echo's loudness over the last half second (a quiet stretch after loud words is not a voice); once the buyer is
silent, a window or a part of a block counts as echo only at about the delay the echo path last showed (a quick
answer's first sounds are not erased by a chance match with the buyer's last words).

This is a linear echo remover for a single path (a virtual sink, a headset's leak, a laptop's
speakers at a desk): it does not model a room's reverberation.  In a reverberant room use
``--loudspeakers``, which also closes the microphone while the buyer speaks.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from simulator.speech.audio import BLOCK, SAMPLE_RATE

#: how much of what was played is kept (the microphone's queue holds up to 10 s)
HISTORY_S = 12.0
#: what was played is searched from this long before a block was captured to this long after (the
#: output's and the input's latencies are only estimates).  The output's estimate is its full buffer, but
#: a stream that has just started or has just run dry plays with an emptier one: through PulseAudio the
#: buyer's first words reached the microphone 0.7 s before their estimated time, then the gap closed over
#: about 2 s.  Searching 0.5 s after missed those words and took them for a barge-in.
SEARCH_BEFORE_S = 2.0
SEARCH_AFTER_S = 1.5
#: microphone audio matched against it
MATCH_SAMPLES = 4 * BLOCK
#: correlation from which the microphone is taken to hold the echo
MIN_CORRELATION = 0.5
#: microphone windows tried in turn, longest first (a shorter one spans fewer jumps in the echo path)
WINDOWS = (MATCH_SAMPLES, 2 * BLOCK)
#: when no window explains the block, the block's parts are matched on their own
SPLITS = 2
#: below this share of the microphone's energy, what is left after removing the echo is not a voice
ECHO_ONLY = 0.15
#: after the last audible output, for how long the microphone is still cleaned
TAIL_S = 1.0
#: once the buyer has fallen silent, a part of a block is taken for the echo only where it matches what was played
#: at about the delay the echo path last showed (this far either side): a 16 ms stretch of the rep's voice matches
#: some stretch of the buyer's last seconds by chance, and zeroing it cut a quick answer's first sounds
DELAY_TOLERANCE_S = 0.06
#: how long a measured delay is trusted
DELAY_MEMORY_S = 3.0
#: while the buyer is heard, what is left after removing the echo is judged against the echo's loudness over this
#: long too (not only the last few blocks): a quiet stretch of the buyer's reply, after loud words, left a misfit
#: that the VAD took for speech (a phantom barge-in in the hands-free sink test); a rep talking over the buyer is
#: about as loud as the echo, or louder
LOUD_S = 0.5
#: the share of that loudness a block's energy is judged against
LOUD_SHARE = 0.5
#: how much raw microphone audio is kept for :meth:`EchoGate.snapshot` (diagnostics)
RAW_S = 3.0


class EchoGate:
    """See the module docstring.  ``played`` is called from the audio thread, ``clean`` from the pipeline's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._played: deque[tuple[float, np.ndarray]] = deque()  # (when heard, block)
        self._last_sound = -1e9  # perf_counter when the last non-silent output is heard
        self._mic = np.zeros(MATCH_SAMPLES, np.float32)
        #: (captured at, delay): how long after its estimated hearing the echo last reached the microphone
        self._delay: tuple[float, float] | None = None
        #: blocks cleaned while the buyer could be heard (for tests and the benchmark)
        self.echo_blocks = 0
        #: the last blocks' checks: (captured at, best correlation, share of the energy left) (diagnostics)
        self.trace: deque[tuple[float, float, float]] = deque(maxlen=8)
        #: the last microphone blocks as given to :meth:`clean`, with their capture times (diagnostics)
        self._raw: deque[tuple[float, np.ndarray]] = deque(maxlen=int(RAW_S * SAMPLE_RATE / BLOCK))
        #: the energy of the last microphone blocks (raw), for the echo's recent loudness
        self._energy: deque[float] = deque(maxlen=max(1, int(LOUD_S * SAMPLE_RATE / BLOCK)))

    def played(self, block: np.ndarray, heard_at: float) -> None:
        """What the speaker plays (any block size), and when it is heard."""
        with self._lock:
            self._played.append((heard_at, np.asarray(block, np.float32).reshape(-1)))
            while self._played and self._played[0][0] < heard_at - HISTORY_S:
                self._played.popleft()
            if np.abs(block).max(initial=0.0) > 1e-4:
                self._last_sound = heard_at

    def active_at(self, at: float) -> bool:
        """Whether the buyer's voice could be in what the microphone captured at ``at`` (perf_counter)."""
        return at - self._last_sound < TAIL_S

    def clean(self, block: np.ndarray, at: float | None = None) -> np.ndarray:
        """The microphone block with the echo of what was played removed.

        ``at``: when the block's last sample was captured (perf_counter; default now)."""
        block = np.asarray(block, np.float32)
        self._mic = np.concatenate([self._mic[block.size :], block])
        at = time.perf_counter() if at is None else at
        self._raw.append((at, block))
        self._energy.append(float(np.dot(block, block)))
        if not self.active_at(at):
            return block
        first, last = at - MATCH_SAMPLES / SAMPLE_RATE - SEARCH_BEFORE_S, at + SEARCH_AFTER_S
        with self._lock:
            near = [(heard, played) for heard, played in self._played if first <= heard <= last]
        reference = np.concatenate([played for _, played in near]) if near else np.zeros(0, np.float32)
        if reference.size < MATCH_SAMPLES or float(np.dot(self._mic, self._mic)) < 1e-8:
            return block
        self.echo_blocks += 1
        # how loud the echo has been (per block): a quiet block (a word's tail) is judged against it, so the
        # echo path's small misfit there is not taken for a voice
        level = float(np.dot(self._mic, self._mic)) * block.size / MATCH_SAMPLES
        if at <= self._last_sound:  # the buyer is heard: against the echo's loudness over the last LOUD_S too
            level = max(level, LOUD_SHARE * sum(self._energy) / len(self._energy))
        # the longest window that explains the block: a jump in the echo path (an output underrun, input lost
        # on a busy machine) breaks the longer one for a few blocks
        best, best_corr = 1.0, 0.0
        for size in WINDOWS:
            window = self._mic[-size:]
            lag, corr = _best_lag(window, reference)
            best_corr = max(best_corr, corr)
            if corr < MIN_CORRELATION or not self._plausible(near, lag + size - 1, at):
                continue
            share = _share(_remove(window, reference, lag)[-block.size :], block, level)
            best = min(best, share)
            if share < ECHO_ONLY:
                self.trace.append((at, corr, share))
                self._delay = (at, at - _heard_at(near, lag + size - 1))
                return np.zeros_like(block)
        self.trace.append((at, best_corr, best))
        # the jump is inside the block itself: each part of the block is matched on its own
        parts = []
        part_size = block.size // SPLITS
        for i, part in enumerate(np.split(block, SPLITS)):
            lag, corr = _best_lag(part, reference)
            part_at = at - (SPLITS - 1 - i) * part_size / SAMPLE_RATE
            if corr >= MIN_CORRELATION and not self._plausible(near, lag + part_size - 1, part_at):
                corr = 0.0
            residual = _remove(part, reference, lag) if corr >= MIN_CORRELATION else part
            echo_only = _share(residual, part, level / SPLITS) < ECHO_ONLY
            parts.append(np.zeros_like(part) if echo_only else residual)
        return np.concatenate(parts).astype(np.float32)

    def _plausible(self, near: list[tuple[float, np.ndarray]], index: int, at: float) -> bool:
        """Whether what was played at ``index`` (of ``near``'s blocks joined) can be the echo captured at ``at``: always
        while the buyer is heard; after that, only at about the echo path's last measured delay, if one is known."""
        if at - self._last_sound <= 0 or self._delay is None or at - self._delay[0] > DELAY_MEMORY_S:
            return True
        return abs(at - _heard_at(near, index) - self._delay[1]) <= DELAY_TOLERANCE_S

    def snapshot(self) -> dict[str, np.ndarray]:
        """The last few seconds of raw microphone audio and of what was played, with their times, to study a
        barge-in afterwards (``np.savez(path, **gate.snapshot())``): ``mic`` and ``mic_at`` (each block's capture
        time), ``played``, ``played_at`` and ``played_sizes`` (each output block's time heard and length)."""
        with self._lock:
            played = list(self._played)
        raw = list(self._raw)
        empty = np.zeros(0, np.float32)
        return {
            "mic": np.concatenate([b for _, b in raw]) if raw else empty,
            "mic_at": np.array([at for at, _ in raw]),
            "played": np.concatenate([b for _, b in played]) if played else empty,
            "played_at": np.array([at for at, _ in played]),
            "played_sizes": np.array([b.size for _, b in played]),
        }


def _heard_at(near: list[tuple[float, np.ndarray]], index: int) -> float:
    """When sample ``index`` of ``near``'s blocks joined is heard."""
    for heard, played in near:
        if index < played.size:
            return heard + index / SAMPLE_RATE
        index -= played.size
    return near[-1][0] + (near[-1][1].size + index) / SAMPLE_RATE if near else 0.0


def _remove(mic: np.ndarray, reference: np.ndarray, lag: int) -> np.ndarray:
    """``mic`` less the least-squares scaled copy of ``reference`` at ``lag``."""
    aligned = reference[lag : lag + mic.size]
    gain = float(np.dot(mic, aligned) / (np.dot(aligned, aligned) + 1e-9))
    return mic - gain * aligned


def _share(residual: np.ndarray, mic: np.ndarray, level: float) -> float:
    """The share of the microphone's energy (or of ``level``, if louder) left in ``residual``."""
    return float(np.dot(residual, residual)) / (max(float(np.dot(mic, mic)), level) + 1e-12)


def _best_lag(mic: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """Where ``mic`` best matches a stretch of ``reference``, and the normalised correlation there."""
    n = mic.size
    size = 1 << int(np.ceil(np.log2(reference.size + n)))
    corr = np.fft.irfft(np.fft.rfft(reference, size) * np.conj(np.fft.rfft(mic, size)), size)[: reference.size - n + 1]
    squares = np.concatenate([[0.0], np.cumsum(reference.astype(np.float64) ** 2)])
    mic_energy = float(np.dot(mic, mic))
    # a silent stretch of what was played cannot explain what the microphone heard (and must not divide by ~0)
    energy = np.maximum(squares[n:] - squares[:-n], 0.01 * mic_energy)
    norm = np.sqrt(energy * mic_energy) + 1e-12
    ncc = corr / norm
    lag = int(np.argmax(ncc))
    return lag, float(ncc[lag])
