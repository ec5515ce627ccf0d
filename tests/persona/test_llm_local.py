"""``rapport bench llm`` measures the server in ``OPENAI_BASE_URL``; ``python -m tools.llm_local`` provides one.

The runtime never starts llama.cpp itself (that is the developer tool ``tools/llm_local.py``, not in the
wheel); ``tests/persona/test_llm_server.py`` starts the real server.
"""

from __future__ import annotations

import sys

import pytest

from simulator.bench import llm as bench_llm
from tests.llm_server import fault_server  # noqa: F401 - fixture
from tools import llm_local

PRINT_URL = [sys.executable, "-c", "import os, sys; print(os.environ.get('OPENAI_BASE_URL')); sys.exit(3)"]


def test_bench_without_a_server_reports_cleaning_only_and_says_why(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    results = bench_llm.run(quick=True)
    assert [r.name for r in results] == ["llm reply cleaning"]
    err = capsys.readouterr().err
    assert "OPENAI_BASE_URL" in err and "python -m tools.llm_local" in err and len(err.splitlines()) == 1


def test_bench_measures_the_server_in_openai_base_url(monkeypatch, fault_server):  # noqa: F811
    monkeypatch.setenv("OPENAI_BASE_URL", fault_server.url("script"))
    results = {r.name: r for r in bench_llm.run(quick=True)}
    assert results["llm first sentence (median)"].value > 0
    assert results["llm turns answered offline"].value == 0
    assert fault_server.url("script") in results["llm whole reply (median)"].detail


def test_llm_local_runs_the_command_against_an_existing_server(monkeypatch, capfd):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert llm_local.main(PRINT_URL) == 3
    out, err = capfd.readouterr()
    assert out.strip() == "http://127.0.0.1:9/v1" and err == ""


def test_llm_local_without_llama_cpp_or_model_runs_the_command_as_it_is(monkeypatch, tmp_path, capfd):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert llm_local.main(["--model", str(tmp_path / "none.gguf"), "--", *PRINT_URL]) == 3
    out, err = capfd.readouterr()
    assert out.strip() == "None"
    assert err.startswith("llm_local: no local LLM server: ") and "make llm" in err


def test_llm_local_needs_a_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        llm_local.main([])
    assert exit_.value.code == 2
    assert "give the command to run" in capsys.readouterr().err
