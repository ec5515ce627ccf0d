"""The "Try instead" lines: what a consultative rep might have said, in the rep's voice, built on the buyer's
words as :mod:`simulator.conversation.rephrase` reads them.

``forms(label, reading)`` gives the sentences for the move that went wrong (``coaching.alternative`` picks
one).  Every form is a whole question in the rep's voice: a statement is quoted after "You mentioned" /
"You said" (already turned round to the rep's side, its pronouns pointing at something), a short answer
after "When you say", a telling-off, a lost buyer or a sceptic ("You guys all say that") is acknowledged,
never quoted.  Pure code: no heavy imports.
"""

from __future__ import annotations

import re

from simulator.conversation.buyer_words import DECIDERS, NUMBER_WORDS, PEOPLE, PRICE, troubled
from simulator.conversation.rephrase import Reading, has, is_concern
from simulator.conversation.transcript import words

#: A clause that states a goal ("success is ...", "the goal is ...").
_GOAL = re.compile(r"^(?:success|the goal|the dream|the ideal|ideally)\b", re.IGNORECASE)


def forms(label: str, reading: Reading) -> list[str]:
    """Alternatives for a turn whose costliest move was ``label`` (or "monologue"), built on ``reading``."""
    if reading.kind == "confused":
        if label == "close":
            return ["Sorry, I rushed that. What would you want to understand before we talk about anything else?"]
        return ["Fair point, I threw a lot at you. Which part should I go back over?",
                "Sorry, that was too much at once. What would be most useful to unpack?"]
    if reading.kind == "pushback":
        owned = reading.text
        if not owned:
            return ["Fair enough, you know your business far better than I do. What have you seen work so far?"]
        plural = owned.endswith("s") and not owned.endswith("ss")
        return [f"Fair enough, you know {owned} far better than I do. "
                + ("How do they usually take to something new?" if plural
                   else f"How does {owned} usually take to something new?"),
                f"That's fair, you know {owned} best. What have you seen work with {owned} before?"]
    if reading.kind == "sceptic":
        if label == "close":
            return ["Fair enough, you've heard plenty of promises. What would you want to see before taking any step?"]
        return ["Fair enough, you must hear that a lot. What would you need to see to know this is different?",
                "That's fair, plenty of people promise the same. What would make it believable for you?"]
    if reading.kind == "phrase":
        f = reading.text
        if label == "close":
            return [f"When you say {f}, what would you need to see before taking a next step?"]
        if label == "objection_handling":
            return [f"When you say {f}, what's behind that?"]
        if label == "monologue":
            return [f"Let me stop there. When you say {f}, what do you mean exactly?"]
        return [f"When you say {f}, what would that look like for you?",
                f"When you say {f}, which part matters most to you right now?"]
    return _statement_forms(label, reading.text)


def _statement_forms(label: str, c: str) -> list[str]:
    """Alternatives built on the buyer's clause ``c`` (a statement, already from the rep's side)."""
    if label not in ("objection_handling", "monologue") and is_concern(c):
        # the buyer voiced a concern: whatever the move was, the concern is what to explore
        label = "objection_handling"
    if label == "close":
        forms = [f"You said {c}. What would need to happen for this to be worth a next step?",
                 f"Before any next step: you mentioned {c}. What would you want to see first?"]
        if has(c, DECIDERS):
            forms.insert(0, f"You mentioned {c}. How do decisions like this usually get made on your side?")
        return forms
    if label == "objection_handling":
        forms = [f"What makes you say {c}?", f"When you say {c}, what's behind that?"]
        too = re.search(r"\btoo (\w+)", c, re.IGNORECASE)
        if too:
            forms.insert(0, f"Too {too.group(1).lower()} compared to what?")
        elif has(c, PRICE):
            forms.insert(0, f"When you say {c}, what are you comparing it with?")
        return forms
    if label == "leading_question":
        return [f"You said {c}. How are you thinking about that at the moment?"]
    if label == "benefit":
        if _GOAL.match(c):  # "success is no-shows under five percent": a goal to put a value on, not a problem
            return [f"You said {c}. What would reaching that mean for you?",
                    f"You mentioned {c}. What would that be worth to you?"]
        if troubled(c):
            return [f"You mentioned {c}. If that were solved, what would it change for you?",
                    f"You said {c}. What is that costing you today?"]
        return [f"You mentioned {c}. How well is that working for you today?"]
    if label == "monologue":
        return [f"Let me stop there. You said {c}. What's behind that?"]
    # a pitch: ask about the buyer's world instead
    forms = [f"You mentioned {c}. What does that look like day to day?"]
    if has(c, NUMBER_WORDS) or any(w.isdigit() for w in words(c)):
        forms.insert(0, f"You said {c}. What has that meant for you so far?")
    if has(c, PEOPLE) and troubled(c):
        forms.insert(0, f"You said {c}. How is everyone coping with that?")
    return forms
