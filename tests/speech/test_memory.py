"""A voice session asks glibc to give large freed buffers back to the system (the effect on the peak, about
50 MB, is a benchmark figure: `rapport bench voice`, not a timed test)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from simulator.memory import return_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_the_voice_pipeline_applies_the_setting():
    from simulator.speech.run import VoiceSetup, build_pipeline

    return_freed_memory.cache_clear()
    build_pipeline(None, None, VoiceSetup(audio_file=np.zeros(1600, np.float32), speak=False))
    assert return_freed_memory.cache_info().currsize == 1 and return_freed_memory() is True
