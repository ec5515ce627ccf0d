"""The buyer's own voice, heard back through the microphone, taken out before anything listens.

With open speakers the microphone hears the buyer.  Rapport knows exactly what it played: the
player hands every output block to :meth:`EchoGate.played`.  For each microphone block,
:meth:`EchoGate.clean` finds where the recent microphone audio lines up with what was played
(normalised cross-correlation over the last seconds, by FFT), fits the echo's gain by least
squares and subtracts the delayed, scaled copy.  When almost nothing is left (less than
``ECHO_ONLY`` of the energy: the echo path's own distortion), the block is silence; otherwise what
is left is the rep talking over the buyer, so barge-in still works.

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

#: how much of what was played is kept to search for its echo
HISTORY_S = 3.0
#: microphone audio matched against it
MATCH_SAMPLES = 4 * BLOCK
#: correlation from which the microphone is taken to hold the echo
MIN_CORRELATION = 0.5
#: below this share of the microphone's energy, what is left after removing the echo is not a voice
ECHO_ONLY = 0.15
#: after the last audible output, for how long the microphone is still cleaned
TAIL_S = 1.0


class EchoGate:
    """See the module docstring.  ``played`` is called from the audio thread, ``clean`` from the pipeline's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._played: deque[np.ndarray] = deque(maxlen=int(HISTORY_S * SAMPLE_RATE / 320) + 1)
        self._last_sound = 0.0  # perf_counter when the last non-silent output is heard
        self._mic = np.zeros(MATCH_SAMPLES, np.float32)
        #: blocks found to hold echo, and blocks cleaned (for tests and the benchmark)
        self.echo_blocks = 0

    def played(self, block: np.ndarray, heard_at: float) -> None:
        """What the speaker plays (any block size), and when it is heard."""
        with self._lock:
            self._played.append(np.asarray(block, np.float32).reshape(-1))
            if np.abs(block).max(initial=0.0) > 1e-4:
                self._last_sound = heard_at

    @property
    def active(self) -> bool:
        """True while the buyer's voice can still be in the microphone."""
        return time.perf_counter() - self._last_sound < TAIL_S

    def clean(self, block: np.ndarray) -> np.ndarray:
        """The microphone block with the echo of what was played removed."""
        block = np.asarray(block, np.float32)
        self._mic = np.concatenate([self._mic[block.size :], block])
        if not self.active:
            return block
        with self._lock:
            reference = np.concatenate(list(self._played)) if self._played else np.zeros(0, np.float32)
        if reference.size < MATCH_SAMPLES or float(np.dot(self._mic, self._mic)) < 1e-8:
            return block
        lag, corr = _best_lag(self._mic, reference)
        if corr < MIN_CORRELATION:
            return block
        aligned = reference[lag : lag + MATCH_SAMPLES]
        gain = float(np.dot(self._mic, aligned) / (np.dot(aligned, aligned) + 1e-9))
        residual = self._mic - gain * aligned
        self.echo_blocks += 1
        if float(np.dot(residual, residual)) < ECHO_ONLY * float(np.dot(self._mic, self._mic)):
            # nothing but the echo (what is left is the echo path's own distortion): silence
            return np.zeros_like(block)
        return residual[-block.size :].astype(np.float32)


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
