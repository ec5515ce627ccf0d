"""``rapport personas list|show|check``: the simulated buyers you can practise with."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.commands.common import echo_json, json_option, personas_option
from simulator.persona.loader import get, load_all
from simulator.persona.schema import Persona, PersonaError, leaks, load_persona
from simulator.speech.voice_health import voice_warning


def _warn(warnings: list[str]) -> None:
    for line in warnings:
        click.echo(f"rapport: warning: {line}", err=True)


@click.group()
def personas() -> None:
    """List, show and check persona files (bundled, in the user folder, or given with --personas)."""


@personas.command("list")
@personas_option
@json_option
def list_(personas_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the personas you can practise with."""
    found, warnings = load_all(personas_dirs)
    _warn(warnings)
    if as_json:
        echo_json([p.summary() for p in found.values()])
        return
    if not found:
        click.echo("No personas found.")
        return
    width = max(len(pid) for pid in found)
    for pid, p in found.items():
        click.echo(f"{pid:<{width}}  {p.difficulty:<6}  {p.name}, {p.role}, {p.company} ({p.industry})")
        click.echo(f"{'':<{width}}          {p.situation}")


def describe(p: Persona) -> str:
    """A readable page about one persona (hidden facts and the public profile listed by topic only)."""
    voice = ", ".join(f"{k} {v}" for k, v in p.voice.model_dump().items() if v is not None)
    lines = [
        f"{p.name} - {p.role}, {p.company}",
        f"Industry:     {p.industry}",
        f"Difficulty:   {p.difficulty} (starting trust {p.starting_trust}, ready at {p.next_step_trust})",
        f"Situation:    {p.situation}",
    ]
    if p.personality:
        lines.append(f"Personality:  {p.personality}")
    if p.speaking_style:
        lines.append(f"Speaks:       {p.speaking_style}")
    lines += [f"Voice:        {voice}", f"Opens with:   \"{p.opening_line}\"", "",
              f"What a good discovery conversation uncovers ({len(p.facts)} facts):"]
    lines += [f"  - [{f.kind}] {f.topic} (trust {f.trust_needed}{', personal' if f.personal else ''})" for f in p.facts]
    if p.profile:
        lines += ["", f"Public profile, said to anyone ({len(p.profile)} topics):"]
        lines += [f"  - {e.topic}" for e in p.profile]
    if p.concerns:
        lines += ["", "Concerns when pushed:"] + [f"  - {c.topic}" for c in p.concerns]
    return "\n".join(lines)


@personas.command("show")
@click.argument("persona_id")
@personas_option
@json_option
def show(persona_id: str, personas_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Show one persona (its hidden facts and public profile by topic; --json: everything)."""
    p = get(persona_id, personas_dirs)
    if as_json:
        echo_json(p.model_dump(mode="json"))
    else:
        click.echo(describe(p))


@personas.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings (public lines giving away a hidden fact) as errors.")
def check(files: tuple[Path, ...], strict: bool) -> None:
    """Validate persona files; each problem names the file, the field and what is wrong.

    Also warns when a line said before any trust (situation, opening line, profile, small talk,
    deflections) gives away a hidden fact: a shared number above twelve, or two shared content
    words in one sentence, and when the buyer's voice is not in this machine's espeak-ng (it would
    fall back to en-us; never an error).  Exit 1 on errors, and on leak warnings with --strict."""
    failures = 0
    for path in files:
        try:
            p = load_persona(path)
        except PersonaError as exc:
            for problem in exc.problems:
                click.echo(f"rapport: error: {problem}", err=True)
            failures += 1
            continue
        found = leaks(p)
        level = "error" if strict else "warning"
        for problem in found:
            click.echo(f"rapport: {level}: {path}: {problem}", err=True)
        voice = voice_warning(p.voice)  # depends on this machine's espeak-ng: never an error
        if voice:
            click.echo(f"rapport: warning: {path}: {voice}", err=True)
        if found and strict:
            failures += 1
        warned = f", {len(found)} warning{'s' if len(found) != 1 else ''}" if found else ""
        click.echo(f"{path}: {'failed' if found and strict else 'ok'} ({p.id}: {len(p.facts)} facts, "
                   f"{len(p.concerns)} concerns, {len(p.profile)} profile topics{warned})")
    if failures:
        raise SystemExit(1)
