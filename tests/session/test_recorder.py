"""The recorder sink: turns, coach events, scorecard, audio copies, and database failures."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session.events import CoachAction, Level, SessionEnded, TurnCompleted
from simulator.session.recorder import Recorder
from simulator.session.store import Store

from .tcp_proxy import Proxy  # noqa: TID252


def _recording(tmp_path, name: str, payload: bytes = b"fLaC-audio") -> str:
    path = tmp_path / "tmp-audio" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(payload)
    return str(path)


def test_recorder_stores_a_whole_session(store, tmp_path):
    rec = Recorder.start(store, "ana-cfo", {"id": "ana-cfo"}, "offline", {"seed": 1}, ["maya"])
    rec(Level(0.3))  # ignored
    rec(TurnCompleted(0, Turn("rep", "Hi Ana", labels=("rapport",), rep_name="maya",
                              audio=_recording(tmp_path, "a.flac", b"rep-audio")), t=1.0))  # fmt: skip
    rec(TurnCompleted(1, Turn("buyer", "Hello.", trust=32.0, audio=_recording(tmp_path, "b.ogg", b"buyer"))))
    rec(CoachAction("handover", "", turn_index=1, rep_name="li", t=4.0))
    rec(CoachAction("flag_good", "warm opener", turn_index=0, t=5.0))
    assert store.get(rec.session_id).summary.status == "running"
    rec(SessionEnded("finished", {"overall": 64, "scorer_version": "1.0"}))
    got = store.get(rec.session_id)
    assert got.summary.status == "finished" and got.end_reason == "finished"
    assert got.summary.reps == ["maya", "li"]
    assert [e.kind for e in got.coach_events] == ["handover", "flag_good"]
    assert got.scorecard["overall"] == 64 and got.scores[0].scorer_version == "1.0"
    rep_audio, buyer_audio = (store.audio_path(t.audio) for t in got.turns)
    assert rep_audio.read_bytes() == b"rep-audio" and buyer_audio.suffix == ".ogg"
    assert rep_audio.parent == store.audio_dir / rec.session_id
    assert not rec.pending and not rec.problems


def test_no_audio_keeps_transcripts_only(store, tmp_path):
    rec = Recorder.start(store, "p", {"id": "p"}, "offline", save_audio=False)
    rec(TurnCompleted(0, Turn("rep", "Hi", audio=_recording(tmp_path, "a.flac"))))
    assert store.get(rec.session_id).turns[0].audio is None
    assert not (store.audio_dir / rec.session_id).exists()


def test_a_missing_recording_keeps_the_turn(store, tmp_path):
    problems: list[str] = []
    rec = Recorder.start(store, "p", {"id": "p"}, "offline", on_problem=problems.append)
    rec(TurnCompleted(0, Turn("rep", "Hi", audio=str(tmp_path / "gone.flac"))))
    assert store.get(rec.session_id).turns[0].text == "Hi"
    assert len(problems) == 1 and "missing" in problems[0]


def test_a_recording_deleted_later_leaves_the_session_replayable(store, tmp_path):
    rec = Recorder.start(store, "p", {"id": "p"}, "offline")
    rec(TurnCompleted(0, Turn("rep", "Hi", audio=_recording(tmp_path, "a.flac"))))
    rec(TurnCompleted(1, Turn("buyer", "Yes?", trust=30, audio=_recording(tmp_path, "b.flac"))))
    got = store.get(rec.session_id)
    store.audio_path(got.turns[0].audio).unlink()
    again = store.get(rec.session_id)
    assert store.audio_path(again.turns[0].audio) is None
    assert store.audio_path(again.turns[1].audio) is not None
    assert [t.text for t in again.turns] == ["Hi", "Yes?"]


def test_close_marks_an_unended_session_interrupted(store):
    rec = Recorder.start(store, "p", {"id": "p"}, "offline")
    rec(TurnCompleted(0, Turn("rep", "Hi")))
    rec.close()
    assert store.get(rec.session_id).summary.status == "interrupted"


def test_without_on_problem_a_database_failure_raises_one_line(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", tmp_path / "audio")
    rec = Recorder.start(store, "p", {"id": "p"}, "offline")
    with store.engines.write.begin() as conn:  # another writer breaks the table under us
        conn.execute(sa.text("DROP TABLE turns"))
    with pytest.raises(RapportError) as err:
        rec(TurnCompleted(0, Turn("rep", "Hi")))
    assert "\n" not in str(err.value)
    assert len(rec.pending) == 1
    store.close()


@pytest.mark.postgres
def test_postgres_going_away_mid_session_loses_nothing(pg_url, tmp_path):
    url = sa.make_url(pg_url)
    proxy = Proxy((url.host, url.port))
    store = Store.open(url.set(port=proxy.port).render_as_string(hide_password=False), tmp_path / "audio")
    problems: list[str] = []
    try:
        rec = Recorder.start(store, "p", {"id": "p"}, "offline", on_problem=problems.append)
        rec(TurnCompleted(0, Turn("rep", "before the outage")))
        proxy.cut()
        rec(TurnCompleted(1, Turn("buyer", "during the outage", trust=40)))
        rec(TurnCompleted(2, Turn("rep", "still down")))
        assert len(problems) == 1 and "\n" not in problems[0]
        assert "lost the connection" in problems[0] or "could not" in problems[0]
        assert len(rec.pending) == 2
        proxy.restore()
        rec(SessionEnded("finished", {"overall": 50}))
        assert rec.pending == []
        got = store.get(rec.session_id)
        assert [t.text for t in got.turns] == ["before the outage", "during the outage", "still down"]
        assert got.summary.status == "finished"
    finally:
        store.close()
        proxy.close()


def test_a_buyer_turn_is_stored_once_complete_with_its_recording_times_and_latencies(store, tmp_path):
    """The voice pipeline finishes a buyer turn before the session records it: nothing is patched later."""
    rec = Recorder.start(store, "p", {"id": "p"}, "offline")
    rep = Turn("rep", "What matters most to you?", labels=("question",), start_s=1.0, end_s=2.5)
    buyer = Turn("buyer", "Fewer mistakes.", trust=40, start_s=2.9, end_s=4.1,
                 latency_ms={"speech_end_to_text": 320.0, "speech_end_to_voice": 410.0},
                 audio=str(_recording(tmp_path, "reply.flac", b"reply-voice")))
    rec(TurnCompleted(0, rep))
    rec(TurnCompleted(1, buyer))
    got = store.get(rec.session_id).turns[1]
    assert got.latency_ms == {"speech_end_to_text": 320.0, "speech_end_to_voice": 410.0}
    assert (got.start_s, got.end_s) == (2.9, 4.1)
    assert store.audio_path(got.audio).read_bytes() == b"reply-voice"
