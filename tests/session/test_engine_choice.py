"""The engine a retry uses by default: the retried session's, with the LLM settings stored with it (the API key
and a server's credentials still from the environment); an explicit engine uses its own settings."""

from __future__ import annotations

import pytest

from simulator.errors import RapportError
from simulator.persona.factory import make_engine
from simulator.persona.llm_settings import LLMSettings
from simulator.session.engine_choice import retry_engine, stored_settings

STORED = {"seed": 2, "llm": {"model": "m1", "base_url": "http://10.0.0.5:8080/v1", "timeout_s": 9.0,
                             "connect_timeout_s": 2.0, "reply_limit": 60, "temperature": 0.2, "history_turns": 4}}


@pytest.fixture(autouse=True)
def no_llm_env(monkeypatch):
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "RAPPORT_LLM_MODEL", "RAPPORT_LLM_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


def test_offline_stores_nothing_and_the_llm_its_settings_without_secrets():
    assert stored_settings(make_engine("offline")) == {}
    llm = make_engine("openai", settings=LLMSettings(model="m1", base_url="http://u:pw@h:1/v1", api_key="sk-x"))
    values = stored_settings(llm)["llm"]
    assert values["base_url"] == "http://h:1/v1" and values["reply_limit"] == 120
    assert "sk-x" not in repr(values) and "pw" not in repr(values)


def test_the_stored_settings_come_back():
    name, settings = retry_engine("openai", STORED, None)
    assert name == "openai"
    assert (settings.model, settings.base_url, settings.timeout_s, settings.connect_timeout_s, settings.max_tokens,
            settings.temperature, settings.history_turns) == ("m1", "http://10.0.0.5:8080/v1", 9.0, 2.0, 60, 0.2, 4)


def test_the_environments_credentials_for_the_same_server(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw@10.0.0.5:8080/v1")
    assert retry_engine("openai", STORED, None)[1].base_url == "http://user:pw@10.0.0.5:8080/v1"


def test_openai_itself_needs_the_key_from_the_environment(monkeypatch):
    stored = {"llm": {**STORED["llm"], "base_url": "https://api.openai.com/v1"}}
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")  # another server now: not used
    with pytest.raises(RapportError, match="OPENAI_API_KEY"):
        retry_engine("openai", stored, None)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live")
    settings = retry_engine("openai", stored, None)[1]
    assert settings.base_url is None and settings.api_key == "sk-live"


def test_explicit_engine_model_override_and_old_sessions():
    assert retry_engine("openai", STORED, "offline") == ("offline", None)
    assert retry_engine("openai", STORED, None, {"model": "m2"})[1].model == "m2"
    assert retry_engine("openai", {"seed": 2}, None) == ("openai", None)  # stored before settings were kept
    assert retry_engine("offline", STORED, None) == ("offline", None)
