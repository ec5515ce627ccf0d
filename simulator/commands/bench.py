"""``rapport bench``: run the performance benchmarks and print each figure beside its target."""

from __future__ import annotations

import click

from simulator import bench as benchmarks
from simulator.commands.common import echo_json, json_option


@click.command()
@click.argument("areas", nargs=-1)
@click.option("--quick", is_flag=True, help="Fewer repetitions (a smoke run, not for the README).")
@json_option
def bench(areas: tuple[str, ...], quick: bool, as_json: bool) -> None:
    """Run benchmarks (all, or the AREAS named: analyser, voice, store, llm, matcher)."""
    known = list(benchmarks.AREAS)
    chosen = list(areas) or known
    unknown = [a for a in chosen if a not in known]
    if unknown:
        raise click.BadParameter(f"unknown area {', '.join(unknown)}; known: {', '.join(known)}")
    results = []
    for area in chosen:
        if not as_json:
            click.echo(f"== {area}", err=True)
        for result in benchmarks.run_area(area, quick):
            results.append({"area": area, **result.to_dict()})
            if not as_json:
                sign = "≤" if result.direction == "max" else "≥"
                target = "" if result.target is None else f"  (target {sign} {result.target:g} {result.unit})"
                mark = {True: "ok", False: "MISS", None: ""}[result.ok]
                click.echo(f"{result.name:<44} {result.value:>10.3g} {result.unit:<6}{target} {mark}")
                if result.detail:
                    click.echo(f"    {result.detail}")
    if as_json:
        echo_json(results)
