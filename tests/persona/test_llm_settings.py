"""LLM engine settings: flags and environment, validation, and keeping the API key secret."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simulator.errors import RapportError
from simulator.persona.factory import make_engine
from simulator.persona.llm_settings import NO_KEY, LLMSettings, resolve

KEY = "sk-test-SECRET-4f9a8b7c"


def test_settings_come_from_the_environment_and_flags_win(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("RAPPORT_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("RAPPORT_LLM_TIMEOUT", "7.5")
    s = LLMSettings.from_env()
    assert (s.model, s.base_url, s.api_key, s.timeout_s) == ("llama3.2", "http://localhost:11434/v1", KEY, 7.5)
    assert LLMSettings.from_env(model="qwen2.5:0.5b", timeout_s=None).model == "qwen2.5:0.5b"
    assert resolve({"model": "phi3", "base_url": None}).model == "phi3"
    assert resolve(SimpleNamespace(llm_model="mistral", seed=3)).model == "mistral"
    assert resolve(None).model == "llama3.2"


def test_a_local_server_needs_no_key_but_openai_does(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(RapportError, match="OPENAI_API_KEY"):
        LLMSettings.from_env()
    with pytest.raises(RapportError, match="OPENAI_API_KEY"):
        make_engine("openai", seed=1)
    local = LLMSettings.from_env(env={"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"})
    assert local.api_key == NO_KEY


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPENAI_BASE_URL": "localhost:11434"}, "http"),
        ({"OPENAI_BASE_URL": "http://x/v1", "RAPPORT_LLM_TIMEOUT": "soon"}, "number of seconds"),
        ({"OPENAI_BASE_URL": "http://x/v1", "RAPPORT_LLM_TIMEOUT": "-1"}, "more than 0"),
    ],
)
def test_bad_settings_are_one_clear_line(env, message):
    with pytest.raises(RapportError, match=message) as info:
        LLMSettings.from_env(env=env)
    assert "\n" not in str(info.value)


def test_the_key_never_shows_in_repr_str_or_redacted_text():
    s = LLMSettings.from_env(env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://bob:hunter22@llm.example/v1"})
    for text in (repr(s), str(s), s.display_url, s.redact(f"failed with {KEY} at {s.base_url}")):
        assert KEY not in text and "hunter22" not in text
    assert s.display_url == "https://llm.example/v1"
    assert s.to_dict()["base_url"] == "https://llm.example/v1" and KEY not in str(s.to_dict())
    engine = make_engine("openai", seed=1, settings=s)
    assert KEY not in repr(engine) and KEY not in repr(engine.client)
