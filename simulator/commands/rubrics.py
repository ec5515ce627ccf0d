"""``rapport rubrics list|show|check``: the team rubrics a coach scores with, and ``--rubric`` for other commands.

``list`` shows every rubric found (the built-in default, ``<config>/rubrics/*.toml``, ``RAPPORT_RUBRICS``);
``show NAME|FILE`` prints one as a complete TOML file with its formula; ``check FILE...`` validates files
(one line each; exit 1 when any is wrong).  See ``docs/scorecard.md#team-rubrics``.
"""

from __future__ import annotations

import click

from simulator.commands.common import echo_json, json_option
from simulator.errors import RapportError

#: ``--rubric NAME|FILE`` on practice, score, simulate, sessions rescore/export and progress.
rubric_option = click.option(
    "--rubric", "rubric_ref", default=None, metavar="NAME|FILE",
    help="Score with this team rubric: a name from `rapport rubrics list` or a .toml file (default: the default).",
)  # fmt: skip


def load_rubric(ref: str | None):  # noqa: ANN201 (Rubric, imported lazily)
    """The rubric ``--rubric`` names, or None for the default."""
    if ref is None:
        return None
    from simulator.session.rubrics import load

    return load(ref)


@click.group()
def rubrics() -> None:
    """Team rubrics: which figures count, their weights, targets, penalties per move and a pass mark."""


@rubrics.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the rubrics found (built in, your rubrics folder, RAPPORT_RUBRICS)."""
    from simulator.session.rubrics import available, folders

    found, warnings = available()
    for line in warnings:
        click.echo(f"rapport: warning: {line}", err=True)
    rows = [{**rubric.stamp(), "where": where} for rubric, where in found.values()]
    if as_json:
        echo_json(rows)
        return
    click.echo(f"{'name':<20} {'hash':<10} {'pass':>4}  title (where)")
    for r in rows:
        mark = "" if r["pass_mark"] is None else f"{r['pass_mark']:g}"
        click.echo(f"{r['name']:<20} {r['hash'][:8]:<10} {mark:>4}  {r['title']} ({r['where']})")
    click.echo(f"rubrics folders: {', '.join(str(f) for f in folders())}", err=True)


@rubrics.command()
@click.argument("rubric")
@json_option
def show(rubric: str, as_json: bool) -> None:
    """Show a rubric (NAME or FILE) in full, every value spelled out, and the formula it gives."""
    r = load_rubric(rubric)
    if r is None:  # pragma: no cover (load_rubric returns None only for None)
        raise RapportError("give a rubric name or file")
    if as_json:
        echo_json({**r.to_dict(), "formula": r.formula()})
        return
    click.echo(f"# {r.title} ({r.name}, hash {r.hash})")
    for line in _wrap(r.formula()):
        click.echo(f"# {line}")
    click.echo(r.to_toml(), nl=False)


@rubrics.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@json_option
def check(files: tuple[str, ...], as_json: bool) -> None:
    """Check rubric FILES: one line each, 'ok' with the name and hash, or what is wrong."""
    from simulator.session.rubrics import read

    results = []
    for path in files:
        try:
            r = read(path)
        except RapportError as exc:
            results.append({"file": path, "ok": False, "error": str(exc)})
        else:
            results.append({"file": path, "ok": True, "name": r.name, "hash": r.hash, "pass_mark": r.pass_mark,
                            "counts": [k for k, v in r.weights.items() if v]})
    if as_json:
        echo_json(results)
    else:
        for res in results:
            if res["ok"]:
                click.echo(f"{res['file']}: ok ({res['name']}, hash {res['hash'][:8]}; counts "
                           f"{', '.join(res['counts'])})")
            else:
                click.echo(f"rapport: error: {res['error']}", err=True)
    bad = sum(1 for res in results if not res["ok"])
    if bad:
        raise SystemExit(1)


def _wrap(text: str, width: int = 98) -> list[str]:
    import textwrap

    return [line for part in text.splitlines() for line in textwrap.wrap(part, width)]
