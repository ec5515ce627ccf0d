"""The chat messages that ask a language model to speak the buyer's next line.

The model only *phrases* the reply.  What the buyer means to say (the "gist") has already been
decided by the offline engine with the deterministic rules: the new trust, which facts the rep's
question earned (``matching`` + ``trust_needed``), whether the buyer resists, raises a concern,
proposes a next step or ends the meeting.  The prompt tells the model who it is, how it feels
about the rep (trust), what the rep just did (the analyser's labels), the conversation so far,
and the gist to say in its own words.  Facts the rep has not earned are never in the prompt, so
even a model that ignores instructions cannot give them away.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.conversation.moves import Analysis
from simulator.conversation.turns import Turn
from simulator.persona.schema import Persona

#: the analyser's labels, as the buyer experiences them
LABEL_MEANINGS: dict[str, str] = {
    "question": "asked you a sincere question about your situation",
    "listening": "showed they listened to what you said",
    "pitch": "pitched their product or company at you",
    "benefit": "promised results before understanding your needs",
    "leading_question": "asked a leading question to steer you towards buying",
    "objection_handling": "argued with your concern instead of exploring it",
    "close": "pushed you to commit or buy",
    "rapport": "made small talk",
    "other": "said something unclear",
}
#: stop sequences: the model starting the salesperson's line (at most four, OpenAI's limit)
STOP: list[str] = ["\nRep:", "\nSalesperson:", "\nUser:", "<|im_end|>"]


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
class PromptInput:
    """Everything the prompt is built from."""

    persona: Persona
    rep: Analysis
    history: list[Turn]
    trust: float
    gist: str
    ending: bool = False
    history_turns: int = 8


def system_prompt(persona: Persona) -> str:
    """Who the buyer is and how to answer: the same for the whole session (servers can cache it)."""
    first = persona.name.split()[0]
    lines = [f"You are {persona.name}, {persona.role} at {persona.company} ({persona.industry}). {persona.situation}"]
    if persona.personality:
        lines.append(f"Personality: {persona.personality}")
    if persona.speaking_style:
        lines.append(f"How you speak: {persona.speaking_style}")
    lines += [
        "A salesperson is meeting you. Stay in character as a real person, never mention AI.",
        f"Speak only as {first}: 1 to 3 short spoken sentences, first person, no name before your line,"
        " no actions or stage directions, no lists, no JSON.",
    ]
    return "\n".join(lines)


def turn_guidance(p: PromptInput) -> str:
    """What changes every turn: the buyer's feeling, the rep's move, and the gist to say."""
    lines = [
        f"Right now you feel {trust_feeling(p.trust)} (trust {p.trust:.0f} out of 100).",
        f"In their last line the salesperson {describe_move(p.rep)}.",
    ]
    if p.ending:
        lines.append("You are ending the meeting now, politely but firmly.")
    lines.append(f'Reply now, saying this in your own words (keep its meaning, add no new facts): "{p.gist}"')
    return " ".join(lines)


def build_messages(p: PromptInput) -> list[dict[str, str]]:
    """The persona, the recent conversation (rep = user, buyer = assistant), the rep's line, then this turn's
    guidance.  The guidance comes last so the part before it stays the same from turn to turn (llama.cpp
    and OpenAI reuse a repeated prefix instead of reading it again), and a small model heeds it most."""
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
