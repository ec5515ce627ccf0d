"""Everything the command line prints goes through here: control characters made visible, and a
standard output that cannot be written (a closed pipe, a full disk) turned into a clean exit.

``main()`` (``simulator/cli.py``) wraps ``sys.stdout`` and ``sys.stderr`` in ``VisibleStream``
for the whole run, so every ``click.echo``, ``print`` and click message shows ESC, BEL, DEL and
C1 characters from transcripts, persona files, names and LLM replies as ``\\u00XX`` instead of
letting the terminal act on them (``simulator.safe_text.visible``).  The Textual app is not
affected: it draws on ``sys.__stderr__``, and its widgets clean their own text.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from simulator.safe_text import visible


class VisibleStream:
    """A text stream that writes ``visible(text)`` to the stream it wraps and remembers the first
    error writing it failed with (``failure``).

    It has no ``buffer``: nothing can bypass it by writing bytes to the stream underneath."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.failure: OSError | None = None

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode(getattr(self._stream, "encoding", None) or "utf-8", "replace")
        try:
            self._stream.write(visible(text))
        except OSError as exc:
            self.failure = self.failure or exc
            raise
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            self.failure = self.failure or exc
            raise

    def __getattr__(self, name: str) -> object:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)


@contextlib.contextmanager
def visible_output() -> Iterator[tuple[VisibleStream | None, VisibleStream | None]]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (when there are any) while the block runs."""
    saved = sys.stdout, sys.stderr
    out = VisibleStream(sys.stdout) if sys.stdout is not None else None
    err = VisibleStream(sys.stderr) if sys.stderr is not None else None
    sys.stdout, sys.stderr = out or sys.stdout, err or sys.stderr
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved


def say_error(line: str) -> None:
    """One line on standard error; nothing if even that cannot be written."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"{line}\n")
        sys.stderr.flush()


def finish_stdout(out: VisibleStream | None, code: int) -> int:
    """Flush standard output at the end of a command and give the exit code.

    A closed pipe (``rapport sessions list | head -1``) is a normal end: exit quietly with ``code``
    as it was.  Any other failure (``> /dev/full``: no space left) is one line on stderr and exit
    code 1.  In both cases standard output then points at the null device, so the interpreter's
    own flush at exit does not print "Exception ignored ..." with a traceback."""
    if out is None:
        return code
    if out.failure is None:
        with contextlib.suppress(OSError, ValueError):
            out.flush()
    failure = out.failure
    if failure is None:
        return code
    _to_devnull(out.wrapped)
    if failure.errno == errno.EPIPE or isinstance(failure, BrokenPipeError):
        return 0 if code in (0, 1) else code  # click turns a broken pipe into exit code 1
    reason = "no space left on the device" if failure.errno == errno.ENOSPC else (failure.strerror or str(failure))
    say_error(f"rapport: error: cannot write the output: {reason}")
    return 1


def _to_devnull(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at the null device (what is still buffered goes nowhere)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
