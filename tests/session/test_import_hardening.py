"""`rapport sessions import` and `rapport score` against hostile input, through the real CLI and store.

Schema validation (one line naming the turn and the field, nothing stored), recordings confined to the
audio folder, size limits that never read more than the limit, and the import as one transaction: a
process killed with SIGTERM or SIGKILL in the middle of writing leaves no session behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.cli import main
from simulator.conversation.transcript import MAX_BYTES, MAX_TURNS
from simulator.session.store import Store

ROOT = Path(__file__).resolve().parents[2]
GOOD_TURNS = [
    {"speaker": "buyer", "text": "Morning, what can I do for you?", "trust": 40, "start_s": 0, "end_s": 2},
    {"speaker": "rep", "text": "How do you take custom cake orders today?", "rep_name": "maya", "start_s": 2.5,
     "end_s": 5, "latency_ms": {"stt": 120.5}, "audio": "old/0001-rep.flac", "stance": "consultative"},
    {"speaker": "buyer", "text": "On paper, and we lose some.", "trust": 48.5, "revealed": ["paper-orders"],
     "start_s": 5.2, "end_s": 8, "next_step": False},
]  # fmt: skip


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def import_doc(capsys, tmp_path, db_url: str, doc: object, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "session.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return run(capsys, "sessions", "import", str(path), "--persona", "bakery-owner", "--db", db_url, *extra)


def with_turn(index: int, **fields: object) -> list[dict]:
    turns = [dict(t) for t in GOOD_TURNS]
    turns[index].update(fields)
    return turns


def stored(db_url: str) -> tuple[list[str], int]:
    """The session ids and the number of turn rows in the store."""
    with Store.open(db_url) as store, store.engines.read.connect() as conn:
        return store.session_ids(), conn.execute(sa.text("SELECT count(*) FROM turns")).scalar()


BAD = [
    (with_turn(1, rep_name=5), "turn 2: rep_name must be a name of 1 to 80 characters", "(got 5)"),
    (with_turn(1, rep_name="x" * 81), "turn 2: rep_name must be", ""),
    (with_turn(1, rep_name="maya\nsmith"), "turn 2: rep_name must be", ""),
    (with_turn(1, labels=[5, None, {"a": 1}]), "turn 2: labels must be a list of move labels", "(got 5)"),
    (with_turn(1, labels=["hard_sell"]), "turn 2: labels must be a list of move labels", '(got "hard_sell")'),
    (with_turn(2, revealed=[{"a": 1}]), "turn 3: revealed must be a list of", '(got {"a": 1})'),
    (with_turn(1, latency_ms="abc"), "turn 2: latency_ms must be an object of names to milliseconds", '"abc"'),
    (with_turn(1, latency_ms={"stt": -1}), "turn 2: latency_ms must be", "(got -1)"),
    (with_turn(2, trust=1e308), "turn 3: trust must be a number from 0 to 100 (got 1e+308)", ""),
    (with_turn(2, trust=True), "turn 3: trust must be a number from 0 to 100 (got true)", ""),
    (with_turn(2, trust="50"), "turn 3: trust must be a number from 0 to 100", ""),
    (with_turn(0, start_s=-1e308), "turn 1: start_s must be a number of seconds from 0", "(got -1e+308)"),
    (with_turn(0, end_s=float("inf")), "turn 1: end_s must be a number of seconds", "(got Infinity)"),
    (with_turn(0, trust=float("nan")), "turn 1: trust must be a number from 0 to 100 (got NaN)", ""),
    (with_turn(1, start_s=6, end_s=5.5), "turn 2: end_s must not be before start_s", ""),
    (with_turn(2, start_s=1, end_s=9), "turn 3: start_s goes back in time (got 1, turn 2 started at 2.5)", ""),
    (with_turn(1, speaker="coach"), "turn 2: speaker must be 'rep' or 'buyer' (got \"coach\")", ""),
    (with_turn(1, text=None), "turn 2: text must be a string", ""),
    (with_turn(1, text="hi\u0000there"), "turn 2: text must be a string without NUL characters", ""),
    (with_turn(1, text="hi \ud800"), "turn 2: text must be a string without NUL characters or unpaired", ""),
    (with_turn(2, next_step="yes"), "turn 3: next_step must be true or false", ""),
    ([*GOOD_TURNS, "rep: hi"], "turn 4: expected an object with speaker 'rep' or 'buyer' and a text", ""),
    ([{"speaker": "rep"}], "turn 1: text is missing", ""),
    ("[" * 100_000, "the JSON is nested too deeply", ""),
    ('{"turns": ' + "[" * 500 + "]" * 500 + "}", "turn 1: expected an object", "(got [[[["),
    ({"turns": "none"}, "the JSON has no list of turns", ""),
]


@pytest.mark.parametrize(("doc", "message", "also"), BAD)
def test_a_bad_field_is_one_line_naming_turn_and_field_and_nothing_is_stored(capsys, db_url, tmp_path, doc,
                                                                             message, also):  # fmt: skip
    before = stored(db_url)
    code, out, err = import_doc(capsys, tmp_path, db_url, doc)
    assert code == 1 and out == ""
    assert err.startswith(f"rapport: error: {tmp_path / 'session.json'}: {message}"), err
    assert also in err and err.count("\n") == 1 and "Traceback" not in err
    assert stored(db_url) == before


@pytest.mark.parametrize("ref", ["/etc/passwd", "../secret.flac", "ab/../../x.flac", "..", "C:\\audio\\x.flac",
                                 "ab\\..\\..\\x.wav", "\\\\server\\share\\x.flac"])
def test_a_recording_outside_the_audio_folder_is_refused(capsys, db_url, tmp_path, ref):
    code, _, err = import_doc(capsys, tmp_path, db_url, with_turn(1, audio=ref))
    assert code == 1 and err.count("\n") == 1
    assert ": turn 2: audio must be a path inside the audio folder (relative, without '..')" in err
    assert stored(db_url) == ([], 0)


def test_a_valid_json_session_keeps_its_fields_and_every_command_works_on_it(capsys, db_url, tmp_path):
    doc = {"turns": GOOD_TURNS, "scorecard": {"discovery": "x", "overall": "NaN?"}, "persona": 5}  # ignored card
    code, out, err = import_doc(capsys, tmp_path, db_url, doc, "--rep", "li", "--json")
    assert code == 0, err
    sid = json.loads(out)["id"]
    code, out, _ = run(capsys, "sessions", "show", sid, "--db", db_url, "--json")
    shown = json.loads(out, parse_constant=pytest.fail)  # strict JSON: no NaN or Infinity
    rep, buyer = shown["turns"][1], shown["turns"][2]
    assert rep["rep_name"] == "maya" and rep["latency_ms"] == {"stt": 120.5} and rep["audio"] == "old/0001-rep.flac"
    assert rep["labels"] and "stance" not in rep  # labelled by the analyser; unknown keys ignored
    assert buyer["trust"] == 48.5 and buyer["revealed"] == ["paper-orders"] and buyer["next_step"] is False
    assert shown["reps"] == ["li", "maya"] and shown["status"] == "finished" and shown["source"] == "import"
    assert isinstance(shown["scorecard"]["overall"], int)
    for fmt in ("md", "html", "json"):
        assert run(capsys, "sessions", "export", sid, "--format", fmt, "--db", db_url)[0] == 0
    assert run(capsys, "sessions", "list", "--db", db_url)[0] == 0
    code, out, _ = run(capsys, "progress", "--db", db_url, "--json")
    assert code == 0 and json.loads(out, parse_constant=pytest.fail)["sessions"] == 1


@pytest.mark.parametrize("name", ["x" * 81, "", "  ", "a\tb"])
def test_a_bad_rep_option_is_refused(capsys, db_url, tmp_path, name):
    code, _, err = import_doc(capsys, tmp_path, db_url, GOOD_TURNS, "--rep", name)
    assert code == 1 and err.count("\n") == 1 and "--rep must be a name of 1 to 80 characters" in err
    assert stored(db_url) == ([], 0)


def test_a_nul_in_a_plain_transcript_is_refused_on_every_database(capsys, db_url, tmp_path):
    code, _, err = import_doc(capsys, tmp_path, db_url, "rep: hello\nbuyer: bad\u0000byte\n")
    assert code == 1 and err.count("\n") == 1 and ": line 2: contains a NUL character" in err
    assert stored(db_url) == ([], 0)


# --- limits ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["import", "score"])
def test_a_transcript_over_the_size_limit_is_refused_in_one_line(capsys, db_url, tmp_path, command):
    big = tmp_path / "big.txt"
    line = "rep: how do you take orders today?\n"
    big.write_text(line * (MAX_BYTES // len(line) + 1))
    assert big.stat().st_size > MAX_BYTES
    args = ["sessions", "import", str(big), "--persona", "bakery-owner", "--db", db_url] if command == "import" \
        else ["score", str(big)]  # fmt: skip
    code, out, err = run(capsys, *args)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert f"{big}: larger than 2 MiB, the limit for one transcript" in err
    assert stored(db_url) == ([], 0)


def test_more_turns_than_the_limit_are_refused(capsys, db_url, tmp_path):
    code, _, err = import_doc(capsys, tmp_path, db_url, [{"speaker": "rep", "text": "a"}] * (MAX_TURNS + 1))
    assert code == 1 and f"the JSON has {MAX_TURNS + 1:,} turns, more than the limit of {MAX_TURNS:,}" in err
    code, _, err = import_doc(capsys, tmp_path, db_url, "rep: a\n" * MAX_TURNS + "# fine so far\nbuyer: b\n")
    assert code == 1 and f": line {MAX_TURNS + 2}: more than {MAX_TURNS:,} turns" in err
    assert stored(db_url) == ([], 0)


#: Runs the CLI and, on exit, writes the process's peak memory (VmHWM from /proc, this program's own: not
#: the parent's pages it was forked with, which ru_maxrss would count) to the file named by argv[1].
PEAK_MEMORY = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status, open(sys.argv[1], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from simulator.cli import main
main(sys.argv[2:])
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
@pytest.mark.parametrize("command", [["score", "-"], ["sessions", "import", "-", "--persona", "bakery-owner"]])
def test_stdin_is_read_only_up_to_the_limit(tmp_path, command):
    """50 MB offered on stdin: the command reads the limit plus one byte, refuses, and stays small."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAPPORT_HOME": str(tmp_path / "home")}
    peak = tmp_path / "peak-kib"
    proc = subprocess.Popen([sys.executable, "-c", PEAK_MEMORY, str(peak), *command], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
    written = 0

    def feed() -> None:
        nonlocal written
        chunk = b"rep: how do you take orders today?\n" * 2000
        try:
            while written < 50_000_000:
                proc.stdin.write(chunk)
                written += len(chunk)
            proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    feeder = threading.Thread(target=feed)
    feeder.start()
    err = proc.stderr.read().decode()  # until the command exits
    proc.wait(timeout=120)
    feeder.join(timeout=60)
    assert proc.returncode == 1 and err.count("\n") == 1 and "rapport: error: -: larger than 2 MiB" in err
    assert written < MAX_BYTES + 2_000_000  # the rest was never read
    assert int(peak.read_text()) < 110_000  # KiB (about 52 MB measured for import): the 50 MB were never held


# --- all or nothing --------------------------------------------------------------------------------------


def _fail_scorecard_insert(db_url: str, seconds: float | None = None) -> None:
    """A database trigger on the scorecard row, the last write of an import: it fails (``seconds`` None) or
    makes the write take ``seconds``, so the import is caught with its session and turns written but not
    committed."""
    store = Store.open(db_url)
    with store.engines.write.begin() as conn:
        if store.engines.dialect == "sqlite":
            body = ("SELECT RAISE(ABORT, 'disk on fire');" if seconds is None
                    else "SELECT count(*) FROM turns a, turns b, turns c;")  # fmt: skip
            conn.execute(sa.text(f"CREATE TRIGGER hold BEFORE INSERT ON scorecards BEGIN {body} END"))
        else:
            body = "RAISE EXCEPTION 'disk on fire';" if seconds is None else f"PERFORM pg_sleep({seconds});"
            conn.execute(sa.text(f"CREATE FUNCTION hold() RETURNS trigger AS $$ BEGIN {body} RETURN NEW; END $$ "
                                 "LANGUAGE plpgsql"))  # fmt: skip
            conn.execute(sa.text("CREATE TRIGGER hold BEFORE INSERT ON scorecards FOR EACH ROW "
                                 "EXECUTE FUNCTION hold()"))  # fmt: skip
    store.close()


def test_a_failure_at_the_last_write_leaves_nothing(capsys, db_url, tmp_path):
    _fail_scorecard_insert(db_url)
    code, _, err = import_doc(capsys, tmp_path, db_url, GOOD_TURNS)
    assert code == 1 and err.count("\n") == 1 and "while trying to store the session: disk on fire" in err
    assert stored(db_url) == ([], 0)


def _big_transcript(path: Path, turns: int) -> None:
    lines = ["rep: how do you take custom cake orders today?", "buyer: on paper, and some get lost"]
    path.write_text("\n".join(lines[i % 2] for i in range(turns)) + "\n")


def _in_write_transaction(db_url: str, app: str) -> bool:
    """Whether the import process holds the write transaction (SQLite: the write lock is taken; PostgreSQL:
    its connection sits in the trigger's sleep inside the transaction)."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(sa.make_url(db_url).database, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    engine = sa.create_engine(PG_ADMIN)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a "
                                             "AND wait_event = 'PgSleep'"), {"a": app}).scalar())  # fmt: skip
    finally:
        engine.dispose()


PG_ADMIN = os.environ.get("RAPPORT_TEST_PG", "postgresql+psycopg://rapport@127.0.0.1:54329/rapport_test")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_an_import_killed_while_writing_leaves_no_session(capsys, db_url, tmp_path, sig):
    """The reported case: a big import stopped by SIGTERM (a timeout) or SIGKILL used to leave an
    `interrupted` session with part of its turns."""
    _fail_scorecard_insert(db_url, seconds=60)  # the import's transaction stays open, everything but the card written
    app = f"rapport-import-test-{os.getpid()}-{sig}"
    url = db_url if db_url.startswith("sqlite") else \
        sa.make_url(db_url).update_query_dict({"application_name": app}).render_as_string(hide_password=False)
    transcript = tmp_path / "big.txt"
    _big_transcript(transcript, 6000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = ["sessions", "import", str(transcript), "--persona", "bakery-owner", "--db", url]
    proc = subprocess.Popen([sys.executable, "-m", "simulator", *command], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)  # fmt: skip
    try:
        held = 0
        deadline = time.monotonic() + 240
        while held < 5:  # the write lock seen held 5 times in a row: the import's transaction, not a quick commit
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the import never reached its write transaction"
            held = held + 1 if _in_write_transaction(db_url, app) else 0
            time.sleep(0.05)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -sig
    if not db_url.startswith("sqlite"):  # the orphaned server session would sleep on: end it (it rolls back)
        engine = sa.create_engine(PG_ADMIN)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :a"),
                         {"a": app})  # fmt: skip
        engine.dispose()
    code, out, _ = run(capsys, "sessions", "list", "--db", db_url, "--json")
    assert code == 0 and json.loads(out) == []
    assert stored(db_url) == ([], 0)
