"""End-of-turn policy, fed synthetic speech probabilities window by window (pure logic)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.speech import endpoint as ep

BLOCK = np.zeros(512, np.float32)


def run(probs: list[float], texts: dict[int, str] | None = None, settings=None,
        sound: dict[int, float | None] | None = None, words: dict[int, float | None] | None = None):
    """Feed probabilities; answer Judge with ``sound[turn]`` and NeedText with ``texts[turn]`` scored
    ``words[turn]`` (both default to "complete"); return (window index, action) pairs."""
    e = ep.Endpointer(settings or ep.EndpointSettings(partial_every_ms=0))
    out = []

    def answer(i, action):
        out.append((i, action))
        follows = []
        if isinstance(action, ep.Judge):
            follows = e.set_judgement(action.turn, (sound or {}).get(action.turn, 0.9))
        elif isinstance(action, ep.NeedText):
            follows = e.set_text(action.turn, (texts or {}).get(action.turn, ""), (words or {}).get(action.turn, 0.9))
        for follow in follows:
            answer(i, follow)

    for i, p in enumerate(probs):
        for action in e.feed(BLOCK, p):
            answer(i, action)
    for action in e.flush():
        out.append((len(probs), action))
    return out


def windows(ms: float) -> int:
    return int(round(ms / ep.WINDOW_MS))


def ended(actions):
    return [(i, a) for i, a in actions if isinstance(a, ep.TurnEnded)]


S = ep.EndpointSettings(audio_weight=0.5, quick_above=1.0, unsure_above=-1.0, partial_every_ms=0)


@pytest.mark.parametrize(
    ("sound", "words", "pause", "why"),
    [
        (0.9, 0.9, S.quick_pause_ms, "complete"),
        (0.9, 0.1, S.unsure_pause_ms, "unsure"),  # they disagree: wait in doubt
        (0.05, 0.9, S.quick_pause_ms, "complete"),  # words sure of a complete turn decide alone
        (0.05, 0.8, S.unsure_pause_ms, "unsure"),
        (0.6, 0.5, S.unsure_pause_ms, "unsure"),
        (0.99, 0.35, S.quick_pause_ms, "complete"),  # the sound sure enough to outweigh words in some doubt
        (0.99, 0.29, S.unsure_pause_ms, "unsure"),  # but never words that read as unfinished (a comma pause)
        (0.1, 0.1, S.incomplete_pause_ms, "incomplete"),
        (None, 0.9, S.quick_pause_ms, "complete"),  # no end-of-turn model: the words decide alone
        (None, 0.1, S.incomplete_pause_ms, "incomplete"),
    ],
)
def test_the_pause_that_ends_a_turn_follows_both_judgements(sound, words, pause, why):
    speech, silence = [0.9] * windows(2000), [0.05] * windows(2500)
    turns = ended(run(speech + silence, {1: "words"}, settings=S, sound={1: sound}, words={1: words}))
    assert len(turns) == 1
    index, turn = turns[0]
    assert index + 1 - windows(2000) == max(windows(pause), windows(S.judge_after_ms))
    assert turn.ending == why and (turn.audio_p, turn.text_p) == (sound, words)
    assert turn.start_s == 0.0 and turn.end_s == pytest.approx(2.0, abs=0.04)


def test_a_mid_sentence_pause_shorter_than_the_incomplete_pause_keeps_one_turn():
    gap = windows(1000)  # "what I'd really like to understand is ... how orders get to the kitchen"
    probs = [0.9] * 40 + [0.05] * gap + [0.9] * 40 + [0.05] * windows(2000)
    actions = run(probs, sound={1: 0.2}, words={1: 0.1})
    assert any(isinstance(a, ep.SpeechResumed) for _, a in actions)
    turns = ended(actions)
    assert len(turns) == 1
    assert turns[0][1].end_s == pytest.approx((80 + gap) * ep.WINDOW_MS / 1000, abs=0.04)


def test_judgements_are_asked_once_per_pause_and_again_after_speech_resumes():
    probs = [0.9] * 40 + [0.05] * windows(600) + [0.9] * 40 + [0.05] * windows(2000)
    actions = run(probs, sound={1: 0.1}, words={1: 0.1})
    judges = [i for i, a in actions if isinstance(a, ep.Judge)]
    assert len(judges) == 2 and judges[0] == 40 - 1 + windows(S.judge_after_ms)


def test_fixed_policy_ends_every_turn_after_the_same_pause():
    settings = ep.EndpointSettings(policy="fixed", fixed_pause_ms=500, partial_every_ms=0)
    probs = [0.9] * 40 + [0.05] * windows(600) + [0.9] * 40 + [0.05] * windows(2000)
    actions = run(probs, settings=settings)
    assert not any(isinstance(a, (ep.Judge, ep.NeedText)) for _, a in actions)
    turns = ended(actions)
    assert len(turns) == 2 and {t.ending for _, t in turns} == {"fixed"}
    assert turns[0][0] + 1 - 40 == windows(500)


def test_push_to_talk_hold_ends_no_turn_and_release_ends_it_at_once():
    e = ep.Endpointer(ep.EndpointSettings(partial_every_ms=0))
    e.hold(True)
    actions = []
    for p in [0.9] * 40 + [0.05] * windows(3000) + [0.9] * 20 + [0.05] * 10:
        actions += e.feed(BLOCK, p)
    assert not any(isinstance(a, (ep.TurnEnded, ep.Judge)) for a in actions)
    released = e.hold(False)
    assert len(released) == 1 and isinstance(released[0], ep.TurnEnded) and released[0].ending == "released"
    assert released[0].start_s == 0.0


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
