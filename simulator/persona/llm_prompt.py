"""The chat messages that ask a language model to answer the rep as the buyer.

The model *converses*: it answers what the rep actually said, in character.  What the buyer may
say and how they feel has already been decided by the shared rules (``state.apply_move``, fact
matching and ``trust_needed``, concerns, next step, end of meeting, run by the offline engine):
``plan_turn`` turns that decision into a ``TurnPlan``, and the prompt gives the model

- who it is (once per session, in the system message): identity, situation, personality,
  speaking style, and the persona's public ``profile`` when the persona file has one (what anyone
  may know: opening hours, team size...);
- the conversation so far (rep = user, buyer = assistant), ending with the rep's words;
- notes for this reply (the last message): the facts the rep has earned so far *including this
  turn's* (their ``says`` lines as grounding), the trust level in words, what the rep did, the
  rep's words again, the rules' decision (share a fact now, deflect a question asked too soon,
  raise a concern, explore one, propose the next step, end the meeting) and the offline engine's
  line for this turn as the gist.

Facts the rep has not earned are never in the prompt (neither their lines nor their topics), so even
a model that ignores its instructions cannot give them away.  The model may add harmless everyday
detail that fits the persona; it is told not to invent anything about the business.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from simulator.conversation.catalogue import CATALOGUE
from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona import replies
from simulator.persona.engine import BuyerReply
from simulator.persona.schema import Concern, Fact, Persona
from simulator.persona.state import BuyerState

#: the analyser's labels, as the buyer experiences them
LABEL_MEANINGS: dict[str, str] = {m.name: m.buyer_meaning for m in CATALOGUE}
#: stop sequences: the model starting the salesperson's line (at most four, OpenAI's limit)
STOP: list[str] = ["\nRep:", "\nSalesperson:", "\nUser:", "<|im_end|>"]
#: the rep's words are quoted in the notes up to this many words
QUOTE_WORDS = 60
#: below this patience the buyer is told they are running out of it
LOW_PATIENCE = 30
#: phrases of the notes that no buyer would say: a sentence holding one is the model reading its notes out
#: (``ReplyCleaner(echoes=...)`` drops it)
NOTE_ECHOES: tuple[str, ...] = (
    "notes for your", "your notes", "already told them", "told them nothing", "right now you feel",
    "they just said", "trust them enough to tell", "deflect politely", "bring up your worry",
    "suggest the next step", "get this across", "a line you could use", "answer what they said",
    "short spoken sentences", "answer what the salesperson",
)


def trust_feeling(trust: float) -> str:
    """How the buyer feels about the rep at this trust level (0-100)."""
    if trust < 25:
        return "wary and guarded; you say little"
    if trust < 45:
        return "polite but reserved"
    if trust < 65:
        return "warming up to them"
    return "open and friendly; you trust them"


def describe_move(rep: Analysis) -> str:
    """The rep's move in the buyer's terms, e.g. "asked you a sincere question ... and showed they listened"."""
    parts = [LABEL_MEANINGS[label] for label in rep.labels if label in LABEL_MEANINGS]
    return " and ".join(parts) or LABEL_MEANINGS["other"]


@dataclass(frozen=True)
class TurnPlan:
    """The rules' decision for this turn, as the prompt tells it to the model."""

    #: trust and patience after the rep's move (0-100)
    trust: float
    #: the offline engine's reply: what the buyer means to get across
    gist: str
    patience: float = 100.0
    #: facts the rep earned on earlier turns, and the ones this reply shares
    told: tuple[Fact, ...] = ()
    sharing: tuple[Fact, ...] = ()
    #: the rep asked about something trust does not yet allow: a polite, vague deflection
    guarded: bool = False
    #: the concern the buyer raises now, and the one the rep is exploring now
    concern: Concern | None = None
    explored: Concern | None = None
    next_step: bool = False
    ending: bool = False

    @property
    def decisive(self) -> bool:
        """Whether the gist carries a decision the reply must keep (not just a reaction line)."""
        return bool(self.sharing or self.guarded or self.concern or self.explored or self.next_step or self.ending)


def _says_any(text: str, lines: Iterable[str]) -> bool:
    """Whether ``text`` contains one of ``lines`` (case aside: a repeated line starts "Like I said, oh, ...")."""
    low = text.lower()
    return any(line and line.lower() in low for line in lines)


def plan_turn(persona: Persona, before: BuyerState, decided: BuyerReply) -> TurnPlan:
    """The ``TurnPlan`` of the offline engine's reply ``decided`` to a rep whose move found the buyer in ``before``."""
    state = decided.state
    told = tuple(f for f in (persona.fact(fid) for fid in before.revealed) if f is not None)
    sharing = tuple(f for f in (persona.fact(fid) for fid in decided.revealed) if f is not None and f not in told)
    guarded_lines = [*persona.lines.guarded, *replies.GENERIC["guarded"],
                     *(line for f in persona.facts for line in f.guarded)]
    guarded = decided.guarded or _says_any(decided.text, guarded_lines)
    concern = persona.concern(state.open_concern) if state.open_concern else None
    explored = next((c for c in persona.concerns
                     if c.id in state.concerns_explored and c.id not in before.concerns_explored), None)
    if explored is None:
        explored = next((c for c in persona.concerns
                         if c.id in before.concerns_raised and _says_any(decided.text, c.explored)), None)
    if explored is None and before.open_concern and _says_any(decided.text, replies.GENERIC["concern_explored"]):
        explored = persona.concern(before.open_concern)
    return TurnPlan(trust=state.trust, gist=decided.text, patience=state.patience, told=told, sharing=sharing,
                    guarded=guarded, concern=concern, explored=explored, next_step=decided.next_step,
                    ending=decided.ended)


@dataclass(frozen=True)
class PromptInput:
    """Everything the prompt is built from."""

    persona: Persona
    rep: Analysis
    history: list[Turn]
    plan: TurnPlan
    history_turns: int = 8


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | Mapping) and not value)


def _plain(value: object) -> str:
    """A profile value as one line: lists joined, tables as "key: value"."""
    if isinstance(value, Mapping):
        return "; ".join(f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items() if not _empty(v))
    if isinstance(value, list | tuple):
        return " ".join(_plain(v) for v in value if not _empty(v))
    return " ".join(str(value).split())


def public_profile(persona: Persona) -> list[str]:
    """The persona's public profile, one line per entry ("opening hours: We open at seven..."); empty when
    the persona has none.  Read with ``getattr`` so any persona model works, with or without ``profile``."""
    profile = getattr(persona, "profile", None)
    if not profile:
        return []
    if hasattr(profile, "model_dump"):
        profile = profile.model_dump(exclude_none=True)
    if isinstance(profile, str):
        return [_plain(profile)]
    if isinstance(profile, Mapping):
        return [f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in profile.items() if not _empty(v)]
    lines = []
    for entry in profile:
        if hasattr(entry, "model_dump"):
            entry = entry.model_dump(exclude_none=True)
        if isinstance(entry, Mapping) and entry.get("says"):
            topic = entry.get("topic") or ""
            lines.append(f"{topic}: {_plain(entry['says'])}" if topic else _plain(entry["says"]))
        elif entry:
            lines.append(_plain(entry))
    return [line for line in lines if line.strip()]


def system_prompt(persona: Persona) -> str:
    """Who the buyer is and how to answer: the same for the whole session (servers can cache it)."""
    first = persona.name.split()[0]
    lines = [f"You are {persona.name}, {persona.role} at {persona.company} ({persona.industry}). {persona.situation}"]
    if persona.personality:
        lines.append(f"Personality: {persona.personality}")
    if persona.speaking_style:
        lines.append(f"How you speak: {persona.speaking_style}")
    profile = public_profile(persona)
    if profile:
        lines.append("What anyone may know about you and your business (say it freely when asked):")
        lines += [f"- {line}" for line in profile]
    lines += [
        "A salesperson is meeting you. Stay in character as a real person, never mention AI.",
        f"Answer what the salesperson actually says, as {first}: 1 to 3 short spoken sentences, first person,"
        " no name before your line, no actions or stage directions, no lists, no JSON.",
        "You may add small everyday details that fit who you are (your day, the weather, the people around you),"
        " but never make up problems, numbers, costs, plans or decisions about your business: about those, say only"
        " what your notes for the reply give you.",
    ]
    return "\n".join(lines)


def _fact_line(fact: Fact) -> str:
    return f"- {fact.topic}: " + " ".join(f'"{line}"' for line in fact.says)


def _quote(text: str) -> str:
    words = text.split()
    return " ".join(words[:QUOTE_WORDS]) + (" ..." if len(words) > QUOTE_WORDS else "")


def turn_guidance(p: PromptInput) -> str:
    """This turn's notes: what the rep has earned, how the buyer feels, the rep's words and the rules' decision."""
    plan, first = p.plan, p.persona.name.split()[0]
    lines = ["Notes for your next line (do not read them out)."]
    if plan.told:
        lines.append("What you have already told them:")
        lines += [_fact_line(f) for f in plan.told]
    feeling = f"Right now you feel {trust_feeling(plan.trust)} (trust {plan.trust:.0f} out of 100)."
    if plan.patience < LOW_PATIENCE and not plan.ending:
        feeling += " Your patience is running out."
    lines.append(feeling)
    lines.append(f'They just said: "{_quote(p.rep.text)}" (they {describe_move(p.rep)}).')
    if plan.sharing:
        lines.append("You now trust them enough to tell them this, in your own words:")
        lines += [_fact_line(f) for f in plan.sharing]
    if plan.guarded:
        lines.append("They asked about something you do not want to discuss with them yet:"
                     " deflect politely and keep it vague, with no details.")
    if plan.explored is not None:
        lines.append(f"They are asking about your worry ({plan.explored.topic}): say honestly where it comes from.")
    if plan.concern is not None:
        lines.append(f"Bring up your worry: {plan.concern.topic}.")
    if plan.next_step:
        lines.append("You would like to meet again: suggest the next step.")
    if plan.ending:
        lines.append("You are ending the meeting now, politely but firmly, and saying goodbye.")
    if plan.decisive:
        lines.append(f'Your reply must get this across (keep its meaning, use your own words): "{plan.gist}"')
    else:
        lines.append(f'A line you could use, if it fits what they said: "{plan.gist}"')
    lines.append(f"Now answer what they said, as {first}, in 1 to 3 short spoken sentences.")
    return "\n".join(lines)


def build_messages(p: PromptInput) -> list[dict[str, str]]:
    """The persona, the recent conversation (rep = user, buyer = assistant), the rep's line, then this turn's
    notes.  The notes come last so the part before them stays the same from turn to turn (llama.cpp
    and OpenAI reuse a repeated prefix instead of reading it again), and a small model heeds them most."""
    messages = [{"role": "system", "content": system_prompt(p.persona)}]
    turns = [t for t in p.history if t.text.strip()]
    if not turns or turns[0].speaker != "buyer":
        turns = [Turn("buyer", p.persona.opening_line), *turns]  # the meeting opens with the buyer
    excess = max(0, len(turns) - p.history_turns)
    turns = turns[-(-excess // 4) * 4 :]  # drop old turns four at a time, so the prefix changes rarely
    for turn in turns:
        role = "assistant" if turn.speaker == "buyer" else "user"
        if len(messages) > 1 and messages[-1]["role"] == role:
            messages[-1]["content"] += " " + turn.text
        else:
            messages.append({"role": role, "content": turn.text})
    if messages[-1]["role"] == "user":
        messages[-1]["content"] += " " + p.rep.text
    else:
        messages.append({"role": "user", "content": p.rep.text})
    messages.append({"role": "system", "content": turn_guidance(p)})
    return messages
