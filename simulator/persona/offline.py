"""The offline buyer engine: the default, with no network and no key.

Every word comes from the persona file (with generic fallbacks from ``simulator.persona.replies``
when a persona leaves a reaction out).  How it answers, given the rep's labels:

- **question**: the fact asked about (``matching.match``: keywords, paraphrase, question shape)
  is shared when trust has reached its ``trust_needed``, otherwise deflected with a guarded
  line.  A follow-up ("tell me more", "why is that") continues the last topic: a fact it
  ``leads_to`` (or the next one in the file), else an elaboration.  A general question with no
  topic gets the next fact in discovery order (lowest ``trust_needed`` first).  Asking for next
  steps before the buyer is ready gets a ``not_ready`` line.
- **listening**: the buyer elaborates or volunteers the next fact on the same thread.
- **pitch / benefit / leading question**: polite disinterest first, then the buyer's concerns.
- **objection handling**: push-back, and another concern.
- **exploring a concern**: a question or reflection about a concern the buyer raised
  (``matching.match_concern``: its words, or a generic "what makes you say that?" right after the
  buyer voiced it) gets one of the concern's ``explored`` lines, and the rules' bonus
  (``apply_move(..., explores=...)``).  Once its ``explored`` lines are used up, questions about it
  are answered as ordinary questions.  An explored concern is not raised again while others remain.
- **close**: resistance before trust is earned; a repeated early close ends the meeting
  (``state.apply_move``); once trust is earned, a measured answer.
- Once ready (``state.ready_for_next_step``) the buyer proposes the next step themselves.
- A coach's "concern" steer makes the next reply raise a concern.

Deterministic: the random choice of phrasing is seeded by (seed, persona id, turn number).
No line is said twice in a session: lines already in the history are skipped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from simulator.conversation.moves import CONSULTATIVE, TRANSACTIONAL, Analysis
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.persona import replies
from simulator.persona.engine import BuyerReply
from simulator.persona.matching import is_open_question, looks_like_question, match, match_concern
from simulator.persona.schema import STORY_WORDS, Concern, Fact, Persona
from simulator.persona.state import BuyerState, apply_move, is_ready, ready_for_next_step
from simulator.persona.understanding import Understanding, understand


@dataclass
class _Picker:
    """Chooses phrasings at random (seeded) among lines not yet said in this session."""

    rng: random.Random
    #: what the buyer has already said this session (whole turns)
    said: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def is_used(self, line: str) -> bool:
        return line in self.used or any(line in turn for turn in self.said)

    def fresh(self, lines: list[str]) -> list[str]:
        return [line for line in lines if not self.is_used(line)]

    def pick(self, lines: list[str], fallback: list[str] = ()) -> str | None:
        for pool in (lines, list(fallback)):
            options = self.fresh(pool)
            if options:
                line = self.rng.choice(options)
                self.used.add(line)
                return line
        pool = list(lines) or list(fallback)
        if not pool:
            return None
        # Every phrasing has been used: vary the wording rather than repeat a line verbatim.
        for prefix in replies.REPEAT_PREFIXES:
            for line in pool:
                varied = replies.vary(line, prefix)
                if not self.is_used(varied):
                    self.used.add(varied)
                    return varied
        return None


def _said(history: list[Turn], persona: Persona) -> list[str]:
    return [persona.opening_line] + [turn.text for turn in history if turn.speaker == "buyer"]


@dataclass
class _Reply:
    """A reply being put together."""

    persona: Persona
    state: BuyerState
    picker: _Picker
    parts: list[str] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    next_step: bool = False
    #: the reply deflects a question asked before trust allowed an answer
    guarded: bool = False
    #: trust is high and the rep asked an open question or reflected: answer at story length
    story: bool = False

    def say(self, lines: list[str], fallback: list[str] = ()) -> bool:
        line = self.picker.pick(lines, fallback)
        if line:
            self.parts.append(line)
        return bool(line)

    def share(self, fact: Fact) -> None:
        if not (self.story and self.say(self.picker.fresh(fact.story))):
            self.say(fact.says)
            if self.story:
                self._tell_on(fact)
        self.revealed.append(fact.id)
        self.state = replace(self.state.with_revealed([fact.id]), last_topic=fact.id)

    def elaborate(self, fact: Fact) -> bool:
        if self.story and self.say(self.picker.fresh(fact.story)):
            self.state = replace(self.state, last_topic=fact.id)
            return True
        if self.picker.fresh(fact.more):
            self.say(fact.more)
            self.state = replace(self.state, last_topic=fact.id)
            if self.story:
                self._tell_on(fact)
            return True
        return False

    def words(self) -> int:
        return sum(len(part.split()) for part in self.parts)

    def _tell_on(self, fact: Fact) -> None:
        """No story line: the fact's other details, up to STORY_WORDS (only this fact: a question about X
        reveals only X)."""
        for line in self.picker.fresh(fact.more):
            if self.words() >= STORY_WORDS[0] or self.words() + len(line.split()) > STORY_WORDS[1]:
                return
            self.say([line])

    def guard(self, fact: Fact | None) -> None:
        self.guarded = True
        self.say(fact.guarded if fact else [], self.persona.lines.guarded or replies.GENERIC["guarded"])

    def raise_concern(self) -> bool:
        """Voice the next concern: an unraised one in file order, else one raised but never explored."""
        unraised = [c for c in self.persona.concerns if c.id not in self.state.concerns_raised]
        pool = unraised or [c for c in self.persona.concerns
                            if c.id not in self.state.concerns_explored and self.picker.fresh(c.says)]
        if not pool:
            return False
        concern = pool[0]
        self.say(concern.says)
        self.state = self.state.with_concern(concern.id)
        return True


def tells_stories(state: BuyerState, persona: Persona) -> bool:
    """Trust high enough for the buyer to talk at length: within 10 points of the persona's next-step
    trust, and at least 50."""
    return state.trust >= max(50.0, persona.next_step_trust - 10)


class OfflineEngine:
    """Rule-based buyer driven by the persona file.  See the module docstring."""

    name = "offline"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = 0 if seed is None else seed
        self._problem = ""
        self._problem_said = False

    def respond(
        self, persona: Persona, state: BuyerState, rep: Analysis, history: list[Turn]
    ) -> Iterator[str | BuyerReply]:
        reply = self.reply(persona, state, rep, history)
        if reply.text:
            yield reply.text
        yield reply

    def reply(self, persona: Persona, state: BuyerState, rep: Analysis, history: list[Turn]) -> BuyerReply:
        """The whole reply at once (``respond`` yields it)."""
        labels = set(rep.labels)
        picker = _Picker(random.Random(f"{self.seed}:{persona.id}:{state.turns}"), _said(history, persona))
        explored = self._explored_concern(persona, state, rep, picker)
        new = apply_move(state, rep.labels, persona, explores=explored.id if explored else None)
        if state.ended:
            return BuyerReply("", (), new, ended=True)
        r = _Reply(persona, new, picker)
        r.story = tells_stories(new, persona) and ("listening" in labels or is_open_question(rep.text))
        lines = persona.lines
        if new.ended:
            r.say(lines.goodbye, replies.GENERIC["goodbye"])
            return self._finish(r, ended=True)
        if labels & TRANSACTIONAL:
            self._transactional(r, labels, was_ready=is_ready(state.trust, persona))
        elif new.concern_pending:
            r.raise_concern() or r.say(lines.listening, replies.GENERIC["listening"])
        elif explored is not None:
            r.say(explored.explored, replies.GENERIC["concern_explored"])
        elif "question" in labels or (labels <= {"other"} and looks_like_question(rep.text)):
            # a clear question the analyser left unlabelled is still a question; one it also heard as rapport
            # ("How are you doing today?") gets small talk when no fact or public line answers it
            self._question(r, rep.text, small_talk="rapport" in labels)
        elif "listening" in labels:
            self._listening(r, rep.text)
        elif "rapport" in labels and looks_like_question(rep.text):
            self._small_talk_question(r, rep.text)
        elif "rapport" in labels:
            r.say(lines.small_talk, replies.GENERIC["small_talk"])
        elif replies.is_backchannel(rep.text) and state.last_topic:
            self._listening(r, rep.text)  # "mm hmm", "right": the buyer carries on (no trust earned)
        else:
            r.say(lines.unclear, replies.GENERIC["unclear"])
        if not r.next_step and ready_for_next_step(r.state, persona) and not labels & TRANSACTIONAL:
            self._propose(r)
        return self._finish(r)

    # -- the branches ---------------------------------------------------------------------------

    def _transactional(self, r: _Reply, labels: set[str], was_ready: bool) -> None:
        lines = r.persona.lines
        if "close" in labels:
            if was_ready:
                r.say(lines.close_ready, replies.GENERIC["close_ready"])
                if ready_for_next_step(r.state, r.persona):
                    self._propose(r)
            elif r.state.early_closes >= 2:
                r.say(lines.close_pushed, replies.GENERIC["close_pushed"])
            else:
                r.say(lines.close_early, replies.GENERIC["close_early"])
                r.raise_concern()
        elif "objection_handling" in labels:
            r.say(lines.rebuttal, replies.GENERIC["rebuttal"])
            r.raise_concern()
        elif "leading_question" in labels and r.picker.fresh(lines.leading):
            r.say(lines.leading)
        elif r.state.pitches <= 1:
            r.say(lines.pitch, replies.GENERIC["pitch"])
        else:
            r.raise_concern() or r.say(lines.pitch, replies.GENERIC["pitch"])

    def _understand(self, text: str, persona: Persona) -> Understanding | None:
        """What the question asks (the learned matcher); None when the sentence model is missing, with one
        problem per session, and the word matcher answers instead."""
        try:
            return understand(text, persona)
        except RapportError as exc:
            if not self._problem_said:
                self._problem_said = True
                self._problem = f"{exc}; the buyer matches questions by their words only"
            return None

    def _question(self, r: _Reply, text: str, small_talk: bool = False) -> None:
        persona, state = r.persona, r.state
        m = match(text, persona, state.revealed)
        if m.next_step:
            if ready_for_next_step(state, persona):
                self._propose(r)
            elif state.next_step_offered:
                self._restate_next_step(r)
            else:
                r.say(persona.lines.not_ready, replies.GENERIC["not_ready"])
            return
        last = persona.fact(state.last_topic) if state.last_topic else None
        u = self._understand(text, persona)
        if u is None:
            self._question_by_words(r, m, last)
            return
        if m.follow_up and last is not None and u.fact_id in (None, last.id):
            self._continue(r, last)
            return
        if u.fact_id is not None:
            self._about_fact(r, persona.fact(u.fact_id))
        elif u.category == "profile" and u.profile_id is not None:
            self._profile(r, u.profile_id) or r.say(persona.lines.deflect, replies.GENERIC["deflect"])
        elif u.category == "broad":
            self._broad(r, last)
        elif u.kind == "offtopic" or small_talk:  # small talk gets small talk, never a fact
            r.say(persona.lines.chat, replies.GENERIC["chat"])
        else:
            r.say(persona.lines.deflect, replies.GENERIC["deflect"])

    def _small_talk_question(self, r: _Reply, text: str) -> None:
        """Small talk asked as a question ("How was your weekend?"): a public profile line when one answers it,
        else the persona's chat; never a fact, whatever the matcher finds."""
        u = self._understand(text, r.persona)
        public = u is not None and u.category == "profile" and u.profile_id is not None
        if not (public and self._profile(r, u.profile_id)):
            r.say(r.persona.lines.chat, replies.GENERIC["chat"])

    @staticmethod
    def _profile(r: _Reply, profile_id: str) -> bool:
        """Say the public profile entry ``profile_id``; False when it has nothing left to say."""
        entry = next(e for e in r.persona.profile if (e.id or e.topic) == profile_id)
        return r.say(entry.says)

    def _broad(self, r: _Reply, last: Fact | None) -> None:
        """A wide opener: the next situation fact the buyer would tell anyone, else more on the current thread."""
        situation = [f for f in r.persona.facts if f.kind == "situation" and f.id not in r.state.revealed
                     and r.state.trust >= f.trust_needed]  # fmt: skip
        if situation:
            r.share(min(situation, key=lambda f: f.trust_needed))
        elif not (last is not None and r.elaborate(last)):
            r.say([line for e in r.persona.profile for line in e.says][:3] or r.persona.lines.listening,
                  replies.GENERIC["listening"])  # fmt: skip

    def _about_fact(self, r: _Reply, target: Fact) -> None:
        """The question is about ``target``: share it, say more, or deflect with its own guarded line."""
        if target.id in r.state.revealed:
            r.elaborate(target) or self._continue(r, target)
        elif r.state.trust >= target.trust_needed:
            r.share(target)
        else:
            r.guard(target)

    def _question_by_words(self, r: _Reply, m, last: Fact | None) -> None:
        """The word matcher's answer (no sentence model): as before the learned matcher existed."""
        persona, state = r.persona, r.state
        if m.follow_up and last is not None and (m.fact is None or m.fact.id == last.id or m.score < 4):
            self._continue(r, last)
            return
        target = m.fact or self._by_kind(r, m.kind) or self._next_fact(r)
        if target is None:  # everything is out: the buyer says more about what they have shared
            if not (last is not None and r.elaborate(last)) and not any(r.elaborate(f) for f in persona.facts):
                r.say(persona.lines.listening, replies.GENERIC["listening"])
        elif target.id in state.revealed:
            other = self._by_kind(r, m.kind)
            if other is not None and other.id not in state.revealed and state.trust >= other.trust_needed:
                r.share(other)
            else:
                r.elaborate(target) or self._continue(r, target)
        elif state.trust >= target.trust_needed:
            r.share(target)
        else:
            r.guard(target)

    def _listening(self, r: _Reply, text: str) -> None:
        m = match(text, r.persona, r.state.revealed)
        if m.fact is not None and m.fact.id in r.state.revealed and r.elaborate(m.fact):
            return
        last = r.persona.fact(r.state.last_topic) if r.state.last_topic else None
        if last is not None:
            nxt = self._continuation(r, last)
            if nxt is not None and r.state.trust >= nxt.trust_needed:
                r.say(r.persona.lines.listening, replies.GENERIC["listening"])
                r.share(nxt)
                return
            if r.elaborate(last):
                return
        nxt = self._next_fact(r)
        r.say(r.persona.lines.listening, replies.GENERIC["listening"])
        if nxt is not None and r.state.trust >= nxt.trust_needed:
            r.share(nxt)

    # -- helpers --------------------------------------------------------------------------------

    def _explored_concern(self, persona: Persona, state: BuyerState, rep: Analysis, picker: _Picker) -> Concern | None:
        """The raised concern a consultative move explores, when the buyer still has something to say about it."""
        labels = set(rep.labels)
        if state.ended or state.concern_pending or labels & TRANSACTIONAL or not labels & CONSULTATIVE:
            return None
        m = match_concern(rep.text, persona, state.concerns_raised, state.open_concern, state.revealed)
        if m is None:
            return None
        if picker.fresh(m.concern.explored) or m.concern.id not in state.concerns_explored:
            return m.concern
        return None

    def _continuation(self, r: _Reply, fact: Fact) -> Fact | None:
        """The fact a follow-up on ``fact`` opens: its ``leads_to``, else the next unshared one in the file."""
        revealed = r.state.revealed
        for fid in fact.leads_to:
            if fid not in revealed:
                return r.persona.fact(fid)
        facts = r.persona.facts
        start = facts.index(fact)
        return next((f for f in facts[start + 1 :] + facts[:start] if f.id not in revealed), None)

    def _continue(self, r: _Reply, last: Fact) -> None:
        nxt = self._continuation(r, last)
        if nxt is not None and r.state.trust >= nxt.trust_needed:
            r.share(nxt)
        elif not r.elaborate(last):
            r.guard(nxt)

    def _by_kind(self, r: _Reply, kind: str | None) -> Fact | None:
        if kind is None:
            return None
        of_kind = [f for f in r.persona.facts if f.kind == kind]
        unshared = sorted((f for f in of_kind if f.id not in r.state.revealed), key=lambda f: f.trust_needed)
        if unshared:
            return unshared[0]
        return of_kind[-1] if of_kind else None

    def _next_fact(self, r: _Reply) -> Fact | None:
        """The next fact in discovery order: the lowest ``trust_needed`` not yet shared."""
        unshared = [f for f in r.persona.facts if f.id not in r.state.revealed]
        return min(unshared, key=lambda f: f.trust_needed) if unshared else None

    def _propose(self, r: _Reply) -> None:
        if r.say(r.persona.lines.next_step, replies.GENERIC["next_step"]):
            r.next_step = True
            r.state = replace(r.state, next_step_offered=True)

    def _restate_next_step(self, r: _Reply) -> None:
        """The rep asks for a next step the buyer has already proposed: the buyer repeats that offer."""
        offers = r.persona.lines.next_step or replies.GENERIC["next_step"]
        offered = [line for line in offers if any(line in turn for turn in r.picker.said)] or offers
        for line in offered:
            for prefix in replies.REPEAT_PREFIXES:
                varied = replies.vary(line, prefix)
                if not r.picker.is_used(varied):
                    r.picker.used.add(varied)
                    r.parts.append(varied)
                    return
        r.say(r.persona.lines.close_ready, replies.GENERIC["close_ready"])

    def _finish(self, r: _Reply, ended: bool = False) -> BuyerReply:
        problem, self._problem = self._problem, ""
        return BuyerReply(" ".join(r.parts), tuple(r.revealed), r.state, next_step=r.next_step, ended=ended,
                          problem=problem, guarded=r.guarded)
