"""The ``rapport`` command: a thin click group.

Each command lives in a small module under ``simulator/commands`` and is imported only when it
is run, so ``rapport analyze`` never pays for Textual or faster-whisper.
"""

from __future__ import annotations

import importlib
import sys

import click

from simulator import __version__
from simulator.errors import RapportError

#: command name -> "module:attribute"
COMMANDS: dict[str, str] = {
    "practice": "simulator.commands.tui:practice",
    "watch": "simulator.commands.tui:watch",
    "replay": "simulator.commands.tui:replay",
    "analyze": "simulator.commands.analyze:analyze",
    "score": "simulator.commands.score:score",
    "personas": "simulator.commands.personas:personas",
    "simulate": "simulator.commands.simulate:simulate",
    "transcribe": "simulator.commands.voice:transcribe",
    "devices": "simulator.commands.voice:devices",
    "sessions": "simulator.commands.sessions:sessions",
    "progress": "simulator.commands.sessions:progress",
    "bench": "simulator.commands.bench:bench",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rapport")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Rapport: practise relationship-first selling by talking to simulated buyers.

    Run with no command to open the practice app.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.get_command(ctx, "practice"))


def main(argv: list[str] | None = None) -> None:
    """Entry point: user-facing problems become one line on stderr, never a traceback."""
    try:
        cli.main(args=argv, prog_name="rapport", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("rapport: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RapportError as exc:
        click.echo(f"rapport: error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("rapport: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    else:
        sys.exit(0)
