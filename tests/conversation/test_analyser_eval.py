"""How well the analyser labels utterances it never saw (targets from shared/spec/moves.md).

Three measurements (see docs/analyser.md): 5-fold cross-validation on the corpus, leave one batch out
(each corpus batch, written by one author, scored by a model trained on the others), and the independent
held-out sets (written by authors who never saw the corpus, never used for training or choices).
Run with ``-s`` to see the per-label tables; ``python -m simulator.conversation.evaluate`` prints the
same figures.
"""

from __future__ import annotations

import pytest

from simulator.conversation.corpus import HELDOUT_SETS, load_batches, load_corpus
from simulator.conversation.corpus import load as load_file
from simulator.conversation.evaluate import (
    MACRO_F1_TARGET,
    STANCE_TARGET,
    cross_validate,
    heldout,
    leave_one_batch_out,
)

VARIANTS = ["as written", "unpunctuated"]

#: Measurements known to miss a target, with the measured figures (docs/analyser.md). The marks are
#: strict: a test that starts passing fails until its mark is removed.
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("cross-validation", "stance"): "known gap (analyser 1.7): 5-fold CV stance 0.926 / 0.930 on the nine-batch "
    "corpus, "
    "whose batches were written to weight the hardest boundaries",
    ("leave one batch out", "stance"): "known gap (analyser 1.7): leave-one-batch-out stance 0.923 / 0.925; a new "
    "author's hard cases are the weakest spot (docs/analyser.md)",
}


def gap(measure: str, figure: str):
    reason = KNOWN_GAPS.get((measure, figure))
    return pytest.mark.xfail(strict=True, reason=reason) if reason else ()


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def measured(corpus):
    """Scores per measurement name and variant."""
    out = {"cross-validation": cross_validate(corpus, k=5, seed=7)}
    batches = load_batches()
    if len(batches) > 1:
        out["leave one batch out"] = leave_one_batch_out(batches)[0]
    for path in HELDOUT_SETS:
        if path.exists():
            out[path.stem] = heldout(corpus, load_file(path))
    return out


MEASURES = ["cross-validation", "leave one batch out", *(p.stem for p in HELDOUT_SETS)]


def cases(figure: str):
    return [pytest.param(m, v, marks=gap(m, figure), id=f"{m}-{v}") for m in MEASURES for v in VARIANTS]


def scores_for(measured, measure, variant):
    if measure not in measured:
        pytest.skip(f"{measure}: no data in this checkout")
    return measured[measure][variant]


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
    from simulator.conversation.evaluate import unseen

    for path in HELDOUT_SETS:
        if path.exists():
            test = load_file(path)
            kept = unseen(test, corpus)
            assert len(test) - len(kept) <= 0.1 * len(test)  # a few shared short turns, not a copied set
            assert not unseen(corpus[:50], corpus)
