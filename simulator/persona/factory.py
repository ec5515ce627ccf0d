"""Build a buyer engine by name: the one module that knows every engine.

``make_engine(name, seed, settings)`` returns a ``simulator.persona.engine.BuyerEngine``:
``"offline"`` (default; rules and persona lines, no network) or ``"openai"`` (the LLM engine,
``simulator.persona.llm.make_llm_engine``; ``settings`` as ``llm_settings.resolve`` accepts them).
Build one engine per session: the LLM engine keeps the session's fault warning (shown once).

The engines import ``simulator.persona.engine`` (types only) and never this module, so there is no
import cycle.  The LLM engine is imported when asked for, because it loads the openai client
(about a second), which an offline session never needs.
"""

from __future__ import annotations

from typing import Any

from simulator.errors import RapportError
from simulator.persona.engine import BuyerEngine
from simulator.persona.offline import OfflineEngine

ENGINES: tuple[str, ...] = ("offline", "openai")


def make_engine(name: str = "offline", seed: int | None = None, settings: Any = None) -> BuyerEngine:
    """Build the engine called ``name`` ("offline" or "openai")."""
    if name == "offline":
        return OfflineEngine(seed=seed)
    if name == "openai":
        from simulator.persona.llm import make_llm_engine  # the openai client loads only when needed

        return make_llm_engine(seed=seed, settings=settings)
    raise RapportError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
