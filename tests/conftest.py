"""Fixtures shared by every test: an isolated user folder, and the path to the speech test files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import configuration as hypothesis_configuration

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT / "tests" / "data" / "speech"

# Hypothesis caches (the constants it collects from the code, Unicode tables) go to .hypothesis/ in
# the current folder even with no example database: keep them out of the checkout.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    hypothesis_configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rapport-hypothesis")


@pytest.fixture(autouse=True)
def rapport_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own user folder, so nothing touches the real one."""
    home = tmp_path / "rapport-home"
    monkeypatch.setenv("RAPPORT_HOME", str(home))
    monkeypatch.delenv("RAPPORT_DB", raising=False)
    monkeypatch.delenv("RAPPORT_PERSONAS", raising=False)
    return home


@pytest.fixture
def jfk_path() -> Path:
    return SPEECH / "jfk.flac"


def require_service(name: str, reason: str) -> None:
    """Skip when a real service is missing, except in CI (``CI=true``), where it is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} not available: {reason}")
