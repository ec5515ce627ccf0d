"""``rapport analyze``: label rep utterances read from a file or stdin, one JSON object per line out."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import TextIO

import click

from simulator.commands.common import echo_json

#: The longest input line read (characters); a longer one is reported and skipped, never held whole in memory.
MAX_LINE = 100_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_line(line: str, jsonl: bool) -> tuple[str, str | None]:
    """``(text, buyer_said)`` from one input line; ValueError with a readable reason when it is bad."""
    if not jsonl:
        return line.strip(), None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object with \"text\"")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("no \"text\" string in the object")
    buyer = obj.get("buyer_said")
    if buyer is not None and not isinstance(buyer, str):
        raise ValueError("\"buyer_said\" must be a string or null")
    if _SURROGATE.search(text) or (buyer and _SURROGATE.search(buyer)):
        raise ValueError("the text has an unpaired surrogate (\\ud800-\\udfff), which is not a character")
    return text, buyer


def _lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """``(number, line)`` for each non-blank line; ``(number, None)`` for a line longer than MAX_LINE,
    which is read and dropped piece by piece."""
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line.rstrip("\n")) > MAX_LINE:
            while line and not line.endswith("\n"):
                line = stream.readline(MAX_LINE + 1)
            yield number, None
        elif line.strip():
            yield number, line.rstrip("\n")


@click.command()
@click.argument("source", required=False, default="-", type=click.File("r", encoding="utf-8", errors="replace"))
@click.option("--jsonl", is_flag=True, help='Each line is a JSON object with "text" and optional "buyer_said".')
def analyze(source: TextIO, jsonl: bool) -> None:
    """Label rep utterances: one per line from SOURCE (a file, or - / nothing for stdin).

    Prints one JSON object per input line: {"text", "labels", "stance", "cues"}. Blank lines are
    skipped; a bad line (or one over 100,000 characters) is reported on stderr with its number and the
    others are still analysed (exit code 1 if any line failed).
    """
    from simulator.conversation.analyser import analyse, model

    model()  # fail once, clearly, if the weights are missing
    failed = 0
    for number, line in _lines(source):
        try:
            if line is None:
                raise ValueError(f"longer than {MAX_LINE:,} characters; skipped")
            text, buyer = parse_line(line, jsonl)
        except ValueError as exc:
            click.echo(f"rapport: line {number}: {exc}", err=True)
            failed += 1
            continue
        echo_json(analyse(text, buyer).to_dict())
        sys.stdout.flush()
    if failed:
        sys.exit(1)
