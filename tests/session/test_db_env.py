"""``RAPPORT_DB`` chooses the store for every command that takes ``--db`` (read once, in ``simulator.config``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from simulator import cli as cli_module
from simulator.commands import tui
from simulator.session.store import Store

SCRIPT = "Thanks for making the time.\nHow do you handle orders today?\n"
TRANSCRIPT = "rep: thanks for making the time today\nbuyer: sure, it's a busy week\nrep: what makes it busy\n"


def _rapport(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The real command in a fresh process, with ``RAPPORT_DB`` set and no ``--db``."""
    proc = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert "Traceback" not in proc.stderr
    return proc


def _commands_with_db() -> dict[str, click.Command]:
    """Every command (and subcommand) of the group that has a ``--db`` option."""
    found: dict[str, click.Command] = {}
    ctx = click.Context(cli_module.cli)

    def walk(name: str, command: click.Command) -> None:
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                walk(f"{name} {sub}".strip(), command.get_command(ctx, sub))
        elif any("--db" in p.opts for p in command.params):
            found[name] = command

    walk("", cli_module.cli)
    return found


def test_no_db_option_reads_the_environment_itself():
    commands = _commands_with_db()
    assert set(commands) >= {"practice", "watch", "replay", "simulate", "progress", "sessions list", "sessions show",
                             "sessions export", "sessions delete", "sessions rescore", "sessions import"}
    for name, command in commands.items():
        db = next(p for p in command.params if "--db" in p.opts)
        assert db.envvar is None, f"{name}: --db must not read RAPPORT_DB itself (simulator.config does)"


def test_rapport_db_is_used_by_every_headless_command(tmp_path, rapport_home):
    db = tmp_path / "elsewhere" / "team.db"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    env = {**os.environ, "RAPPORT_HOME": str(rapport_home), "RAPPORT_DB": url}
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    transcript = tmp_path / "call.txt"
    transcript.write_text(TRANSCRIPT)

    # a read-only command never creates the database it is pointed at
    missing = _rapport(env, "sessions", "list")
    assert missing.returncode == 1 and str(db) in missing.stderr and not db.exists()

    proc = _rapport(env, "simulate", "--persona", "bakery-owner", "--script", str(script), "--seed", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    simulated = json.loads(proc.stdout)["session_id"]
    proc = _rapport(env, "sessions", "import", str(transcript), "--persona", "bakery-owner", "--rep", "maya",
                    "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    imported = json.loads(proc.stdout)["id"]
    with Store.open(url) as store:
        assert {s.id for s in store.list_sessions()} == {simulated, imported}
    assert not (rapport_home / "data" / "sessions.db").exists()  # the default store was never touched

    listed = json.loads(_rapport(env, "sessions", "list", "--json").stdout)
    assert {s["id"] for s in listed} == {simulated, imported}
    assert json.loads(_rapport(env, "sessions", "show", imported, "--json").stdout)["id"] == imported
    assert "thanks for making the time today" in _rapport(env, "sessions", "export", imported, "--format", "md").stdout
    rescored = json.loads(_rapport(env, "sessions", "rescore", "--all", "--json").stdout)
    assert {r["id"] for r in rescored} == {simulated, imported}
    trend = _rapport(env, "progress", "--rep", "maya", "--json")
    assert trend.returncode == 0 and json.loads(trend.stdout)
    assert _rapport(env, "sessions", "delete", simulated, "--yes").returncode == 0
    with Store.open(url) as store:
        assert [s.id for s in store.list_sessions()] == [imported]

    # --db still wins over RAPPORT_DB
    other = tmp_path / "other.db"
    proc = _rapport(env, "sessions", "import", str(transcript), "--persona", "bakery-owner", "--db", f"sqlite:///{other}")
    assert proc.returncode == 0, proc.stderr
    with Store.open(f"sqlite:///{other}") as store:
        assert len(store.list_sessions()) == 1
    with Store.open(url) as store:
        assert len(store.list_sessions()) == 1


@pytest.mark.parametrize("args", [["practice"], ["watch", "--latest"], ["replay"]])
def test_the_app_commands_open_the_rapport_db_store(args, tmp_path, monkeypatch):
    """The TUI commands hand ``--db`` (None here) to the app, whose screens open ``Store.open(options.db_url)``."""
    url = f"sqlite:///{tmp_path / 'team.db'}"
    with Store.open(url):
        pass
    monkeypatch.setenv("RAPPORT_DB", url)
    seen = []
    monkeypatch.setattr(tui, "_run", seen.append)
    with pytest.raises(SystemExit) as exit_:
        cli_module.main(args)
    assert exit_.value.code == 0
    (options,) = seen
    assert options.db_url is None
    with Store.open(options.db_url, read=True) as store:
        assert store.where == str(tmp_path / "team.db")
