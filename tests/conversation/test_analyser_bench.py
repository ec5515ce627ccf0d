"""The analyser benchmark runs and reports its figures (speed is judged by ``rapport bench``, not here)."""

from simulator.bench.analyser import run, utterances


def test_bench_reports_figures():
    results = {r.name: r for r in run(quick=True)}
    assert results["analyse 10,000 utterances"].target == 5.0
    assert results["analyse 10,000 utterances"].unit == "s"
    assert results["analyse one utterance"].value > 0


def test_bench_utterances_are_varied_and_reproducible():
    items = utterances(500)
    assert items == utterances(500)
    assert len(set(items)) > 400
