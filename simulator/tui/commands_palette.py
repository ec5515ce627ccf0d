"""The command palette (Ctrl+P) lists every action: each key binding of the screen it was opened
on (with its key), and the app's screens (replay, progress, watch, help), so nothing is reachable
only by a key you have to remember.

Hooked in ``RapportApp.COMMANDS`` next to Textual's system commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: (title, app action, help) always offered
APP_COMMANDS = (
    ("Replay past sessions", "open_replay", "Browse stored sessions and replay one turn by turn"),
    ("Progress", "open_progress", "Trends across your sessions: score, talk share, questions, transactional moves"),
    ("Drill your weakest figure", "drill", "A short exercise on your weakest figure, passed or failed with why"),
    ("Watch a running session", "open_watch", "Follow a session running in another terminal, read-only"),
    ("Help", "help", "What the screens are for, and the keys"),
)


class KeysProvider(Provider):
    """Commands for the current screen's bindings and the app's screens."""

    def _commands(self) -> Iterator[tuple[str, Callable, str]]:
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown_key = binding.key_display or self.app.get_key_display(binding)
            yield (f"{binding.description} ({shown_key})", partial(self.app.run_action, binding.action, active.node),
                   binding.tooltip or f"key: {shown_key or key}")  # fmt: skip
        for title, action, help_text in APP_COMMANDS:
            if action not in seen:
                yield title, partial(self.app.run_action, action, self.app), help_text

    async def discover(self) -> Hits:
        for title, command, help_text in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
