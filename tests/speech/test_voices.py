"""Every buyer's voice works with the espeak-ng installed here: each shipped persona's [voice] is
resolved to a voice espeak lists, speaks audibly at about its rate, and Whisper hears its words; an
unknown or broken voice falls back to en-us with one warning line; nothing is printed at exit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from simulator.persona.schema import load_persona
from simulator.speech.audio import SAMPLE_RATE
from simulator.speech.espeak_voices import Catalogue, EspeakVoice, resolve
from simulator.speech.tts import Synthesizer, VoiceSettings

from .conftest import ROOT, wer

PERSONAS = sorted((ROOT / "personas").glob("*.toml"))


@pytest.fixture(scope="module")
def catalogue(synth):
    return synth.catalogue()  # listed on the synthesiser's thread


def test_the_voices_espeak_lists_are_read_with_all_their_languages(catalogue):
    by_id = {v.identifier: v for v in catalogue.voices}
    british = by_id["gmw/en"]  # British English is the file gmw/en: "en-gb" is only one of its languages
    assert ("en-gb" in dict((lang, p) for p, lang in british.languages)) and british.name.startswith("English")
    assert any(lang == "en-us" for _, lang in by_id["gmw/en-US"].languages)
    variants = {v.file: v for v in catalogue.variants}
    assert variants["f3"].gender == 2 and variants["m3"].gender == 1
    assert catalogue.version


@pytest.mark.parametrize(
    ("voice", "gender", "espeak_name"),
    [
        ("en-gb", "female", "gmw/en+f3"),  # the issue: en-gb+f3 / en-gb+m3 were EE_NOT_FOUND
        ("en-gb", "male", "gmw/en+m3"),
        ("en-us", "female", "gmw/en-US+f3"),
        ("en-us", None, "gmw/en-US"),
        ("en-us+m2", "female", "gmw/en-US+m2"),  # an explicit variant wins over the gender
        ("EN-GB", "neutral", "gmw/en"),
        ("English (Great Britain)", "male", "gmw/en+m3"),
        ("gmw/en-GB-x-rp", None, "gmw/en-GB-x-rp"),
        ("en-gb-x-rp", "female", "gmw/en-GB-x-rp+f3"),
    ],
)
def test_a_persona_voice_resolves_to_a_voice_espeak_lists(catalogue, voice, gender, espeak_name):
    choice = resolve(voice, gender, catalogue)
    assert choice.espeak_name == espeak_name and choice.warning is None


@pytest.mark.parametrize(
    ("voice", "gender", "espeak_name", "why"),
    [
        ("no-such-voice", "female", "gmw/en-US+f3", "no voice 'no-such-voice'"),  # not Norwegian ("no")
        ("en-au", "male", "gmw/en+m3", "no voice 'en-au'"),  # English, the closest espeak has
        ("en-us+nosuch", "male", "gmw/en-US+m3", "no variant 'nosuch'"),
        ("mb-en1", None, "gmw/en-US", "no voice 'mb-en1'"),  # an mbrola voice without mbrola installed
    ],
)
def test_an_unknown_voice_falls_back_with_a_one_line_reason(catalogue, voice, gender, espeak_name, why):
    choice = resolve(voice, gender, catalogue)
    assert choice.espeak_name == espeak_name and choice.fell_back
    assert why in choice.warning and "\n" not in choice.warning and "speaks with English" in choice.warning


def test_without_a_voice_list_the_name_is_tried_as_written():
    choice = resolve("en-gb", "female", Catalogue())
    assert choice.espeak_name == "en-gb+f3" and not choice.fell_back
    lone = Catalogue(voices=(EspeakVoice("Esperanto", "art/eo", ((5, "eo"),), 1),))
    assert resolve("en-us", "male", lone).espeak_name == "art/eo"  # no variants listed: none added


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_every_shipped_persona_speaks_its_words_in_its_own_voice(path, synth, transcriber):
    persona = load_persona(path)
    settings = VoiceSettings.from_persona(persona.voice)
    text = persona.opening_line
    choice, audio = synth.try_voice(settings, text)
    assert not choice.fell_back, choice.warning
    assert choice.espeak_name.split("+")[0] != "gmw/en-US" or settings.voice == "en-us"
    assert choice.espeak_name.endswith({"female": "+f3", "male": "+m3"}[settings.gender])
    assert audio.dtype == np.float32 and float(np.sqrt(np.mean(audio**2))) > 0.02  # audible, not silence
    expected = len(text.split()) / settings.rate * 60
    assert 0.6 * expected < audio.size / SAMPLE_RATE < 1.6 * expected  # about its rate (words per minute)
    heard = transcriber.transcribe(audio).text
    # Measured 0.00-0.61 (saas-sales-vp's en-US+m3 at 190 wpm is the hardest for tiny.en, 0.22-0.61: libespeak's
    # output for the same line differs slightly from call to call); garbled or silent speech is ~1.
    assert wer(text, heard) <= 0.75, heard


def test_a_broken_voice_never_crashes_and_warns_once(synth):
    before = len(synth.warnings)
    settings = VoiceSettings(voice="no-such-voice+zz", gender="male", rate=170)
    for _ in range(3):
        audio = synth.synth("We looked at three tools last year.", settings)
        assert float(np.abs(audio).max()) > 0.1
    new = synth.warnings[before:]
    assert len(new) == 1 and "\n" not in new[0], new
    assert "no voice 'no-such-voice'" in new[0] and "no variant 'zz'" in new[0] and "English (America)" in new[0]
    assert synth.voice_for(settings).espeak_name == "gmw/en-US+m3"
    for odd in ("en\x00gb", "\x1b[31m\ud800", "gmw/../../etc/passwd", "+"):  # still one line, still speech
        choice, audio = synth.try_voice(VoiceSettings(voice=odd), "Fine.")
        assert float(np.abs(audio).max()) > 0.1 and "\n" not in (choice.warning or "")


class _SilentVoice(Synthesizer):
    """libespeak-ng that loads ``gmw/en-GB-x-rp`` but gives no sound with it (as a voice whose data
    is broken would): the synthesiser must notice and fall back."""

    def _render(self, text, settings):
        audio = super()._render(text, settings)
        current = self._driver().getProperty("voice")
        return np.zeros_like(audio) if current.startswith("gmw/en-gb-x-rp") else audio


def test_a_voice_that_gives_no_sound_falls_back(synth):
    silent = _SilentVoice()
    try:
        settings = VoiceSettings(voice="en-gb-x-rp", gender="female")
        audio = silent.synth("Our budget is set in March.", settings)
        assert float(np.abs(audio).max()) > 0.1
        choice = silent.voice_for(settings)
        assert choice.espeak_name == "gmw/en-US+f3" and "gave no sound" in choice.warning
        assert silent.warnings == [choice.warning]
    finally:
        silent.close()


def _rapport(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], cwd=ROOT, capture_output=True, text=True, timeout=180
    )


def test_devices_tries_each_persona_voice_and_says_what_fell_back(tmp_path):
    odd = (ROOT / "personas" / "plant-manager.toml").read_text(encoding="utf-8")
    assert 'voice = "en-gb"' in odd
    (tmp_path / "odd-voice.toml").write_text(odd.replace('voice = "en-gb"', 'voice = "no-such-voice"'), "utf-8")
    done = _rapport("devices", "--personas", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    voices = {v["persona"]: v for v in json.loads(done.stdout)["voices"]}
    assert {p.stem for p in PERSONAS} | {"odd-voice"} <= set(voices)
    for path in PERSONAS:
        v = voices[path.stem]
        assert v["status"] == "ok" and 1.0 < v["seconds"] < 10.0, v
    assert voices["odd-voice"]["status"] == "fell back" and voices["odd-voice"]["voice"] == "English (America), male3"
    text = _rapport("devices", "--personas", str(tmp_path))
    assert text.returncode == 0 and "Traceback" not in text.stderr
    line = next(ln for ln in text.stdout.splitlines() if "odd-voice" in ln)
    assert "fell back to English (America), male3: espeak-ng has no voice 'no-such-voice'" in line
    line = next(ln for ln in text.stdout.splitlines() if "plant-manager" in ln)
    assert line.split()[0] == "ok" and "English (Great Britain), male3" in line


def test_personas_check_warns_about_a_voice_this_espeak_lacks(tmp_path):
    odd = (ROOT / "personas" / "plant-manager.toml").read_text(encoding="utf-8")
    path = tmp_path / "odd-voice.toml"
    path.write_text(odd.replace('voice = "en-gb"', 'voice = "en-au"'), "utf-8")
    done = _rapport("personas", "check", "--strict", str(path), *map(str, PERSONAS))
    assert done.returncode == 0, done.stderr  # this machine's voices are never an error
    assert done.stderr.splitlines() == [
        f"rapport: warning: {path}: buyer voice 'en-au, male': espeak-ng has no voice 'en-au', "
        "so the buyer speaks with English (Great Britain), male3"
    ]


def test_nothing_is_printed_at_interpreter_exit():
    # pyttsx3's DriverProxy.__del__ needs its module's globals: when something (here a daemon thread,
    # in a test run the runner's own references) keeps pyttsx3 alive until the interpreter clears
    # module globals, a synthesiser still holding the engine then printed "Exception ignored in
    # DriverProxy.__del__ ... 'NoneType' object has no attribute 'suppress'".
    script = textwrap.dedent(
        """
        import threading, time
        import simulator.speech.tts as tts
        tts.shared_synthesizer().synth("Hello there.")
        import pyttsx3.driver
        threading.Thread(target=lambda modules: time.sleep(3600), args=([tts, pyttsx3.driver],), daemon=True).start()
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
