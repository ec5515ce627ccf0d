"""The HTML report: one self-contained file (inline CSS, inline SVG, no external URLs).

Every piece of text from the session goes through ``esc``; the only markup is built here.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from simulator.conversation.moves import stance_of
from simulator.session import rescore, wording
from simulator.session.records import StoredSession, iso
from simulator.session.rubrics import for_stamp, rubric_line

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d9dde3;padding-bottom:4px}
.meta{color:#5b6573}.score{font-size:40px;font-weight:700}.card{background:#fff;border:1px solid #e1e4e8;
border-radius:8px;padding:14px 18px;margin:10px 0}
.turn{display:grid;grid-template-columns:90px 1fr;gap:10px;padding:8px 0;border-bottom:1px solid #eef0f3}
.who{font-weight:600;color:#5b6573}.who .n{font-weight:400;font-size:12px;margin-right:2px}
.rep .who{color:#1f5fa8}.buyer .who{color:#7a4b00}
.move{display:inline-block;font-size:12px;border-radius:10px;padding:1px 8px;margin:0 4px 2px 0;color:#fff}
.consultative{background:#2f8f4e}.transactional{background:#c0392b}.neutral{background:#7d8794}
.trust{font-size:12px;color:#5b6573}.fact{font-size:12px;background:#fff3cd;border-radius:4px;padding:0 6px}
.coach{margin:4px 0 4px 100px;font-size:13px;background:#eef4ff;border-left:3px solid #1f5fa8;padding:4px 8px}
.coach.flag_good{background:#e8f5ec;border-left-color:#2f8f4e}.coach.flag_bad{background:#fdecea;border-left-color:#c0392b}
.coach .when{color:#5b6573;margin-right:6px}.coach b{margin-right:4px}
.rep-part{border-top:3px solid #1f5fa8;margin-top:36px}.rep-part h2{border:0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:6px 8px;
border-bottom:1px solid #eef0f3}th{font-size:13px;color:#5b6573}
.good{color:#2f8f4e;font-weight:600}.ok{color:#a06b00;font-weight:600}.poor{color:#c0392b;font-weight:600}
.ref{font-size:12px;color:#5b6573}.alt{color:#2f8f4e}audio{height:28px;margin-top:4px}
svg text{font-size:11px;fill:#5b6573}pre{white-space:pre-wrap;overflow-wrap:anywhere}
"""

_MIME = {".flac": "audio/flac", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
         ".wav": "audio/wav", ".mp3": "audio/mpeg"}  # fmt: skip


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def trust_points(session: StoredSession) -> list[tuple[int, float]]:
    """(turn index, trust) for every buyer turn that reports trust."""
    return [(i, float(t.trust)) for i, t in enumerate(session.turns) if t.speaker == "buyer" and t.trust is not None]


def trust_svg(points: list[tuple[int, float]], width: int = 900, height: int = 220) -> str:
    """The buyer's trust after each turn as an inline SVG line chart (0-100)."""
    if not points:
        return '<p class="meta">No trust readings in this session.</p>'
    left, right, top, bottom = 46, 12, 10, 34
    span = max(1, points[-1][0] - points[0][0])
    x0 = points[0][0]

    def x(i: int) -> float:
        return left + (i - x0) / span * (width - left - right)

    def y(v: float) -> float:
        return top + (100 - max(0.0, min(100.0, v))) / 100 * (height - top - bottom)

    grid = "".join(
        f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e1e4e8"/>'
        f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>'
        for v in (0, 25, 50, 75, 100)
    )
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="#1f5fa8">'
        f"<title>turn {i + 1}: trust {wording.number(v)}</title></circle>"
        for i, v in points
    )
    step = max(1, len(points) // 12)
    ticks = "".join(
        f'<text x="{x(i):.1f}" y="{height - 14}" text-anchor="middle">{i + 1}</text>' for i, _ in points[::step]
    )
    axis = ticks + f'<text x="{(left + width - right) / 2:.0f}" y="{height - 1}" text-anchor="middle">turn</text>'
    axis += f'<text x="10" y="{top + (height - top - bottom) / 2:.0f}" text-anchor="middle" ' \
            f'transform="rotate(-90 10 {top + (height - top - bottom) / 2:.0f})">trust</text>'
    return (
        f'<svg id="trust-chart" role="img" aria-label="buyer trust over the session" width="100%" '
        f'viewBox="0 0 {width} {height}">{grid}'
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="2.5" points="{line}"/>{dots}{axis}</svg>'
    )


def audio_tag(path: Path | None) -> str:
    """An audio player with the recording inline (data: URI); a note when the file is missing.

    ``path`` must come from ``Store.audio_path`` (which refuses anything outside the audio folder)."""
    if path is None:
        return '<div class="meta">(recording missing)</div>'
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    try:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return '<div class="meta">(recording unreadable)</div>'
    return f'<div><audio controls preload="none" src="data:{mime};base64,{data}"></audio></div>'


def notes_by_turn(session: StoredSession) -> dict[int | None, list]:
    """Coach events by the turn they were made at (an index past the end goes to the last turn); events
    stored without a turn under None."""
    last = len(session.turns) - 1
    out: dict[int | None, list] = {}
    for ev in session.coach_events:
        index = ev.turn_index
        if index is not None:
            index = None if last < 0 else max(0, min(index, last))
        out.setdefault(index, []).append(ev)
    return out


def note_rep(session: StoredSession, ev) -> str:  # noqa: ANN001 (CoachEvent)
    """The rep a coach event is about: the rep who last spoke at or before its turn (the first rep when
    none had spoken yet)."""
    default = session.summary.reps[0] if session.summary.reps else "Rep"
    index = len(session.turns) - 1 if ev.turn_index is None else min(ev.turn_index, len(session.turns) - 1)
    for turn in reversed(session.turns[: index + 1]):
        if turn.speaker == "rep":
            return turn.rep_name or default
    first = next((t.rep_name for t in session.turns if t.speaker == "rep"), None)
    return first or default


def render(session: StoredSession, audio: dict[int, Path | None] | None = None) -> str:
    """The report.  ``audio`` maps turn index -> recording as given by ``Store.audio_path`` (only for
    ``--with-audio``); nothing else is read from disk.  A group session gets a section per rep."""
    s, card = session.summary, session.scorecard or {}
    persona = session.persona or {}
    who = ", ".join(esc(persona.get(k)) for k in ("role", "company") if persona.get(k))
    reps = esc(", ".join(s.reps) or "rep")
    overall = card.get("overall")
    by_rep = rescore.rep_scorecards(session.turns, persona, s.reps, rubric=for_stamp(card.get("rubric")),
                                  whole=card)
    whole = " (whole session)" if by_rep else ""
    rubric = rubric_line(card)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Rapport session {esc(s.id)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{esc(persona.get('name') or s.persona_id)}{f' — {who}' if who else ''}</h1>",
        f'<p class="meta">Session <b>{esc(s.id)}</b> · {esc(iso(s.started_at))} · {esc(s.status)} · '
        f"rep{'s' if len(s.reps) > 1 else ''}: {reps} · buyer engine: {esc(s.engine)} · {len(session.turns)} turns</p>",
        f'<div class="card"><span class="score" id="overall">{esc(overall if overall is not None else "–")}</span>'
        f'<span class="meta"> / 100 overall{whole}</span>{_rep_scores(by_rep)}'
        + (f'<p class="meta" id="rubric">Rubric: {esc(rubric)}</p>' if rubric else "") + "</div>",
        "<h2>Trust over the session</h2>",
        f'<div class="card">{trust_svg(trust_points(session))}</div>',
        "<h2>Transcript</h2>",
        f'<div class="card" id="transcript">{_transcript(session, audio)}</div>',
        f"<h2>Scorecard{whole}</h2>",
        f'<div class="card">{_figures(card)}</div>',
        f"<h2>Costliest moments{whole}</h2>",
        f'<div class="card" id="moments">{_moments(card)}</div>',
    ]
    for n, (rep, rep_card) in enumerate(by_rep.items(), 1):
        notes = [ev for ev in session.coach_events if note_rep(session, ev) == rep]
        parts += [
            f'<section class="rep-part" id="rep-{n}"><h2>{esc(rep)}\u2019s part: '
            f'{esc(rep_card.get("overall", "–"))} / 100</h2>',
            f"<h3>Scorecard</h3><div class='card'>{_figures(rep_card)}</div>",
            f"<h3>Costliest moments</h3><div class='card'>{_moments(rep_card)}</div>",
            f"<h3>Coach notes</h3><div class='card'>{_coach(notes)}</div></section>",
        ]
    parts += ["<h2>Coach notes</h2>", f'<div class="card" id="coach">{_coach(session.coach_events)}</div>']
    if card.get("formula"):
        formula = esc(card["formula"])
        parts.append(f'<h2>How the overall score is made</h2><div class="card ref"><pre>{formula}</pre></div>')
    if len(session.scores) > 1:
        rows = "".join(
            f"<tr><td>{esc(iso(r.created_at))}</td><td>{esc(r.overall)}</td><td>{esc(r.analyser_version)}</td>"
            f"<td>{esc(r.scorer_version)}</td></tr>"
            for r in session.scores
        )
        parts.append("<h2>Score history</h2><div class='card'><table><tr><th>scored</th><th>overall</th>"
                     f"<th>analyser</th><th>scorer</th></tr>{rows}</table></div>")  # fmt: skip
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _rep_scores(by_rep: dict[str, dict]) -> str:
    if not by_rep:
        return ""
    links = " · ".join(f'<a href="#rep-{n}">{esc(rep)}</a> {esc(card.get("overall", "–"))}'
                       for n, (rep, card) in enumerate(by_rep.items(), 1))
    return f'<p class="meta">Each rep\u2019s part: {links}</p>'


def _transcript(session: StoredSession, audio: dict[int, Path | None] | None) -> str:
    by_turn = notes_by_turn(session)
    topics = wording.fact_topics(session.persona)
    out = []
    for i, turn in enumerate(session.turns):
        if turn.speaker == "rep":
            stance = stance_of(turn.labels)
            badges = "".join(f'<span class="move {stance_of([lab])}">{esc(lab.replace("_", " "))}</span>'
                             for lab in turn.labels)
            who = esc(turn.rep_name or "Rep")
            info = f'<div class="moves" data-stance="{stance}">{badges}</div>'
        else:
            who = "Buyer"
            facts = "".join(f' <span class="fact">learned: {esc(topics.get(f, f))}</span>' for f in turn.revealed)
            trust = f"trust {wording.number(turn.trust)}" if turn.trust is not None else ""
            info = f'<div class="trust">{trust}{facts}</div>'
        player = audio_tag(audio.get(i)) if audio is not None and turn.audio else ""
        out.append(
            f'<div class="turn {esc(turn.speaker)}" id="turn-{i}"><div class="who"><span class="n">{i + 1}</span> '
            f"{who}</div>"
            f"<div><div class='text'>{esc(turn.text)}</div>{info}{player}</div></div>"
        )
        out += [_coach_line(ev) for ev in by_turn.get(i, [])]
    out += [_coach_line(ev) for ev in by_turn.get(None, [])]
    return "".join(out) or '<p class="meta">No turns.</p>'


def _coach_line(ev) -> str:  # noqa: ANN001 (CoachEvent)
    """A coach event under the turn it was made at: ``coach · 0:16 · flagged good``."""
    kind = ev.kind if ev.kind in wording.COACH_WORDS else "other"
    return (f'<div class="coach {esc(kind)}"><span class="when">coach · {esc(wording.clock(ev.t))}</span>'
            f"{esc(wording.coach_text(ev))}</div>")


def _coach(events: list) -> str:
    if not events:
        return '<p class="meta">No coach notes.</p>'
    rows = "".join(
        f"<tr><td>{esc(wording.clock(ev.t))}</td>"
        f"<td>{esc(ev.turn_index + 1 if ev.turn_index is not None else 'not recorded')}</td>"
        f"<td>{esc(wording.coach_text(ev))}</td></tr>"
        for ev in events
    )
    return f"<table><tr><th>time</th><th>turn</th><th>what the coach did</th></tr>{rows}</table>"


def _figures(card: dict) -> str:
    figures = card.get("figures") or []
    if not figures:
        return '<p class="meta">Not scored.</p>'
    rows = []
    for f in figures:
        verdict = str(f.get("verdict") or "")
        rows.append(
            f"<tr><td>{esc(f.get('name'))}</td><td>{esc(wording.figure_value(f))}</td>"
            f"<td class='{esc(verdict.replace('/', ''))}'>{esc(verdict)}</td>"
            f"<td>{esc(f.get('detail'))}<div class='ref'>{esc(f.get('reference'))}</div></td></tr>"
        )
    head = "<tr><th>figure</th><th>value</th><th>verdict</th><th>this call, and the reference</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _turn(index: object) -> str:
    return wording.turn_no(index) if isinstance(index, int) else f"turn {index}"


def _moments(card: dict) -> str:
    moments = [m for m in card.get("moments") or [] if isinstance(m, dict)]
    if not moments:
        return '<p class="meta">No costly moments.</p>'
    out = []
    for m in moments:
        labels = "".join(f'<span class="move {stance_of([lab])}">{esc(str(lab).replace("_", " "))}</span>'
                         for lab in m.get("labels") or [])
        out.append(
            f"<div class='moment'><p><b>{esc(_turn(m.get('turn_index')).capitalize())}</b> "
            f"(cost {esc(m.get('cost'))}) {labels}</p>"
            f"<p>“{esc(m.get('text'))}”</p><p class='ref'>Why it cost: {esc(m.get('why'))}</p>"
            f"<p class='alt'>Try instead: “{esc(m.get('alternative'))}”</p></div>"
        )
    return "".join(out)
