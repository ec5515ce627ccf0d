"""Does each persona's voice work here?  ``rapport devices`` has every buyer say a test phrase.

A persona's ``[voice]`` is resolved against the voices espeak-ng lists, loaded, and heard saying
:data:`TEST_PHRASE`: ok, fell back to the default voice (and why), or failed (no audible speech).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from simulator.errors import RapportError

#: what ``rapport devices`` has each persona's voice say
TEST_PHRASE = "Thanks for coming in. Tell me what you had in mind."
#: a test phrase shorter or longer than this (seconds) is not plausible speech
PLAUSIBLE_SECONDS = (1.0, 10.0)


@dataclass(frozen=True)
class VoiceCheck:
    """One persona's voice, tried for real: ``status`` is "ok", "fell back" or "failed"."""

    persona: str
    #: the persona's [voice] in words: ``en-gb, female, 155 wpm``
    requested: str
    status: str
    #: the espeak-ng voice used (``English (Great Britain), female3``), empty when none worked
    voice: str = ""
    espeak_name: str = ""
    #: why it fell back or failed, else the test phrase's length
    detail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_dict(self) -> dict:
        return asdict(self)


def check_voice(persona: str, spec: object | None) -> VoiceCheck:
    """One persona's ``[voice]`` (an object or dict with voice, gender, rate) tried for real."""
    from simulator.speech.audio import SAMPLE_RATE
    from simulator.speech.tts import VoiceSettings, shared_synthesizer

    settings = VoiceSettings.from_persona(spec)
    requested = ", ".join(p for p in (settings.voice, settings.gender, f"{settings.rate} wpm") if p)
    try:
        choice, audio = shared_synthesizer().try_voice(settings, TEST_PHRASE)
    except RapportError as exc:
        return VoiceCheck(persona, requested, "failed", detail=str(exc))
    seconds = round(audio.size / SAMPLE_RATE, 2)
    peak = float(abs(audio).max()) if audio.size else 0.0
    found = (choice.description, choice.espeak_name)
    if peak < 0.01 or not PLAUSIBLE_SECONDS[0] <= seconds <= PLAUSIBLE_SECONDS[1]:
        return VoiceCheck(persona, requested, "failed", *found,
                          f"{choice.espeak_name} gave {seconds:.1f} s of audio, peak {peak:.3f}", seconds)
    if choice.fell_back:
        return VoiceCheck(persona, requested, "fell back", *found, choice.reason or "", seconds)
    return VoiceCheck(persona, requested, "ok", *found, f"{seconds:.1f} s test phrase", seconds)


def check_voices(persona_voices: list[tuple[str, object | None]]) -> list[VoiceCheck]:
    """:func:`check_voice` for each (persona id, voice spec); [] without espeak-ng (its own check says so)."""
    from simulator.speech.tts import espeak_available

    if not espeak_available():
        return []
    return [check_voice(persona, spec) for persona, spec in persona_voices]


def voice_warning(spec: object | None) -> str | None:
    """One line when a persona's ``[voice]`` would fall back to another voice here (resolved and
    loaded, nothing synthesised: cheap enough for ``personas check``); None when it is fine or
    espeak-ng cannot be used at all (``rapport devices`` says why)."""
    from simulator.speech.tts import VoiceSettings, espeak_available, shared_synthesizer

    if not espeak_available():
        return None
    try:
        return shared_synthesizer().voice_for(VoiceSettings.from_persona(spec)).warning
    except RapportError:
        return None
