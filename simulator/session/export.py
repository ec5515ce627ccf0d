"""Exports of a stored session: Markdown, a self-contained HTML report, and JSON.

``export(store, session_id, fmt, with_audio=False) -> str``.  The JSON is the ``sessions show
--json`` document.  Whatever the format, the text is scrubbed of secrets at export time too
(secret-looking keys dropped, values of secret environment variables such as OPENAI_API_KEY
replaced by ``***``), on top of the cleaning done when the session was stored.

``rubric``: score the session with a team rubric for this export (the stored labels, nothing stored); the
report names the rubric its scorecard was made with (name, content hash, pass mark) whichever it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time

from simulator.errors import RapportError
from simulator.safe_text import json_text
from simulator.session import report_html, rescore, wording
from simulator.session.records import ScoreRecord, StoredSession, clean_settings, iso
from simulator.session.rubrics import for_stamp, rubric_line
from simulator.session.store import Store

FORMATS = ("md", "html", "json")
_BARS = "▁▂▃▄▅▆▇█"


def export(store: Store, session_id: str, fmt: str, *, with_audio: bool = False, rubric=None) -> str:  # noqa: ANN001
    """The session ``session_id`` (id or unique prefix) as ``md``, ``html`` or ``json`` text."""
    if fmt not in FORMATS:
        raise RapportError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    session = store.get(session_id)
    if rubric is not None:
        session = under_rubric(session, rubric)
    if fmt == "json":
        text = json_text(clean_settings(session.to_dict()), indent=2)
    elif fmt == "md":
        text = markdown(session)
    else:
        audio = {i: store.audio_path(t.audio) for i, t in enumerate(session.turns) if t.audio} if with_audio else None
        text = report_html.render(session, audio)
    return scrub(text)


def under_rubric(session: StoredSession, rubric) -> StoredSession:  # noqa: ANN001 (Rubric)
    """The session with a scorecard under ``rubric`` as its current one (stored labels; not stored)."""
    card = rescore.scorecard(session.turns, session.persona, facts_read=session.summary.source == "import",
                             rubric=rubric)
    last = session.scores[-1] if session.scores else None
    record = ScoreRecord(time.time(), last.analyser_version if last else None, card.get("scorer_version"),
                         card.get("overall"), card, rubric.name, rubric.hash)
    return StoredSession(session.summary, session.persona, session.settings, session.turns, session.coach_events,
                         [*session.scores, record], session.end_reason)


def scrub(text: str) -> str:
    """Replace the value of every secret-looking environment variable that appears in ``text``."""
    secret = clean_settings({"v": text})
    return secret["v"] if isinstance(secret, dict) else text


def _sparkline(values: list[float]) -> str:
    return "".join(_BARS[min(len(_BARS) - 1, int(max(0.0, min(100.0, v)) / 100 * len(_BARS)))] for v in values)


def _md(text: object) -> str:
    """Stored text safe inside a Markdown table cell or line: HTML escaped (``&``, ``<``, ``>``, so a
    renderer never runs a ``<script>`` or ``<img onerror=...>`` from a turn), pipes escaped, one line."""
    text = str("" if text is None else text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _md_list(values: object) -> str:
    """A stored list (labels, facts, reps) as escaped, comma-separated Markdown text."""
    if isinstance(values, list | tuple):
        return ", ".join(_md(v) for v in values)
    return _md(values or "")


def markdown(session: StoredSession) -> str:
    s, card, persona = session.summary, session.scorecard or {}, session.persona or {}
    title = persona.get("name") or s.persona_id
    who = ", ".join(_md(persona[k]) for k in ("role", "company") if persona.get(k))
    topics = wording.fact_topics(persona)
    out = [
        f"# Session {_md(s.id)}: {_md(title)}{f' ({who})' if who else ''}",
        "",
        f"- started: {iso(s.started_at)}  ",
        f"- status: {_md(s.status)}  ",
        f"- reps: {_md_list(s.reps) or 'rep'}  ",
        f"- buyer engine: {_md(s.engine)}  ",
        f"- overall score: **{_md(card.get('overall', '–'))}/100**",
        *([f"- rubric: {_md(rubric_line(card))}"] if rubric_line(card) else []),
        "",
    ]
    trust = [v for _, v in report_html.trust_points(session)]
    if trust:
        out += ["## Trust", "", f"`{_sparkline(trust)}` from {wording.number(trust[0])} to "
                f"{wording.number(trust[-1])}", ""]
    out += ["## Transcript", ""]
    notes = report_html.notes_by_turn(session)
    out += [f"> coach, {_md(wording.where(ev))}: {_md(wording.coach_text(ev))}" for ev in notes.get(None, [])]
    for i, turn in enumerate(session.turns):
        if turn.speaker == "rep":
            moves = ", ".join(_md(lab.replace("_", " ")) for lab in turn.labels) or "no move"
            out.append(f"{i + 1}. **{_md(turn.rep_name or 'Rep')}** ({moves}): {_md(turn.text)}")
        else:
            extra = f" (trust {wording.number(turn.trust)})" if turn.trust is not None else ""
            facts = f" — reveals: {_md_list([topics.get(f, f) for f in turn.revealed])}" if turn.revealed else ""
            out.append(f"{i + 1}. **Buyer**{extra}: {_md(turn.text)}{facts}")
        for ev in notes.get(i, []):
            out.append(f"   > coach ({_md(wording.clock(ev.t))}): {_md(wording.coach_text(ev))}")
    reps = rescore.rep_scorecards(session.turns, persona, s.reps, rubric=for_stamp(card.get("rubric")),
                                  whole=card)
    out += _md_card(card, "##", ", whole session" if reps else "")
    for rep, rep_card in reps.items():
        out += ["", f"## {_md(rep)}'s part: overall {_md(rep_card.get('overall', '–'))}/100"]
        out += _md_card(rep_card, "###")
        rep_notes = [ev for ev in session.coach_events if report_html.note_rep(session, ev) == rep]
        if rep_notes:
            out += ["", "### Coach notes", ""]
            out += [f"- {_md(wording.where(ev))}: {_md(wording.coach_text(ev))}" for ev in rep_notes]
    if session.coach_events:
        out += ["", "## Coach notes", ""]
        out += [f"- {_md(wording.where(ev))}: {_md(wording.coach_text(ev))}" for ev in session.coach_events]
    return "\n".join(out) + "\n"


def _turn(index: object) -> str:
    return wording.turn_no(index) if isinstance(index, int) else f"turn {index}"


def _md_card(card: dict, level: str, suffix: str = "") -> list[str]:
    """A scorecard's figures and costliest moments as Markdown (nothing when not scored)."""
    out: list[str] = []
    figures = card.get("figures") or []
    if figures:
        out += ["", f"{level} Scorecard{suffix}", "", "| figure | value | verdict | this call | reference |",
                "|---|---|---|---|---|"]
        for f in figures:
            out.append(f"| {_md(f.get('name'))} | {_md(wording.figure_value(f))} | {_md(f.get('verdict'))} | "
                       f"{_md(f.get('detail') or '')} | {_md(f.get('reference'))} |")
    moments = [m for m in card.get("moments") or [] if isinstance(m, dict)]
    if moments:
        out += ["", f"{level} Costliest moments{suffix}", ""]
        for m in moments:
            moves = ", ".join(_md(str(lab).replace("_", " ")) for lab in m.get("labels") or []) or "no move"
            out += [
                f"- {_md(_turn(m.get('turn_index')))} ({moves}), cost {_md(m.get('cost'))}: “{_md(m.get('text'))}”",
                f"  - why it cost: {_md(m.get('why'))}",
                f"  - try instead: “{_md(m.get('alternative'))}”",
            ]
    return out


def write(text: str, path: str | os.PathLike) -> None:
    """Write an export to ``path`` without ever replacing what is there wrongly.

    A regular file (or a new one) is replaced atomically: a temporary file in the same folder with the
    old file's mode (a new file gets the umask's mode), flushed to disk, then renamed over it, so a full
    disk never leaves half a report.  A symlink is followed and its target written the same way.  A FIFO,
    a device or another non-regular file is opened and written directly (a reader gets the text,
    ``/dev/full`` stays a device).  Any failure is one RapportError and leaves no temporary file."""
    name = os.fspath(path)
    try:
        target = os.path.realpath(name)
        info = _stat(target)
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise RapportError(f"cannot write {name}: it is a directory")
        if info is not None and not stat.S_ISREG(info.st_mode):
            _write_through(text, target)
        else:
            _write_atomic(text, target, info)
    except OSError as exc:
        raise RapportError(f"cannot write {name}: {exc.strerror or exc}") from None


def _stat(path: str) -> os.stat_result | None:
    """The file at ``path`` (symlinks already resolved), or None when there is none yet."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _write_through(text: str, path: str) -> None:
    """Write into a FIFO, device or other special file as it is: no temporary file, no rename."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def _write_atomic(text: str, path: str, old: os.stat_result | None) -> None:
    """Replace the regular file ``path`` (``old``: its stat, None when new) by a renamed temporary file."""
    if old is not None and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    folder, base = os.path.split(path)
    tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any new file
    try:
        with open(fd, "w", encoding="utf-8") as fh:
            if old is not None:
                _keep_owner_and_mode(fh.fileno(), old)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(folder)


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    """Give the replacement the old file's permission bits, and its owner when we may (as root)."""
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, old.st_uid, old.st_gid)
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def _sync_folder(folder: str) -> None:
    """Make the rename durable (best effort: some filesystems cannot fsync a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
