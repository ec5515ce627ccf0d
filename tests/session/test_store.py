"""The store on SQLite and PostgreSQL: sessions, turns, coach events, scores, ids, listing, deletion."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import schema
from simulator.session.store import Store

PERSONA = {"id": "ana-cfo", "name": "Ana Ruiz", "facts": [{"id": "f1"}, {"id": "f2"}]}


def _session(store: Store, reps=("maya",), **kw) -> str:
    return store.create_session("ana-cfo", PERSONA, "offline", {"seed": 3}, list(reps), **kw)


def test_turns_round_trip_with_every_field(store):
    sid = _session(store)
    rep = Turn("rep", "What happens when a shipment is late?", labels=("question",), cues=("open",),
               start_s=1.0, end_s=3.5, rep_name="maya", latency_ms={"stt": 120.5}, extra={"partial": "what"})
    buyer = Turn("buyer", "We lose the customer.", trust=42.5, revealed=("f1",), start_s=4.0, end_s=6.0)
    store.add_turn(sid, 0, rep)
    store.add_turn(sid, 1, buyer)
    got = store.get(sid)
    assert got.turns == [rep, buyer]
    assert got.summary.turn_count == 2
    assert got.summary.status == "running"
    assert got.persona == PERSONA


def test_show_json_has_the_simulate_shape_plus_store_fields(store):
    sid = _session(store)
    store.add_turn(sid, 0, Turn("rep", "Hi", labels=("rapport",), rep_name="maya"))
    store.add_coach_event(sid, "note", "good opener", t_s=2.0, turn_index=0)
    store.add_scorecard(sid, {"overall": 61, "figures": []}, "a1", "s1")
    store.finish(sid)
    d = store.get(sid).to_dict()
    for key in ("id", "started_at", "status", "reps", "persona", "engine", "turns", "scorecard", "coach_events"):
        assert key in d
    assert d["status"] == "finished" and d["persona"] == "ana-cfo" and d["engine"] == "offline"
    assert d["turns"] == [{"speaker": "rep", "text": "Hi", "labels": ["rapport"], "cues": [], "rep_name": "maya"}]
    assert d["coach_events"] == [{"kind": "note", "text": "good opener", "t": 2.0, "turn_index": 0}]
    assert d["scorecard"]["overall"] == 61
    json.dumps(d)  # serialisable


def test_handover_and_turn_reps_are_participants(store):
    sid = _session(store, reps=("maya",))
    store.add_coach_event(sid, "handover", rep_name="li", turn_index=1)
    store.add_turn(sid, 2, Turn("rep", "Go on.", labels=("listening",), rep_name="sam"))
    assert store.get(sid).summary.reps == ["maya", "li", "sam"]
    assert [s.id for s in store.list_sessions(rep="li")] == [sid]
    assert [s.id for s in store.list_sessions(rep="sam")] == [sid]
    assert store.list_sessions(rep="nobody") == []


def test_score_history_keeps_every_scorecard(store):
    sid = _session(store)
    store.add_scorecard(sid, {"overall": 40}, "a1", "s1")
    store.add_scorecard(sid, {"overall": 55}, "a2", "s1")
    got = store.get(sid)
    assert got.scorecard == {"overall": 55}
    assert [(r.analyser_version, r.overall) for r in got.scores] == [("a1", 40.0), ("a2", 55.0)]
    assert store.list_sessions()[0].overall == 55.0


def test_list_filters_orders_and_limits(store):
    a = _session(store, reps=("maya",), started_at=1000.0)
    b = _session(store, reps=("li",), started_at=2000.0)
    c = store.create_session("bo-ops", {"id": "bo-ops"}, "llm", {}, ["maya"], started_at=3000.0)
    assert [s.id for s in store.list_sessions()] == [c, b, a]
    assert [s.id for s in store.list_sessions(rep="maya")] == [c, a]
    assert [s.id for s in store.list_sessions(persona="ana-cfo")] == [b, a]
    assert [s.id for s in store.list_sessions(limit=1)] == [c]
    row = store.list_sessions(limit=1)[0].to_dict()
    assert row["started_at"] == "1970-01-01T00:50:00Z" and row["turns"] == 0 and row["reps"] == ["maya"]


def test_ids_are_short_and_prefixes_resolve(store):
    ids = [_session(store) for _ in range(20)]
    assert all(len(i) == 8 and i.isalnum() for i in ids)
    assert len(set(ids)) == 20
    target = ids[0]
    unique = next(target[:n] for n in range(1, 9) if sum(i.startswith(target[:n]) for i in ids) == 1)
    assert store.resolve(unique) == target
    assert store.get(unique.upper()).id == target
    with pytest.raises(RapportError, match="no session"):
        store.resolve("zzzzzzzzz")
    with pytest.raises(RapportError, match="no session"):
        store.resolve("%")  # never a LIKE wildcard


def test_ambiguous_prefix_is_refused(store):
    with store.engines.write.begin() as conn:
        for sid in ("abc23456", "abc34567"):
            conn.execute(sa.insert(schema.sessions).values(
                id=sid, started_at=1.0, status="finished", persona_id="p", persona={}, engine="offline",
                settings={}, reps=[], source="practice", turn_count=0))  # fmt: skip
    with pytest.raises(RapportError, match="several sessions"):
        store.resolve("abc")
    assert store.resolve("abc2") == "abc23456"


def test_delete_removes_rows_and_audio(store, tmp_path):
    sid = _session(store)
    wav = tmp_path / "t.flac"
    wav.write_bytes(b"fLaC0000")
    ref = store.save_audio(sid, 0, "rep", wav)
    store.add_turn(sid, 0, Turn("rep", "Hi", audio=ref))
    store.add_coach_event(sid, "note", "x")
    store.add_scorecard(sid, {"overall": 1})
    assert store.audio_path(ref).read_bytes() == b"fLaC0000"
    keep = _session(store)
    store.delete(sid)
    assert not (store.audio_dir / sid).exists()
    assert [s.id for s in store.list_sessions()] == [keep]
    with store.engines.read.connect() as conn:
        for table in (schema.turns, schema.coach_events, schema.scorecards, schema.session_reps):
            assert conn.execute(sa.select(sa.func.count()).where(table.c.session_id == sid)).scalar() == 0


def test_settings_never_keep_secrets(store, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-very-secret-123")
    settings = {"api_key": "sk-x", "base_url": "http://u:pw@host/v1", "model": "smol",
                "nested": {"Authorization": "Bearer y", "note": "key sk-test-very-secret-123 here"}}
    sid = store.create_session("p", {"id": "p"}, "llm", settings)
    stored = store.get(sid).settings
    text = json.dumps(stored)
    assert "sk-x" not in text and "pw@" not in text and "Bearer" not in text
    assert "sk-test-very-secret-123" not in text
    assert stored["model"] == "smol"


def test_readers_see_each_commit_from_another_connection(db_url, tmp_path):
    writer = Store.open(db_url, tmp_path / "a")
    reader = Store.open(db_url, tmp_path / "a")
    try:
        sid = _session(writer)
        for i in range(5):
            writer.add_turn(sid, i, Turn("rep", f"turn {i}"))
            assert [t.text for t in reader.get(sid).turns][-1] == f"turn {i}"
    finally:
        writer.close()
        reader.close()


def test_two_writers_at_once_lose_nothing(db_url, tmp_path):
    import threading

    stores = [Store.open(db_url, tmp_path / "a") for _ in range(2)]
    ids = [s.create_session("p", {"id": "p"}, "offline") for s in stores]
    errors: list[BaseException] = []

    def write(store: Store, sid: str) -> None:
        try:
            for i in range(40):
                store.add_turn(sid, i, Turn("rep", f"{sid} {i}", rep_name=f"rep-{i % 3}"))
                store.add_coach_event(sid, "note", str(i), turn_index=i)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, sid)) for s, sid in zip(stores, ids, strict=True)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    for sid in ids:
        got = stores[0].get(sid)
        assert [t.text for t in got.turns] == [f"{sid} {i}" for i in range(40)]
        assert len(got.coach_events) == 40 and got.summary.turn_count == 40
        assert sorted(got.summary.reps) == ["rep-0", "rep-1", "rep-2"]
    for s in stores:
        s.close()
