"""Hardening of exports and of saving: `-o` never replaces the wrong thing, recordings are read only
from the audio folder, stored text is escaped in Markdown and HTML, and `simulate` on a full disk
says what it lost instead of "Saved as session"."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session.export import export, write
from simulator.session.store import Store

SCRIPT = "Thanks for making the time.\nHow do you handle orders today?\nOur app does online ordering.\n" \
         "What happens when an oven breaks?\nWould a call next week help?\n"  # fmt: skip
REPORT = "<p>the report</p>\n" * 50


def run(capsys, *args: str) -> tuple[int, str, str]:
    """The real `rapport` entry point, as in test_commands.py: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("rapport: error: ")
    return lines[0]


@pytest.fixture
def sqlite_session(tmp_path) -> tuple[str, str]:
    """A small finished session in an SQLite store: (db url, session id)."""
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    with Store.open(url, tmp_path / "audio") as store:
        sid = store.create_session("p", {"id": "p", "name": "Pat"}, "offline", {}, ["maya"])
        store.add_turn(sid, 0, Turn("buyer", "Hello.", trust=30.0))
        store.add_turn(sid, 1, Turn("rep", "How do you handle renewals?", labels=("question",), rep_name="maya"))
        store.finish(sid)
    return url, sid


# --- 1. `-o PATH`: what is at PATH is written the right way ---------------------------------------


def test_an_existing_regular_file_keeps_its_mode_and_is_replaced_whole(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o600)
    write(REPORT, target)
    assert target.read_text() == REPORT
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["report.html"]  # no temporary file left


def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write(REPORT, tmp_path / "new.md")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["new.md"]


def test_a_symlink_is_written_through_and_stays_a_symlink(tmp_path):
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    target = real_dir / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    link = link_dir / "link.html"
    link.symlink_to(target)
    write(REPORT, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == REPORT
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(real_dir) == ["report.html"] and os.listdir(link_dir) == ["link.html"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "later.md")
    write(REPORT, link)
    assert link.is_symlink() and (tmp_path / "later.md").read_text() == REPORT


def test_a_fifo_reader_receives_the_text_and_the_fifo_stays(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []

    def reader() -> None:
        with open(fifo, encoding="utf-8") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    write(REPORT, fifo)
    thread.join(timeout=10)
    assert received == [REPORT]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_dev_full_is_one_line_and_stays_a_device(capsys, sqlite_session):
    url, sid = sqlite_session
    code, _, err = run(capsys, "sessions", "export", sid, "--format", "md", "-o", "/dev/full", "--db", url)
    assert code == 1
    assert one_error_line(err) == "rapport: error: cannot write /dev/full: No space left on device"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert not [name for name in os.listdir("/dev") if name.startswith(".full")]


def test_a_directory_is_one_line_and_untouched(capsys, sqlite_session, tmp_path):
    url, sid = sqlite_session
    folder = tmp_path / "reports"
    folder.mkdir()
    code, _, err = run(capsys, "sessions", "export", sid, "-o", str(folder), "--db", url)
    assert code == 1
    assert one_error_line(err) == f"rapport: error: cannot write {folder}: it is a directory"
    assert folder.is_dir() and os.listdir(folder) == []


def test_export_through_the_cli_writes_a_symlinks_target(capsys, sqlite_session, tmp_path):
    url, sid = sqlite_session
    target = tmp_path / "target.html"
    target.write_text("old")
    (tmp_path / "link.html").symlink_to(target)
    code, _, _ = run(capsys, "sessions", "export", sid, "--format", "html", "-o", str(tmp_path / "link.html"),
                     "--db", url)  # fmt: skip
    assert code == 0 and (tmp_path / "link.html").is_symlink()
    assert "How do you handle renewals?" in target.read_text()


# --- 4 (and 1). A real full filesystem ----------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path):
    """A 320 KiB tmpfs (root only), unmounted afterwards; skipped where mounting is not allowed."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mnt)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)


def fill(folder: Path, leave_kib: int = 0) -> Path:
    """Fill the filesystem of ``folder`` until it is full, then give back ``leave_kib`` KiB."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while fh.write(b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: the filesystem is full
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave_kib * 1024))
    return filler


def test_write_on_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(small_fs):
    target = small_fs / "report.html"
    target.write_text("the old report")
    fill(small_fs)
    with pytest.raises(RapportError, match=r"^cannot write .*report\.html: No space left on device$"):
        write(REPORT * 100, target)
    assert target.read_text() == "the old report"
    assert sorted(os.listdir(small_fs)) == ["filler", "report.html"]


def simulate_on_nearly_full_disk(capsys, folder: Path, script: Path, *extra: str) -> tuple[int, str, str, Path]:
    """Run `simulate` with a migrated store in ``folder`` and the least free space (in 4 KiB steps) with
    which its session starts: the turns then cannot all be stored.  Every run before that one must fail
    to start with one line and print nothing.  Returns (exit code, stdout, stderr, the filler file)."""
    url = f"sqlite:///{folder / 'sessions.db'}"
    for leave in range(36, 200, 4):
        for name in os.listdir(folder):
            (folder / name).unlink()
        Store.open(url, folder / "audio").close()
        filler = fill(folder, leave)
        code, out, err = run(capsys, "simulate", "--persona", "bakery-owner", "--script", str(script), "--db", url,
                             *extra)  # fmt: skip
        if "the session store failed" in err or code == 0:
            return code, out, err, filler
        assert code == 1 and out == ""
        assert re.search(r"could not (open the session store|start a session)", one_error_line(err))
    pytest.fail("the session never started on the small filesystem")


def test_simulate_on_a_full_disk_says_what_was_lost_and_reports_no_saved_session(capsys, small_fs, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    code, out, err, filler = simulate_on_nearly_full_disk(capsys, small_fs, script, "--json")
    assert code == 1 and "Traceback" not in err
    doc = json.loads(out)
    assert doc["saved"] is False and "session_id" not in doc
    assert len(doc["turns"]) == 11  # the conversation itself is still printed
    assert err.strip().splitlines() == [f"rapport: error: {doc['error']}"]  # one line, no warning before it
    found = re.fullmatch(r"the session store failed: kept (\d+) of 11 turns of session (\w+), not the scorecard "
                         r"\(disk full: .*\)", doc["error"])  # fmt: skip
    assert found, doc["error"]
    kept, sid = int(found.group(1)), found.group(2)
    assert kept < 11
    filler.unlink()
    with Store.open(f"sqlite:///{small_fs / 'sessions.db'}", small_fs / "audio") as store:
        stored = store.get(sid)
        assert len(stored.turns) == kept and stored.scorecard is None
        assert [t.text for t in stored.turns] == [t["text"] for t in doc["turns"][:kept]]


def test_simulate_text_on_a_full_disk_does_not_say_saved(capsys, small_fs, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    code, out, err, _ = simulate_on_nearly_full_disk(capsys, small_fs, script)
    assert code == 1 and "Saved as session" not in out and "Trust at the end" in out
    assert one_error_line(err).startswith("rapport: error: the session store failed: kept ")
    assert "Traceback" not in err


def test_simulate_on_a_full_disk_with_no_store_yet_leaves_no_empty_database(capsys, small_fs, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    fill(small_fs)
    url = f"sqlite:///{small_fs / 'sessions.db'}"
    code, out, err = run(capsys, "simulate", "--persona", "bakery-owner", "--script", str(script), "--db", url)
    assert code == 1 and out == ""
    assert re.search(r"disk full: could not (open the session store|start a session)", one_error_line(err))
    assert sorted(os.listdir(small_fs)) == ["filler"]  # no empty sessions.db left behind


def test_simulate_that_saves_says_so_in_json(capsys, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT)
    url = f"sqlite:///{tmp_path / 's.db'}"
    code, out, _ = run(capsys, "simulate", "--persona", "bakery-owner", "--script", str(script), "--db", url, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["saved"] is True and "error" not in doc
    with Store.open(url) as store:
        assert len(store.get(doc["session_id"]).turns) == len(doc["turns"]) == 11
    code, out, _ = run(capsys, "simulate", "--persona", "bakery-owner", "--script", str(script), "--no-save",
                       "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["saved"] is False and "session_id" not in json.loads(out)


# --- 2. Recordings only from the audio folder ---------------------------------------------------


def test_recordings_outside_the_audio_folder_are_never_read(capsys, db_url, tmp_path):
    audio_dir = tmp_path / "data" / "audio"
    secret = b"RIFF-outside-secret-" + os.urandom(24)
    (tmp_path / "x.wav").write_bytes(secret)  # what ../../x.wav reaches from a session folder
    (tmp_path / "secret.wav").write_bytes(secret)
    genuine = tmp_path / "rep.flac"
    genuine.write_bytes(b"fLaC\x00genuine-recording")
    with Store.open(db_url, audio_dir) as store:
        sid = store.create_session("p", {"id": "p", "name": "Pat"}, "offline", {}, ["maya"])
        (audio_dir / sid).mkdir(parents=True)
        (audio_dir / sid / "0003-rep.wav").symlink_to(tmp_path / "secret.wav")
        refs = ["/etc/passwd", f"{sid}/../../x.wav", str(tmp_path / "secret.wav"), f"{sid}/0003-rep.wav",
                store.save_audio(sid, 4, "rep", genuine)]  # fmt: skip
        for i, ref in enumerate(refs):
            store.add_turn(sid, i, Turn("rep", f"turn {i}", rep_name="maya", audio=ref))
        store.finish(sid)
        assert [store.audio_path(ref) for ref in refs[:4]] == [None] * 4
        assert store.audio_path(refs[4]) == (audio_dir / refs[4]).resolve()
        assert store.audio_path("") is None and store.audio_path(".") is None and store.audio_path("a\0b") is None
    code, out, err = run(capsys, "sessions", "export", sid, "--format", "html", "--with-audio", "--db", db_url,
                         "--audio-dir", str(audio_dir))  # fmt: skip
    assert code == 0, err
    players = re.findall(r'src="data:[^;]+;base64,([^"]+)"', out)
    assert [base64.b64decode(p) for p in players] == [b"fLaC\x00genuine-recording"]
    assert out.count("(recording missing)") == 4
    assert secret not in out.encode() and base64.b64encode(secret).decode() not in out
    if os.path.isfile("/etc/passwd"):
        passwd = Path("/etc/passwd").read_bytes()
        first = passwd.splitlines()[0].decode(errors="replace")
        assert first not in out and base64.b64encode(passwd).decode()[:40] not in out


# --- 3. Stored text is escaped in Markdown and HTML ---------------------------------------------

EVIL = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


@pytest.fixture
def evil_session(store) -> str:
    sid = store.create_session("p", {"id": "p", "name": f"Pat {EVIL}", "role": IMG, "company": "A & <b>B</b>"},
                               "offline", {}, [IMG])  # fmt: skip
    store.add_turn(sid, 0, Turn("buyer", f"Hi {EVIL}", trust=30.0, revealed=(IMG,)))
    store.add_turn(sid, 1, Turn("rep", f"Ask {IMG}", labels=("question", EVIL), rep_name=IMG))
    store.add_coach_event(sid, "note", f"note {EVIL}", t_s=1.0, turn_index=1)
    store.add_coach_event(sid, "handover", "", t_s=2.0, rep_name=f"rep {IMG}")
    card = {
        "overall": 40,
        "figures": [{"name": EVIL, "value": 1, "unit": IMG, "verdict": "ok", "reference": IMG, "detail": EVIL}],
        "moments": [{"turn_index": 1, "text": f"moment {EVIL}", "labels": [IMG], "cost": 3.0, "why": IMG,
                     "alternative": EVIL}],
    }  # fmt: skip
    store.add_scorecard(sid, card, "a", "s")
    store.finish(sid)
    return sid


def test_markdown_escapes_every_stored_value(store, evil_session):
    md = export(store, evil_session, "md")
    assert "<script" not in md.lower() and "<img" not in md.lower() and "<b>" not in md
    assert "Pat &lt;script&gt;alert(1)&lt;/script&gt;" in md  # persona name
    assert "**&lt;img src=x onerror=alert(2)&gt;** (question, &lt;script&gt;" in md  # rep name, labels
    assert "A &amp; &lt;b&gt;B&lt;/b&gt;" in md
    assert "> coach (0:01): note: note &lt;script&gt;" in md
    assert "“moment &lt;script&gt;alert(1)&lt;/script&gt;”" in md
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; | 1 &lt;img" in md


def test_sessions_show_prints_the_escaped_markdown(capsys, db_url, evil_session):
    code, out, _ = run(capsys, "sessions", "show", evil_session, "--db", db_url)
    assert code == 0 and "<script" not in out and "&lt;script&gt;" in out


def test_html_escapes_every_stored_value(store, evil_session):
    html = export(store, evil_session, "html")
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>B" not in html
    for needle in ("Pat &lt;script&gt;alert(1)&lt;/script&gt;", "reps: &lt;img src=x onerror=alert(2)&gt;",
                   "note &lt;script&gt;", "moment &lt;script&gt;", "Try instead: “&lt;script&gt;",
                   "handed over to rep &lt;img", "A &amp; &lt;b&gt;B&lt;/b&gt;"):  # fmt: skip
        assert needle in html, needle
