"""The numbers in a run of normalised words, whether spoken or written: "thirty eight thousand",
"38000", "38k", "three weeks", "1 point 5 million", "a grand".

The analyser compares the numbers a rep says with those in the buyer's previous line: a rep who
repeats the buyer's own figures ("thirty-eight thousand and three weeks closed") is reflecting,
not quoting a price.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "half": 0.5,
}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000, "mil": 1_000_000,
           "m": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000}
_DIGITS = re.compile(r"^(\d+)(k|m|bn|st|nd|rd|th|s)?$")
#: Every word that can be part of a number (a cheap pre-check).
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) - {"k", "m"}


def _flush(total: float, current: float, out: list[float]) -> None:
    value = total + current
    if value:
        out.append(value)


def numbers(words: Iterable[str]) -> list[float]:
    """The numbers in ``words`` (normalised, lower-case tokens), in order; "a" before a scale is one.

    "and" inside a number is ambiguous ("two hundred and fifty", "a thousand and three weeks"), so both readings
    are given: [200, 250].
    """
    out: list[float] = []
    total = current = 0.0
    active = False
    previous = ""
    for word in words:
        digit = _DIGITS.match(word)
        if digit:
            if active:
                _flush(total, current, out)
            value = float(digit.group(1))
            suffix = digit.group(2) or ""
            current, total, active = value * _SCALES.get(suffix, 1), 0.0, True
        elif word in _UNITS and word != "half":
            unit = _UNITS[word]
            if previous == "and" and active:
                out.append(float(unit))  # "... and three weeks": three on its own, too
            if active and current and ((current % 10 == 0 and current < 100 and unit < 10)  # "thirty eight"
                                       or (current % 100 == 0 and unit < 100)):  # "two hundred (and) fifty"
                current += unit
            elif active and not current and previous == "and":
                current = float(unit)  # "a thousand and three"
            else:
                if active and current:
                    _flush(total, current, out)
                    total = 0.0
                current, active = float(_UNITS[word]), True
        elif word in _SCALES and (active or previous == "a") and word not in ("k", "m"):
            scale = _SCALES[word]
            current = current or 1.0
            if scale >= 1000:
                total, current = (total + current) * scale, 0.0
            else:
                current *= scale
            active = True
        elif word == "point" and active:
            continue
        elif word == "and" and active:
            _flush(total, current, out)  # "thirty-eight thousand and three weeks": 38000, and maybe 38003
            previous = word
            continue
        else:
            if active and previous != "and":  # after "and" the number was given already
                _flush(total, current, out)
            total = current = 0.0
            active = False
        previous = word
    if active:
        _flush(total, current, out)
    return out


def shared_numbers(rep_words: Iterable[str], buyer_words: Iterable[str]) -> list[float]:
    """The numbers the rep says that the buyer said too (each once, in the rep's order)."""
    theirs = set(numbers(buyer_words)) - {0.0, 1.0}  # "one" is as often a pronoun ("one of them")
    seen: list[float] = []
    for value in numbers(rep_words):
        if value in theirs and value not in seen:
            seen.append(value)
    return seen
