"""A retry's scorecard in the app starts with the comparison with the session it retries (the data of
`rapport compare RETRY`): both buyer reactions side by side and each figure before, after and its change,
through the buyer's reaction and (W) over the whole session.  Transcript words show literally (no markup),
and a store that cannot be read is one line, not a traceback."""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from textual.widgets import Input, Label, Static

from simulator.errors import RapportError
from simulator.session.store import Store
from simulator.tui.app import AppOptions, make_app
from simulator.tui.screens.practice import PracticeScreen
from simulator.tui.screens.replay import ReplayScreen, SessionReplayScreen
from simulator.tui.screens.scorecard import ScorecardScreen, ScorecardView
from simulator.tui.widgets.comparison import RetryComparison, figures_change_table, reactions_table
from simulator.tui.widgets.turns import TurnView
from tests.tui.history_seed import PERSONA, wait_for

HOSTILE_PITCH = "[red]Our software cuts waste in half, guaranteed."
LINES = ["What made you take this meeting?", HOSTILE_PITCH, "That sounds frustrating. What has it cost you?"]
HOSTILE_RETRY = "[bold red]x[/] What does a bad day cost you?"


def turns(app) -> int:
    return len(app.screen.query(TurnView))


def shown(widget) -> str:
    """The text a widget puts on the screen (all its lines, scrolled into view or not)."""
    return "\n".join(strip.text for strip in widget.render_lines(widget.region.reset_offset))


def rendered(renderable, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


async def type_lines(pilot, lines: list[str], shown_first: int = 1) -> None:
    """Type ``lines`` once the practice screen shows ``shown_first`` turns, each after the buyer's reply."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.session is not None
                   and turns(app) == shown_first)
    screen = app.screen
    for line in lines:
        before = turns(app)
        screen.query_one("#typed", Input).value = line
        await pilot.press("enter")
        await wait_for(pilot, lambda before=before: turns(app) == before + 2)


async def test_the_retrys_scorecard_compares_it_with_the_original():
    app = make_app(AppOptions(start="practice", persona=PERSONA, rep_name="Sam", mode="typed", seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_lines(pilot, LINES)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen) and app.screen.query(ScorecardView))
        original = app.screen
        parent_id = original.session_id
        assert not original.retry_of and not original.query(RetryComparison)  # an ordinary session: no comparison
        with Store.open() as store:
            parent = store.get(parent_id)
        costliest = parent.scorecard["moments"][0]["turn_index"]
        assert parent.turns[costliest].text == HOSTILE_PITCH

        await pilot.press("t")  # retry the costliest moment
        await type_lines(pilot, [HOSTILE_RETRY], shown_first=costliest)
        retry_id = app.screen.session.session_id
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen) and app.screen.session_id == retry_id
                       and app.screen.query_one(RetryComparison).doc is not None)
        await pilot.pause(0.2)
        screen = app.screen
        assert screen.retry_of == parent_id
        section = screen.query_one(RetryComparison)
        # near the top: before the ordinary scorecard
        assert section.region.y < screen.query_one(ScorecardView).region.y
        assert section.region.right <= 80
        title = str(section.query_one("#retry-title", Label).render())
        assert title == f"Compared with the original (session {parent_id}, turn {costliest + 1})"

        doc = section.doc
        before, after = doc["before"], doc["after"]
        assert before["said"] == HOSTILE_PITCH and after["said"] == HOSTILE_RETRY
        assert before["reply"] != after["reply"] and after["trust_after"] > before["trust_after"]
        reactions = " ".join(shown(section.query_one("#retry-reactions", Static)).split())
        assert "The original" in reactions and "This retry" in reactions
        for side in (before, after):  # both reactions, the rep's words exactly as typed
            assert " ".join(side["reply"].split()[:4]) in reactions
        assert "[red]Our software" in reactions and "[bold red]x[/] What does" in reactions
        assert f"{before['trust_before']:g} → {before['trust_after']:g}" in reactions
        assert f"{after['trust_before']:g} → {after['trust_after']:g}" in reactions
        assert "pitch" in reactions and "question" in reactions

        figures = shown(section.query_one("#retry-figures", Static))
        assert "Through the buyer's reaction" in figures
        trust = next(line for line in figures.splitlines() if line.strip().startswith("buyer trust"))
        assert trust.split()[-1] == "better"
        transactional = next(r for r in doc["moment"] if r["name"] == "transactional moves")
        # the pitch (and, near the line at 0.44-0.58 depending on the analyser, a benefit) against none
        assert transactional["before"] >= 1 and (transactional["after"], transactional["change"]) == (0, "better")
        assert "W: show the whole session" in str(section.query_one("#retry-key", Label).render())

        await pilot.press("w")  # the whole sessions' figures
        await pilot.pause(0.1)
        figures = shown(section.query_one("#retry-figures", Static))
        assert "Whole session" in figures and "Through the buyer's reaction" not in figures
        overall = next(line for line in figures.splitlines() if line.strip().startswith("overall"))
        whole = doc["whole"][0]
        assert overall.split()[1:] == [f"{whole['before']:g}/100", f"{whole['after']:g}/100", whole["change"]]


async def test_a_store_that_cannot_be_read_is_one_line(monkeypatch):
    from simulator.commands.simulate import run_script
    from simulator.persona.loader import get
    from simulator.session.recorder import Recorder

    persona = get(PERSONA)
    with Store.open() as store:
        sid = store.create_session(persona.id, persona.model_dump(mode="json"), "offline", {"seed": 1})
        run_script(persona, LINES, seed=1, sinks=[Recorder(store, sid)]).end()

    def broken(store, retry_id):
        raise RapportError("cannot read the session store (sessions.db): database disk image is malformed\ndetail")

    monkeypatch.setattr("simulator.session.branch_compare.compare", broken)
    app = make_app(AppOptions(start="practice", persona=PERSONA, mode="typed", extra={"retry_from": f"{sid}:4"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await type_lines(pilot, ["What would a good week look like?"], shown_first=3)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen) and app.screen.query(ScorecardView))
        section = app.screen.query_one(RetryComparison)
        line = section.query_one("#retry-reactions", Static)
        await wait_for(pilot, lambda: "could not be read" in shown(line))
        assert " ".join(shown(line).split()) == ("The comparison with the original could not be read: cannot read "
                                                 "the session store (sessions.db): database disk image is malformed")
        assert not section.query_one("#retry-figures").display
        assert app.screen.query_one(ScorecardView)  # the ordinary scorecard is still there


def test_every_transcript_word_is_shown_literally():
    markup = "[bold red]x[/]"
    side = {"said": markup, "labels": [markup], "reply": markup, "trust_before": 40, "trust_after": 45.5,
            "revealed": [markup], "next_step": True, "ended": False}
    doc = {"before": side, "after": {**side, "said": None, "reply": None}}
    text = rendered(reactions_table(doc))
    assert text.count(markup) == 6, text  # said, moves, reply, revealed in the original; moves, revealed after
    assert "— (no reply yet)" in text and "40 → 45.5" in text and "the buyer offered a next step" in text
    rows = [{"name": markup, "unit": "%", "before": 40.0, "after": 43.0, "change": "better"},
            {"name": "buyer's next step", "unit": "", "before": 0.0, "after": 1.0, "change": "better"},
            {"name": "patience", "unit": "s", "before": None, "after": None, "change": "n/a"}]
    text = rendered(figures_change_table(rows, "Through the buyer's reaction"))
    assert markup in text and "40%" in text and "43%" in text
    assert [line.split()[-3:] for line in text.splitlines() if "next step" in line] == [["no", "yes", "better"]]
    assert [line.split()[-3:] for line in text.splitlines() if "patience" in line] == [["–", "–", "n/a"]]


async def test_after_a_hand_over_the_comparison_is_the_first_tab():
    """A retry with a tab per rep: the comparison is a tab of its own, first; an unstored retry says why there
    is nothing to compare."""
    from textual.widgets import TabbedContent

    from simulator.commands.simulate import run_script
    from simulator.persona.loader import get

    card = run_script(get(PERSONA), LINES[:1], seed=1).scorecard()
    app = make_app(AppOptions(mode="typed"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        app.push_screen(ScorecardScreen({"Sam": card, "Alex": card}, session_id=None, retry_of="abcd2345"))
        await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen) and app.screen.query(RetryComparison))
        tabs = app.screen.query_one(TabbedContent)
        first = tabs.get_pane(tabs.active)
        assert first.query(RetryComparison) and "Compared with the original" in str(tabs.get_tab(tabs.active).label)
        line = app.screen.query_one("#retry-reactions", Static)
        await wait_for(pilot, lambda: "not stored" in shown(line))
        assert " ".join(shown(line).split()) == "This retry was not stored, so it cannot be compared with the original."


async def test_a_stored_retry_replayed_shows_its_comparison_on_o(capsys):
    """Replaying a stored retry, O opens its scorecard with the comparison first; an ordinary session's has none."""
    from simulator.cli import main
    from simulator.commands.simulate import run_script
    from simulator.persona.loader import get
    from simulator.session.recorder import Recorder

    persona = get(PERSONA)
    with Store.open() as store:
        parent_id = store.create_session(persona.id, persona.model_dump(mode="json"), "offline", {"seed": 1})
        run_script(persona, LINES, seed=1, sinks=[Recorder(store, parent_id)]).end()
    with pytest.raises(SystemExit) as done:
        main(["retry", f"{parent_id}:4", "--say", HOSTILE_RETRY, "--json"])
    assert done.value.code == 0
    retry_id = json.loads(capsys.readouterr().out)["retry"]

    app = make_app(AppOptions())
    async with app.run_test(size=(100, 30)) as pilot:
        for sid, is_retry in ((retry_id, True), (parent_id, False)):
            await app.push_screen(ReplayScreen(app.options, session_id=sid))
            await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen) and app.screen.session)
            assert "o scorecard" in shown(app.screen.query_one("#replay-status", Static))
            await pilot.press("o")
            await wait_for(pilot, lambda: isinstance(app.screen, ScorecardScreen) and app.screen.query(ScorecardView))
            screen = app.screen
            assert screen.session_id == sid and (screen.retry_of == parent_id) is is_retry
            if is_retry:
                section = screen.query_one(RetryComparison)
                await wait_for(pilot, lambda section=section: section.doc is not None)
                title = str(section.query_one("#retry-title", Label).render())
                assert title == f"Compared with the original (session {parent_id}, turn 4)"
                assert section.doc["after"]["said"] == HOSTILE_RETRY
                assert section.region.y < screen.query_one(ScorecardView).region.y
            else:
                assert not screen.query(RetryComparison)
            await pilot.press("escape")  # back to the replay, then to the list
            await wait_for(pilot, lambda: isinstance(app.screen, SessionReplayScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
            await pilot.press("escape")
