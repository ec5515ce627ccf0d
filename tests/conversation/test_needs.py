"""A benefit right after the buyer named a need is coached as such (issue 14, F1): the whole buyer line is read,
not its first clause, for the live hint and for the scorecard's "why it cost"."""

from __future__ import annotations

import pytest

from simulator.conversation import catalogue
from simulator.conversation.coaching import hint_for, why
from simulator.conversation.needs import names_a_need
from simulator.conversation.scorecard import score
from simulator.conversation.turns import Turn

ROSA = ("Honestly? The custom orders. We write them in a paper book at the counter, and with two shops the book is "
        "always in the wrong place.")
DAVE = "We're missing delivery windows. Eighty-six percent on time, and our biggest customer is counting."

#: Lines that name a need somewhere, often not in their first clause (persona facts and a few of our own).
NEEDS = [
    ROSA,
    DAVE,
    "We're missing delivery windows. On-time is down to eighty-six percent. The grocery customer wants ninety-five.",
    "The orders drive me mad. It's all in a paper order book, and things get missed between the two shops.",
    "The new shop takes orders by phone and writes them on sticky notes. Things get lost in the copying.",
    "It's the drivers. Turnover's at forty percent, and a new driver takes two months to learn the customer sites.",
    "Late fines from the grocery account ran us ninety-two thousand last year. Plus overtime when we send a second "
    "truck.",
    "No-shows are the big one. About twelve percent of appointments.",
    "Between remakes and refunds it's probably a thousand dollars a month.",
    "Ramp. New reps take nine months to hit full quota. The plan assumed five.",
    "Personally? I check the on-time board at eleven at night and again at four in the morning. My wife's had enough.",
    "I don't need fancy. I need one place everyone looks.",
    "Better numbers. Obviously.",
    "Honestly, we lost two drivers last month.",
]
#: Lines that name none: greetings, small talk, public facts, reactions to the rep, refusals, a lost buyer.
NO_NEEDS = [
    None,
    "",
    "Hello there.",
    "Sure, happy to chat.",
    "Hi, come in, come in! Sorry about the flour everywhere. So, what did you want to chat about?",
    "Seven till five, Tuesday to Sunday. Mondays we're closed, everybody needs one day.",
    "Twelve staff across the two shops, plus me, plus Luis in the van.",
    "About two thousand employees. A little over three billion in written premium.",
    "That's nice. We're not really a tech kind of place, you know?",
    "Hm. You haven't seen our Saturday mornings.",
    "Next steps? Ha, let me finish my coffee first. I hardly know what you do.",
    "Whoa. Slow down. I don't even know what you're selling yet.",
    "Sign? No, no. I'd have to talk to Luis. We're not there.",
    "Goodness, no. I'd need to take anything to the partners first.",
    "I'm getting a hard sell here, and I don't like it.",
    "Sorry, I missed that.",
    "Mm. Lots of features. I only understood half of that, to be honest.",
    "Ha, yes, I suppose. You're a salesperson, aren't you?",
    "How much does it cost?",
]


@pytest.mark.parametrize("said", NEEDS)
def test_a_need_anywhere_in_the_line_counts(said):
    assert names_a_need(said), said


@pytest.mark.parametrize("said", NO_NEEDS)
def test_lines_without_a_need(said):
    assert not names_a_need(said), said


@pytest.mark.parametrize("said", [ROSA, DAVE])
def test_the_benefit_hint_and_why_after_a_named_need(said):
    hint = hint_for(["benefit"], {"buyer_said": said})
    assert hint == catalogue.BENEFIT_AFTER_NEED_HINT
    assert "before they named a need" not in hint
    text = why(["benefit"], said)
    assert text.startswith(catalogue.BENEFIT_AFTER_NEED_WHY) and "before the buyer had stated" not in text
    also = why(["close", "benefit"], said)
    assert catalogue.BENEFIT_AFTER_NEED_ALSO in also and catalogue.move("benefit").also not in also


def test_without_a_need_the_benefit_is_still_an_outcome_before_a_need():
    assert hint_for(["benefit"], {"buyer_said": "Hello there."}) == catalogue.move("benefit").hint
    assert why(["benefit"], "Sure, happy to chat.").startswith(catalogue.move("benefit").why)


def test_the_scorecard_moment_of_the_bakery_repro():
    """The verification's typed session: the benefit right after Rosa names the order book."""
    turns = [
        Turn("buyer", "Hi, come in, come in! Sorry about the flour everywhere. So, what did you want to chat about?"),
        Turn("rep", "Thanks for having me, Rosa. How is business going at the bakery these days?",
             labels=("rapport", "question")),
        Turn("buyer", "We've got two shops now, the original one here and a new one across town."),
        Turn("rep", "Sorry, I got ahead of myself. What is the hardest part of running two shops right now?",
             labels=("question",)),
        Turn("buyer", "The second shop opened last spring. It's doing well, but it doubled everything overnight."),
        Turn("rep", "Doubled everything overnight. What did that do to how you take custom orders?",
             labels=("listening", "question")),
        Turn("buyer", ROSA),
        Turn("rep", "Our online order book would fix that and save you hours every week.", labels=("benefit",)),
    ]
    (moment,) = score(turns).moments
    assert moment.turn_index == 7
    assert moment.why.startswith(catalogue.BENEFIT_AFTER_NEED_WHY)
    assert moment.alternative in ("You mentioned the book is always in the wrong place. If that were solved, what "
                                  "would it change for you?",
                                  "You said the book is always in the wrong place. What is that costing you today?")
