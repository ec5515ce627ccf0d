"""``rapport retry SESSION[:TURN]`` and ``rapport compare RETRY``: practise a moment again, see the difference.

``retry`` rebuilds the buyer as it was just before that rep turn of a stored session (default: the
costliest moment), says the new words (``--say``, repeatable, or ``--script FILE``, one line each) from
there, stores the new session linked to its parent and turn, and prints the comparison (the two buyer
reactions and each figure before and after).  ``rapport practice --from SESSION[:TURN]`` does the same in
the app, by voice or typed.  ``compare`` shows the comparison of any stored retry again.
"""

from __future__ import annotations

import click

from simulator.commands.common import db_option, echo_json, json_option
from simulator.errors import RapportError


@click.command()
@click.argument("moment", metavar="SESSION[:TURN]")
@click.option("--say", "said", multiple=True, help="What the rep says instead (repeat for the turns after it).")
@click.option("--script", "script", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="A file of rep lines to say from the moment on, one per line (- for stdin).")
@click.option("--engine", type=click.Choice(["offline", "openai"]), default=None,
              help="Buyer engine (default: the one the session used).")
@click.option("--model", default=None, help="LLM model name for --engine openai (default: RAPPORT_LLM_MODEL).")
@click.option("--rep", "rep_name", default="", help="The rep's name (default: who said the turn).")
@click.option("--rubric", "rubric_ref", default=None, metavar="NAME|FILE",
              help="Score with this rubric (default: the one the session was scored with).")
@db_option
@json_option
def retry(moment: str, said: tuple[str, ...], script: str | None, engine: str | None, model: str | None,
          rep_name: str, rubric_ref: str | None, db_url: str | None, as_json: bool) -> None:  # fmt: skip
    """Retry a moment of a stored session: the buyer returns to exactly where it stood before that turn."""
    from simulator.commands.rubrics import load_rubric
    from simulator.commands.simulate import ProblemPrinter, read_script
    from simulator.session.branch import open_branch
    from simulator.session.branch_compare import compare, render

    lines = list(said) + (read_script(script) if script else [])
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise RapportError("say what the rep says instead: --say TEXT (repeatable) or --script FILE")
    problems = ProblemPrinter()
    session = open_branch(moment, engine=engine, rep_name=rep_name, db_url=db_url, sinks=[problems],
                          engine_settings={"model": model} if model else None, rubric=load_rubric(rubric_ref))
    recorder = session.recorder
    try:
        session.start()
        for line in lines:
            if session.state.ended:
                break
            session.rep_turn(line)
        session.end("buyer ended the meeting" if session.state.ended else "finished")
        problems.summary()
        failure = recorder.unsaved() if recorder else None
        if failure:
            raise RapportError(failure)
        doc = compare(recorder.store, session.session_id)
    finally:
        if recorder is not None:
            recorder.store.close()
    if as_json:
        echo_json(doc)
    else:
        click.echo(render(doc))
        click.echo(f"\nSaved as session {session.session_id} (rapport compare {session.session_id})")


@click.command("compare")
@click.argument("retry_id", metavar="RETRY")
@db_option
@json_option
def compare_(retry_id: str, db_url: str | None, as_json: bool) -> None:
    """Compare a retry with the session it came from: both buyer reactions and each figure."""
    from simulator.session.branch_compare import compare, render
    from simulator.session.store import Store

    with Store.open(db_url, read=True) as store:
        doc = compare(store, retry_id)
    if as_json:
        echo_json(doc)
    else:
        click.echo(render(doc))
