"""The buyer engine protocol, shared by the offline engine and the LLM engine.

An engine turns the rep's analysed utterance into the buyer's reply::

    class BuyerEngine(Protocol):
        name: str
        def respond(self, persona, state, rep: Analysis, history: list[Turn]) -> Iterator[str | BuyerReply]

``respond`` yields text chunks as they become available (streaming; the offline engine yields
the whole reply as one chunk) and finally exactly one ``BuyerReply`` carrying the full text, the
ids of facts revealed in this reply, the new ``BuyerState`` and the next-step / ended flags.
``state`` is the state *before* the rep's utterance; engines compute the new one with
``simulator.persona.state.apply_move`` so the trust rules are the same for every engine.
``history`` is the conversation so far, without the rep's current utterance.

``make_engine(name, seed, settings)`` builds one: ``"offline"`` (default; no network) or
``"openai"``.  The LLM engine lives in ``simulator.persona.llm``
(``make_llm_engine(seed, settings) -> BuyerEngine``), imported only when asked for (it loads the
openai client).
``collect(chunks)`` drains a ``respond`` iterator into its ``BuyerReply`` (for callers that do
not stream).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from simulator.errors import RapportError
from simulator.persona.state import BuyerState

if TYPE_CHECKING:  # pragma: no cover
    from simulator.conversation.moves import Analysis
    from simulator.conversation.turns import Turn
    from simulator.persona.schema import Persona

ENGINES: tuple[str, ...] = ("offline", "openai")


@dataclass(frozen=True)
class BuyerReply:
    """The buyer's complete reply and where it leaves the buyer."""

    text: str
    revealed: tuple[str, ...]
    state: BuyerState
    next_step: bool = False
    ended: bool = False
    #: a fault the caller should show as a ``Problem`` (e.g. "LLM timed out; the offline buyer answered");
    #: the reply is complete all the same
    problem: str = ""


@runtime_checkable
class BuyerEngine(Protocol):
    """Writes the buyer's replies.  See the module docstring for the contract."""

    name: str

    def respond(
        self, persona: Persona, state: BuyerState, rep: Analysis, history: list[Turn]
    ) -> Iterator[str | BuyerReply]: ...


def collect(chunks: Iterable[str | BuyerReply]) -> BuyerReply:
    """Drain a ``respond`` iterator and return its final ``BuyerReply``."""
    reply: BuyerReply | None = None
    for item in chunks:
        if isinstance(item, BuyerReply):
            reply = item
    if reply is None:
        raise RapportError("the buyer engine finished without a reply")
    return reply


def make_engine(name: str = "offline", seed: int | None = None, settings: Any = None) -> BuyerEngine:
    """Build the engine called ``name`` ("offline" or "openai")."""
    if name == "offline":
        from simulator.persona.offline import OfflineEngine

        return OfflineEngine(seed=seed)
    if name == "openai":
        from simulator.persona.llm import make_llm_engine

        return make_llm_engine(seed=seed, settings=settings)
    raise RapportError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
