"""Drills: short, focused exercises chosen from a rep's weakest figures.

Each drill is a few rep turns against a persona, set up so the skill can be shown at once, and judged
turn by turn: it passes or fails with a reason naming the turn.  The attempt is stored as a session
(source ``drill``) and as a row of ``drill_attempts`` (migration 4), and ``rapport progress`` shows the
attempts.

=============  ===========================  ========================================================
drill          trains (progress figure)     the exercise
=============  ===========================  ========================================================
``follow-ups`` follow-up questions          three questions in a row, each built on the buyer's own
                                            words (one of their content words, light stemming)
``concern``    transactional moves          the buyer raises a concern: explore it (ask about it or
               (objection handling)         reflect it) and do not rebut it, two turns
``reflect``    listening                    a reflection of the buyer's own words, then a question
``ask``        transactional moves,         three turns with no pitch, benefit, leading question,
               rep talk share               rebuttal or close, at least two of them questions
=============  ===========================  ========================================================

Choosing: :func:`weakest` scores each drill's figure over the rep's last three scored practice sessions
(verdict poor 0, ok 1, good 2; for ``concern``: 0 when the rep argued with a concern, else 2) plus half a
point per drill already passed, and picks the lowest (ties: the order above).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from simulator.conversation.moves import TRANSACTIONAL
from simulator.conversation.transcript import shared_words
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.persona.schema import Persona
from simulator.persona.state import BuyerState
from simulator.session.events import Hint, PhaseChanged, Problem
from simulator.session.start import StoredPractice

_VERDICT = {"poor": 0.0, "ok": 1.0, "good": 2.0}


@dataclass(frozen=True)
class Drill:
    key: str
    title: str
    #: the progress figure it trains
    figure: str
    #: what the rep is asked to do (shown before the attempt)
    brief: str
    #: rep turns in one attempt
    turns: int
    #: how the buyer opens: "fact" (a first fact, something to build on) or "concern" (a raised concern)
    opening: str = "fact"


DRILLS: tuple[Drill, ...] = (
    Drill("follow-ups", "Three follow-up questions", "follow-up questions",
          "Ask three questions in a row, each built on the buyer's own words (pick up a word they just used).", 3),
    Drill("concern", "Explore a concern", "transactional moves",
          "The buyer raises a concern. Explore it (ask what is behind it, or reflect it back) and do not argue "
          "with it, for two turns.", 2, opening="concern"),
    Drill("reflect", "Reflect, then ask", "listening",
          "First reflect what the buyer said in their own words, then ask your next question.", 2),
    Drill("ask", "Ask, don't tell", "transactional moves",
          "Three turns without pitching, promising, steering, rebutting or closing; at least two questions.", 3),
)
BY_KEY = {d.key: d for d in DRILLS}


def drill(key: str) -> Drill:
    if key not in BY_KEY:
        raise RapportError(f"unknown drill {key!r}; drills: {', '.join(BY_KEY)}")
    return BY_KEY[key]


# --- choosing ------------------------------------------------------------------------------------


def weakness(cards: list[dict], passed: Iterable[str] = ()) -> dict[str, float]:
    """Each drill's score from the rep's recent scorecards (lower is weaker; see the module docstring)."""
    done = list(passed)
    scores: dict[str, float] = {}
    for d in DRILLS:
        values = []
        for card in cards:
            if d.key == "concern":
                values.append(0.0 if (card.get("moves") or {}).get("objection_handling") else 2.0)
                continue
            fig = next((f for f in card.get("figures") or [] if f.get("name") == d.figure), None)
            if fig and fig.get("verdict") in _VERDICT:
                values.append(_VERDICT[fig["verdict"]])
        scores[d.key] = (sum(values) / len(values) if values else 1.0) + 0.5 * done.count(d.key)
    return scores


def weakest(store, rep: str | None) -> tuple[Drill, dict[str, float]]:  # noqa: ANN001 (Store)
    """The drill for ``rep``'s weakest figure now, and every drill's score."""
    sessions = [s for s in store.list_sessions(rep=rep) if s.overall is not None and s.source == "practice"
                and not s.parent_id][:3]  # fmt: skip
    cards = [store.get(s.id).scorecard or {} for s in sessions]
    passed = [a["drill"] for a in store.drill_attempts(rep) if a["passed"]]
    scores = weakness(cards, passed)
    return min(DRILLS, key=lambda d: (scores[d.key], DRILLS.index(d))), scores


# --- judging -------------------------------------------------------------------------------------


def _said(turn: Turn) -> str:
    words = turn.text if len(turn.text) <= 70 else turn.text[:67] + "…"
    return f"“{words}”"


def _moves(turn: Turn) -> str:
    return ", ".join(label.replace("_", " ") for label in turn.labels) or "no move"


def judge(d: Drill, turns: list[Turn], state: BuyerState, persona: Persona) -> tuple[bool, str]:
    """Whether the attempt's turns pass drill ``d``, and why (naming the turn that failed)."""
    pairs: list[tuple[Turn, str]] = []  # each rep turn of the attempt and what the buyer said just before
    last = ""
    for turn in turns:
        if turn.speaker == "buyer":
            last = turn.text
        else:
            pairs.append((turn, last))
    pairs = pairs[: d.turns]
    if len(pairs) < d.turns:
        return False, f"the attempt ended after {len(pairs)} of {d.turns} turns"
    for n, (turn, _) in enumerate(pairs, 1):
        pushed = set(turn.labels) & TRANSACTIONAL
        if pushed:
            what = ", ".join(sorted(label.replace("_", " ") for label in pushed))
            if d.key == "concern" and "objection_handling" in pushed:
                return False, f"turn {n} argued with the concern ({what}) instead of exploring it: {_said(turn)}"
            return False, f"turn {n} was transactional ({what}): {_said(turn)}"
    if d.key == "follow-ups":
        built = []
        for n, (turn, buyer) in enumerate(pairs, 1):
            if "question" not in turn.labels:
                return False, f"turn {n} was not a question ({_moves(turn)}): {_said(turn)}"
            words = shared_words(turn.text, buyer)
            if not words:
                return False, f"turn {n} did not build on the buyer's words (they said {_said(Turn('buyer', buyer))})"
            built.append(words[0])
        return True, f"three questions, each built on the buyer's words ({', '.join(built)})"
    if d.key == "concern":
        concern = persona.concerns and next((c for c in persona.concerns if c.id in state.concerns_raised), None)
        topic = f"({concern.topic})" if concern else "they raised"
        if not concern or concern.id not in state.concerns_explored:
            return False, f"the concern {topic} was not explored: ask what is behind it, or reflect it back"
        return True, f"explored the concern {topic} without arguing with it"
    if d.key == "reflect":
        (first, buyer), (second, _) = pairs[0], pairs[1]
        words = shared_words(first.text, buyer)
        if "listening" not in first.labels or not words:
            return False, (f"turn 1 did not reflect the buyer's words ({_moves(first)}): {_said(first)}; "
                           "say back what you heard in their words first")
        if "question" not in second.labels:
            return False, f"turn 2 was not a question ({_moves(second)}): {_said(second)}"
        return True, f"reflected their words ({', '.join(words[:3])}), then asked"
    asked = sum(1 for turn, _ in pairs if "question" in turn.labels)
    if asked < 2:
        return False, f"{asked} of {d.turns} turns were questions; ask at least two"
    return True, f"{d.turns} turns without a transactional move, {asked} of them questions"


# --- the attempt -----------------------------------------------------------------------------------


class DrillPractice(StoredPractice):
    """A practice session set up for one drill: the buyer opens with something to work with, and after the
    drill's turns the attempt is judged (``result``) and the session ends."""

    drill: Drill = DRILLS[0]
    result: tuple[bool, str] | None = None
    #: the stored outcome (:func:`record`), once the drill has ended
    outcome: dict | None = None

    def start(self) -> Turn:
        if self.turns:
            raise RapportError("the drill has already started")
        persona, state = self.persona, BuyerState.start(self.persona)
        if self.drill.opening == "concern":
            if not persona.concerns:
                raise RapportError(f"{persona.name} has no concerns to raise; choose another persona for this drill")
            concern = persona.concerns[0]
            text, state = concern.says[0], state.with_concern(concern.id)
        else:
            fact = min(persona.facts, key=lambda f: f.trust_needed)
            text = fact.says[0]
            state = dataclasses.replace(state.with_revealed([fact.id]), last_topic=fact.id)
        self.state = state
        turn = self._add(Turn("buyer", text, trust=state.trust, revealed=tuple(state.revealed)))
        self.emit(PhaseChanged(phase="listening", detail=f"drill: {self.drill.title}", t=self.now()))
        return turn

    def rep_turn(self, text: str, **kwargs) -> Turn:
        reply = super().rep_turn(text, **kwargs)
        said = sum(1 for t in self.turns if t.speaker == "rep")
        if self.result is None and (said >= self.drill.turns or self.state.ended):
            self.result = judge(self.drill, self.turns, self.state, self.persona)
            self.end("drill passed" if self.result[0] else "drill failed")
            try:
                record(self)
            except RapportError as exc:  # the store failed: the outcome is still shown
                self.emit(Problem(message=f"session store: {exc}", t=self.now()))
            passed, reason = self.result
            line = f"Drill {'passed' if passed else 'failed'}: {reason}"
            self.emit(Hint(text=line, t=self.now()))
            self.emit(Problem(message=line, t=self.now()))  # shown even with hints off (exam mode)
        return reply


def open_drill(key: str | None, *, persona_id: str | None = None, rep_name: str = "", seed: int | None = None,
               db_url: str | None = None, save: bool = True, sinks=(), personas_dirs=()) -> DrillPractice:  # noqa: ANN001
    """A ready drill for ``rep_name``: ``key`` or the one for the rep's weakest figure; stored unless not ``save``."""
    from simulator.persona.factory import make_engine
    from simulator.persona.loader import get, load_all
    from simulator.session.store import Store

    if key is None:
        with Store.open(db_url, read=True) as store:
            chosen, _ = weakest(store, rep_name or None)
    else:
        chosen = drill(key)
    if persona_id:
        persona = get(persona_id, personas_dirs)
    else:
        personas = [p for p in load_all(personas_dirs)[0].values() if p.concerns or chosen.opening != "concern"]
        if not personas:
            raise RapportError("no persona to drill with")
        persona = personas[0]
    session = DrillPractice(persona, make_engine("offline", seed=seed), seed=seed, rep_name=rep_name or None,
                            sinks=list(sinks))
    session.drill = chosen
    if save:
        from simulator.session.recorder import start_recorder

        recorder = start_recorder(persona, "offline", {"seed": seed, "drill": chosen.key}, db_url,
                                  reps=[rep_name] if rep_name else [])
        session.sinks.insert(0, recorder)
        session.session_id = recorder.session_id
        session.recorder = recorder
    return session


def record(session: DrillPractice) -> dict:
    """Store the attempt's result (after the session has ended, once); returns it as a dict."""
    if session.outcome is not None:
        return session.outcome
    if session.result is None:
        session.result = judge(session.drill, session.turns, session.state, session.persona)
    passed, reason = session.result
    doc = {"drill": session.drill.key, "title": session.drill.title, "passed": passed, "reason": reason,
           "session_id": session.session_id, "rep": session.rep_name}
    if session.recorder is not None:
        store = session.recorder.store
        store.mark_source(session.session_id, "drill")
        store.add_drill_attempt(session.session_id, session.rep_name, session.drill.key, passed, reason)
    session.outcome = doc
    return doc
