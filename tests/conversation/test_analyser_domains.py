"""Moves in any line of business (issue 13): the misreads reproduced by reps outside software sales, and one
multi-sentence turn per label (the strongest move in a turn decides its stance; small talk around a question
does not hide it). Every case is checked as written and as a recogniser hears it (lower case, no punctuation)."""

from __future__ import annotations

import pytest

from simulator.conversation.analyser import analyse
from tools.analyser.corpus import strip_punctuation

BOTH = pytest.mark.parametrize("spoken", [False, True], ids=["written", "recogniser"])


def run(text: str, buyer_said: str | None, spoken: bool):
    return analyse(strip_punctuation(text) if spoken else text, buyer_said)


#: Asks for commitment phrased as questions, in words no product vocabulary covers.
COMMITMENT_ASKS = [
    "When would you like the panels installed?",
    "How much will you be giving today?",
    "Are you willing to make a donation today?",
]


@BOTH
@pytest.mark.parametrize("text", COMMITMENT_ASKS)
def test_an_ask_for_commitment_phrased_as_a_question_is_a_close(text, spoken):
    result = run(text, None, spoken)
    assert "close" in result.labels, result
    assert result.stance == "transactional"


@BOTH
def test_thanks_then_a_question_keeps_the_question(spoken):
    text = ("Thanks for making the time, Dave. Before I say anything about us, could you tell me a bit about how "
            "your operation runs today?")
    result = run(text, None, spoken)
    assert "question" in result.labels, result
    assert result.stance == "consultative"


@BOTH
def test_a_reflection_of_the_buyers_own_numbers_is_listening_not_a_pitch(spoken):
    buyer = ("The flood took out the clubhouse. We lost thirty-eight thousand pounds in bookings and we were closed "
             "for three weeks.")
    text = "Thirty-eight thousand and three weeks closed. How did the members and the committee take that?"
    result = run(text, buyer, spoken)
    assert set(result.labels) == {"question", "listening"}, result
    assert any("own figures" in cue for cue in result.cues), result.cues


#: "Who better than ...": a question whose only answer is the rep's offer (analyser 2.5), and a sincere look-alike.
@BOTH
@pytest.mark.parametrize(("text", "label"), [
    ("What better way to celebrate your anniversary than a new kitchen?", "leading_question"),
    ("Who better to run the pilot than the team that found the problem?", "leading_question"),
    ("What would be better for you, mornings or evenings?", "question"),
])
def test_who_better_than_is_a_leading_question(text, label, spoken):
    result = run(text, None, spoken)
    assert label in result.labels, result
    if label == "leading_question":
        assert any("who or what could be better" in cue for cue in result.cues), result.cues


#: Misreads found by the buyer's development questions (session 18): a "yes" that is the object of "say" is not a
#: tag; the buyer's own customers being "booked in", a visitor signing in, how the buyer's company got started and
#: who signs off before the buyer can go ahead are how the buyer's world works, not the rep's deal. The visitor's
#: own "do I need to sign in?" is logistics (`other`, docs/spec/moves.md), which analyser 2.8 learned from batch 48.
@BOTH
@pytest.mark.parametrize(("text", "labels"), [
    ("If you wanted to invest in something bigger, what can you approve yourself, and who above you has to say yes?",
     ("question",)),
    ("What would your boss need to see before she said yes?", ("question",)),
    ("Could you walk me through how a patient actually gets booked in and looked after from the desk side, across all "
     "three sites?", ("question",)),
    ("How did the company get started?", ("question",)),
    ("Who would have to sign off before you could go ahead?", ("question",)),
    ("How do vendor visits work here? Do I need to sign in somewhere?", ("question", "other")),
])
def test_a_question_about_how_the_buyer_decides_or_books_is_a_plain_question(text, labels, spoken):
    result = run(text, None, spoken)
    assert result.labels == labels, result
    assert result.stance == "consultative"


#: Analyser 2.8 (batch 48 by author a17, and a clause that opens with "are", "is", "were", "does" or "did" and a noun
#: phrase is a question without its question mark): a visitor's practical asides are logistics, a question about the
#: buyer's own trade in sales words is a question, a neutral check of a fact is no leading question.
@BOTH
@pytest.mark.parametrize(("text", "labels"), [
    ("Do I need safety glasses to walk the floor?", ("other",)),
    ("Where should I park when I come back on Friday?", ("other",)),
    ("Do you offer a free trial of the product?", ("question",)),
    ("If someone rings up with toothache, can you fit them in the same day?", ("question",)),
    ("You're headquartered in Hartford, right?", ("question",)),
    ("Are Mondays different from the rest of the week for your hygienists?", ("question",)),
    ("Are the drivers paid by the hour or by the load?", ("question",)),
])
def test_asides_and_questions_about_the_buyers_own_trade_are_no_sales_moves(text, labels, spoken):
    result = run(text, None, spoken)
    assert result.labels == labels, result


#: Small talk with a tag is rapport. As a recogniser hears it, rapport alone; written with its "isn't it?", 2.8 still
#: adds a leading question (the tag rules fire on the punctuation; docs/analyser.md, known misreads).
@BOTH
@pytest.mark.parametrize("text", ["Lovely weather today, isn't it?", "Horrible drive in this morning, wasn't it?"])
def test_small_talk_with_a_tag_is_rapport(text, spoken):
    result = run(text, None, spoken)
    assert "rapport" in result.labels, result
    if spoken:
        assert result.labels == ("rapport",), result


@BOTH
@pytest.mark.parametrize(("text", "label"), [
    ("Let's get you booked in for the survey on Thursday.", "close"),
    ("Why not just get it booked in now?", "close"),
    ("You're all booked in, then.", "close"),
    ("What's there to think about, really? Let's just get started.", "close"),
    ("Can you sign here?", "close"),
    ("Are you happy to go ahead?", "close"),
    ("You agree this is the best option, right?", "leading_question"),
    ("Shall I put you down for the Thursday install?", "close"),
    ("It makes sense to sort this before the busy season, doesn't it?", "leading_question"),
])
def test_the_rep_booking_the_buyer_or_tagging_a_claim_is_still_caught(text, label, spoken):
    result = run(text, None, spoken)
    assert label in result.labels, result
    assert result.stance == "transactional"


@BOTH
def test_a_plain_answer_to_the_buyers_question_is_neither_pitch_nor_rebuttal(spoken):
    """The buyer asked; the rep answers it (analyser 2.5 reads whether the buyer's line was a question)."""
    result = run("No, you can cancel any time in the first month.", "Is there a cancellation fee?", spoken)
    assert result.labels == ("other",), result
    assert result.stance == "neutral"


#: One multi-sentence turn per label, small talk around the move, in other lines of business: (buyer's previous
#: line, rep turn, the label it must carry, its stance).
MULTI_SENTENCE = [
    (None, "Lovely to meet you, and thanks for the tea. How have the volunteers been coping since the shop "
           "moved?", "question", "consultative"),
    ("We had three buyers pull out at the last minute and the chain collapsed twice.",
     "Thanks for telling me. Three buyers gone and the chain collapsing twice, that must have been exhausting.",
     "listening", "consultative"),
    (None, "Great to see you again. Our agency has sold eleven houses on this street in the last year, and we "
           "list every one on all the big portals.", "pitch", "transactional"),
    (None, "Thanks for having me over. With this cover in place you'd never have to worry about a big repair bill "
           "again.", "benefit", "transactional"),
    (None, "What a lovely garden, by the way. You wouldn't want the family left without any cover, would you?",
     "leading_question", "transactional"),
    ("Honestly the premium is more than we pay now.",
     "I hear you, and thanks for being straight with me. But honestly it's cheaper than what most families end up "
     "paying elsewhere.", "objection_handling", "transactional"),
    (None, "It's been really good chatting with you today. Shall I put you down for ten pounds a month?",
     "close", "transactional"),
    (None, "Thanks so much for having me. How was the drive back from Leeds last night?", "rapport", "neutral"),
    (None, "Sorry, you cut out there for a second. Could you say that last bit again?", "other", "neutral"),
]


@BOTH
@pytest.mark.parametrize(("buyer", "text", "label", "stance"), MULTI_SENTENCE,
                         ids=[case[2] for case in MULTI_SENTENCE])
def test_a_multi_sentence_turn_is_judged_by_its_strongest_move(buyer, text, label, stance, spoken):
    result = run(text, buyer, spoken)
    assert label in result.labels, result
    assert result.stance == stance, result


def test_numbers_are_read_spoken_or_written():
    from simulator.conversation.numbers import numbers, shared_numbers
    from simulator.conversation.text import normalise

    def read(text):
        return numbers(normalise(text).tokens)

    assert read("we lost £38,000 and were shut for 3 weeks") == [38000, 3]
    assert 38000 in read("thirty-eight thousand and three weeks closed")
    assert 250 in read("two hundred and fifty a month") and read("38k, a grand") == [38000, 1000]
    assert read("one point five million") and read("no figures here") == []
    rep, buyer = normalise("Thirty-eight thousand and three weeks closed."), normalise("We lost 38,000 over 3 weeks.")
    assert shared_numbers(rep.tokens, buyer.tokens) == [38000, 3]
    assert shared_numbers(normalise("one of them").tokens, normalise("just one").tokens) == []  # "one" is a pronoun


# --- the per-domain held-out sets (tests/data/domains_heldout, domains_heldout2 to 5), each by an author who never
# saw the corpus, the analyser or its errors; scored by a model trained on the whole corpus, never used for choices --

#: Sets, domains and figures known to miss a target, as measured (docs/analyser.md). Strict: a mark whose test starts
#: passing fails until it is removed.  The first sets were measured for analyser 1.9 before the second training
#: batches of fundraising, insurance, property and field sales were written; the second sets were written after that
#: and measured first by analyser 2.0; the third sets (authors c7, c8) were written while 2.1 was current and
#: measured first by analyser 2.2; the fourth sets (authors d9-d12) were written while 2.3 was current and measured
#: first by it; the fifth sets (authors d13-d16) were written while 2.3 was current, at the same time as batches
#: 40-43 (authors a13, a14), and measured first by 2.3 and 2.4 in the same run, after 2.4 had been chosen on
#: leave-one-batch-out figures alone; 2.5 (two more features, chosen the same way) measured them a second time, 2.6
#: (batches 44-47 by authors a15 and a16, chosen on leave-one-batch-out figures alone) a third, and 2.7 (misreads found
#: by the buyer's development questions fixed in three phrase rules, level on leave one batch out) a fourth, 2.8 (batch
#: 48 by author a17, small talk and asides beside the moves they resemble, adopted on leave one batch out over the
#: earlier 47 batches) a fifth, 2.9 (a question shape widened, level on leave one batch out) a sixth, and 2.10 (a
#: question after thanks in one breath split off, level or better on leave one batch out) a seventh.
_FIRST = "analyser 2.10; the first sets' twelfth look (docs/analyser.md)"
_THIRD = "analyser 2.10; the third sets' ninth look"
DOMAIN_GAPS: dict[tuple[str, str, str, str], str] = {
    ("first", "fundraising", "as written", "stance"): f"stance 0.920 (115 of 125); {_FIRST}",
    ("first", "fundraising", "unpunctuated", "stance"): f"stance 0.920 (115 of 125); {_FIRST}",
    ("first", "field-sales", "as written", "stance"): f"stance 0.941 (112 of 119; 2.7: 0.9496); {_FIRST}",
    ("first", "field-sales", "unpunctuated", "stance"): f"stance 0.9496 (113 of 119; 2.9: 0.941); {_FIRST}",
    ("third", "fundraising", "as written", "stance"): f"stance 0.922 (119 of 129; 2.7: 0.930); {_THIRD}",
    ("third", "fundraising", "unpunctuated", "stance"): f"stance 0.930 (120 of 129); {_THIRD}",
    ("third", "insurance", "unpunctuated", "stance"): f"stance 0.945 (121 of 128); {_THIRD}",
}


@pytest.fixture(scope="module")
def domain_scores():
    from tools.analyser.corpus import DOMAIN_DIRS, domain_heldout_sets, load_corpus
    from tools.analyser.evaluate import heldout
    from tools.analyser.train import fit

    corpus = load_corpus()
    full = fit(corpus)
    return {(which, name): heldout(corpus, test, full)
            for which, folder in DOMAIN_DIRS.items() for name, test in domain_heldout_sets(folder).items()}


def _domain_cases(figure: str):
    from tools.analyser.corpus import DOMAIN_DIRS

    cases = []
    for which, folder in DOMAIN_DIRS.items():
        for path in sorted(folder.glob("*.psv")):
            for variant in ("as written", "unpunctuated"):
                reason = DOMAIN_GAPS.get((which, path.stem, variant, figure))
                marks = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
                cases.append(pytest.param(which, path.stem, variant, marks=marks, id=f"{which}-{path.stem}-{variant}"))
    return cases


@pytest.mark.parametrize(("which", "domain", "variant"), _domain_cases("stance"))
def test_domain_held_out_stance(domain_scores, which, domain, variant):
    from tools.analyser.evaluate import STANCE_TARGET

    scores = domain_scores[which, domain][variant]
    assert scores.stance_accuracy >= STANCE_TARGET, f"{domain} ({variant}): stance {scores.stance_accuracy:.3f}"


@pytest.mark.parametrize(("which", "domain", "variant"), _domain_cases("macro-F1"))
def test_domain_held_out_macro_f1(domain_scores, which, domain, variant):
    from tools.analyser.evaluate import DOMAIN_MACRO_F1_TARGET

    scores = domain_scores[which, domain][variant]
    print("\n" + scores.table(f"{which} {domain} ({variant})"))
    assert scores.macro_f1 >= DOMAIN_MACRO_F1_TARGET, f"{domain} ({variant}): macro-F1 {scores.macro_f1:.3f}"
