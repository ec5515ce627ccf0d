"""The ``rapport`` command: a thin click group.

Each command lives in a small module under ``simulator/commands`` and is imported only when it
is run, so ``rapport analyze`` never pays for Textual or faster-whisper.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

import click

from simulator import __version__
from simulator.commands.output import VisibleStream, finish_stdout, say_error, visible_output
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
    "rubrics": "simulator.commands.rubrics:rubrics",
    "retry": "simulator.commands.retry:retry",
    "compare": "simulator.commands.retry:compare_",
    "drill": "simulator.commands.drill:drill",
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
    """Entry point: user-facing problems become one line on stderr, never a traceback.

    Everything printed goes through ``simulator.commands.output``: control characters from stored
    text are shown, not obeyed, and a closed pipe or a full disk on standard output ends cleanly."""
    with visible_output() as (out, _err):
        code = _run(argv, out)
        code = finish_stdout(out, code)
    sys.exit(code)


def _run(argv: list[str] | None, out: VisibleStream | None) -> int:
    """Run the command; the exit code (problems already reported on stderr)."""
    try:
        cli.main(args=argv, prog_name="rapport", standalone_mode=False)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            say_error(exc.code)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.exceptions.Abort:
        say_error("rapport: aborted")
        return 130
    except click.ClickException as exc:
        with contextlib.suppress(OSError):
            exc.show()
        return exc.exit_code
    except RapportError as exc:
        say_error(f"rapport: error: {exc}")
        return 1
    except KeyboardInterrupt:
        say_error("rapport: interrupted")
        return 130
    except OSError:
        if out is not None and out.failure is not None:
            return 1  # standard output failed: finish_stdout says so once
        raise
    return 0
