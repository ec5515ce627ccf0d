"""Things outside the command's control end in one line on stderr (or quietly), never a traceback:
a malformed database URL, standard output on a full device or a closed pipe, a FIFO among the
persona files.  Each runs the real ``rapport`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def rapport_command() -> list[str]:
    script = Path(sys.executable).with_name("rapport")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simulator"]


def run(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([*rapport_command(), *args], text=True, timeout=timeout, **streams)


def one_line_error(proc: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == code and len(lines) == 1 and lines[0].startswith("rapport: error: "), proc.stderr
    return lines[0]


# ---- database URLs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "says"), [
    ("postgresql://u@[::1", "not a database URL"),
    ("postgresql://u@localhost:abc/db", "a port is a number"),
    ("postgresql://u@localhost:70000/db", "port 70000 is not between 1 and 65535"),
    ("postgresql+nosuchdriver://u@localhost/db", "unsupported database driver"),
    ("mysql://u@localhost/db", "unsupported database 'mysql'"),
    ("not a url at all", "not a database URL"),
    ("sqlite:///~no-such-user-here/x.db", "unknown home folder"),
])  # fmt: skip
def test_a_malformed_database_url_is_one_line(url, says):
    line = one_line_error(run("sessions", "list", "--db", url))
    assert says in line
    assert one_line_error(run("progress", env={**os.environ, "RAPPORT_DB": url})) == line


def test_an_sqlite_url_with_a_bad_option_is_one_line(tmp_path):
    from simulator.session.store import Store

    Store.open(f"sqlite:///{tmp_path}/s.db").close()
    line = one_line_error(run("sessions", "list", "--db", f"sqlite:///{tmp_path}/s.db?timeout=soon"))
    assert "cannot use the database URL" in line


# ---- standard output that cannot be written --------------------------------------------------------
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("args", [("personas", "list"), ("personas", "show", "bakery-owner", "--json"),
                                  ("sessions", "list")])
def test_standard_output_on_a_full_device_is_one_line(args):
    with open("/dev/full", "w") as full:
        proc = run(*args, stdout=full)
    assert one_line_error(proc) == "rapport: error: cannot write the output: no space left on the device"


def test_a_pipe_closed_before_anything_is_written_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([*rapport_command(), "personas", "list"], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=120)  # fmt: skip
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_reader_that_stops_half_way_ends_quietly(tmp_path):
    lines = tmp_path / "lines.txt"
    lines.write_text("What made you look at this now?\nOur platform has forty features.\n" * 1500, encoding="utf-8")
    proc = subprocess.Popen([*rapport_command(), "analyze", str(lines)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    first = proc.stdout.read(4096)
    proc.stdout.close()  # the reader goes away while rapport still has most of its output to write
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.startswith(b'{"text": "What made you')
    assert (proc.returncode, stderr) == (0, "")


def test_head_closing_the_pipe_ends_quietly():
    command = " ".join(f"'{part}'" for part in rapport_command())
    proc = subprocess.run(["bash", "-c", f"{command} personas list | head -0; echo ${{PIPESTATUS[0]}}"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert (proc.stdout, proc.stderr) == ("0\n", "")


# ---- persona folders -------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_among_the_persona_files_is_skipped_with_one_warning(tmp_path):
    folder = tmp_path / "personas"
    folder.mkdir()
    os.mkfifo(folder / "x.toml")
    (folder / "mine.toml").write_text((ROOT / "personas" / "bakery-owner.toml").read_text(encoding="utf-8"),
                                      encoding="utf-8")  # fmt: skip
    proc = run("personas", "list", "--personas", str(folder), timeout=60)  # it used to wait on the FIFO forever
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"rapport: warning: skipped persona {folder / 'x.toml'}: cannot read: "
                                        "not a regular file"]  # fmt: skip
    assert "\nmine " in "\n" + proc.stdout and "bakery-owner" in proc.stdout
    line = one_line_error(run("personas", "check", str(folder / "x.toml"), timeout=60))
    assert line == f"rapport: error: {folder / 'x.toml'}: cannot read: not a regular file"


def test_a_device_given_as_a_persona_file_is_refused_without_reading_it():
    line = one_line_error(run("personas", "check", "/dev/zero", timeout=60))
    assert line == "rapport: error: /dev/zero: cannot read: not a regular file"


def test_a_rep_name_that_is_not_text_is_one_line_and_nothing_is_stored(tmp_path):
    """`--rep` with bytes that are not UTF-8 (or control characters) is refused before a session starts."""
    script = tmp_path / "s.txt"
    script.write_text("rep: what does a normal day look like for you\n", encoding="utf-8")
    env = {**os.environ, "RAPPORT_HOME": str(tmp_path / "home")}
    for name in (b"a\xffb", b"a\x1b[2Jb"):
        out = subprocess.run([*rapport_command(), "simulate", "--persona", "bakery-owner", "--script", str(script),
                              "--rep", name], capture_output=True, env=env, timeout=120)  # fmt: skip
        err = out.stderr.decode("utf-8", "replace")
        assert out.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert "--rep" in err
    listed = subprocess.run([*rapport_command(), "sessions", "list"], capture_output=True, text=True, env=env,
                            timeout=60)  # fmt: skip
    assert "No sessions stored yet." in listed.stdout
