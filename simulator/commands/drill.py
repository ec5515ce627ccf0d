"""``rapport drill [--rep R] [--drill KEY]``: a short exercise on the rep's weakest figure, passed or failed.

Without ``--drill`` the drill is chosen from the rep's recent scorecards (``simulator.session.drills``).
The rep's lines come from ``--say`` (repeatable) or ``--script FILE``; on a terminal without them, each line
is asked for.  The attempt is stored (a session with source ``drill`` and its result) and shows in
``rapport progress``.  ``--list`` shows the drills and how weak each of the rep's figures is.
"""

from __future__ import annotations

import sys

import click

from simulator.commands.common import db_option, echo_json, json_option, personas_option
from simulator.errors import RapportError


@click.command()
@click.option("--rep", "rep_name", default="", help="The rep (the drill is chosen from their weakest figure).")
@click.option("--drill", "key", default=None, help="Run this drill instead (see --list).")
@click.option("--persona", "persona_id", default=None, help="The buyer (default: the first that suits the drill).")
@click.option("--say", "said", multiple=True, help="The rep's lines, in order (repeatable).")
@click.option("--script", "script", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="A file of the rep's lines, one per line (- for stdin).")
@click.option("--seed", type=int, default=None, help="Seed for a repeatable buyer.")
@click.option("--list", "list_", is_flag=True, help="List the drills, weakest first for --rep.")
@personas_option
@db_option
@json_option
def drill(rep_name: str, key: str | None, persona_id: str | None, said: tuple[str, ...], script: str | None,
          seed: int | None, list_: bool, personas_dirs, db_url: str | None, as_json: bool) -> None:  # noqa: ANN001
    """A short drill on your weakest figure: passed or failed, with the reason."""
    from simulator.commands.simulate import read_script
    from simulator.session import drills
    from simulator.session.store import Store

    if list_:
        with Store.open(db_url, read=True) as store:
            _, scores = drills.weakest(store, rep_name or None)
        rows = sorted(drills.DRILLS, key=lambda d: (scores[d.key], drills.DRILLS.index(d)))
        doc = [{"drill": d.key, "title": d.title, "figure": d.figure, "turns": d.turns, "brief": d.brief,
                "score": round(scores[d.key], 2)} for d in rows]
        if as_json:
            echo_json(doc)
        else:
            for row in doc:
                click.echo(f"{row['drill']:<12} {row['score']:>5}  {row['title']} ({row['figure']}): {row['brief']}")
        return
    lines = list(said) + (read_script(script) if script else [])
    session = drills.open_drill(key, persona_id=persona_id, rep_name=rep_name, seed=seed, db_url=db_url,
                                personas_dirs=personas_dirs)
    d = session.drill
    interactive = not lines and sys.stdin.isatty() and not as_json
    if not lines and not interactive:
        raise RapportError(f"give the rep's {d.turns} lines for the drill with --say (repeatable) or --script FILE")
    try:
        opening = session.start()
        if not as_json:
            click.echo(f"Drill: {d.title} ({d.turns} turns). {d.brief}")
            click.echo(f"{session.persona.name}: {opening.text}")
        for n in range(d.turns):
            if session.ended:
                break
            line = click.prompt("you", prompt_suffix=": ") if interactive else (lines[n] if n < len(lines) else None)
            if line is None:
                break
            reply = session.rep_turn(line)
            if not as_json:
                if not interactive:
                    click.echo(f"you: {line}")
                click.echo(f"{session.persona.name}: {reply.text}")
        session.end("drill passed" if session.result and session.result[0] else "drill ended")
        doc = drills.record(session)
    finally:
        if session.recorder is not None:
            session.recorder.store.close()
    if as_json:
        echo_json(doc)
    else:
        click.echo(f"\n{'PASSED' if doc['passed'] else 'FAILED'}: {doc['reason']}")
