"""Whether the buyer's line names a need: a problem, a cost or a want the rep could have asked about.

The benefit hint and a benefit moment's "why it cost" depend on it: a benefit claimed right after the buyer
named a need is a missed chance to let them say what solving it would mean, not "an outcome before they
named a need".  Every sentence and clause of the line is read (a need is often not the first thing said:
"Honestly? The custom orders. We write them in a paper book ..., and with two shops the book is always in
the wrong place."); questions, small talk, commands, clauses about the seller ("You haven't seen our
Saturday mornings") and a lost or pushed buyer are not needs.  Pure code: no heavy imports.
"""

from __future__ import annotations

import re

from simulator.conversation.buyer_words import COMMAND, PROBLEM, TROUBLE_PHRASE, clauses
from simulator.conversation.rephrase import CONFUSED, PUSHBACK, small_talk
from simulator.conversation.transcript import vocabulary, words

#: Problem words that say little on their own (a refusal, a doubt about the seller, a busy day).
_WEAK = vocabulary(
    """
    don't can't cannot won't never too nobody nothing unsure doubt doubts afraid scared angry worried worry
    worries concern concerned busy hectic pressure hate price prices pricing cost costs budget expensive costly
    risk risky left leaving short
    """
)
#: Words that name something going wrong in the buyer's world.
_TROUBLE = PROBLEM - _WEAK
#: Not trouble in the buyer's world: "slow down" (to the rep), "I missed that" (did not hear).
_NOT_TROUBLE = re.compile(r"\bslow down\b|\b(?:missed|lost) (?:that|you|what you)\b", re.IGNORECASE)
#: Sums of money: a cost the buyer carries.
_MONEY = vocabulary("dollars dollar pounds euros grand bucks")
#: A want, when the buyer says it of themselves ("we need one place everyone looks").
_WANT = vocabulary("need needs want wants wish wishes goal dream ideal")
#: Comparatives that are a want only as a short answer ("Better numbers.").
_COMPARATIVE = vocabulary("better faster cheaper fewer easier simpler quicker")
_SELF = vocabulary("i i'd i'm i'll we we'd we're we'll what")
_UNSURE = vocabulary("not don't doesn't didn't never no nobody whether if")
#: "need to talk to Luis", "need to take it to the partners": an errand, not a need.
_ERRAND = re.compile(r"\bneeds? to (?:talk|speak|ask|check|think|go|get back|run|leave|take \w+ to|look|discuss|"
                     r"consult|sleep on|see|understand)\b", re.IGNORECASE)
#: The words that make a clause about the seller or this conversation, not the buyer's world.
_ABOUT_THE_SELLER = vocabulary("you you're you've you'd you'll your yours yourself salesperson salespeople sell "
                               "selling pitch pitching")


def _wants(low: list[str], clause: str) -> bool:
    if _ERRAND.search(clause):
        return False
    for k, w in enumerate(low):
        if w in _WANT and any(s in _SELF for s in low[:k]) and not any(u in _UNSURE for u in low[max(0, k - 3):k]):
            return True
    return len(low) <= 4 and any(w in _COMPARATIVE for w in low)


def _names_a_need(clause: str) -> bool:
    low = [w.split("'")[0] if w.endswith("'s") else w for w in words(clause)]
    if (not low or low[0] in COMMAND or any(w in _ABOUT_THE_SELLER for w in low) or small_talk(clause)
            or _NOT_TROUBLE.search(clause)):
        return False
    if any(w in _TROUBLE or w in _MONEY for w in low) or TROUBLE_PHRASE.search(clause):
        return True
    return _wants(low, clause)


def names_a_need(buyer_said: str | None) -> bool:
    """Whether any clause of the buyer's line names a problem, a cost or a want (see the module docstring)."""
    if not buyer_said or CONFUSED.search(buyer_said) or PUSHBACK.search(buyer_said):
        return False
    return any(not question and _names_a_need(clause) for clause, question in clauses(buyer_said))
