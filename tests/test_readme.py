"""The README stays true: its persona example validates, and the commands it lists exist."""

import re
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import COMMANDS, cli
from simulator.persona.schema import load_persona

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_persona_example_is_a_valid_persona(tmp_path):
    block = re.search(r"```toml\n(.*?)```", README.read_text(), re.S).group(1)
    path = tmp_path / "readme-example.toml"
    path.write_text(block)
    persona = load_persona(path)
    assert persona.id == "readme-example"
    assert persona.facts[0].kind == "problem"


def test_every_command_in_the_readme_table_exists():
    text = README.read_text()
    named = set(re.findall(r"^\| `rapport (\w+)", text, re.M)) | set(re.findall(r"`rapport (\w+) ", text))
    assert named <= set(COMMANDS), named - set(COMMANDS)
    for name in sorted(named):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
