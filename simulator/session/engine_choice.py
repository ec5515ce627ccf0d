"""The buyer engine a session used, stored with it, and the same engine again for a retry from one of its moments.

A session answered by the LLM buyer stores how it reached the model under ``settings["llm"]``: the model, the
server address (never its credentials: ``user:password@`` is left out, and so is the API key), the timeouts,
the reply length, the temperature and how many earlier turns are sent.  :func:`retry_engine` gives a retry the
parent's engine with those settings; the API key (and the credentials of a server address the environment
names) come from the environment, as for any session.  An explicit engine (``--engine``) uses the command
line's and the environment's settings instead, and ``--model`` overrides the stored model either way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from simulator.errors import RapportError

#: the key of the LLM settings in a stored session's settings
LLM_KEY = "llm"
_NUMBERS = ("timeout_s", "connect_timeout_s", "temperature")
_WHOLE = {"history_turns": "history_turns", "reply_limit": "max_tokens"}


def stored_settings(engine: Any) -> dict:
    """What to store in a session's settings about its buyer ``engine``: ``{"llm": {...}}`` for the LLM buyer,
    nothing for the offline one.  (``max_tokens`` is stored as ``reply_limit``: the store drops keys that
    look like secrets, and "token" is one of the words it looks for.)"""
    settings = getattr(engine, "settings", None)
    if getattr(engine, "name", None) != "openai" or not hasattr(settings, "to_dict"):
        return {}
    values = settings.to_dict()
    values["reply_limit"] = values.pop("max_tokens", None)
    return {LLM_KEY: values}


def retry_engine(parent_engine: str, parent_settings: Mapping, engine: str | None, engine_settings: Any = None
                 ) -> tuple[str, Any]:  # fmt: skip
    """The engine name and its settings for a retry of a session that used ``parent_engine`` with
    ``parent_settings`` (its stored settings).  ``engine``: the one asked for explicitly (its settings are
    ``engine_settings``, as ``make_engine`` takes them), or None for the parent's; then ``engine_settings`` may
    still override single values (``{"model": ...}`` from ``--model``), or replace them all (an ``LLMSettings``)."""
    if engine is not None:
        return engine, engine_settings
    stored = parent_settings.get(LLM_KEY) if isinstance(parent_settings, Mapping) else None
    if parent_engine != "openai" or not isinstance(stored, Mapping):
        return parent_engine, engine_settings  # offline, or an LLM session stored before its settings were kept
    if engine_settings is not None and not isinstance(engine_settings, Mapping):
        return parent_engine, engine_settings  # complete settings (an ``LLMSettings``) given by the caller
    return parent_engine, _llm_settings(stored, engine_settings)


def _llm_settings(stored: Mapping, override: Any) -> Any:
    from simulator.persona.llm_settings import OPENAI_URL, LLMSettings

    values: dict[str, Any] = {}
    if isinstance(stored.get("model"), str) and stored["model"].strip():
        values["model"] = stored["model"]
    for key in _NUMBERS:
        if isinstance(stored.get(key), int | float) and not isinstance(stored[key], bool):
            values[key] = float(stored[key])
    for key, field in _WHOLE.items():
        if isinstance(stored.get(key), int) and not isinstance(stored[key], bool) and stored[key] > 0:
            values[field] = stored[key]
    if isinstance(override, Mapping):
        values.update({k: v for k, v in override.items() if v is not None and v != ""})
    address = stored.get("base_url")
    env_url = os.environ.get("OPENAI_BASE_URL", "").strip() or None
    env_shown = LLMSettings(base_url=env_url).display_url if env_url else OPENAI_URL
    if not isinstance(address, str) or not address or address == env_shown:
        url = env_url  # the server the environment names (with its credentials, if any)
    else:
        url = None if address == OPENAI_URL else address
    try:
        if url is None:  # OpenAI itself, whatever server the environment names now
            return LLMSettings.from_env({k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}, **values)
        return LLMSettings.from_env(**values, base_url=url)
    except (RapportError, TypeError, ValueError) as exc:
        raise RapportError(f"the LLM settings stored with the session cannot be used ({exc}); "
                           "retry with --engine and the settings to use") from None
