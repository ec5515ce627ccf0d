"""Ask where to export a session: the format (md, html, json) and a path, pre-filled with
``rapport-<id>.<format>`` in the current folder. Returns ``(format, path)`` or None (Escape)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet

from simulator.tui.plain import plain

FORMATS = (("md", "Markdown"), ("html", "HTML report"), ("json", "JSON"))


def default_name(session_id: str, fmt: str) -> str:
    return f"rapport-{session_id}.{fmt}"


def export_target(text: str, session_id: str, fmt: str, cwd: Path | None = None) -> Path:
    """The file to write: the typed path (relative to ``cwd``), a folder's default file name, or the
    default file in ``cwd`` when nothing was typed."""
    cwd = cwd or Path.cwd()
    path = Path(text.strip()).expanduser() if text.strip() else Path(default_name(session_id, fmt))
    if not path.is_absolute():
        path = cwd / path
    if path.is_dir():
        path = path / default_name(session_id, fmt)
    return path


class ExportDialog(ModalScreen[tuple[str, str] | None]):
    """Pick a format (the path's suffix follows it while it is the default name), Enter exports."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.fmt = "md"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(plain(f"Export session {self.session_id}"), classes="title")
            with RadioSet(id="export-format"):
                for key, label in FORMATS:
                    yield RadioButton(label, value=key == self.fmt, id=f"fmt-{key}")
            yield Label("File (Enter to export, Esc to cancel)", classes="dim")
            yield Input(value=default_name(self.session_id, self.fmt), id="export-path")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(RadioSet.Changed, "#export-format")
    def _format(self, event: RadioSet.Changed) -> None:
        new = (event.pressed.id or "fmt-md").removeprefix("fmt-")
        path = self.query_one("#export-path", Input)
        if path.value.strip() in ("", default_name(self.session_id, self.fmt)):
            path.value = default_name(self.session_id, new)
        elif path.value.endswith(f".{self.fmt}"):
            path.value = path.value[: -len(self.fmt)] + new
        self.fmt = new

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss((self.fmt, event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
