"""Parsing `rep: ... / buyer: ...` transcripts and the word helpers behind "reuses the buyer's words"."""

import pytest

from simulator.conversation.transcript import content_words, format_transcript, parse, shared_words, stem
from simulator.errors import RapportError


def test_parse_reads_speakers_case_insensitively_and_skips_comments_and_blanks():
    text = "# a call\n\nREP: Hi there.\n  Buyer:We lost two drivers.\nrep :  What happened?  \n"
    turns = parse(text)
    assert [(t.speaker, t.text) for t in turns] == [
        ("rep", "Hi there."), ("buyer", "We lost two drivers."), ("rep", "What happened?")]
    assert all(t.labels == () for t in turns)


def test_line_without_speaker_names_its_line_number():
    with pytest.raises(RapportError, match=r"^line 3: expected 'rep: \.\.\.' or 'buyer: \.\.\.'"):
        parse("rep: hello\n# comment\nwe lost two drivers\nbuyer: ok\n")


def test_unknown_speaker_and_empty_turn_are_errors():
    with pytest.raises(RapportError, match="line 1"):
        parse("coach: slow down\n")
    with pytest.raises(RapportError, match="line 2: the buyer line has no words"):
        parse("rep: hi\nbuyer:   \n")


def test_format_round_trips():
    turns = parse("rep: Hi.\nbuyer: Our invoicing is a mess.\n")
    assert parse(format_transcript(turns)) == turns


def test_content_words_drop_fillers_and_pronouns_but_keep_numbers():
    assert content_words("Um, we lost 2 drivers, you know, last month") == ["lost", "2", "drivers", "last", "month"]


def test_shared_words_match_across_word_forms():
    assert stem("drivers") == stem("driver")
    assert stem("invoicing") == stem("invoices")
    assert shared_words("What happened with the invoices?", "Our invoicing is a mess") == ["invoices"]
    assert shared_words("Tell me more.", "Our invoicing is a mess") == []


def test_load_reads_json_sessions_and_reports_bad_json():
    from simulator.conversation.transcript import load

    loaded = load('{"turns": [{"speaker": "rep", "text": "Hi", "labels": ["rapport"]},'
                  ' {"speaker": "buyer", "text": "Hello", "trust": 41, "revealed": ["a"]}],'
                  ' "scorecard": {"discovery": {"total": 5}}}')
    assert loaded.facts_total == 5
    assert loaded.turns[0].labels == ("rapport",) and loaded.turns[1].trust == 41
    assert load("rep: hi\n").turns[0].text == "hi"
    with pytest.raises(RapportError, match=r"^line 2: not valid JSON"):
        load('{"turns": [\n oops]}')
    with pytest.raises(RapportError, match="turn 1: speaker must be 'rep' or 'buyer'"):
        load('[{"speaker": "coach", "text": "x"}]')


def test_load_ignores_a_byte_order_mark_and_crlf():
    from simulator.conversation.transcript import load

    loaded = load("\ufeffRep: How are things going?\r\nBuyer: Fine.\r\n")
    assert [(t.speaker, t.text) for t in loaded.turns] == [("rep", "How are things going?"), ("buyer", "Fine.")]
    assert load('\ufeff[{"speaker": "rep", "text": "hi there"}]').turns[0].text == "hi there"
