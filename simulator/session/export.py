"""Exports of a stored session: Markdown, a self-contained HTML report, and JSON.

``export(store, session_id, fmt, with_audio=False) -> str``.  The JSON is the ``sessions show
--json`` document.  Whatever the format, the text is scrubbed of secrets at export time too
(secret-looking keys dropped, values of secret environment variables such as OPENAI_API_KEY
replaced by ``***``), on top of the cleaning done when the session was stored.
"""

from __future__ import annotations

import contextlib
import json
import os

from simulator.errors import RapportError
from simulator.session import report_html
from simulator.session.records import StoredSession, clean_settings, iso
from simulator.session.store import Store

FORMATS = ("md", "html", "json")
_BARS = "▁▂▃▄▅▆▇█"


def export(store: Store, session_id: str, fmt: str, *, with_audio: bool = False) -> str:
    """The session ``session_id`` (id or unique prefix) as ``md``, ``html`` or ``json`` text."""
    if fmt not in FORMATS:
        raise RapportError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    session = store.get(session_id)
    if fmt == "json":
        text = json.dumps(clean_settings(session.to_dict()), ensure_ascii=False, indent=2)
    elif fmt == "md":
        text = markdown(session)
    else:
        audio = {i: store.audio_path(t.audio) for i, t in enumerate(session.turns) if t.audio} if with_audio else None
        text = report_html.render(session, audio)
    return scrub(text)


def scrub(text: str) -> str:
    """Replace the value of every secret-looking environment variable that appears in ``text``."""
    secret = clean_settings({"v": text})
    return secret["v"] if isinstance(secret, dict) else text


def _sparkline(values: list[float]) -> str:
    return "".join(_BARS[min(len(_BARS) - 1, int(max(0.0, min(100.0, v)) / 100 * len(_BARS)))] for v in values)


def _md(text: object) -> str:
    """Text safe inside a Markdown table cell or line."""
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")


def markdown(session: StoredSession) -> str:
    s, card, persona = session.summary, session.scorecard or {}, session.persona or {}
    title = persona.get("name") or s.persona_id
    who = ", ".join(str(persona[k]) for k in ("role", "company") if persona.get(k))
    out = [
        f"# Session {s.id}: {_md(title)}{f' ({_md(who)})' if who else ''}",
        "",
        f"- started: {iso(s.started_at)}  ",
        f"- status: {s.status}  ",
        f"- reps: {_md(', '.join(s.reps) or 'rep')}  ",
        f"- buyer engine: {_md(s.engine)}  ",
        f"- overall score: **{card.get('overall', '–')}/100**",
        "",
    ]
    trust = [v for _, v in report_html.trust_points(session)]
    if trust:
        out += ["## Trust", "", f"`{_sparkline(trust)}` from {trust[0]:.0f} to {trust[-1]:.0f}", ""]
    out += ["## Transcript", ""]
    notes: dict[int | None, list] = {}
    for ev in session.coach_events:
        notes.setdefault(ev.turn_index, []).append(ev)
    for i, turn in enumerate(session.turns):
        if turn.speaker == "rep":
            moves = ", ".join(turn.labels) or "-"
            out.append(f"{i}. **{_md(turn.rep_name or 'Rep')}** [{moves}]: {_md(turn.text)}")
        else:
            extra = f" (trust {turn.trust:.0f})" if turn.trust is not None else ""
            facts = f" — reveals: {', '.join(turn.revealed)}" if turn.revealed else ""
            out.append(f"{i}. **Buyer**{extra}: {_md(turn.text)}{facts}")
        for ev in notes.get(i, []):
            out.append(f"   > coach {ev.kind}: {_md(ev.text or ev.rep_name or '')}")
    figures = card.get("figures") or []
    if figures:
        out += ["", "## Scorecard", "", "| figure | value | verdict | reference |", "|---|---|---|---|"]
        for f in figures:
            value = "–" if f.get("value") is None else f"{f.get('value')} {f.get('unit') or ''}".strip()
            out.append(f"| {_md(f.get('name'))} | {_md(value)} | {_md(f.get('verdict'))} | {_md(f.get('reference'))} |")
    moments = [m for m in card.get("moments") or [] if isinstance(m, dict)]
    if moments:
        out += ["", "## Costliest moments", ""]
        for m in moments:
            out += [
                f"- turn {m.get('turn_index')} [{', '.join(m.get('labels') or [])}] cost {m.get('cost')}: "
                f"“{_md(m.get('text'))}”",
                f"  - why: {_md(m.get('why'))}",
                f"  - instead: “{_md(m.get('alternative'))}”",
            ]
    if session.coach_events:
        out += ["", "## Coach notes", ""]
        for ev in session.coach_events:
            where = f"turn {ev.turn_index}" if ev.turn_index is not None else "session"
            out.append(f"- {ev.t:.1f} s, {where}: {ev.kind} {_md(ev.text or ev.rep_name or '')}".rstrip())
    return "\n".join(out) + "\n"


def write(text: str, path: str | os.PathLike) -> None:
    """Write an export, refusing to leave half a file behind on a full disk."""
    tmp = f"{os.fspath(path)}.part"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise RapportError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None
