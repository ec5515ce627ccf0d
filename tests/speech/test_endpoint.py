"""End-of-turn policy, fed synthetic speech probabilities window by window (pure logic)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.speech import endpoint as ep

BLOCK = np.zeros(512, np.float32)


def run(probs: list[float], texts: dict[int, str] | None = None, settings=None):
    """Feed probabilities; answer NeedText with ``texts[turn]``; return (window index, action) pairs."""
    e = ep.Endpointer(settings or ep.EndpointSettings(partial_every_ms=0))
    out = []
    for i, p in enumerate(probs):
        for action in e.feed(BLOCK, p):
            out.append((i, action))
            if isinstance(action, ep.NeedText):
                for follow in e.set_text(action.turn, (texts or {}).get(action.turn, "")):
                    out.append((i, follow))
    for action in e.flush():
        out.append((len(probs), action))
    return out


def windows(ms: float) -> int:
    return int(round(ms / ep.WINDOW_MS))


def ended(actions):
    return [(i, a) for i, a in actions if isinstance(a, ep.TurnEnded)]


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        ("How do you handle renewals today?", "finished"),
        ("so what happens then?", "finished"),
        ("That makes sense to me.", "finished"),
        ("Hi, Dana.", "open"),  # short: often a preamble
        ("and the team uses spreadsheets and", "trailing"),
        ("So the spreadsheet is the bottleneck and um...", "trailing"),
        ("I was wondering, um", "trailing"),
        ("tell me about the team", "open"),
        ("", "open"),
    ],
)
def test_ending_of(text, ending):
    assert ep.ending_of(text) == ending


def test_finished_question_ends_sooner_than_open_words():
    speech, silence = [0.9] * windows(2000), [0.05] * windows(2000)
    finished = ended(run(speech + silence, {1: "How do you handle renewals today?"}))
    open_ = ended(run(speech + silence, {1: "tell me about the team"}))
    s = ep.EndpointSettings()
    assert len(finished) == len(open_) == 1
    end_win = windows(2000)
    assert finished[0][0] + 1 - end_win == windows(s.finished_pause_ms)
    assert open_[0][0] + 1 - end_win == windows(s.pause_ms)
    assert finished[0][1].ending == "finished" and open_[0][1].ending == "open"
    turn = finished[0][1]
    assert turn.start_s == 0.0 and turn.end_s == pytest.approx(2.0, abs=0.04)
    assert turn.decided_s - turn.end_s == pytest.approx(s.finished_pause_ms / 1000, abs=0.04)


def test_trailing_word_waits_longer_and_keeps_one_turn():
    s = ep.EndpointSettings()
    # "...and um" then a pause longer than the normal one but shorter than the trailing one
    gap = windows(s.pause_ms + 200)
    probs = [0.9] * 40 + [0.05] * gap + [0.9] * 40 + [0.05] * windows(2000)
    actions = run(probs, {1: "the spreadsheet is the bottleneck and um"})
    # the first speculative text is trailing; after speech resumes the same turn continues
    assert any(isinstance(a, ep.SpeechResumed) for _, a in actions)
    turns = ended(actions)
    assert len(turns) == 1
    assert turns[0][1].end_s == pytest.approx((80 + gap) * ep.WINDOW_MS / 1000, abs=0.04)


def test_open_text_with_a_long_pause_becomes_two_turns():
    probs = [0.9] * 40 + [0.05] * windows(900) + [0.9] * 40 + [0.05] * windows(2000)
    turns = ended(run(probs, {1: "tell me about the team", 2: "and how renewals work today?"}))
    assert len(turns) == 2
    assert turns[1][1].start_s > turns[0][1].end_s


def test_short_noise_is_not_a_turn():
    probs = [0.05] * 10 + [0.95] * 3 + [0.05] * windows(2000)
    actions = run(probs)
    assert not ended(actions)
    assert any(isinstance(a, ep.NoiseIgnored) for _, a in actions)
    assert not any(isinstance(a, ep.Speculate) for _, a in actions)


def test_speculation_starts_as_silence_begins_and_audio_is_what_was_transcribed():
    s = ep.EndpointSettings()
    probs = [0.05] * 20 + [0.9] * 50 + [0.05] * 40
    actions = run(probs, {1: "What brings you here today?"})
    spec = [(i, a) for i, a in actions if isinstance(a, ep.Speculate)]
    assert len(spec) == 1
    assert spec[0][0] == 70 - 1 + windows(s.speculate_after_ms)
    turn = ended(actions)[0][1]
    assert turn.audio.size == spec[0][1].audio.size
    # preroll before the first speech window is included
    assert turn.audio.size == (windows(s.preroll_ms) + 50 + windows(s.speculate_after_ms)) * 512


def test_partials_are_requested_while_speaking():
    settings = ep.EndpointSettings(partial_every_ms=500)  # probabilities of 0.9: confident speech
    actions = run([0.9] * windows(2100) + [0.05] * 30, {1: "hello there my friend."}, settings)
    partials = [a for _, a in actions if isinstance(a, ep.Partial)]
    assert len(partials) == 4
    assert all(b.audio.size > a.audio.size for a, b in zip(partials, partials[1:], strict=False))


def test_a_turn_in_progress_ends_at_the_end_of_the_stream():
    turns = ended(run([0.9] * 30))
    assert len(turns) == 1 and turns[0][1].end_s == pytest.approx(30 * ep.WINDOW_MS / 1000)


def test_very_long_turn_is_cut():
    settings = ep.EndpointSettings(max_turn_s=2.0, partial_every_ms=0)
    turns = ended(run([0.9] * windows(5000), settings=settings))
    assert len(turns) >= 2
