"""The analyser's API and its conventions (shared/spec/moves.md), on utterances written for these tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulator.conversation.analyser import ANALYSER_VERSION, WEIGHTS, analyse, analyse_many
from simulator.conversation.moves import LABELS, Analysis


def labels(text: str, buyer: str | None = None) -> set[str]:
    return set(analyse(text, buyer).labels)


def test_result_shape():
    a = analyse("How do you handle renewals today?")
    assert isinstance(a, Analysis)
    assert a.text == "How do you handle renewals today?"
    assert a.labels and all(label in LABELS for label in a.labels)
    assert list(a.labels) == [label for label in LABELS if label in a.labels], "labels come in LABELS order"
    assert a.to_dict()["stance"] == a.stance
    assert isinstance(ANALYSER_VERSION, str) and ANALYSER_VERSION


@pytest.mark.parametrize("text", ["", "   ", "um", "uh, um...", "hmm"])
def test_empty_or_filler_is_other(text):
    a = analyse(text)
    assert a.labels == ("other",)
    assert a.stance == "neutral"
    assert a.cues


@pytest.mark.parametrize(
    "text",
    [
        "what does a normal tuesday look like for your dispatchers",
        "how did the board react when the numbers came in",
        "who else gets pulled in when a delivery goes missing",
        "um so walk me through what happens after a patient cancels",
        "is it you who decides on the budget or someone above you",
    ],
)
def test_questions_without_question_marks(text):
    assert "question" in labels(text)
    assert analyse(text).stance == "consultative"


def test_two_moves_in_one_turn():
    for text in ("That must hurt. How are the others coping?", "that must hurt how are the others coping"):
        assert {"listening", "question"} <= labels(text), text


def test_reflecting_the_buyer_is_listening_with_a_cue_quoting_them():
    a = analyse("so you're short-handed on the night shift", "We're really short-handed on nights since March.")
    assert "listening" in a.labels
    assert any("short" in cue and "buyer's words" in cue for cue in a.cues), a.cues


def test_exploring_the_buyers_concern_is_a_question():
    a = analyse("too expensive compared to what", "Honestly it looks too expensive.")
    assert "question" in a.labels
    assert a.stance == "consultative"


def test_arguing_with_the_buyers_concern_is_objection_handling():
    a = analyse("I hear you, but honestly our price is the lowest you'll find anywhere.", "It looks too expensive.")
    assert "objection_handling" in a.labels
    assert a.stance == "transactional"
    assert any("but" in cue for cue in a.cues), a.cues


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Our dashboard pulls every job onto one screen and we've rolled it out at sixty councils.", "pitch"),
        ("You'll save at least a day a week on invoicing.", "benefit"),
        ("you'd agree nobody wants to chase paperwork, wouldn't you", "leading_question"),
        ("Shall I send the agreement over this afternoon?", "close"),
        ("Thanks so much for making the time today.", "rapport"),
        ("Sorry, you broke up there for a second.", "other"),
    ],
)
def test_each_move(text, label):
    assert label in labels(text), analyse(text)


def test_cues_speak_only_for_the_chosen_labels():
    a = analyse("We have a special rate if you sign before Friday.")
    assert "close" in a.labels
    assert any("urgency" in cue or "commitment" in cue or "deal" in cue for cue in a.cues), a.cues
    assert not any("asks" in cue and "question" in cue for cue in a.cues)


def test_cues_re_contract_quoted_words():
    a = analyse("You'd want fewer errors, wouldn't you?")
    assert "leading_question" in a.labels
    assert any("wouldn't you" in cue for cue in a.cues), a.cues


def test_analyse_many_matches_analyse():
    items = [("How long has that been going on?", None), ("so it's the handover that breaks", "The handover breaks.")]
    assert analyse_many(items) == [analyse(t, b) for t, b in items]


def test_weights_ship_inside_the_package():
    assert WEIGHTS.parent.name == "conversation" and WEIGHTS.is_file()
    assert "tests" not in WEIGHTS.parts


def test_conversation_package_stays_pure():
    code = (
        "import sys, simulator.conversation.analyser as a; a.analyse('hello there');"
        "heavy = {'textual', 'sounddevice', 'openai', 'faster_whisper', 'sqlalchemy', 'sklearn', 'scipy'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
