"""Text from outside (transcripts, persona files, names, LLM replies) made safe to show on a terminal.

Such text may hold control characters: ESC starts sequences that clear the screen, set the window
title, write the clipboard (OSC 52) or hide links (OSC 8); BEL rings; the C1 characters
U+0080-U+009F are read by some terminals as ESC sequences too (U+009B is CSI, U+009D is OSC).

* ``visible(text)`` shows every control character as its ``\\u00XX`` escape (newline and tab are
  kept; a lone surrogate from undecodable bytes is shown as ``\\udcXX`` too): what the command line
  prints.  The escape is also valid inside a JSON string, so JSON output passed through it still
  parses to exactly the same data.
* ``strip_controls(text)`` removes them, whole escape sequences included: what the TUI shows and
  what is kept of a language model's reply.
* ``json_text(obj)`` is ``json.dumps(obj, ensure_ascii=False)`` with DEL, C1 and lone surrogates
  escaped too (``json.dumps`` escapes only C0).

Pure: standard library only.
"""

from __future__ import annotations

import json
import re

#: Control characters: C0 except tab and newline, DEL, C1; and lone surrogates (what Python makes of
#: bytes that are not UTF-8 in a file name or an argument: they cannot be written to a UTF-8 terminal).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: What json.dumps(ensure_ascii=False) leaves raw of those: DEL, C1, lone surrogates.
_JSON_RAW = re.compile(r"[\x7f-\x9f\ud800-\udfff]")
#: Whole escape sequences: CSI (ESC [ or U+009B ... final byte); OSC, DCS, SOS, PM, APC strings up to
#: their terminator (BEL or ST) or the end of the line; any other ESC + one character.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(text: str) -> str:
    """``text`` with every control character (except newline and tab) shown as ``\\u00XX``."""
    return CONTROLS.sub(_escape, text)


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (newline and tab are kept)."""
    return CONTROLS.sub("", _SEQUENCES.sub("", text))


def has_controls(text: str) -> bool:
    return CONTROLS.search(text) is not None


def json_text(obj: object, **kwargs: object) -> str:
    """JSON for ``obj`` with non-ASCII text kept readable but every control character escaped."""
    return _JSON_RAW.sub(_escape, json.dumps(obj, ensure_ascii=False, **kwargs))
