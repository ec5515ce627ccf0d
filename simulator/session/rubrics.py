"""Finding rubric files: the built-in default, the user's rubrics folder, ``RAPPORT_RUBRICS`` and paths.

``load(ref)`` takes a rubric name (``default``, or the ``name`` of a file in a rubrics folder) or the path
of a ``.toml`` file and returns the :class:`~simulator.conversation.rubric.Rubric`; anything wrong is one
``RapportError`` line.  ``available()`` lists every rubric it can find, with a warning line for each file
that could not be used.  ``for_stamp(stamp)`` finds the rubric a stored scorecard was scored with (by its
content hash), so a report of that session scores its parts the same way.

Folders, later ones overriding earlier ones by name: ``<config folder>/rubrics`` (``$RAPPORT_HOME/config/
rubrics``), then ``RAPPORT_RUBRICS`` (``os.pathsep``-separated folders).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from simulator import config
from simulator.conversation.rubric import DEFAULT, MAX_BYTES, Rubric, parse
from simulator.errors import RapportError


def folders() -> list[Path]:
    dirs = [config.config_dir() / "rubrics"]
    env = os.environ.get("RAPPORT_RUBRICS")
    if env:
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return dirs


def read(path: str | Path) -> Rubric:
    """The rubric in the file at ``path`` (a regular file of at most 100 kB, UTF-8 TOML)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RapportError(f"{path}: cannot read the rubric: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RapportError(f"{path}: cannot read the rubric: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RapportError(f"{path}: cannot read the rubric: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise RapportError(f"{path}: larger than {MAX_BYTES // 1000} kB, too large for a rubric")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RapportError(f"{path}: the rubric is not UTF-8 text") from None
    return parse(text, str(path))


def available() -> tuple[dict[str, tuple[Rubric, str]], list[str]]:
    """Every rubric found, by name, with where it came from ("built in" or the file), and one warning line
    per file that could not be used (a file never stops the others)."""
    found: dict[str, tuple[Rubric, str]] = {"default": (DEFAULT, "built in")}
    warnings: list[str] = []
    for folder in folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                rubric = read(path)
            except RapportError as exc:
                warnings.append(f"skipped rubric {exc}")
                continue
            if rubric.name == "default":
                warnings.append(f"skipped rubric {path}: name: 'default' is the built-in rubric; choose another name")
                continue
            found[rubric.name] = (rubric, str(path))
    return found, warnings


def load(ref: str | Path | None) -> Rubric:
    """The rubric ``ref`` names: None or "default" -> the default; a path to a file; or a name found by
    :func:`available`.  An unknown name is one line listing the known ones."""
    if ref is None or str(ref) == "default":
        return DEFAULT
    text = str(ref)
    if text.endswith(".toml") or os.sep in text or Path(text).is_file():
        return read(text)
    found, _ = available()
    if text in found:
        return found[text][0]
    raise RapportError(f"unknown rubric {text!r}; known rubrics: {', '.join(found)} (or give the path of a .toml file)")


def for_stamp(stamp: dict | None) -> Rubric:
    """The rubric a stored scorecard's ``rubric`` stamp names, found by content hash among :func:`available`
    (a scorecard from before rubrics, or one whose rubric file is gone or changed: the default)."""
    if not stamp or not isinstance(stamp, dict):
        return DEFAULT
    wanted = stamp.get("hash")
    if wanted in (None, DEFAULT.hash):
        return DEFAULT
    found, _ = available()
    for rubric, _where in found.values():
        if rubric.hash == wanted:
            return rubric
    return DEFAULT


def rubric_line(card: dict) -> str:
    """"Title (name, hash), pass mark 60: passed" for a scorecard ("" for one from before rubrics)."""
    stamp = card.get("rubric")
    if not isinstance(stamp, dict) or not stamp.get("name"):
        return ""
    line = f"{stamp.get('title') or stamp['name']} ({stamp['name']}, {str(stamp.get('hash') or '')[:8]})"
    if isinstance(stamp.get("pass_mark"), int | float):
        line += f"; pass mark {stamp['pass_mark']:g}: {'passed' if card.get('passed') else 'not passed'}"
    return line
