"""The sentence splitter and the reply cleaner on what weak or disobedient models really write."""

from __future__ import annotations

import pytest

from simulator.persona.llm_parse import ReplyCleaner, clean_reply, clean_sentence, unwrap_json
from simulator.persona.llm_sentences import SentenceSplitter, split_sentences

NAMES = ["Rosa Alvarez"]


def test_splitter_yields_a_sentence_as_soon_as_the_next_word_starts():
    splitter = SentenceSplitter()
    assert splitter.feed("We have two shops") == []
    assert splitter.feed(".") == []  # could still be "3.5": wait for the next character
    assert splitter.feed(" And twelve") == ["We have two shops."]
    assert splitter.flush() == ["And twelve"]
    assert splitter.flush() == []


def test_splitter_keeps_decimals_abbreviations_and_initials_together():
    text = "We lose 3.5 hours a week, e.g. on Mondays. Mr. Lopez agrees! J. Smith too? Yes… Really."
    assert split_sentences(text) == [
        "We lose 3.5 hours a week, e.g. on Mondays.", "Mr. Lopez agrees!", "J. Smith too?", "Yes…", "Really."
    ]


def test_splitter_gives_the_same_sentences_whatever_the_chunking():
    text = 'She said "no way." Then she left.\nRep: okay. Fine'
    expected = split_sentences(text)
    assert expected == ['She said "no way."', "Then she left.", "Rep: okay.", "Fine"]
    for size in (1, 2, 3, 7):
        assert split_sentences(text[i : i + size] for i in range(0, len(text), size)) == expected


def test_splitter_marks_sentences_that_start_a_line():
    splitter = SentenceSplitter()
    pieces = splitter.feed_pieces("Hello there. How are you?\nRep: fine. ") + splitter.flush_pieces()
    assert [(p.text, p.new_line) for p in pieces] == [
        ("Hello there.", True), ("How are you?", False), ("Rep: fine.", True)
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Buyer: *sighs* Well, we mostly use paper. It's a mess.", "Well, we mostly use paper. It's a mess."),
        ("Rosa: (laughs) We lose two days a month.\nRep: Ouch. Why?\nRosa: Copying.", "We lose two days a month."),
        ("Rosa Alvarez: Orders, mostly.", "Orders, mostly."),
        ("**Rosa:** _smiling_ Orders, mostly.", "Orders, mostly."),
        ('{"reply": "We use a paper book.", "revealed": ["paper-orders"]}', "We use a paper book."),
        ('```json\n{"reply": "Honestly, the copying.", "revealed": []}\n```', "Honestly, the copying."),
        ('{"reply": "The book is always in the wrong', "The book is always in the wrong."),
        ("As an AI language model, I cannot have feelings. But the orders are a mess.", "But the orders are a mess."),
        ("I'm an AI assistant and can't pretend to be Rosa.", ""),
        ("Sorry, but as a business AI, I can't say. We bake.", "We bake."),
        ("I started as a shop assistant, you know.", "I started as a shop assistant, you know."),
        ("Sure! Here is Rosa's reply: We write orders on paper.", "We write orders on paper."),
        ("User: what do you use?\nAssistant: A paper book.", "A paper book."),
        ("Two things: cost and time. Cost first. Then time. Then more.",
         "Two things: cost and time. Cost first. Then time."),
        ("It's a mess. It's a mess. IT'S A MESS!", "It's a mess."),
        ("<|im_start|>assistant\nWe use paper.<|im_end|>", "We use paper."),
        ("Paper book.\n\nNote: the buyer revealed paper-orders.", "Paper book."),
        ("John: Hi there\nMary: how are you", ""),
        ("", ""),
        ("  ...  *nods*  ", ""),
        ("oh we use paper", "Oh we use paper."),
    ],
)
def test_clean_reply_keeps_only_the_buyers_spoken_words(raw, expected):
    assert clean_reply(raw, NAMES) == expected


def test_a_rambling_sentence_is_cut_to_a_speakable_length():
    ramble = ("Well I think that the thing is that we have been using this system for a very long time and it has "
              "been working mostly fine but there are some issues with the approvals and also with the reporting "
              "which takes ages every month")
    cleaned = clean_sentence(ramble)
    assert len(cleaned.split()) <= 30
    assert cleaned.startswith("Well I think") and cleaned.endswith(".")


def test_cleaner_stops_reading_after_three_sentences_or_another_speaker():
    cleaner = ReplyCleaner(NAMES)
    splitter = SentenceSplitter()
    for piece in splitter.feed_pieces("One thing. Two things. Three things. Four things. "):
        cleaner.add(piece)
    assert cleaner.done and cleaner.sentences == ["One thing.", "Two things.", "Three things."]
    cleaner = ReplyCleaner(NAMES)
    for piece in splitter.feed_pieces("We use paper.\nSalesperson: Great. ") + splitter.flush_pieces():
        cleaner.add(piece)
    assert cleaner.done and cleaner.text == "We use paper."


def test_unwrap_json_finds_the_reply_field_wherever_it_is():
    assert unwrap_json('{"buyer": {"reply": "Hm, maybe."}}') == "Hm, maybe."
    assert unwrap_json('[{"text": "Sure."}]') == "Sure."
    assert unwrap_json("plain words") == "plain words"
