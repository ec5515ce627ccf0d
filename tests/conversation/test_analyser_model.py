"""The learned model: reproducible training, committed weights, rule pre-checks, persistence."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.conversation.analyser import WEIGHTS
from simulator.conversation.features import ALL_RULES as RULES
from simulator.conversation.model import Model
from simulator.conversation.text import normalise
from tools.analyser.corpus import corpus_files, load_corpus, parse_labels, strip_punctuation
from tools.analyser.train import fit, main


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def fresh(corpus):
    return fit(corpus)


def test_committed_weights_equal_a_fresh_training_run(fresh):
    committed = Model.load(WEIGHTS)
    assert committed.labels == fresh.labels
    assert committed.features == fresh.features, (
        "analyser_model.json is stale: run python -m tools.analyser.train and commit it"
    )
    assert np.allclose(committed.weights, fresh.weights, atol=2e-4)


def test_training_is_deterministic(corpus, fresh):
    again = fit(corpus)
    assert again.features == fresh.features
    assert np.array_equal(again.weights, fresh.weights)


def test_train_entry_point_writes_loadable_weights(tmp_path, fresh):
    out = tmp_path / "w.json"
    assert main([*map(str, corpus_files()), "-o", str(out)]) == 0
    loaded = Model.load(out)
    assert loaded.features == fresh.features
    assert np.allclose(loaded.weights, fresh.weights, atol=1e-9)


def test_train_reports_a_bad_corpus_line(tmp_path, capsys):
    bad = tmp_path / "bad.psv"
    bad.write_text("question||What changed?\nnonsense|x|y\n")
    assert main([str(bad), "-o", str(tmp_path / "w.json")]) == 1
    assert "bad.psv:2" in capsys.readouterr().err


def test_labels_parse_full_names_and_codes():
    assert parse_labels("listening,question") == ("question", "listening")
    assert parse_labels("L,Q") == ("question", "listening")
    with pytest.raises(ValueError):
        parse_labels("pitchy")


def test_rule_pre_checks_never_hide_a_match(corpus):
    """Each rule's key words are a fast pre-check; on every corpus line they must agree with the full pattern."""
    texts = [ex.text for ex in corpus]
    texts += [strip_punctuation(t) for t in texts]
    for text in texts:
        norm = normalise(text)
        joined = " | ".join(" ".join(c) for c in norm.clauses)
        words = set(norm.tokens)
        for rule in RULES:
            if rule.keys and rule.keys.isdisjoint(words):
                assert not rule.pattern.search(joined), (rule.name, text)
