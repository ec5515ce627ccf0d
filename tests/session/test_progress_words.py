"""Progress words agree with the numbers shown beside them, for every figure and either direction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.session.progress import HIGHER_IS_BETTER, TARGET, render, trend


def test_the_issues_examples_read_the_way_their_numbers_go():
    moves = trend("transactional moves", "moves", [0, 6, 4, 2], False)
    assert (moves.first, moves.last, moves.best, moves.trend) == (0, 2, 0, "worsening")
    trust = trend("buyer trust", "/100", [71.5, 90.0, 95.0, 36.3], True)
    assert trust.trend == "worsening" and trust.change == -35.2 and trust.best == 95.0
    talk = trend("rep talk share", "%", [24.0, 41.0, 60.0], False)
    assert talk.best == 41.0  # nearest the ~43% of top reps, not the lowest
    assert trend("rep talk share", "%", [24.0, 41.0], False).trend == "improving"
    assert trend("rep talk share", "%", [41.0, 24.0], False).trend == "worsening"


def test_render_says_what_the_numbers_say():
    doc = {"rep": "Sam", "sessions": 3, "first": "2025-03-03T09:00:00Z", "last": "2025-03-08T09:00:00Z",
           "figures": [trend("transactional moves", "moves", [0, 6, 2], False).to_dict(),
                       trend("rep talk share", "%", [24.0, 41.0, 30.0], False).to_dict()]}
    text = render(doc)
    assert "0 moves -> 2 moves  (best 0 moves; worsening)" in text
    assert "24% -> 30%  (best 41% (nearest 43%); improving)" in text


@given(name=st.sampled_from(sorted(HIGHER_IS_BETTER)),
       values=st.lists(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)), min_size=2, max_size=8))
def test_the_word_always_agrees_with_first_and_last(name, values):
    higher = HIGHER_IS_BETTER[name]
    t = trend(name, "%" if name == "rep talk share" else "", values, higher)
    assert t.change == round(values[-1] - values[0], 3)

    def better(a: float, b: float) -> bool:
        if name in TARGET:
            return abs(a - TARGET[name]) < abs(b - TARGET[name])
        return a > b if higher else a < b

    if t.trend == "improving":
        assert better(values[-1], values[0])
    elif t.trend == "worsening":
        assert better(values[0], values[-1])
    assert not any(better(v, t.best) for v in values)
