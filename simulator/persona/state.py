"""Buyer state and the one place where rep moves change it.

``BuyerState`` is an immutable snapshot: trust (0-100), patience (0-100), which hidden facts
the buyer has shared, which concerns they have raised and which the rep has explored, and whether
the meeting has ended or the buyer has offered a next step.  ``apply_move(state, labels, persona,
explores=None)`` is pure: it returns a new state and never touches the old one.  ``explores`` names
the concern the rep's utterance explores (the engine judges that from the words, with
``matching.match_concern``); the rules below decide what exploring it is worth.  Both engines
(offline and LLM) use it, so the rules are the same whoever writes the buyer's words.

The rules (base points, before the persona's difficulty factor)::

    label               trust   patience   note
    question             +4       +2       consultative: the rep explores the buyer's world
    listening            +5       +3       consultative: the rep shows the buyer was heard
    rapport              +2        0       neutral: greetings, thanks, permission
    other                 0       -1       neutral: logistics, fillers
    pitch                -6      -10       transactional
    benefit              -7      -10       transactional: outcomes claimed before a need
    leading_question     -6       -8       transactional: a disguised pitch
    objection_handling   -9      -12       transactional: arguing with a concern
    close (trust < ready) -12     -25      transactional: a close before trust is earned
    close (trust >= ready) -2      -5      a close once the buyer is ready still grates a little
    exploring a concern  +4       +3       bonus on top of question/listening when the move explores a
                                           concern the buyer raised, first time only (question: +8)

How labels combine: an utterance with any transactional label is transactional, and only its
transactional labels count (their costs add up); otherwise the best consultative gain counts,
with +1.5 when the rep both listens and asks.  Costs grow as transactional moves repeat (+25% per
earlier transactional move, at most double).  Gains are halved after four questions in a row
without any listening (an interrogation is not a conversation).  Once trust has reached the
persona's ``next_step_trust`` further gains are halved: the last stretch of trust comes slowly, so
a good first meeting does not pin the buyer at 100.

Concerns: a concern the buyer raised is *explored* when a consultative move (no transactional
label) explores it; it is then recorded in ``concerns_explored`` and earns the bonus above once.
Exploring it again earns only the plain move's gain; exploring a concern that was never raised
counts as a plain move.  Arguing with a concern is ``objection_handling`` and costs as in the table.
``open_concern`` is the concern the buyer voiced in their latest reply (what a generic "what makes
you say that?" explores); every rep turn clears it, and the reply sets it again if it raises one.

Difficulty scales gains and costs: easy x1.25 gains / x0.8 costs, medium x1 / x1, hard x0.8 /
x1.3.  A coach can steer the buyer "harder" (gains x0.7) or "softer" (gains x1.3).

The meeting ends when patience reaches 0, or when the rep closes early more times than the
persona tolerates (``close_tolerance``: easy 2, medium 2, hard 1; the next early close ends it).
The buyer is ready to propose a next step (``ready_for_next_step``) once trust reaches the
persona's ``next_step_trust`` and at least ``next_step_share`` of the hidden facts are out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from simulator.conversation.catalogue import CATALOGUE, CLOSE_EARLY_EFFECT, CLOSE_READY_EFFECT
from simulator.conversation.moves import CONSULTATIVE, TRANSACTIONAL

if TYPE_CHECKING:  # pragma: no cover
    from simulator.persona.schema import Persona

#: label -> (trust points, patience points), before difficulty factors (from the label catalogue)
MOVE_EFFECTS: dict[str, tuple[float, float]] = {m.name: m.effect for m in CATALOGUE if m.name != "close"}
#: the moves the buyer counts as being pitched at
PITCHES: frozenset[str] = frozenset(m.name for m in CATALOGUE if m.pitches)
#: a close before the buyer is ready, and once they are
CLOSE_EARLY: tuple[float, float] = CLOSE_EARLY_EFFECT
CLOSE_READY: tuple[float, float] = CLOSE_READY_EFFECT
#: bonus when one utterance both listens and asks
BOTH_BONUS = 1.5
#: bonus (trust, patience) for the first consultative move that explores a raised concern
CONCERN_EXPLORED: tuple[float, float] = (4.0, 3.0)
#: gain factor once trust has reached the persona's next_step_trust
ABOVE_READY_GAIN = 0.5
#: questions in a row (without listening) after which question gains are halved
INTERROGATION_AFTER = 4
#: difficulty -> (gain factor, cost factor)
DIFFICULTY_FACTORS: dict[str, tuple[float, float]] = {
    "easy": (1.25, 0.8),
    "medium": (1.0, 1.0),
    "hard": (0.8, 1.3),
}
#: coach steer -> gain factor
STEER_GAIN: dict[str, float] = {"harder": 0.7, "softer": 1.3, "normal": 1.0}


@dataclass(frozen=True)
class BuyerState:
    """Where the buyer stands after ``turns`` rep turns.  Immutable: change it with ``apply_move``
    or ``dataclasses.replace``."""

    trust: float
    patience: float = 100.0
    revealed: tuple[str, ...] = ()
    concerns_raised: tuple[str, ...] = ()
    #: concerns the rep has explored (asked about or reflected) rather than argued with
    concerns_explored: tuple[str, ...] = ()
    #: the concern voiced in the buyer's latest reply, if any
    open_concern: str | None = None
    ended: bool = False
    end_reason: str = ""
    next_step_offered: bool = False
    turns: int = 0
    #: id of the fact the conversation is on (follow-ups continue it)
    last_topic: str | None = None
    #: transactional moves so far, and closes made before the buyer was ready
    transactional: int = 0
    early_closes: int = 0
    pitches: int = 0
    questions_in_a_row: int = 0
    #: coach steering: gain factor, and whether the buyer should raise a concern next
    coach_gain: float = 1.0
    concern_pending: bool = False
    #: trust after each rep turn (the first value is the starting trust)
    trust_history: tuple[float, ...] = field(default=())

    @classmethod
    def start(cls, persona: Persona) -> BuyerState:
        """The state before the rep says anything."""
        return cls(trust=float(persona.starting_trust), patience=float(persona.patience),
                   trust_history=(float(persona.starting_trust),))

    def with_revealed(self, fact_ids: Iterable[str]) -> BuyerState:
        new = tuple(f for f in fact_ids if f not in self.revealed)
        return replace(self, revealed=self.revealed + new) if new else self

    def with_concern(self, concern_id: str) -> BuyerState:
        """The buyer voices this concern (first time or again): it is raised and open."""
        raised = self.concerns_raised if concern_id in self.concerns_raised else self.concerns_raised + (concern_id,)
        return replace(self, concerns_raised=raised, open_concern=concern_id, concern_pending=False)

    def explores_new(self, concern_id: str | None) -> bool:
        """Whether exploring this concern now earns the bonus: raised, and not explored before."""
        return concern_id in self.concerns_raised and concern_id not in self.concerns_explored

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("revealed", "concerns_raised", "concerns_explored", "trust_history"):
            d[key] = list(d[key])
        return d


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def is_ready(trust: float, persona: Persona) -> bool:
    """Whether trust is high enough that a close is no longer premature."""
    return trust >= persona.next_step_trust


def ready_for_next_step(state: BuyerState, persona: Persona) -> bool:
    """The buyer proposes a next step once trust and discovery are both far enough along."""
    if state.ended or state.next_step_offered:
        return False
    needed = math.ceil(persona.next_step_share * len(persona.facts))
    return state.trust >= persona.next_step_trust and len(state.revealed) >= needed


def move_delta(
    state: BuyerState, labels: Iterable[str], persona: Persona, explores: str | None = None
) -> tuple[float, float]:
    """(trust change, patience change) for one rep utterance, following the table above."""
    labels = set(labels)
    gain_f, cost_f = DIFFICULTY_FACTORS.get(persona.difficulty, (1.0, 1.0))
    gain_f *= state.coach_gain
    if is_ready(state.trust, persona):
        gain_f *= ABOVE_READY_GAIN
    transactional = labels & TRANSACTIONAL
    if transactional:
        escalation = min(2.0, 1.0 + 0.25 * state.transactional)
        trust = patience = 0.0
        for label in sorted(transactional):
            if label == "close":
                dt, dp = CLOSE_READY if is_ready(state.trust, persona) else CLOSE_EARLY
            else:
                dt, dp = MOVE_EFFECTS[label]
            trust += dt
            patience += dp
        return trust * cost_f * escalation, patience * cost_f * escalation
    consultative = labels & CONSULTATIVE
    if consultative:
        effects = [MOVE_EFFECTS[label] for label in consultative]
        trust = max(dt for dt, _ in effects) + (BOTH_BONUS if len(consultative) > 1 else 0.0)
        patience = max(dp for _, dp in effects)
        if consultative == {"question"} and state.questions_in_a_row >= INTERROGATION_AFTER:
            trust /= 2
        if state.explores_new(explores):
            trust += CONCERN_EXPLORED[0]
            patience += CONCERN_EXPLORED[1]
        return trust * gain_f, patience
    neutral = [MOVE_EFFECTS[label] for label in labels if label in MOVE_EFFECTS] or [MOVE_EFFECTS["other"]]
    trust = max(dt for dt, _ in neutral)
    patience = max(dp for _, dp in neutral)
    return (trust * gain_f if trust > 0 else trust * cost_f), patience


def apply_move(
    state: BuyerState, labels: Iterable[str], persona: Persona, explores: str | None = None
) -> BuyerState:
    """The state after the rep's utterance with these labels (pure; the one place the rules live).

    ``explores``: the id of the concern this utterance explores, as the engine judged from its words."""
    labels = tuple(labels)
    if state.ended:
        return replace(state, turns=state.turns + 1)
    dt, dp = move_delta(state, labels, persona, explores)
    label_set = set(labels)
    transactional = bool(label_set & TRANSACTIONAL)
    explored = state.concerns_explored
    if not transactional and label_set & CONSULTATIVE and state.explores_new(explores):
        explored = explored + (explores,)
    early_close = "close" in label_set and not is_ready(state.trust, persona)
    trust = _clamp(state.trust + dt)
    patience = _clamp(state.patience + dp)
    early_closes = state.early_closes + (1 if early_close else 0)
    ended, reason = False, ""
    if early_closes > persona.close_tolerance:
        ended, reason = True, "pushed"
    elif patience <= 0:
        ended, reason = True, "patience"
    if "question" in label_set and "listening" not in label_set and not transactional:
        in_a_row = state.questions_in_a_row + 1
    else:
        in_a_row = 0
    return replace(
        state,
        trust=round(trust, 1),
        patience=round(patience, 1),
        turns=state.turns + 1,
        transactional=state.transactional + (1 if transactional else 0),
        early_closes=early_closes,
        pitches=state.pitches + (1 if label_set & PITCHES else 0),
        questions_in_a_row=in_a_row,
        concerns_explored=explored,
        open_concern=None,
        ended=ended,
        end_reason=reason,
        trust_history=state.trust_history + (round(trust, 1),),
    )


def steer(state: BuyerState, kind: str) -> BuyerState:
    """A coach's steer: "concern" (raise a concern next), "harder"/"softer"/"normal" (trust gains)."""
    if kind == "concern":
        return replace(state, concern_pending=True)
    if kind in STEER_GAIN:
        return replace(state, coach_gain=STEER_GAIN[kind])
    raise ValueError(f"unknown steer {kind!r}; expected concern, harder, softer or normal")
