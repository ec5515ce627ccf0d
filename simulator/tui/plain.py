"""Text from outside (transcripts, persona files, names, LLM replies, error messages) shown in a widget.

Textual reads a ``str`` given to ``Label``, ``Static``, ``DataTable`` cells, ``Option`` and ``Select``
prompts as markup (a name like ``[/b]`` stops the app with a ``MarkupError``) and passes ESC and C1
characters to the terminal.  ``plain(value, style)`` is a rich ``Text`` (never read as markup) with
escape sequences and control characters removed; ``clean(value)`` is that string, for appending to
a ``Text``; ``plain_content(value)`` is the same for widgets that take Textual ``Content`` (tab titles).
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from simulator.safe_text import strip_controls


def clean(value: object) -> str:
    """``value`` as text without escape sequences or control characters (newline and tab kept)."""
    return strip_controls("" if value is None else str(value))


def plain(value: object, style: str = "", **kwargs: object) -> Text:
    """``value`` as plain, clean text: shown exactly as written, never read as markup."""
    return Text(clean(value), style=style, **kwargs)


def plain_content(value: object) -> Content:
    return Content(clean(value))
