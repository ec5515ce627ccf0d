"""The command group itself: help, version, and one-line errors."""

import subprocess
import sys

from click.testing import CliRunner

from simulator import __version__
from simulator.cli import cli


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_unknown_command_is_one_line_error():
    proc = subprocess.run([sys.executable, "-m", "simulator", "no-such-thing"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "No such command" in proc.stderr


def test_conversation_is_pure():
    code = (
        "import sys, pkgutil, importlib, simulator.conversation as c;"
        "[importlib.import_module(f'simulator.conversation.{m.name}') for m in pkgutil.iter_modules(c.__path__)];"
        "heavy = {'textual', 'sounddevice', 'openai', 'faster_whisper', 'sqlalchemy', 'onnxruntime'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
