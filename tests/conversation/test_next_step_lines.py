"""A buyer's refusal is never scored as the buyer proposing a next step (issue 14, F2), over every line of every
bundled persona and the engine's generic lines, as said and as repeated ("Like I said, ..."), so a new persona
line is covered too; the personas' own proposals still count."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from simulator.conversation.scorecard_figures import offers_next_step
from simulator.conversation.turns import Turn
from simulator.persona.loader import load_all
from simulator.persona.replies import GENERIC, REPEAT_PREFIXES, vary

PERSONAS = load_all()[0]
#: The line kinds that propose a next step; every other line a buyer says must not be read as one.
PROPOSALS = {"next_step"}


def persona_lines() -> list[tuple[str, str, str]]:
    """(persona, kind, line) for every line a bundled persona can say, and the generic lines."""
    out = []
    for pid, persona in sorted(PERSONAS.items()):
        out.append((pid, "opening_line", persona.opening_line))
        for kind, lines in persona.lines.model_dump().items():
            out += [(pid, kind, line) for line in lines]
        for fact in persona.facts:
            out += [(pid, f"fact {fact.id}", line) for line in [*fact.says, *fact.more, *fact.story, *fact.guarded]]
        for concern in persona.concerns:
            out += [(pid, f"concern {concern.id}", line) for line in [*concern.says, *concern.explored]]
        for entry in persona.profile:
            out += [(pid, "profile", line) for line in entry.says]
    for kind, lines in GENERIC.items():
        out += [("generic", kind, line) for line in lines]
    return out


LINES = persona_lines()


def said(line: str) -> list[str]:
    return [line] + [vary(line, prefix) for prefix in REPEAT_PREFIXES]


def test_every_persona_has_refusals_and_proposals_to_check():
    kinds = {(pid, kind) for pid, kind, _ in LINES}
    for pid in PERSONAS:
        assert {(pid, "not_ready"), (pid, "close_early"), (pid, "close_ready"), (pid, "next_step")} <= kinds, pid


@pytest.mark.parametrize(("pid", "kind", "line"), [x for x in LINES if x[1] not in PROPOSALS],
                         ids=lambda v: v if len(v) < 40 else None)
def test_no_other_persona_line_is_a_next_step(pid, kind, line):
    for text in said(line):
        assert not offers_next_step(Turn("buyer", text)), (pid, kind, text)


@pytest.mark.parametrize(("pid", "kind", "line"), [x for x in LINES if x[1] in PROPOSALS],
                         ids=lambda v: v if len(v) < 40 else None)
def test_every_persona_proposal_is_a_next_step(pid, kind, line):
    for text in said(line):
        assert offers_next_step(Turn("buyer", text)), (pid, kind, text)


@pytest.mark.parametrize("text", [
    "Next steps? Ha, let me finish my coffee first. I hardly know what you do.",
    "Next steps? I don't know yet what you'd even do for us.",
    "Next steps? You haven't earned one yet.",
    "It is premature to talk about next steps.",
    "Next steps? You haven't even asked me about the drivers yet.",
    "Next steps? Slow down, you haven't earned that yet.",
    "I think it's a bit early for next steps.",
    "What would the next step even be?",
])
def test_the_verifications_refusals(text):
    assert not offers_next_step(Turn("buyer", text))


@pytest.mark.parametrize("text", [
    "Let's set up a time next week with Maria.",
    "Next steps? Sure. Let's set up a time next week with Maria.",
    "OK. The next step is a call with Frank on Monday.",
    "Come and walk line four with Walt on Thursday night shift.",
    "I'd like you to meet Karen and see the desk in action.",
    "Can we meet again on Friday at two?",
    "Could we talk on Tuesday with my business partner?",
    "Can we meet again?",
])
def test_real_proposals_still_count(text):
    assert offers_next_step(Turn("buyer", text))


@pytest.mark.parametrize("text", [
    "Can we talk about the price?",
    "Can we talk on the phone instead of email?",
    "Can we talk later, I have a delivery coming.",
    "I don't think we can meet again next week.",
    "Can we meet? I mean, what would that even be for?",
])
def test_a_we_question_without_a_meeting_is_not_a_next_step(text):
    assert not offers_next_step(Turn("buyer", text))


def test_rapport_score_of_the_bakery_refusal(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text("rep: How did the bakery get started?\n"
                    "buyer: We've got two shops now, the original one here and a new one across town.\n"
                    "rep: What would a sensible next step look like for you?\n"
                    "buyer: Next steps? Ha, let me finish my coffee first. I hardly know what you do.\n",
                    encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "simulator", "score", str(path), "--json"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    step = next(f for f in json.loads(result.stdout)["figures"] if f["name"] == "buyer's next step")
    assert step["value"] is False and step["verdict"] != "good", step
