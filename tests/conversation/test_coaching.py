"""Consultative alternatives, reasons and live hints (pure code, explicit inputs)."""

import re

from simulator.conversation.coaching import (
    HintContext,
    alternative,
    buyer_clause,
    flip_pronouns,
    hint_for,
    main_label,
    why,
)

DRIVERS = "Honestly, we lost two drivers last month."


def test_flip_pronouns_speaks_from_the_reps_side():
    assert flip_pronouns("we lost our best driver") == "you lost your best driver"
    assert flip_pronouns("I was worried about your price") == "you were worried about our price"
    assert flip_pronouns("I am not sure you guys can help us") == "you are not sure we can help you"


def test_buyer_clause_picks_the_problem_and_drops_fillers_and_small_talk():
    assert buyer_clause(DRIVERS) == "you lost two drivers last month"
    assert buyer_clause("Sure, happy to chat. Things are hectic.") == "things are hectic"
    assert buyer_clause("Sure, happy to chat.") is None
    assert buyer_clause("How much does it cost?") is None
    assert buyer_clause(None) is None


def test_alternatives_reuse_the_buyers_words_and_differ_by_label():
    by_label = {label: alternative([label], DRIVERS) for label in
                ("pitch", "benefit", "objection_handling", "leading_question", "close")}
    assert all("two drivers" in text for text in by_label.values()), by_label
    assert len(set(by_label.values())) == len(by_label)
    assert all(text.rstrip().endswith("?") for text in by_label.values())


def test_objection_alternative_explores_the_concern():
    assert alternative(["objection_handling"], "Your price is too high.") == "Too high compared to what?"
    assert alternative(["objection_handling"], "Your price is too high.", seed=1) == (
        "What makes you say our price is too high?")


def test_a_concern_is_explored_even_after_a_pitch():
    text = alternative(["pitch"], "I'm not sure you guys understand our industry.")
    assert "not sure we understand your industry" in text


def test_without_buyer_words_alternatives_still_fit_the_label_and_vary():
    close = {alternative(["close"], None, seed=k) for k in range(3)}
    assert "What would you need to see before deciding?" in close
    assert len(close) == 3
    assert alternative(["pitch"], "ok") != alternative(["close"], "ok")


def test_avoid_gives_a_different_alternative():
    first = alternative(["benefit"], DRIVERS)
    second = alternative(["benefit"], DRIVERS, avoid=[first])
    assert second != first and "two drivers" in second


def test_main_label_orders_by_cost():
    assert main_label(["pitch", "close"]) == "close"
    assert main_label(["benefit", "objection_handling"]) == "objection_handling"
    assert main_label(["question", "listening"]) is None


def test_why_names_the_move_the_buyer_cue_and_early_trust():
    text = why(["objection_handling", "close"], "We have no budget left.", trust=30, trust_earned=False)
    assert "before the buyer trusted you (trust 30/100)" in text
    assert "argued with a concern" in text
    assert "“We have no budget left”" in text
    assert "without letting the buyer in" in why(["rapport"], None, monologue="320 words")


def test_hints_fire_for_transactional_moves_and_long_monologues_only():
    assert hint_for(["pitch"]) == "That was a pitch. Try asking what matters most to them first."
    assert "two drivers" in hint_for(["pitch"], HintContext(buyer_said="we lost two drivers"))
    assert "before trust" in hint_for(["close"], {"trust": 35})
    assert "next step" in hint_for(["close"], {"trust": 80})
    assert "What makes you say" in hint_for(["objection_handling"], {"buyer_said": "It's too expensive."})
    assert hint_for(["question"]) is None
    assert hint_for(["listening", "question"], {"monologue_words": 20}) is None
    assert "talking a while" in hint_for(["rapport"], {"monologue_words": 150})
    assert "talking a while" in hint_for(["other"], HintContext(monologue_s=50.0))
    assert hint_for(["question"], {"unknown_key": 1}) is None


def test_hints_are_short():
    for labels in (["pitch"], ["benefit"], ["close"], ["leading_question"], ["objection_handling"]):
        assert len(hint_for(labels, {"buyer_said": DRIVERS})) <= 100


def test_try_instead_never_echoes_a_command_or_a_lost_buyer():
    pushback = alternative(["close"], "Don't tell me what my drivers will do.")
    assert pushback.startswith("Fair enough, you know your drivers far better than I do.")
    assert "don't tell you" not in pushback.lower() and pushback.endswith("?")
    lost = alternative(["pitch"], "I only understood half of that.")
    assert lost == "Fair point, I threw a lot at you. Which part should I go back over?"
    brush = alternative(["close"], "No. Send me something I can show Frank.")
    assert "send" not in brush.lower()


def test_try_instead_picks_up_a_short_answer_and_keeps_statements_grammatical():
    assert alternative(["benefit"], "Better numbers. Obviously.") == (
        "When you say better numbers, what would that look like for you?")
    assert alternative(["pitch"], "Our customers are happy enough.") == (
        "You mentioned your customers are happy enough. What does that look like day to day?")
    assert alternative(["benefit"], DRIVERS).startswith("You mentioned you lost two drivers last month.")
    for said in (DRIVERS, "Better numbers.", "Things are hectic.", "Don't tell me what my drivers will do."):
        for label in ("pitch", "benefit", "close", "leading_question", "objection_handling"):
            text = alternative([label], said)
            assert text[0].isupper() and text.endswith("?") and "  " not in text, (label, said, text)
            assert not re.search(r"\b(?:mentioned|said) (?:don't|do|send|tell|please)\b", text), text


def test_benefit_hint_does_not_say_no_need_was_named_when_one_was():
    assert "before they named a need" not in hint_for(["benefit"], {"buyer_said": DRIVERS})
    assert "named a need" in hint_for(["benefit"], {"buyer_said": DRIVERS})
    assert "before they named a need" in hint_for(["benefit"], {"buyer_said": "Hello there."})
