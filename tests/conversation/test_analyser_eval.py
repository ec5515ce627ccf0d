"""How well the analyser labels utterances it never saw (targets from docs/spec/moves.md).

Three measurements (see docs/analyser.md): 5-fold cross-validation on the corpus, leave one batch out
(each corpus batch, written by one author, scored by a model trained on the others), and the independent
held-out sets (written by authors who never saw the corpus, never used for training or choices).
Run with ``-s`` to see the per-label tables; ``python -m tools.analyser.evaluate`` prints the
same figures.
"""

from __future__ import annotations

import pytest

from tools.analyser.corpus import HELDOUT_SETS, load_batches, load_corpus
from tools.analyser.corpus import load as load_file
from tools.analyser.evaluate import (
    MACRO_F1_TARGET,
    STANCE_TARGET,
    cross_validate,
    heldout,
    leave_one_batch_out,
)
from tools.analyser.train import fit

VARIANTS = ["as written", "unpunctuated"]

#: Measurements known to miss a target, with the measured figures (docs/analyser.md). The marks are
#: strict: a test that starts passing fails until its mark is removed.
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("cross-validation", "stance"): "known gap (analyser 2.10): 5-fold CV stance 0.937 / 0.941 on the 48-batch "
    "corpus, whose batches were written to weight the hardest boundaries",
    ("leave one batch out", "stance"): "known gap (analyser 2.10): leave-one-batch-out stance 0.938 / 0.941; a new "
    "author's hard cases are the weakest spot (batch 48 alone, 2.8: 0.756 / 0.764; docs/analyser.md)",
    ("moves_heldout_asides", "stance"): "known gap (analyser 2.10): stance 0.894 / 0.907 on author a18's small talk, "
    "asides and plain questions beside the moves they resemble (2.7: 0.866 / 0.870)",
    ("moves_heldout_asides", "macro-F1"): "known gap (analyser 2.10): macro-F1 0.835 / 0.834 on the asides set "
    "(2.7: 0.814 / 0.803)",
}


def gap(measure: str, figure: str) -> tuple:
    """The strict xfail mark a known gap gets (none otherwise)."""
    reason = KNOWN_GAPS.get((measure, figure))
    return (pytest.mark.xfail(strict=True, reason=reason),) if reason else ()


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


class Measured(dict):
    """Scores per measurement name and variant, each measured on first use (so the per-test timeout covers one
    measurement, not all of them)."""

    def __init__(self, corpus):
        super().__init__()
        self.corpus = corpus

    def __missing__(self, measure):
        if measure == "cross-validation":
            scores = cross_validate(self.corpus, k=5, seed=7)
        elif measure == "leave one batch out":
            batches = load_batches()
            if len(batches) < 2:
                raise KeyError(measure)
            scores = leave_one_batch_out(batches)[0]
        else:
            path = next((p for p in HELDOUT_SETS if p.stem == measure and p.exists()), None)
            if path is None:
                raise KeyError(measure)
            if "_full" not in self.__dict__:
                self._full = fit(self.corpus)  # one model trained on the whole corpus scores every held-out set
            scores = heldout(self.corpus, load_file(path), self._full)
        self[measure] = scores
        return scores


@pytest.fixture(scope="module")
def measured(corpus):
    return Measured(corpus)


MEASURES = ["cross-validation", "leave one batch out", *(p.stem for p in HELDOUT_SETS)]


#: leave one batch out trains a model per batch (48 now): about 6 minutes on the earlier development machine, 26 on
#: session 10's slower one, where the suite's 600 s per test stopped it. The timeout is there to catch a hang.
SLOW = {"leave one batch out": 3600, "cross-validation": 1200}


def cases(figure: str):
    def marks(m: str) -> tuple:
        return (*gap(m, figure), *((pytest.mark.timeout(SLOW[m]),) if m in SLOW else ()))

    return [pytest.param(m, v, marks=marks(m), id=f"{m}-{v}") for m in MEASURES for v in VARIANTS]


def scores_for(measured, measure, variant):
    try:
        return measured[measure][variant]
    except KeyError:
        pytest.skip(f"{measure}: no data in this checkout")


@pytest.mark.parametrize(("measure", "variant"), cases("macro-F1"))
def test_behavioural_macro_f1(measured, measure, variant):
    scores = scores_for(measured, measure, variant)
    print("\n" + scores.table(f"{measure} ({variant})"))
    assert scores.macro_f1 >= MACRO_F1_TARGET, f"{measure} ({variant}): macro-F1 {scores.macro_f1:.3f}"


@pytest.mark.parametrize(("measure", "variant"), cases("stance"))
def test_stance_accuracy(measured, measure, variant):
    scores = scores_for(measured, measure, variant)
    assert scores.stance_accuracy >= STANCE_TARGET, f"{measure} ({variant}): stance {scores.stance_accuracy:.3f}"


def test_every_corpus_utterance_gets_a_label(corpus):
    from simulator.conversation.analyser import analyse

    assert all(analyse(ex.text, ex.buyer_said).labels for ex in corpus)


def test_held_out_scores_leave_out_utterances_the_corpus_also_has(corpus):
    from tools.analyser.evaluate import unseen

    for path in HELDOUT_SETS:
        if path.exists():
            test = load_file(path)
            kept = unseen(test, corpus)
            assert len(test) - len(kept) <= 0.1 * len(test)  # a few shared short turns, not a copied set
            assert not unseen(corpus[:50], corpus)
