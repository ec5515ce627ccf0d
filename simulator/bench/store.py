"""Session store benchmarks (``rapport bench store``), on a temporary SQLite store.

* listing 10,000 stored sessions (target under 1 s)
* re-scoring 1,000 sessions of 12 turns (target under 30 s; ``--quick`` times 100 and projects)
* storing one turn, median and 95th percentile of 200 (target under 20 ms)
* following: from a turn's commit to a follower in another thread seeing it (target under 1 s)

Set ``RAPPORT_BENCH_PG`` to a PostgreSQL URL to time storing a turn there too (in a scratch schema).
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from simulator.bench import Result
from simulator.conversation.turns import Turn
from simulator.session import schema as t
from simulator.session.records import ID_ALPHABET, ID_LENGTH
from simulator.session.store import Store

REP_LINES = [
    "Thanks for making the time today.",
    "How do you handle custom orders at the moment?",
    "Our app does online ordering and saves you hours.",
    "What happens when an order gets missed?",
    "So a missed order means an unhappy customer.",
    "Shall I send over the contract today?",
]
BUYER_LINES = ["Sure.", "Mostly by phone.", "Hm, maybe.", "We lose the customer.", "Exactly.", "Not yet."]
PERSONA = {"id": "bench", "name": "Bench Buyer", "starting_trust": 30, "facts": [{"id": "f1", "topic": "orders"}]}


def _bench_id(n: int) -> str:
    """A valid session id for number ``n`` (same alphabet as real ids)."""
    chars = []
    for _ in range(ID_LENGTH):
        n, digit = divmod(n, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[digit])
    return "".join(reversed(chars))


def _bulk(store: Store, sessions: int, turns_per_session: int) -> list[str]:
    """Insert ``sessions`` finished sessions directly (fast), each with turns and a scorecard row."""
    now = time.time()
    ids = [_bench_id(n) for n in range(sessions)]
    srows, rrows, trows, crows = [], [], [], []
    for n, sid in enumerate(ids):
        srows.append(dict(id=sid, started_at=now - sessions + n, ended_at=now - sessions + n + 0.5, status="finished",
                          end_reason="finished", persona_id="bench", persona=PERSONA, engine="offline",
                          settings={"seed": n}, reps=["maya"], source="practice", owner=None, heartbeat_at=None,
                          turn_count=turns_per_session, overall=float(n % 100)))  # fmt: skip
        rrows.append({"session_id": sid, "rep_name": "maya"})
        for i in range(turns_per_session):
            rep = i % 2 == 1
            line = (REP_LINES if rep else BUYER_LINES)[(i // 2) % 6]
            trows.append(dict(session_id=sid, idx=i, speaker="rep" if rep else "buyer",
                              rep_name="maya" if rep else None, text=line, labels=["question"] if rep else [],
                              cues=[], trust=None if rep else 30.0 + i,
                              revealed=[], start_s=None, end_s=None, latency_ms=None, audio=None, extra={},
                              created_at=now))  # fmt: skip
        crows.append(dict(session_id=sid, created_at=now, analyser_version="old", scorer_version="old",
                          overall=float(n % 100), data={"overall": n % 100}))  # fmt: skip
    with store.engines.write.begin() as conn:
        conn.execute(sa.insert(t.sessions), srows)
        conn.execute(sa.insert(t.session_reps), rrows)
        if trows:
            conn.execute(sa.insert(t.turns), trows)
        conn.execute(sa.insert(t.scorecards), crows)
    return ids


def _open(url: str, folder: Path) -> Store:
    return Store.open(url, folder / "audio")


def bench_list(folder: Path) -> Result:
    store = _open(f"sqlite:///{folder / 'list.db'}", folder)
    _bulk(store, 10_000, 0)
    store.list_sessions(limit=1)  # warm the connection
    start = time.perf_counter()
    rows = [s.to_dict() for s in store.list_sessions()]
    took = time.perf_counter() - start
    store.close()
    return Result("list 10,000 sessions", took, "s", 1.0, detail=f"{len(rows)} rows as JSON objects")


def bench_rescore(folder: Path, quick: bool) -> Result:
    from simulator.session.rescore import rescore_all

    count = 100 if quick else 1000
    store = _open(f"sqlite:///{folder / 'rescore.db'}", folder)
    _bulk(store, count, 12)
    start = time.perf_counter()
    done = rescore_all(store)
    took = time.perf_counter() - start
    store.close()
    projected = took * 1000 / len(done)
    detail = f"{len(done)} sessions of 12 turns in {took:.2f} s" + (" (projected to 1,000)" if quick else "")
    return Result("re-score 1,000 sessions", projected, "s", 30.0, detail=detail)


def bench_turn(url: str, folder: Path, name: str) -> list[Result]:
    store = _open(url, folder)
    sid = store.create_session("bench", PERSONA, "offline", {}, ["maya"])
    times = []
    for i in range(200):
        turn = Turn("rep", REP_LINES[i % 6], labels=("question",), rep_name="maya", start_s=i, end_s=i + 1.0,
                    latency_ms={"stt": 100.0})  # fmt: skip
        start = time.perf_counter()
        store.add_turn(sid, i, turn)
        times.append((time.perf_counter() - start) * 1000)
    store.close()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return [
        Result(f"store a turn, median ({name})", statistics.median(times), "ms", 20.0),
        Result(f"store a turn, p95 ({name})", p95, "ms", 20.0, detail="commit per turn, 200 turns"),
    ]


def bench_follow(folder: Path) -> Result:
    from simulator.session.events import TurnCompleted
    from simulator.session.follow import follow

    url = f"sqlite:///{folder / 'follow.db'}"
    writer, reader = _open(url, folder), _open(url, folder)
    sid = writer.create_session("bench", PERSONA, "offline")
    committed: dict[int, float] = {}
    lags: list[float] = []

    def watch() -> None:
        for event in follow(reader, sid, timeout_s=60):
            if isinstance(event, TurnCompleted):
                lags.append(time.perf_counter() - committed[event.index])

    thread = threading.Thread(target=watch)
    thread.start()
    for i in range(20):
        time.sleep(0.05)
        writer.add_turn(sid, i, Turn("rep", REP_LINES[i % 6]))
        committed[i] = time.perf_counter()
    time.sleep(0.3)
    writer.finish(sid)
    thread.join(60)
    writer.close()
    reader.close()
    return Result("follow: commit to follower (max of 20)", max(lags), "s", 1.0,
                  detail=f"median {statistics.median(lags) * 1000:.0f} ms; polling every 0.2 s")  # fmt: skip


def _pg(folder: Path) -> list[Result]:
    url = os.environ.get("RAPPORT_BENCH_PG")
    if not url:
        return []
    schema = "bench_" + secrets.token_hex(4)
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        return bench_turn(scoped.render_as_string(hide_password=False), folder, "PostgreSQL")
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        folder = Path(tmp)
        return [
            bench_list(folder),
            bench_rescore(folder, quick),
            *bench_turn(f"sqlite:///{folder / 'turns.db'}", folder, "SQLite"),
            *_pg(folder),
            bench_follow(folder),
        ]
