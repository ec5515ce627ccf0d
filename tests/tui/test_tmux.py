"""The real ``rapport practice`` command in a real terminal (tmux): type a question, read the
buyer's answer off the screen, end the session with Ctrl+E and see the scorecard."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import require_service  # noqa: E402

from simulator.session.store import Store  # noqa: E402

pytestmark = pytest.mark.tmux

PERSONA = "bakery-owner"
QUESTION = "What made you take this meeting?"
RAPPORT = Path(sys.executable).parent / "rapport"


def expected_answer() -> tuple[str, str]:
    """The seeded offline buyer's opening line and answer to QUESTION (the app runs the same loop)."""
    from simulator.persona.factory import make_engine
    from simulator.persona.loader import get
    from simulator.session.loop import PracticeSession

    session = PracticeSession(get(PERSONA), make_engine("offline", seed=1), seed=1)
    opening = session.start().text
    return opening, session.rep_turn(QUESTION).text


class Tmux:
    """A private tmux server (its own socket) with one window running a command."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"rapport-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        shell = f"env {exports} {' '.join(command)}"
        self.tmux("new-session", "-d", "-s", "main", "-x", "140", "-y", "45", shell)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True,
                              timeout=20).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def running(self) -> bool:
        """Whether the window's command still runs: tmux ends its server when the only window's command exits."""
        done = subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "main"], capture_output=True,
                              timeout=20)
        return done.returncode == 0

    def wait_for(self, text: str, timeout_s: float = 90.0) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            shown = self.screen()
            # the conversation pane (left of the ▏ divider) wraps text: read its words as one line
            left = "\n".join(line.split("▏")[0] for line in shown.splitlines())
            flowing = " ".join(re.sub(r"[│╭╮╰╯─▊▎▅]", " ", left).split())
            if text in shown or " ".join(text.split()) in flowing:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


def test_practice_in_tmux_question_answer_and_scorecard(rapport_home):
    if shutil.which("tmux") is None:
        require_service("tmux", "install the tmux package")
    opening, answer = expected_answer()
    env = {"RAPPORT_HOME": str(rapport_home), "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "")}
    term = Tmux([str(RAPPORT), "practice", "--text", "--persona", PERSONA, "--seed", "1", "--rep", "Sam"], env)
    try:
        term.wait_for(" ".join(opening.split()[:3]))  # the start of the line (the rest may wrap)
        term.tmux("send-keys", "-t", "main", "-l", QUESTION)
        term.tmux("send-keys", "-t", "main", "Enter")
        shown = term.wait_for(f"Sam: {QUESTION}")
        first_words = " ".join(answer.split()[:4])
        shown = term.wait_for(first_words)
        assert "question" in shown  # the move label next to the rep's words

        term.tmux("send-keys", "-t", "main", "C-e")
        shown = term.wait_for("Overall")
        assert "Scorecard" in shown and "/ 100" in shown
        term.tmux("send-keys", "-t", "main", "C-q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and term.running():
            time.sleep(0.2)
        assert not term.running(), "Ctrl+Q did not quit the app"
    finally:
        term.close()
    with Store.open() as store:
        sessions = store.list_sessions()
        assert len(sessions) == 1
        stored = store.get(sessions[0].id)
    assert [t.text for t in stored.turns] == [opening, QUESTION, answer]
    assert stored.summary.status == "finished" and stored.scorecard is not None
