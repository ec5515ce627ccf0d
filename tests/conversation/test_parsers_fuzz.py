"""Property-based tests (Hypothesis) of every parser a user can feed: plain transcripts, JSON sessions,
`rapport score`, `rapport analyze --jsonl` lines and `rapport sessions import` into a real SQLite store.

Whatever the input, the result is a value or one clean line (RapportError / a `rapport: ...` line), never
another exception; what is printed as JSON is strict JSON (no NaN or Infinity); a failed import leaves the
store exactly as it was, and a successful one can be listed, shown and exported.

Bounded for CI: 150 examples per test, derandomized (the same inputs every run) and no example
database, so nothing is written into the repository (``RAPPORT_FUZZ_EXAMPLES=N`` for a longer random run).
"""

from __future__ import annotations

import json
import math
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.commands.analyze import parse_line
from simulator.conversation.moves import LABELS
from simulator.conversation.transcript import load
from simulator.errors import RapportError

#: RAPPORT_FUZZ_EXAMPLES=5000 runs a longer, random (not derandomized) search on a developer's machine.
LONG_RUN = int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=LONG_RUN or 150, derandomize=not LONG_RUN, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip

AWKWARD = ["", " ", "\u0000", "\ud800", "\udfff", "\x1b[2J", "\u2028", "\x85", "..", "/etc/passwd",
           "a/../../b", "C:\\x", "rep: hi", "NaN", "Zoë", "🎂", "\r\n"]  # fmt: skip
numbers = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, -1, 100, 100.0001, 1e308, -1e308, 5e-324]))  # fmt: skip
texts = st.one_of(st.text(max_size=60), st.sampled_from(AWKWARD),
                  st.lists(st.sampled_from(["how", "do", "you", "orders", "?", "shall", "I", "send", "the",
                                            "contract", "so", "you", "lost", "drivers", ".", "\n"]),
                           max_size=25).map(" ".join))  # fmt: skip
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=8)  # fmt: skip
words = st.lists(st.sampled_from(["how", "do", "you", "take", "orders", "today?", "shall", "I", "send", "the",
                                  "contract", "so", "you", "lost", "drivers", "our", "app", "cuts", "costs", "."]),
                 min_size=1, max_size=20).map(" ".join)  # fmt: skip
#: Turns as Rapport writes them (every field valid) ...
good_turns = st.fixed_dictionaries(
    {"speaker": st.sampled_from(["rep", "buyer"]), "text": words},
    optional={
        "labels": st.lists(st.sampled_from(LABELS), max_size=3), "cues": st.lists(words, max_size=2),
        "trust": st.floats(0, 100), "revealed": st.lists(st.sampled_from(["ovens", "paper-orders"]), max_size=2),
        "rep_name": st.sampled_from(["maya", "li", "Zoë"]), "audio": st.sampled_from(["ab/0001-rep.flac", "x.wav"]),
        "latency_ms": st.dictionaries(st.sampled_from(["stt", "llm"]), st.floats(0, 5000), max_size=2),
        "next_step": st.booleans(), "ended": st.booleans(), "stance": values,
    },
)  # fmt: skip
#: ... and with one field (known or not) set to anything at all.
FIELDS = ["speaker", "text", "labels", "cues", "trust", "revealed", "start_s", "end_s", "rep_name", "latency_ms",
          "audio", "next_step", "ended", "stance"]  # fmt: skip
REPORTED = [1e308, -1e308, math.nan, math.inf, -1, 101, "abc", [5, None, {"a": 1}], [{"a": 1}], {"a": 1}, True,
            "..", "../../etc/passwd", "/etc/passwd", "x" * 100, "a\u0000b", "\ud800"]  # fmt: skip
hostile = st.one_of(st.sampled_from(REPORTED), numbers, texts, values)
bad_turns = st.tuples(good_turns, st.sampled_from(FIELDS), hostile).map(lambda t: {**t[0], t[1]: t[2]})


@st.composite
def timed(draw, turns: list[dict]) -> list[dict]:
    """Usually increasing times, as a recording has them; sometimes none."""
    if draw(st.booleans()):
        clock = 0.0
        for turn in turns:
            gap, length = draw(st.floats(-1, 5)), draw(st.floats(0, 20))
            turn.setdefault("start_s", max(0.0, clock + gap))
            turn.setdefault("end_s", turn["start_s"] + length)
            clock = turn["end_s"]
    return turns


def with_one_bad(pair: tuple[list[dict], int, object]) -> list:
    turns, at, bad = pair
    return [*turns[:at], bad, *turns[at:]]


good_lists = st.lists(good_turns, min_size=1, max_size=6).flatmap(timed)
one_bad_lists = st.tuples(st.lists(good_turns, max_size=5).flatmap(timed), st.integers(0, 5),
                          bad_turns | hostile).map(with_one_bad)  # fmt: skip
turn_lists = good_lists | one_bad_lists
documents = st.one_of(
    turn_lists,
    st.fixed_dictionaries({"turns": turn_lists}, optional={"persona": values}),
    st.fixed_dictionaries({"turns": good_lists, "scorecard": hostile | st.dictionaries(
        st.sampled_from(["discovery", "overall"]), hostile | st.dictionaries(st.just("total"), hostile))}),
    values,
)  # fmt: skip
json_texts = st.one_of(
    documents.map(json.dumps),
    documents.map(lambda doc: json.dumps(doc, indent=2)),
    st.tuples(documents.map(json.dumps), st.integers(0, 300)).map(lambda pair: pair[0][: pair[1]]),  # cut short
)
good_plain = st.lists(st.tuples(st.sampled_from(["rep: ", "buyer: ", "REP :", "Buyer:"]), words).map("".join),
                      min_size=1, max_size=12).map("\n".join)  # fmt: skip
plain_lines = st.one_of(
    st.tuples(st.sampled_from(["rep:", "buyer:", "REP :", "Buyer:", "# ", "coach:", "", "rep"]), texts).map(
        lambda pair: pair[0] + pair[1]),
    texts,
)  # fmt: skip
plain_texts = st.one_of(good_plain, st.lists(plain_lines, max_size=10).map("\n".join),
                        st.tuples(good_plain, plain_lines, good_plain).map("\n".join))  # fmt: skip
any_text = st.one_of(plain_texts, json_texts, json_texts, st.text(max_size=200))
#: The inputs of the findings this file guards against, always tried first.
FINDINGS = [
    json.dumps([{"speaker": "rep", "text": "hi", "rep_name": 5}]),
    json.dumps([{"speaker": "rep", "text": "hi", "labels": [5, None, {"a": 1}]}]),
    json.dumps([{"speaker": "rep", "text": "hi"}, {"speaker": "buyer", "text": "ok", "revealed": [{"a": 1}]}]),
    json.dumps([{"speaker": "rep", "text": "hi", "latency_ms": "abc"}]),
    json.dumps({"turns": [{"speaker": "rep", "text": "hi"}], "scorecard": {"discovery": "x"}}),
    json.dumps([{"speaker": "rep", "text": "hi"}, {"speaker": "buyer", "text": "ok", "trust": 1e308}]),
    json.dumps([{"speaker": "rep", "text": "hi", "start_s": -1e308}]),
    json.dumps([{"speaker": "rep", "text": "hi", "end_s": math.inf, "start_s": math.nan}]),
    json.dumps([{"speaker": "rep", "text": "hi", "audio": "../../etc/passwd"}]),
    "[" * 100_000,
]


def with_findings(**other: object):  # noqa: ANN201 (a decorator)
    """Hypothesis examples for FINDINGS (argument ``text``), tried on every run before the generated ones."""

    def decorate(test):  # noqa: ANN001, ANN202
        for text in FINDINGS:
            test = example(text=text, **other)(test)
        return test

    return decorate


def one_line(message: str) -> bool:
    return bool(message.strip()) and len(message.splitlines()) == 1


def strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON output")

    return json.loads(text, parse_constant=refuse)


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@FUZZ
@given(text=any_text)
@with_findings()
def test_load_gives_turns_or_one_clean_line(text):
    try:
        loaded = load(text)
    except RapportError as exc:
        assert one_line(str(exc)), str(exc)
        event("refused")
        return
    event(f"loaded, {'some' if loaded.turns else 'no'} turns")
    for turn in loaded.turns:
        assert turn.speaker in ("rep", "buyer") and isinstance(turn.text, str)
        assert set(turn.labels) <= set(LABELS)
        assert turn.trust is None or 0 <= turn.trust <= 100
        for value in (turn.start_s, turn.end_s, *(turn.latency_ms or {}).values()):
            assert value is None or (math.isfinite(value) and value >= 0)


@FUZZ
@given(text=any_text)
@with_findings()
def test_score_prints_strict_json_or_one_error_line(capsys, tmp_path, text):
    path = tmp_path / "call.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = run(capsys, "score", str(path), "--json")
    event(f"exit {code}")
    if code == 0:
        card = strict_json(out)
        assert isinstance(card["overall"], int) and 0 <= card["overall"] <= 100 and err == ""
        assert run(capsys, "score", str(path))[0] == 0  # the readable scorecard too
    else:
        assert code == 1 and out == "" and one_line(err) and err.startswith("rapport: error: "), err


analyze_lines = st.one_of(
    st.fixed_dictionaries({"text": words}, optional={"buyer_said": words | st.none()}).map(json.dumps),
    st.fixed_dictionaries({"text": texts | scalars}, optional={"buyer_said": texts | scalars, "x": values}).map(
        json.dumps),
    values.map(json.dumps),
    st.text(max_size=80).filter(lambda s: "\n" not in s and "\r" not in s),
    st.sampled_from(["[" * 5000, '{"text": ' + "[" * 3000 + "}", "{\"text\": \"\\ud800\"}"]),
)  # fmt: skip


@FUZZ
@given(analyze_lines)
def test_analyze_jsonl_line_gives_an_analysis_or_a_reason(line):
    from simulator.conversation.analyser import analyse

    try:
        text, buyer = parse_line(line, jsonl=True)
    except ValueError as exc:
        assert one_line(str(exc)), str(exc)
        event("refused")
        return
    event("analysed")
    out = analyse(text, buyer).to_dict()
    assert set(out["labels"]) <= set(LABELS)
    json.dumps(out, allow_nan=False).encode("utf-8")


@FUZZ
@given(st.lists(analyze_lines, min_size=1, max_size=5))
def test_analyze_command_answers_every_line(capsys, tmp_path, lines):
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "analyze", "--jsonl", str(path))
    outputs = [strict_json(line) for line in out.split("\n")[:-1]]  # JSON Lines: split at \n only
    problems = err.split("\n")[:-1]
    assert all(p.startswith("rapport: line ") for p in problems), err
    assert code == (1 if problems else 0)
    assert len(outputs) + len(problems) == sum(1 for line in lines if line.strip())


# --- import into a real store --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def import_store(tmp_path_factory):
    from simulator.session.store import Store

    folder = tmp_path_factory.mktemp("fuzz-store")
    store = Store.open(f"sqlite:///{folder / 'sessions.db'}", folder / "audio")
    yield store
    store.close()


def snapshot(store) -> tuple:
    """Every row that matters, so "unchanged" means unchanged."""
    with store.engines.read.connect() as conn:
        counts = tuple(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                       for table in ("sessions", "turns", "scorecards", "session_reps"))  # fmt: skip
    return counts, tuple(store.session_ids())


@FUZZ
@given(text=any_text, rep=st.sampled_from([None, None, None, "maya", "li", "x" * 81, "", "a\nb"]))
@with_findings(rep="maya")
def test_import_stores_a_whole_session_or_nothing(import_store, text, rep):
    from simulator.persona.loader import get
    from simulator.session.export import export
    from simulator.session.importer import import_transcript

    persona = get("bakery-owner").model_dump(mode="json")
    before = snapshot(import_store)
    try:
        sid = import_transcript(import_store, text, persona, rep, source_name="fuzz.txt")
    except RapportError as exc:
        assert one_line(str(exc)) and str(exc).startswith(("fuzz.txt: ", "--rep ")), str(exc)
        assert snapshot(import_store) == before
        event("refused")
        return
    event("imported")
    session = import_store.get(sid)
    assert session.summary.status == "finished" and session.summary.turn_count == len(session.turns) > 0
    assert strict_json(export(import_store, sid, "json"))["id"] == sid
    assert export(import_store, sid, "md") and export(import_store, sid, "html")
    assert sid in [s.id for s in import_store.list_sessions()]


def test_analyze_skips_an_overlong_line_without_holding_it(capsys, tmp_path):
    from simulator.commands.analyze import MAX_LINE

    path = tmp_path / "lines.txt"
    path.write_text("what changed for you?\n" + "so " * MAX_LINE + "\nshall I send the contract?\n")
    code, out, err = run(capsys, "analyze", str(path))
    assert code == 1 and err == f"rapport: line 2: longer than {MAX_LINE:,} characters; skipped\n"
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["what changed for you?",
                                                                         "shall I send the contract?"]  # fmt: skip
