"""The engine protocol, the engines and the factory import one way: no cycle, and no LLM client for offline."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.errors import RapportError
from simulator.persona.factory import ENGINES, make_engine

PERSONA = Path(__file__).resolve().parents[2] / "simulator" / "persona"


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_protocol_module_imports_no_engine():
    names = imported(PERSONA / "engine.py")
    engines = {"simulator.persona.offline", "simulator.persona.llm", "simulator.persona.factory"}
    assert not names & engines


@pytest.mark.parametrize("module", ["offline.py", "llm.py", "llm_prompt.py", "state.py", "matching.py"])
def test_no_engine_imports_the_factory(module):
    assert not {n for n in imported(PERSONA / module) if n.startswith("simulator.persona.factory")}


@pytest.mark.parametrize("module", ["simulator.persona.llm", "simulator.persona.offline", "simulator.persona.factory",
                                    "simulator.persona.engine"])
def test_each_module_imports_first_on_its_own(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, capture_output=True)


def test_an_offline_engine_does_not_load_the_llm_client():
    code = ("import sys; from simulator.persona.factory import make_engine; make_engine('offline', seed=1);"
            "print('openai' in sys.modules, 'simulator.persona.llm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_factory_builds_each_engine_by_name(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert [make_engine(name, seed=1).name for name in ENGINES] == ["offline", "openai"]
    with pytest.raises(RapportError, match="unknown engine 'gpt-9'; choose one of: offline, openai"):
        make_engine("gpt-9")
