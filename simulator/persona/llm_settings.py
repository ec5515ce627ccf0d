"""Settings of the LLM buyer engine (``--engine openai``), from flags and the environment.

=====================  =======================  ===============================================
setting                environment              meaning
=====================  =======================  ===============================================
``base_url``           ``OPENAI_BASE_URL``      OpenAI-compatible server, e.g.
                                                ``http://localhost:11434/v1`` (Ollama),
                                                ``http://127.0.0.1:8000/v1`` (llama.cpp server);
                                                unset means OpenAI itself
``api_key``            ``OPENAI_API_KEY``       needed by OpenAI; local servers accept any value
``model``              ``RAPPORT_LLM_MODEL``    model name (``--model`` wins); default
                                                ``gpt-4o-mini``
``timeout_s``          ``RAPPORT_LLM_TIMEOUT``  seconds for one whole reply (default 20); the
                                                offline buyer answers when it runs out
``connect_timeout_s``                           seconds to connect (default 5)
=====================  =======================  ===============================================

The API key never appears in ``repr``/``str``, messages or logs: ``redact`` removes it (and any
``user:password@`` in the URL) from any text before it is shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from simulator.errors import RapportError

DEFAULT_MODEL = "gpt-4o-mini"
#: where requests go when no base_url is set (OpenAI itself)
OPENAI_URL = "https://api.openai.com/v1"
#: sent to local servers that need no key (the openai client insists on one)
NO_KEY = "no-key-needed"


@dataclass(frozen=True)
class LLMSettings:
    """How to reach the model and how long to wait for it."""

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str = field(default="", repr=False)
    timeout_s: float = 20.0
    connect_timeout_s: float = 5.0
    max_tokens: int = 120
    temperature: float = 0.7
    #: earlier turns sent with each request (the oldest are dropped first)
    history_turns: int = 8

    def __repr__(self) -> str:
        key = "***" if self.api_key else ""
        return (
            f"LLMSettings(model={self.model!r}, base_url={self.display_url!r}, api_key={key!r},"
            f" timeout_s={self.timeout_s}, connect_timeout_s={self.connect_timeout_s})"
        )

    __str__ = __repr__

    def to_dict(self) -> dict[str, Any]:
        """The settings fit to store with a session or print: the key and URL credentials left out.
        (Use this, never ``dataclasses.asdict``, which would copy the key.)"""
        return {"model": self.model, "base_url": self.display_url, "timeout_s": self.timeout_s,
                "connect_timeout_s": self.connect_timeout_s, "max_tokens": self.max_tokens,
                "temperature": self.temperature, "history_turns": self.history_turns}

    @property
    def display_url(self) -> str:
        """The server address safe to show (no user info)."""
        return _strip_userinfo(self.base_url) if self.base_url else OPENAI_URL

    def redact(self, text: str) -> str:
        """``text`` with the API key and URL credentials replaced by ``***``."""
        for secret in _secrets(self):
            text = text.replace(secret, "***")
        return text

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> LLMSettings:
        """Settings from the environment, then ``overrides`` (``None`` values are ignored)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "api_key": env.get("OPENAI_API_KEY", "").strip(),
            "base_url": env.get("OPENAI_BASE_URL", "").strip() or None,
            "model": env.get("RAPPORT_LLM_MODEL", "").strip() or DEFAULT_MODEL,
        }
        timeout = env.get("RAPPORT_LLM_TIMEOUT", "").strip()
        if timeout:
            values["timeout_s"] = _positive(timeout, "RAPPORT_LLM_TIMEOUT")
        known = {f.name for f in fields(cls)}
        for key, value in overrides.items():
            if key in known and value is not None and value != "":
                values[key] = value
        return cls(**values).checked()

    def checked(self) -> LLMSettings:
        """Validated settings; a local server without a key gets a placeholder key."""
        if self.base_url and not urlsplit(self.base_url).scheme.startswith("http"):
            raise RapportError(f"OPENAI_BASE_URL must be an http(s) URL, got {self.redact(self.base_url)!r}")
        if not self.model.strip():
            raise RapportError("the LLM model name is empty; set --model or RAPPORT_LLM_MODEL")
        for name in ("timeout_s", "connect_timeout_s"):
            _positive(getattr(self, name), name)
        if not self.api_key:
            if not self.base_url:
                raise RapportError(
                    "the openai engine needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local server (see docs/llm.md)"
                )
            return replace(self, api_key=NO_KEY)
        return self


def resolve(settings: Any = None) -> LLMSettings:
    """``LLMSettings`` from whatever a caller passes to ``make_engine``: ``None`` (environment only),
    an ``LLMSettings``, a mapping, or an object with ``model`` / ``llm_model`` / ``base_url`` /
    ``llm_timeout`` attributes (e.g. the command's options)."""
    if isinstance(settings, LLMSettings):
        return settings.checked()
    if settings is None:
        return LLMSettings.from_env()
    if isinstance(settings, Mapping):
        source = dict(settings)
    else:
        source = {name: getattr(settings, name) for name in dir(settings) if not name.startswith("_")}
    aliases = {"llm_model": "model", "llm_base_url": "base_url", "llm_timeout": "timeout_s", "timeout": "timeout_s"}
    overrides = {aliases.get(k, k): v for k, v in source.items() if not callable(v)}
    nested = overrides.pop("llm", None)
    if isinstance(nested, Mapping):
        overrides.update(nested)
    elif nested is not None and not isinstance(nested, str | int | float | bool):
        return resolve(nested)
    return LLMSettings.from_env(**overrides)


def _positive(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RapportError(f"{name} must be a number of seconds, got {value!r}") from None
    if number <= 0:
        raise RapportError(f"{name} must be more than 0 seconds, got {value!r}")
    return number


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _secrets(settings: LLMSettings) -> list[str]:
    found = [settings.api_key] if settings.api_key and settings.api_key != NO_KEY else []
    if settings.base_url:
        parts = urlsplit(settings.base_url)
        found += [s for s in (parts.password, parts.username) if s]
    return sorted(found, key=len, reverse=True)
