"""The practice loop: one conversation between a rep and a simulated buyer.

``PracticeSession(persona, engine, *, seed, rep_name=None, sinks=[])`` holds the turns and the
buyer state and emits events (``simulator.session.events``) to every sink.  Whoever drives it
(``simulate``, the voice pipeline, the TUI) calls::

    session.start()                 -> the buyer's opening Turn
    session.rep_turn(text, ...)     -> the buyer's reply Turn (the rep's Turn is session.turns[-2])
    session.respond(text, ...)      -> the buyer's reply, not yet recorded: the voice pipeline speaks it,
    session.complete(reply)            then records it with its times, recording and latencies
    session.coach(kind, text)       -> note / flag_good / flag_bad / steer / pause / resume
    session.hand_over(rep_name)     -> another rep takes over
    session.scorecard()             -> dict: the scorecard plus "discovery" and "trust_final"
    session.end(reason)             -> SessionEnded (idempotent)

``rep_turn`` analyses the text (``simulator.conversation.analyser.analyse``, with the buyer's
previous line), asks the engine, streams ``BuyerChunk`` events, records both turns and emits
``TurnCompleted`` for each, plus a ``Hint`` when the coaching module has one.  An engine's
``BuyerReply.problem`` (e.g. the LLM server failed and the offline buyer answered) is emitted as a
``Problem``; recovering from faults is the engine's job (``simulator.persona.llm`` holds the one
fallback policy), so the loop never swaps engines.  Steers ("concern", "harder", "softer",
"normal") change the buyer through ``simulator.persona.state.steer``.  No UI, audio or storage imports here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence

from simulator.conversation.coaching import hint_for
from simulator.conversation.moves import Analysis
from simulator.conversation.rubric import Rubric
from simulator.conversation.scorecard import score
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.persona.engine import BuyerEngine, BuyerReply
from simulator.persona.schema import Persona
from simulator.persona.state import STEER_GAIN, BuyerState, steer
from simulator.session.events import (
    BuyerChunk,
    CoachAction,
    Event,
    EventSink,
    Hint,
    PhaseChanged,
    Problem,
    SessionEnded,
    TurnCompleted,
)

log = logging.getLogger(__name__)

COACH_KINDS: tuple[str, ...] = ("note", "flag_good", "flag_bad", "steer", "pause", "resume", "handover")
STEERS: tuple[str, ...] = ("concern", *STEER_GAIN)


class PracticeSession:
    """One practice conversation.  See the module docstring."""

    def __init__(
        self,
        persona: Persona,
        engine: BuyerEngine,
        *,
        seed: int | None = None,
        rep_name: str | None = None,
        sinks: Iterable[EventSink] = (),
        rubric: Rubric | None = None,
    ) -> None:
        self.persona = persona
        self.rubric = rubric
        self.engine = engine
        self.seed = seed
        self.rep_name = rep_name
        self.sinks: list[EventSink] = list(sinks)
        self.turns: list[Turn] = []
        self.state: BuyerState = BuyerState.start(persona)
        self.coach_events: list[CoachAction] = []
        self.analyses: list[Analysis] = []
        self.ended = False
        self.end_reason = ""
        self._ended_event: SessionEnded | None = None
        self._pending: Turn | None = None
        self._t0 = time.monotonic()

    # -- events ---------------------------------------------------------------------------------

    def now(self) -> float:
        return round(time.monotonic() - self._t0, 3)

    def emit(self, event: Event) -> None:
        for sink in self.sinks:
            try:
                sink(event)
            except Exception:  # a broken listener must not break the conversation
                log.exception("event sink failed on %s", type(event).__name__)

    def _add(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        self.emit(TurnCompleted(index=len(self.turns) - 1, turn=turn, t=self.now()))
        return turn

    # -- the conversation -----------------------------------------------------------------------

    def start(self) -> Turn:
        """The buyer's opening line (the first turn)."""
        if self.turns:
            raise RapportError("the session has already started")
        self.emit(PhaseChanged(phase="speaking", detail="opening", t=self.now()))
        turn = self._add(Turn("buyer", self.persona.opening_line, trust=self.state.trust))
        self.emit(PhaseChanged(phase="listening", t=self.now()))
        return turn

    def opening(self) -> Turn | None:
        """The buyer's opening line, not yet recorded, for a voice that speaks it first (then
        :meth:`complete` records it with its times); None when the conversation has already started."""
        if self.turns or self._pending is not None:
            return None
        self.emit(PhaseChanged(phase="speaking", detail="opening", t=self.now()))
        self._pending = Turn("buyer", self.persona.opening_line, trust=self.state.trust)
        return self._pending

    def last_buyer_text(self) -> str | None:
        return next((t.text for t in reversed(self.turns) if t.speaker == "buyer"), None)

    def rep_turn(
        self,
        text: str,
        *,
        start_s: float | None = None,
        end_s: float | None = None,
        audio: str | None = None,
        rep_name: str | None = None,
        latency: dict[str, float] | None = None,
    ) -> Turn:
        """Record what the rep said, get the buyer's reply, record it and return the buyer's Turn."""
        return self.complete(self.respond(text, start_s=start_s, end_s=end_s, audio=audio, rep_name=rep_name,
                                          latency=latency))

    def respond(
        self,
        text: str,
        *,
        start_s: float | None = None,
        end_s: float | None = None,
        audio: str | None = None,
        rep_name: str | None = None,
        latency: dict[str, float] | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Turn:
        """Record what the rep said and return the buyer's reply, not yet recorded.

        The buyer's words go to ``on_text`` as they come (a voice starts speaking the first sentence).
        Fill in what only the speaker knows (``start_s``, ``end_s``, ``audio``, ``latency_ms``) and pass
        the turn to :meth:`complete`, which records it; until then the buyer state is already updated.
        """
        if self._pending is not None:  # the previous reply was never completed: record it as it is
            self.complete(self._pending)
        if self.ended or self.state.ended:
            raise RapportError("the meeting has ended; start a new session")
        text = " ".join(text.split())
        if not text:
            raise RapportError("the rep said nothing")
        if not self.turns:
            self.start()
        from simulator.conversation.analyser import analyse

        buyer_said = self.last_buyer_text()
        analysis = analyse(text, buyer_said=buyer_said)
        self.analyses.append(analysis)
        rep = Turn(
            "rep", text, labels=tuple(analysis.labels), cues=tuple(analysis.cues), start_s=start_s, end_s=end_s,
            rep_name=rep_name or self.rep_name, latency_ms=latency, audio=audio,
        )
        history = list(self.turns)
        self._add(rep)
        self._hint(analysis, buyer_said, rep)
        self.emit(PhaseChanged(phase="thinking", t=self.now()))
        reply = self._reply(analysis, history, on_text)
        self.state = reply.state
        extra: dict = {}
        if reply.next_step:
            extra["next_step"] = True
        if reply.ended:
            extra["ended"] = True
        self._pending = Turn("buyer", reply.text, trust=reply.state.trust, revealed=reply.revealed, extra=extra)
        return self._pending

    def complete(self, reply: Turn) -> Turn:
        """Record the buyer's reply returned by :meth:`respond` (once; later calls return it unchanged)."""
        if reply is not self._pending:
            if any(turn is reply for turn in self.turns):
                return reply
            raise RapportError("this reply was not given by this session")
        self._pending = None
        buyer = self._add(reply)
        if reply.extra.get("ended"):
            self.end("buyer_ended")
        else:
            self.emit(PhaseChanged(phase="listening", t=self.now()))
        return buyer

    def _reply(self, analysis: Analysis, history: list[Turn],
               on_text: Callable[[str], None] | None = None) -> BuyerReply:
        """Ask the engine, streaming its chunks as ``BuyerChunk`` events (and to ``on_text``); its problem
        line becomes a ``Problem``."""
        reply: BuyerReply | None = None
        for item in self.engine.respond(self.persona, self.state, analysis, history):
            if isinstance(item, BuyerReply):
                reply = item
            elif item:
                self.emit(BuyerChunk(text=item, t=self.now()))
                if on_text is not None:
                    on_text(item)
        if reply is None:
            raise RapportError(f"the {self.engine.name} buyer gave no reply")
        if reply.problem:  # the engine recovered by itself (e.g. the LLM failed; offline answered)
            self.emit(Problem(message=reply.problem, t=self.now()))
        return reply

    def _hint(self, analysis: Analysis, buyer_said: str | None, rep: Turn) -> None:
        context = {"buyer_said": buyer_said, "monologue_words": len(rep.text.split()),
                   "monologue_s": rep.duration_s, "trust": self.state.trust}
        text = hint_for(analysis.labels, context)
        if text:
            self.emit(Hint(text=text, t=self.now()))

    # -- coaching -------------------------------------------------------------------------------

    def moment(self) -> int | None:
        """The turn a coach action made now belongs to: the last completed turn (None before the first)."""
        return len(self.turns) - 1 if self.turns else None

    def coach(self, kind: str, text: str = "", *, turn_index: int | None = None) -> CoachAction:
        """Record a coach action at ``turn_index`` (default: the last completed turn, the moment the coach
        saw).  ``coach("steer", "concern")`` (or ``coach("concern")``) steers the buyer."""
        if kind in STEERS:
            kind, text = "steer", kind
        if kind not in COACH_KINDS:
            raise RapportError(f"unknown coach action {kind!r}; expected one of: {', '.join(COACH_KINDS)}")
        if kind == "steer":
            if text not in STEERS:
                raise RapportError(f"unknown steer {text!r}; expected one of: {', '.join(STEERS)}")
            self.state = steer(self.state, text)
        if turn_index is None:
            turn_index = self.moment()
        action = CoachAction(kind=kind, text=text, turn_index=turn_index, rep_name=self.rep_name, t=self.now())
        self.coach_events.append(action)
        self.emit(action)
        if kind == "pause":
            self.emit(PhaseChanged(phase="paused", t=self.now()))
        elif kind == "resume":
            self.emit(PhaseChanged(phase="listening", t=self.now()))
        return action

    def hand_over(self, rep_name: str) -> CoachAction:
        """Another rep takes over from the next turn."""
        self.rep_name = rep_name
        action = CoachAction(kind="handover", text=rep_name, turn_index=self.moment(), rep_name=rep_name,
                             t=self.now())
        self.coach_events.append(action)
        self.emit(action)
        return action

    # -- the end --------------------------------------------------------------------------------

    def scorecard(self) -> dict:
        """The scorecard (``rapport score --json`` shape) plus ``discovery`` and ``trust_final``."""
        card = practice_scorecard(self.turns, self.persona, trust_start=float(self.persona.starting_trust),
                                  revealed=list(self.state.revealed), trust_final=self.state.trust,
                                  rubric=self.rubric)
        card["next_step_offered"] = self.state.next_step_offered
        card["buyer_ended"] = self.state.ended
        return card

    def end(self, reason: str = "finished") -> SessionEnded:
        """Finish the session (idempotent) and emit ``SessionEnded`` with the scorecard."""
        if self._ended_event is not None:
            return self._ended_event
        if self._pending is not None:  # a reply still being spoken is part of the session
            pending, self._pending = self._pending, None
            self._add(pending)
        self.ended = True
        self.end_reason = reason
        self._ended_event = SessionEnded(reason=reason, scorecard=self.scorecard(), t=self.now())
        self.emit(PhaseChanged(phase="ended", detail=reason, t=self.now()))
        self.emit(self._ended_event)
        return self._ended_event


def practice_scorecard(turns: Sequence[Turn], persona: Persona, *, trust_start: float | None = None,
                       revealed: Sequence[str] | None = None, trust_final: float | None = None,
                       rubric: Rubric | None = None, alternatives: dict[int, str] | None = None) -> dict:
    """The scorecard of ``turns`` (``rapport score --json`` shape) with the persona's ``discovery`` (facts
    revealed of all) and ``trust_final``; both are read from the buyer turns unless given.  ``rubric``:
    the coach's (default: the default rubric); ``alternatives``: the "try instead" already given for some
    turns (a rep's part of a group session keeps the whole session's)."""
    titles = {f.id: f.topic for f in persona.facts}
    card = score(turns, facts_total=len(persona.facts), fact_titles=titles, trust_start=trust_start,
                 rubric=rubric, alternatives=alternatives).to_dict()
    if revealed is None:
        revealed = sorted({fid for t in turns if t.speaker == "buyer" for fid in t.revealed})
    if trust_final is None:
        trust_final = next((t.trust for t in reversed(turns) if t.trust is not None), None)
    card["discovery"] = {**(card.get("discovery") or {}), "revealed": len(revealed), "total": len(persona.facts),
                         "facts": list(revealed)}
    card["trust_final"] = trust_final
    return card
