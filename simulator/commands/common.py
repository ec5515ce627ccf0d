"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.safe_text import json_text

personas_option = click.option(
    "--personas",
    "personas_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra folder of persona files (repeatable; overrides bundled ones by id).",
)
#: No ``envvar``: ``RAPPORT_DB`` is resolved once, by ``simulator.config.db_url`` (via ``Store.open``).
db_option = click.option(
    "--db", "db_url", default=None,
    help="Session store URL (SQLite file or postgresql://); default: RAPPORT_DB, else sessions.db in the data folder.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def echo_json(obj: object) -> None:
    """One line of JSON: non-ASCII text readable, every control character escaped (C1 included, which
    ``json.dumps(ensure_ascii=False)`` leaves raw)."""
    click.echo(json_text(obj))
