"""The buyer engine protocol and its reply type, shared by the offline engine and the LLM engine.

This module holds only types: it imports no engine, so every engine (``offline``, ``llm``) can import
it, and ``simulator.persona.factory.make_engine`` (the one module that knows the engines) builds one.

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

An engine answers every turn itself: faults it can recover from (a dead LLM server) are its own to
handle, and it reports them in ``BuyerReply.problem``.  The practice loop shows that line and has no
fallback of its own (see ``simulator.persona.llm`` for the one fallback policy).

``collect(chunks)`` drains a ``respond`` iterator into its ``BuyerReply`` (for callers that do
not stream).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from simulator.errors import RapportError
from simulator.persona.state import BuyerState

if TYPE_CHECKING:  # pragma: no cover
    from simulator.conversation.moves import Analysis
    from simulator.conversation.turns import Turn
    from simulator.persona.schema import Persona


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
    #: the reply deflects a question asked before trust allowed an answer (a guarded line)
    guarded: bool = False


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
