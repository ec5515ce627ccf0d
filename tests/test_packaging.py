"""The wheel carries only what runs: the package, its analyser weights and bundled data, no developer tools.

Training, evaluation, the corpus reader and the llama.cpp launcher live in ``tools/`` (not in the wheel),
and the runtime package never imports ``tools`` or ``tests``.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_service

PACKAGE = ROOT / "simulator"
TOOLS = ("train", "evaluate", "corpus", "llm_local", "stt_local", "local_server")


def test_the_runtime_package_never_imports_tools_or_tests():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                if name.split(".")[0] in ("tools", "tests"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert offenders == []


def test_developer_tools_are_outside_the_package():
    for name in TOOLS:
        assert not list(PACKAGE.rglob(f"{name}.py")), name
    assert importlib.util.find_spec("tools.analyser.train") is not None
    assert importlib.util.find_spec("tools.llm_local") is not None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> list[str]:
    """The names in the wheel built from this checkout (one build for the module)."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        if importlib.util.find_spec("hatchling") is None:  # pip fetches the build backend: offline, it cannot
            require_service("hatchling (the build backend pip fetches)", tail)
        pytest.fail(f"pip wheel failed: {proc.stderr[-2000:]}")
    (built,) = out.glob("rapport-*.whl")
    with zipfile.ZipFile(built) as archive:
        return archive.namelist()


def test_the_wheel_has_no_developer_tools_and_no_test_data(wheel):
    modules = {Path(name).stem for name in wheel if name.endswith(".py")}
    assert not modules & set(TOOLS)
    assert not [name for name in wheel if name.startswith(("tools/", "tests/")) or "/tests/" in name]
    assert not [name for name in wheel if name.endswith(".psv")]  # the corpus and held-out sets


def test_the_wheel_has_what_runs(wheel):
    names = set(wheel)
    assert "simulator/conversation/analyser_model.json" in names
    assert "simulator/persona/understanding_model.json" in names  # the question matcher's weights
    assert "simulator/persona/sentence_adapter.npz" in names  # the sentence model's tuning, which they were trained on
    assert {"simulator/cli.py", "simulator/conversation/analyser.py", "simulator/conversation/model.py"} <= names
    personas = {Path(p).name for p in (ROOT / "personas").glob("*.toml")}
    assert personas and {f"simulator/_data/personas/{p}" for p in personas} <= names
    assert any(name.startswith("simulator/_data/audio/") for name in names)
