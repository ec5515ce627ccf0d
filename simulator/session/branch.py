"""Retry from a moment: practise one turn of a stored session again, from exactly where the buyer stood.

``SESSION:TURN`` names a rep turn by its number in reports (1-based); ``SESSION`` alone picks the session's
costliest moment.  :func:`rebuild` returns the buyer's state *before* that turn, rebuilt from the stored
turns: every earlier rep turn is decided again by the shared deterministic rules (the offline engine's
decision with the session's seed: ``apply_move``, concerns raised and explored, next step, end), and what
really happened overrides it where it is stored (the facts each buyer turn revealed, its trust, a next step
it offered) and the coach's steers are applied where they were made.  The LLM buyer decides its turns with
the same offline decision (``simulator.persona.llm``), so the same rebuild holds for it; its history is
the stored turns.  :func:`open_branch` starts a practice session (a :class:`BranchPractice`) whose
``start()`` replays the stored turns up to the moment as events (the store records them, a screen shows
them), sets the rebuilt state, and waits for the rep to say it differently; the new session is stored
linked to its parent and turn (``sessions.parent_id``, ``parent_turn``).  :func:`compare` puts the two
buyer reactions and the figures (through the reaction, and of the whole sessions) side by side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.persona.offline import OfflineEngine
from simulator.persona.schema import Persona
from simulator.persona.state import BuyerState, steer
from simulator.session.events import EventSink, PhaseChanged, Problem
from simulator.session.records import StoredSession
from simulator.session.start import StoredPractice


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``"k7m2:6"`` -> ("k7m2", 6); ``"k7m2"`` -> ("k7m2", None)."""
    sid, _, turn = (ref or "").strip().partition(":")
    if not sid:
        raise RapportError(f"{ref!r}: expected SESSION:TURN, e.g. k7m2q9xa:6 (a session id and a rep turn number)")
    if not turn:
        return sid, None
    if not turn.isdigit() or int(turn) < 1:
        raise RapportError(f"{ref!r}: the turn must be a turn number from 1, as reports number them")
    return sid, int(turn)


def choose_turn(session: StoredSession, number: int | None) -> int:
    """The 0-based index of the rep turn to retry: ``number`` (1-based), or the costliest moment."""
    if number is None:
        moments = (session.scorecard or {}).get("moments") or []
        index = next((m.get("turn_index") for m in moments if isinstance(m.get("turn_index"), int)), None)
        if index is None:
            index = next((i for i, t in enumerate(session.turns) if t.speaker == "rep"), None)
        if index is None:
            raise RapportError(f"session {session.id} has no rep turn to retry")
        return index
    index = number - 1
    if index >= len(session.turns):
        raise RapportError(f"session {session.id} has {len(session.turns)} turns; there is no turn {number}")
    if session.turns[index].speaker != "rep":
        reps = [str(i + 1) for i, t in enumerate(session.turns) if t.speaker == "rep"]
        raise RapportError(f"turn {number} of session {session.id} is the buyer's; retry one of the rep's turns "
                           f"({', '.join(reps[:12])}{'…' if len(reps) > 12 else ''})")
    return index


@dataclasses.dataclass
class Rebuilt:
    """Where the buyer stood before turn ``index``: the persona (the session's snapshot), the turns before
    it, the state, the seed, and the turns (1-based) where the stored trust differed from the rules' own."""

    persona: Persona
    index: int
    turns: list[Turn]
    state: BuyerState
    seed: int | None
    differed: list[int]


def rebuild(session: StoredSession, index: int) -> Rebuilt:
    """The buyer's state before the rep turn at ``index`` (0-based), rebuilt from the stored turns."""
    try:
        persona = Persona.model_validate(session.persona)
    except Exception as exc:  # noqa: BLE001 (a snapshot the current schema cannot read)
        raise RapportError(f"session {session.id}: its persona snapshot cannot be read ({exc.__class__.__name__}); "
                           "it cannot be retried") from None
    seed = session.settings.get("seed") if isinstance(session.settings.get("seed"), int) else None
    decider = OfflineEngine(seed=seed)
    steers: dict[int, list[str]] = {}
    for ev in session.coach_events:
        if ev.kind == "steer" and isinstance(ev.turn_index, int):
            steers.setdefault(ev.turn_index, []).append(ev.text)
    turns = session.turns
    state = BuyerState.start(persona)
    differed: list[int] = []
    prefix: list[Turn] = []
    for i, turn in enumerate(turns[:index]):
        if turn.speaker == "rep":
            before = state
            decision = decider.reply(persona, state, Analysis(turn.text, tuple(turn.labels), tuple(turn.cues)),
                                     list(prefix))
            state = decision.state
            answer = turns[i + 1] if i + 1 < index and turns[i + 1].speaker == "buyer" else None
            if answer is not None:
                state = _as_happened(before, state, decision.revealed, answer)
                if answer.trust is not None and abs(answer.trust - decision.state.trust) > 0.05:
                    differed.append(i + 2)
        prefix.append(turn)
        for kind in steers.get(i, []):
            state = _steer(state, kind)
    if state.ended:
        raise RapportError(f"the buyer had already ended the meeting before turn {index + 1}; retry an earlier turn")
    return Rebuilt(persona, index, prefix, state, seed, differed)


def _as_happened(before: BuyerState, decided: BuyerState, offered: Iterable[str], answer: Turn) -> BuyerState:
    """The decided state, with what the stored buyer turn shows really happened: its revealed facts (an LLM
    buyer may have left an offered fact out), its trust, a next step it offered."""
    revealed = before.revealed + tuple(f for f in answer.revealed if f not in before.revealed)
    offered = tuple(offered)
    last_topic = decided.last_topic if not offered or set(offered) & set(answer.revealed) else before.last_topic
    trust = float(answer.trust) if answer.trust is not None else decided.trust
    history = decided.trust_history[:-1] + (trust,) if decided.trust_history else (trust,)
    step = decided.next_step_offered or bool(answer.extra.get("next_step"))
    return dataclasses.replace(decided, revealed=revealed, last_topic=last_topic, trust=trust, trust_history=history,
                               next_step_offered=step)


def _steer(state: BuyerState, kind: str) -> BuyerState:
    try:
        return steer(state, kind)
    except ValueError:
        return state


class BranchPractice(StoredPractice):
    """A practice session that starts at a moment of a stored one (see the module docstring)."""

    parent_id: str = ""
    parent_turn: int = 0
    rebuilt: Rebuilt | None = None

    def start(self) -> Turn:
        """Replay the stored turns up to the moment (as events: stored and shown), then wait for the rep."""
        if self.turns:
            raise RapportError("the session has already started")
        assert self.rebuilt is not None
        self.emit(PhaseChanged(phase="speaking", detail="replaying the session up to the moment", t=self.now()))
        for turn in self.rebuilt.turns:
            self._add(dataclasses.replace(turn, audio=None, latency_ms=None, start_s=None, end_s=None,
                                          extra=dict(turn.extra)))
        self.state = self.rebuilt.state
        if self.rebuilt.differed:
            turns = ", ".join(str(n) for n in self.rebuilt.differed)
            self.emit(Problem(message=f"retry: the stored trust differs from today's rules after turn(s) {turns}; "
                              "the stored values are used", t=self.now()))
        self.emit(PhaseChanged(phase="listening", detail=f"retrying turn {self.parent_turn + 1}", t=self.now()))
        return self.turns[-1]


def open_branch(
    ref: str,
    *,
    engine: str | None = None,
    rep_name: str = "",
    db_url: str | None = None,
    audio_dir: str | Path | None = None,
    save: bool = True,
    sinks: Iterable[EventSink] = (),
    settings: dict | None = None,
    engine_settings=None,  # noqa: ANN001
    rubric=None,  # noqa: ANN001
) -> BranchPractice:
    """A ready :class:`BranchPractice` for ``SESSION[:TURN]``; with ``save`` it is stored linked to its parent.
    ``engine``: default the parent's, with the LLM settings stored with it (``engine_choice.retry_engine``;
    ``engine_settings`` then overrides single values such as the model); ``rubric``: default the one the parent's
    scorecard was made with.  The seed is the parent's, so the offline buyer answers as it would have."""
    from simulator.persona.factory import make_engine
    from simulator.session.engine_choice import retry_engine, stored_settings
    from simulator.session.store import Store

    sid, number = parse_ref(ref)
    with Store.open(db_url, audio_dir, read=True) as store:
        parent = store.get(sid)
    if parent.summary.status == "running":
        raise RapportError(f"session {parent.id} is still running; retry it once it has ended")
    index = choose_turn(parent, number)
    rebuilt = rebuild(parent, index)
    name, engine_settings = retry_engine(parent.summary.engine, parent.settings, engine, engine_settings)
    if rubric is None:
        from simulator.session.rubrics import for_stamp

        rubric = for_stamp((parent.scorecard or {}).get("rubric"))
    rep = rep_name or parent.turns[index].rep_name or None
    buyer = make_engine(name, seed=rebuilt.seed, settings=engine_settings)
    session = BranchPractice(rebuilt.persona, buyer, seed=rebuilt.seed, rep_name=rep, sinks=list(sinks),
                             rubric=rubric)
    session.parent_id, session.parent_turn, session.rebuilt = parent.id, index, rebuilt
    if save:
        from simulator.session.recorder import start_recorder

        recorder = start_recorder(
            rebuilt.persona, name,
            {**(settings or {}), **stored_settings(buyer), "seed": rebuilt.seed, "retry_of": f"{parent.id}:{index + 1}",
             **({"rubric": rubric.name, "rubric_hash": rubric.hash} if not rubric.is_default else {})},
            db_url, audio_dir=audio_dir, reps=[rep] if rep else [],
            on_problem=lambda text: session.emit(Problem(message=f"session store: {text}")),
        )  # fmt: skip
        recorder.store.link_branch(recorder.session_id, parent.id, index)
        session.sinks.insert(0, recorder)
        session.session_id = recorder.session_id
        session.recorder = recorder
    return session
