"""``rapport sessions ...`` (list, show, export, delete, rescore, import) and ``rapport progress``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simulator.commands.common import db_option, echo_json, json_option, personas_option
from simulator.commands.rubrics import load_rubric, rubric_option
from simulator.conversation.transcript import MAX_BYTES, MAX_TURNS
from simulator.errors import RapportError

audio_dir_option = click.option(
    "--audio-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of turn recordings (default: RAPPORT_AUDIO_DIR, else the data folder's audio/).",
)  # fmt: skip


def _open(db_url: str | None, audio_dir: Path | None = None, read: bool = True):  # noqa: ANN202 (Store, lazily)
    from simulator.session.store import Store

    return Store.open(db_url, audio_dir, read=read)


@click.group()
def sessions() -> None:
    """Stored practice sessions: list, show, export, delete, re-score, import."""


@sessions.command("list")
@click.option("--rep", default=None, help="Only sessions this rep took part in.")
@click.option("--persona", default=None, help="Only sessions with this persona id.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N sessions (newest first).")
@db_option
@json_option
def list_(rep: str | None, persona: str | None, limit: int | None, db_url: str | None, as_json: bool) -> None:
    """List sessions, newest first."""
    with _open(db_url) as store:
        rows = [s.to_dict() for s in store.list_sessions(rep=rep, persona=persona, limit=limit)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        filters = ", ".join(f"{name} {value!r}" for name, value in (("rep", rep), ("persona", persona)) if value)
        click.echo(f"No sessions match {filters}." if filters else "No sessions stored yet.")
        return
    click.echo(f"{'id':<9} {'started (UTC)':<20} {'status':<12} {'persona':<26} {'score':>5} {'turns':>5}  reps")
    for r in rows:
        score = "" if r["overall"] is None else f"{r['overall']:.0f}"
        click.echo(f"{r['id']:<9} {r['started_at'][:16].replace('T', ' '):<20} {r['status']:<12} "
                   f"{r['persona'][:26]:<26} {score:>5} {r['turns']:>5}  {', '.join(r['reps'])}")  # fmt: skip


@sessions.command()
@click.argument("session_id")
@db_option
@json_option
def show(session_id: str, db_url: str | None, as_json: bool) -> None:
    """Show one session (ID or a unique prefix of it)."""
    from simulator.session.export import export

    with _open(db_url) as store:
        click.echo(export(store, session_id, "json" if as_json else "md"), nl=not as_json)


@sessions.command("export")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write to FILE instead of standard output (a symlink is followed; a FIFO or device is "
                   "written as it is).")  # fmt: skip
@click.option("--with-audio", is_flag=True, help="HTML: embed the turn recordings as players.")
@rubric_option
@db_option
@audio_dir_option
def export_(session_id: str, fmt: str, output: Path | None, with_audio: bool, rubric_ref: str | None,
            db_url: str | None, audio_dir: Path | None) -> None:  # fmt: skip
    """Export a session as Markdown, a self-contained HTML report, or JSON (--rubric: scored with a team
    rubric for this report; nothing is stored)."""
    from simulator.session.export import export, write

    if with_audio and fmt != "html":
        raise RapportError("--with-audio only applies to --format html")
    rubric = load_rubric(rubric_ref)
    with _open(db_url, audio_dir) as store:
        text = export(store, session_id, fmt, with_audio=with_audio, rubric=rubric)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write(text, output)
        click.echo(f"wrote {output}", err=True)


@sessions.command()
@click.argument("session_id")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
@audio_dir_option
def delete(session_id: str, yes: bool, db_url: str | None, audio_dir: Path | None) -> None:
    """Delete a session and its recordings."""
    with _open(db_url, audio_dir) as store:
        sid = store.resolve(session_id)
        if not yes and sys.stdin.isatty():
            click.confirm(f"Delete session {sid} and its recordings?", abort=True)
        store.delete(sid)
    click.echo(f"deleted {sid}")


@sessions.command()
@click.argument("session_id", required=False)
@click.option("--all", "all_", is_flag=True, help="Re-score every stored session.")
@click.option("--keep-labels", is_flag=True, help="Keep the stored move labels (only the scoring is done again).")
@rubric_option
@db_option
@json_option
def rescore(session_id: str | None, all_: bool, keep_labels: bool, rubric_ref: str | None, db_url: str | None,
            as_json: bool) -> None:  # fmt: skip
    """Re-run the analyser and scorecard on a session (or --all); earlier scores stay in its history."""
    from simulator.session import rescore as rs

    if bool(session_id) == all_:
        raise RapportError("give a session ID or --all (not both)")
    rubric = load_rubric(rubric_ref)
    with _open(db_url) as store:
        if all_:
            results = rs.rescore_all(store, rubric=rubric, relabel=not keep_labels)
        else:
            results = [rs.rescore(store, session_id, rubric=rubric, relabel=not keep_labels)]
    if as_json:
        echo_json(results)
        return
    for r in results:
        before = "–" if r["before"] is None else f"{r['before']:.0f}"
        under = "" if r.get("rubric") in (None, "default") else f" (rubric {r['rubric']})"
        click.echo(f"{r['id']}: {before} -> {r['after']}{under}")
    click.echo(f"re-scored {len(results)} session(s)", err=True)


@sessions.command("import", help=f"""Import a transcript FILE (`rep: ...` / `buyer: ...` lines as for `rapport score`,
or a JSON session; '-' reads stdin) as a scored session. All or nothing: a bad line or field is one error and
nothing is stored. At most {MAX_BYTES // 2**20} MiB and {MAX_TURNS:,} turns.""")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--persona", "persona_id", required=True, help="The persona the conversation was with.")
@click.option("--rep", "rep_name", default=None, help="The rep's name.")
@personas_option
@db_option
@json_option
def import_(file: str, persona_id: str, rep_name: str | None, personas_dirs: tuple[Path, ...], db_url: str | None,
            as_json: bool) -> None:  # fmt: skip
    from simulator.persona.loader import get
    from simulator.session.importer import import_transcript, read_text

    persona = get(persona_id, personas_dirs).model_dump(mode="json")
    text = read_text(file)
    with _open(db_url, read=False) as store:
        sid = import_transcript(store, text, persona, rep_name, source_name=file)
        summary = store.summary(sid)
    if as_json:
        echo_json(summary.to_dict())
    else:
        click.echo(f"imported {file} as session {sid} (overall {summary.overall:.0f}/100)")


@click.command()
@click.option("--rep", default=None, help="The rep (default: every session).")
@rubric_option
@db_option
@json_option
def progress(rep: str | None, rubric_ref: str | None, db_url: str | None, as_json: bool) -> None:
    """Each scorecard figure's trend across a rep's sessions, under one rubric (default: the newest session's)."""
    from simulator.session.progress import progress as compute
    from simulator.session.progress import render

    rubric = load_rubric(rubric_ref)
    with _open(db_url) as store:
        doc = compute(store, rep, rubric)
    if as_json:
        echo_json(doc)
    else:
        click.echo(render(doc))
