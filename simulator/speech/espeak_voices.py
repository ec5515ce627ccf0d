"""Which espeak-ng voice a persona's ``[voice]`` means, resolved against the voices espeak lists.

A persona names a voice the way people do (``en-gb``, ``en-us+m2``, ``gmw/en-GB-x-rp``,
``English (Great Britain)``) and a gender.  ``espeak_SetVoiceByName`` only finds a voice *file*
or a voice *name*: ``en-us`` works because a file ``gmw/en-US`` exists, but ``en-gb`` is only a
language code (British English is the file ``gmw/en``), so libespeak-ng 1.51 answers
EE_NOT_FOUND (pyttsx3 2.99 calls that code "EE_INTERNAL_ERROR").  The ``espeak-ng`` command
line hides this by retrying by language.  So we list the voices (and the variants in ``!v/``),
map the request to a voice file plus a variant that exist, and hand espeak that exact name
(``gmw/en+f3``).  :func:`resolve` is pure; :func:`list_voices` calls libespeak-ng and must run
on the synthesiser's thread (the library keeps global state).
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass

#: the variant used for a gender when the persona names none (espeak's "female3" / "male3")
GENDER_VARIANTS = {"female": ("f3", 2), "male": ("m3", 1)}
#: what an unknown or broken voice falls back to
DEFAULT_LANGUAGE = "en-us"


@dataclass(frozen=True)
class EspeakVoice:
    """One voice file (``gmw/en``) or variant (``!v/f3``) as libespeak-ng lists it."""

    name: str
    identifier: str
    #: (priority, language) pairs; a lower priority is a better match for that language
    languages: tuple[tuple[int, str], ...] = ()
    #: 0 unknown, 1 male, 2 female
    gender: int = 0

    @property
    def file(self) -> str:
        """The file name alone: ``en-US`` for ``gmw/en-US``, ``f3`` for ``!v/f3``."""
        return self.identifier.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Catalogue:
    voices: tuple[EspeakVoice, ...] = ()
    variants: tuple[EspeakVoice, ...] = ()
    version: str = ""


@dataclass(frozen=True)
class VoiceChoice:
    """What a persona asked for and what espeak-ng is given."""

    #: the request in words: ``en-gb, female``
    requested: str
    #: the exact name handed to espeak_SetVoiceByName: ``gmw/en+f3``
    espeak_name: str
    #: readable: ``English (Great Britain), female3``
    description: str
    #: why the request could not be honoured as asked (the voice fell back), else None
    reason: str | None = None

    @property
    def fell_back(self) -> bool:
        return self.reason is not None

    @property
    def warning(self) -> str | None:
        """One line for the rep when the voice fell back, else None."""
        if self.reason is None:
            return None
        return f"buyer voice {self.requested!r}: {self.reason}, so the buyer speaks with {self.description}"


def _norm(text: str) -> str:
    return text.strip().lower().replace("_", " ")


def _find_voice(base: str, voices: tuple[EspeakVoice, ...]) -> tuple[EspeakVoice | None, bool]:
    """The voice ``base`` names; the bool says whether it was an exact match (file, name, language)."""
    key = _norm(base)
    if not key:
        return None, False
    for voice in voices:
        if key in (voice.identifier.lower(), voice.file.lower(), _norm(voice.name)):
            return voice, True
    # a language code: the best (lowest priority) plain espeak voice for it, then for its parent when
    # it looks like language-REGION (en-au -> en); "no-such-voice" is not Norwegian
    plain = [v for v in voices if not v.identifier.startswith("mb/")]  # mbrola voices need mbrola
    code = key.replace("_", "-").replace(" ", "-")
    tags = code.split("-")
    with_region = len(tags) > 1 and re.fullmatch(r"[a-z]{2,3}", tags[0]) and re.fullmatch(r"[a-z]{2}|\d{3}", tags[1])
    exact = True
    while code:
        ranked = sorted(
            (priority, voice.identifier, voice) for voice in plain for priority, lang in voice.languages if lang == code
        )
        if ranked:
            return ranked[0][2], exact
        if not with_region:
            break
        code = code.rpartition("-")[0]
        exact = False
    return None, False


def _find_variant(name: str, variants: tuple[EspeakVoice, ...]) -> EspeakVoice | None:
    key = _norm(name)
    return next((v for v in variants if key in (v.file.lower(), _norm(v.name))), None)


def _gender_variant(gender: str | None, variants: tuple[EspeakVoice, ...]) -> EspeakVoice | None:
    if gender not in GENDER_VARIANTS:
        return None
    preferred, code = GENDER_VARIANTS[gender]
    return _find_variant(preferred, variants) or next((v for v in variants if v.gender == code), None)


def describe_request(voice: str, gender: str | None) -> str:
    return ", ".join(part for part in (voice, gender) if part)


def resolve(voice: str, gender: str | None, catalogue: Catalogue) -> VoiceChoice:
    """The espeak-ng voice for a persona's ``voice`` and ``gender``; falls back to ``en-us`` (same
    gender) with a one-line warning when the voice is not there.  With an empty catalogue (the
    voices could not be listed) the name is passed on as written and tried as it is."""
    requested = describe_request(voice, gender)
    base, _, variant_name = voice.strip().partition("+")
    base = base or DEFAULT_LANGUAGE
    gender = (gender or "").lower() or None
    gender = {"f": "female", "m": "male"}.get(gender or "", gender)
    if not catalogue.voices:
        variant_name = variant_name or GENDER_VARIANTS.get(gender or "", ("", 0))[0]
        suffix = f"+{variant_name}" if variant_name else ""
        return VoiceChoice(requested, base + suffix, base + suffix)
    problems = []
    found, exact = _find_voice(base, catalogue.voices)
    if found is None:
        problems.append(f"espeak-ng has no voice {base!r}")
        found, _ = _find_voice(DEFAULT_LANGUAGE, catalogue.voices)
        if found is None:  # an espeak-ng without American English: its first plain voice
            found = next((v for v in catalogue.voices if not v.identifier.startswith("mb/")), catalogue.voices[0])
    elif not exact:
        problems.append(f"espeak-ng has no voice {base!r}")
    variant = None
    if variant_name:
        variant = _find_variant(variant_name, catalogue.variants)
        if variant is None:
            problems.append(f"no variant {variant_name!r}")
    if variant is None:
        variant = _gender_variant(gender, catalogue.variants)
    espeak_name = found.identifier + (f"+{variant.file}" if variant else "")
    description = found.name + (f", {variant.name}" if variant else "")
    return VoiceChoice(requested, espeak_name, description, "; ".join(problems) or None)


def fallback(choice: VoiceChoice, gender: str | None, catalogue: Catalogue, why: str) -> VoiceChoice:
    """The default voice (``en-us``, same gender) after ``choice`` failed for reason ``why``."""
    default = resolve(DEFAULT_LANGUAGE, gender, catalogue)
    return VoiceChoice(choice.requested, default.espeak_name, default.description, why)


# -- libespeak-ng: only ever on the synthesiser's thread -----------------------------------------
def _languages(voice, offset: int) -> tuple[tuple[int, str], ...]:
    """espeak's ``languages`` field: (priority byte, code, NUL) repeated, ended by a zero priority.
    ctypes' c_char_p would stop at the first NUL, so it is read from the raw pointer."""
    address = ctypes.c_void_p.from_buffer(voice, offset).value
    out: list[tuple[int, str]] = []
    while address and len(out) < 32:
        priority = ctypes.string_at(address, 1)[0]
        if priority == 0:
            break
        code = ctypes.string_at(address + 1)
        out.append((priority, code.decode("utf-8", "replace").lower()))
        address += 2 + len(code)
    return tuple(out)


def _listed(espeak, spec) -> tuple[EspeakVoice, ...]:
    offset = espeak.VOICE.languages.offset
    out = []
    for v in espeak.ListVoices(spec):
        out.append(
            EspeakVoice(
                name=(v.name or b"").decode("utf-8", "replace"),
                identifier=(v.identifier or b"").decode("utf-8", "replace"),
                languages=_languages(v, offset),
                gender=int(v.gender),
            )
        )
    return tuple(out)


def list_voices() -> Catalogue:
    """The voices and variants of the loaded libespeak-ng (initialised by pyttsx3 beforehand).

    An empty catalogue when pyttsx3's ctypes layer is laid out differently: names are then tried
    as written."""
    try:
        from pyttsx3.drivers import _espeak as espeak

        voices = _listed(espeak, None)
        variants = _listed(espeak, espeak.VOICE(languages=b"variant"))
        version = (espeak.Info() or b"").decode("utf-8", "replace")
    except (ImportError, AttributeError, OSError, ValueError, TypeError):
        return Catalogue()
    voices = tuple(v for v in voices if not v.identifier.startswith("!v/"))
    return Catalogue(voices, variants, version)
