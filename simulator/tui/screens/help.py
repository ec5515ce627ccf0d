"""Help on ``?``: what the screens are for and the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Rapport

Practise the modern way of selling: **ask questions and listen**. The buyer opens up when you
explore their world and reflect what you heard; they close down under pitches, benefit claims,
arguments with their concerns, and pushes for the close.

## Practice keys
| key | what it does |
|---|---|
| Enter | send what you typed |
| F2 | push-to-talk: start / stop speaking (voice modes) |
| F3 | mute / unmute the buyer's voice |
| F4 | show / hide hints (exam mode hides them) |
| F5 | coach: note on this moment |
| F6 / F7 | coach: flag this moment good / bad |
| F8 | coach: steer the buyer (raise a concern, harder, softer, back to normal) |
| F9 | pause / resume |
| F10 | hand over to the next rep (group practice) |
| Ctrl+E | end the session and see the scorecard |
| Ctrl+Q | during a session: end and score it, quit without a scorecard, or keep practising |

## Replay, watch, progress
| key | what it does |
|---|---|
| Enter | replay: open the highlighted session · progress: replay it |
| s | replay list: sort by date or by score |
| ↑ ↓ | replay: move through the turns |
| c | replay: jump to the costliest moment (again: the next one) |
| p | replay: play / stop the highlighted turn's recording |
| r / e | replay: re-score with the current analyser / export (md, html, json) |
| l / F2 | watch: pick another running session / replay the watched one |
| Esc | back (quits when it is the first screen) |

## Elsewhere
Start screen: F2 replay past sessions, F3 progress. Ctrl+P opens the command palette,
Ctrl+Q quits. Colours on your turns: green = consultative move, red = transactional move.
"""


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Markdown(HELP)
