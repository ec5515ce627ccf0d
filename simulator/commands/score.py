"""``rapport score FILE [--json]``: score a conversation written as ``rep: ...`` / ``buyer: ...`` lines.

Rep lines without labels are labelled by the move analyser (each read against the buyer's
previous line). ``FILE`` may be ``-`` for stdin, or a JSON session (``rapport simulate --json``),
whose trust, revealed facts and timings are then scored too. A transcript larger than 2 MiB or with
more than 20,000 turns is refused in one line (``transcript.MAX_BYTES``/``MAX_TURNS``).

``--json`` prints ``Scorecard.to_dict()`` plus the labelled ``turns``.  ``--rubric NAME|FILE`` scores with a
team rubric (``rapport rubrics list``).
"""

from __future__ import annotations

import textwrap

import click

from simulator.commands.common import echo_json, json_option
from simulator.commands.rubrics import load_rubric, rubric_option
from simulator.conversation.scorecard import Figure, Scorecard
from simulator.conversation.scorecard import score as score_turns
from simulator.conversation.transcript import MAX_BYTES, MAX_TURNS, Loaded, load, read_limited
from simulator.conversation.turns import Turn
from simulator.errors import RapportError

WIDTH = 100


def read_conversation(path: str) -> Loaded:
    """The turns in ``path`` (``-`` = stdin); problems become one-line errors."""
    text = read_limited(path)
    try:
        loaded = load(text)
    except RapportError as exc:
        raise RapportError(f"{path}: {exc}") from None
    if not any(t.speaker == "rep" for t in loaded.turns):
        raise RapportError(f"{path}: no rep lines to score")
    return loaded


def label_turns(turns: list[Turn]) -> list[Turn]:
    """Give every unlabelled rep turn the analyser's labels and cues (labelled turns are kept)."""
    from simulator.conversation.analyser import analyse, model

    weights = model()
    buyer_said: str | None = None
    for turn in turns:
        if turn.speaker == "buyer":
            buyer_said = turn.text
        elif not turn.labels:
            analysis = analyse(turn.text, buyer_said, weights)
            turn.labels, turn.cues = analysis.labels, analysis.cues
    return turns


def format_value(figure: Figure) -> str:
    value = figure.value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    if figure.unit in ("%", "/100"):
        return f"{shown}{figure.unit}"
    unit = figure.unit[:-1] if value == 1 and figure.unit.endswith("s") and figure.unit != "s" else figure.unit
    return f"{shown} {unit}".strip()


def rubric_lines(card: Scorecard) -> list[str]:
    """The rubric line under the overall (nothing under the default rubric without a pass mark)."""
    stamp = card.rubric or {}
    mark = stamp.get("pass_mark")
    if stamp.get("name", "default") == "default" and mark is None:
        return []
    line = f"Rubric: {stamp.get('title') or stamp.get('name')} ({stamp.get('name')}, {str(stamp.get('hash'))[:8]})"
    if mark is not None:
        line += f"; pass mark {mark:g}: {'passed' if card.passed else 'not passed'}"
    return [line]


def render(card: Scorecard) -> str:
    """The readable scorecard: figures with references and verdicts, overall, moments, formula."""
    wrap = textwrap.TextWrapper(width=WIDTH, initial_indent="      ", subsequent_indent="      ")
    lines = [f"Overall: {card.overall} / 100", *rubric_lines(card), "", f"{'FIGURE':<24}{'YOU':<16}VERDICT"]
    for figure in card.figures:
        lines.append(f"{figure.name:<24}{format_value(figure):<16}{figure.verdict}")
        if figure.detail:
            lines += wrap.wrap(figure.detail)
        lines += wrap.wrap(f"reference: {figure.reference}")
    lines.append("")
    if card.moments:
        lines.append("The moments that cost the most")
        for n, moment in enumerate(card.moments, 1):
            labels = ", ".join(label.replace("_", " ") for label in moment.labels)
            lines.append(f"  {n}. turn {moment.turn_index + 1} ({labels}; −{moment.cost:g} points)")
            lines += wrap.wrap(f"You said: “{moment.text}”")
            lines += wrap.wrap(f"Why: {moment.why}")
            lines += wrap.wrap(f"Try instead: “{moment.alternative}”")
    else:
        lines.append("No costly moments: no transactional moves and no long monologues.")
    lines.append("")
    lines.append("How the overall is computed:")
    for part in card.formula.splitlines():
        lines += textwrap.wrap(part, width=WIDTH, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


@click.command(help=f"""Score a conversation FILE of 'rep: ...' / 'buyer: ...' lines ('-' reads stdin), or a
JSON session. At most {MAX_BYTES // 2**20} MiB and {MAX_TURNS:,} turns.""")
@click.argument("file")
@rubric_option
@json_option
def score(file: str, rubric_ref: str | None, as_json: bool) -> None:
    rubric = load_rubric(rubric_ref)
    loaded = read_conversation(file)
    turns = label_turns(loaded.turns)
    card = score_turns(turns, facts_total=loaded.facts_total, rubric=rubric)
    if as_json:
        echo_json({**card.to_dict(), "turns": [t.to_dict() for t in turns]})
    else:
        click.echo(render(card))
