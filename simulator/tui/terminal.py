"""Keep native libraries from writing over the app.

C libraries write warnings straight to file descriptor 2 (ALSA prints "underrun occurred" while
the buyer speaks, PortAudio and onnxruntime print their own), and fd 2 is the terminal Textual
draws on: each line scrolls the screen and leaves text over the layout.  While the app runs,
``native_stderr_to(log)`` sends fd 2 to a log file and gives Python (Textual, tracebacks) a copy
of the real terminal, so the screen stays clean and nothing is lost.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


@contextmanager
def native_stderr_to(log_path: Path) -> Iterator[Path | None]:
    """Redirect file descriptor 2 to ``log_path`` (appended); Python's stderr keeps the terminal.

    Yields the log path, or None when the redirection was not possible (the app then runs as
    before).  Everything is restored on exit.
    """
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        yield None
        return
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    terminal_fd = os.dup(2)
    terminal = os.fdopen(terminal_fd, "w", buffering=1, encoding=getattr(sys.__stderr__, "encoding", None) or "utf-8",
                         errors="replace", closefd=False)
    saved = (sys.stderr, sys.__stderr__)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stderr = sys.__stderr__ = terminal
    try:
        yield log_path
    finally:
        with suppress(OSError, ValueError):
            terminal.flush()
        os.dup2(terminal_fd, 2)
        os.close(terminal_fd)
        sys.stderr, sys.__stderr__ = saved
