"""The buyer's voice: espeak-ng through pyttsx3, sentence streaming, barge-in on a real device."""

from __future__ import annotations

import os
import time

import numpy as np

from simulator.speech.tts import VoiceSettings, split_sentences
from simulator.speech.voice import BuyerVoice


def test_voice_settings_from_a_persona():
    assert VoiceSettings.from_persona({"voice": "en-gb", "rate": 150, "gender": "Female"}).espeak_name == "en-gb+f3"
    assert VoiceSettings.from_persona(None) == VoiceSettings()

    class Spec:
        rate = 190
        voice = "en-us+m2"
        gender = "female"

    v = VoiceSettings.from_persona(Spec())
    assert v.rate == 190 and v.espeak_name == "en-us+m2"  # an explicit variant wins


def test_split_sentences():
    assert split_sentences("Hi. How are you? Fine!  Ok") == ["Hi.", "How are you?", "Fine!", "Ok"]


def test_synthesis_is_16k_speech_and_rate_changes_length(synth, capfd):
    sizes = []
    for rate in (120, 220, 120, 220):  # settings change every call, and every file has speech
        audio = synth.synth("We have been using spreadsheets for years.", VoiceSettings(rate=rate))
        assert audio.dtype == np.float32 and audio.size > 8000
        sizes.append(audio.size)
    assert sizes[0] > sizes[1] * 1.4 and sizes[2] > sizes[3] * 1.4
    assert capfd.readouterr().out == ""  # nothing printed on stdout (it would corrupt the TUI)


def test_streamed_reply_speaks_first_sentence_before_the_rest_is_written(synth):
    voice = BuyerVoice(synth)
    heard = []
    reply = voice.begin(on_first_audio=heard.append)
    voice.feed("Honestly, renewals are a mess. ")
    for _ in range(200):  # the rest of the reply has not been written yet
        if heard:
            break
        time.sleep(0.01)
    assert heard, "first sentence should be synthesised before the reply is finished"
    voice.feed("We track them in a spreadsheet")
    voice.finish()
    reply.wait(10)
    assert reply.audio().size > 16000 * 2


def test_barge_in_stops_a_playing_buyer_on_a_real_device(synth):
    from .test_pulse import ensure_pulse

    ensure_pulse()
    from simulator.speech.playback import Player

    player = Player(os.environ.get("RAPPORT_TEST_OUTPUT", "pulse"))
    voice = BuyerVoice(synth, player)
    text = "Well, we have looked at several tools this year. None of them fitted how our team works. " * 3
    try:
        reply = voice.speak(text)
        for _ in range(300):
            if player.playing:
                break
            time.sleep(0.01)
        assert player.playing
        voice.stop()
        stopped = time.perf_counter()
        reply.wait(5)
        assert not reply.thread.is_alive()
        assert voice.interrupted
        assert time.perf_counter() - stopped < 0.3  # the bound; the reply would take ~15 s
    finally:
        voice.close()
