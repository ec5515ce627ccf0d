"""Voice practice in the app, fed from a recording through the microphone's pipeline (paced like a
live microphone): the rep's spoken turns appear transcribed and labelled, and the buyer answers."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from simulator.tui.app import AppOptions, make_app
from simulator.tui.screens.practice import PracticeScreen
from simulator.tui.widgets.turns import TurnView
from tests.conftest import require_service


@pytest.fixture
def spoken_turns(tmp_path):
    if shutil.which("espeak-ng") is None:
        require_service("espeak-ng", "apt-get install espeak-ng")
    from simulator.speech.audio import SAMPLE_RATE, write_audio
    from simulator.speech.tts import VoiceSettings, shared_synthesizer

    synth = shared_synthesizer()
    gap = np.zeros(int(1.5 * SAMPLE_RATE), dtype=np.float32)
    parts = [gap[: SAMPLE_RATE // 2]]
    for line in ("What made you want to talk today?", "How does that affect your week?"):
        parts += [synth.synth(line, VoiceSettings(rate=150)), gap]
    return write_audio(tmp_path / "two-turns.wav", np.concatenate(parts))


async def test_voice_practice_from_a_recording(spoken_turns):
    from simulator.persona.loader import load_all

    persona_id = next(iter(load_all()[0]))
    app = make_app(AppOptions(start="practice", persona=persona_id, mode="voice", audio_file=spoken_turns,
                              seed=2, rep_name="Sam"))
    async with app.run_test(size=(140, 45)) as pilot:
        def shown():
            return [w.turn for w in app.screen.query(TurnView)] if isinstance(app.screen, PracticeScreen) else []

        for _ in range(600):  # the file is paced like a microphone: about 8 s, plus model loading
            await pilot.pause(0.1)
            if len(shown()) >= 5:
                break
        turns = shown()
        assert [t.speaker for t in turns[:5]] == ["buyer", "rep", "buyer", "rep", "buyer"], turns
        assert "talk" in turns[1].text.lower()
        assert "question" in turns[1].labels and "question" in turns[3].labels
        assert turns[1].start_s is not None and turns[1].end_s > turns[1].start_s
        session = app.screen.session
        voice = app.screen.voice.pipeline.voice
        for _ in range(200):  # let the buyer finish its last reply, so every reply has a voice latency
            await pilot.pause(0.1)
            if voice is None or not voice.speaking:
                break
        await pilot.press("ctrl+e")
        for _ in range(100):
            await pilot.pause(0.1)
            if not isinstance(app.screen, PracticeScreen):
                break

    import time

    from simulator.session.store import Store

    with Store.open() as store:
        for _ in range(100):  # buyer recordings and latencies are stored once the reply was voiced
            stored = store.get(session.session_id)
            answers = [t for t in stored.turns[1:] if t.speaker == "buyer"]
            if all(t.latency_ms and "speech_end_to_voice" in t.latency_ms for t in answers):
                break
            time.sleep(0.1)
    rep = [t for t in stored.turns if t.speaker == "rep"]
    assert len(rep) == 2 and all(t.audio for t in rep), "each spoken rep turn keeps its recording"
    assert all("speech_end_to_text" in t.latency_ms and "speech_end_to_voice" in t.latency_ms for t in answers)
