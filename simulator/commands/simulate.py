"""``rapport simulate --persona ID --script FILE``: a headless conversation, one rep line per script line.

The JSON shape is a contract other scripts rely on::

    {"persona": id, "engine": name, "seed": n,
     "turns": [{"speaker": "rep"|"buyer", "text", "labels" (rep), "trust" (buyer), "revealed" (buyer)}, ...],
     "scorecard": {... as `rapport score --json` ..., "discovery": {"revealed", "total"}, "trust_final"},
     "saved": true|false, "session_id": id (only when saved), "error": line (only when the store failed)}

``saved`` is true only when every turn and the scorecard are in the session store.  When the store
fails mid-session (disk full, database gone) the conversation is still printed, without a
``session_id``, and the command exits 1 with one line saying what was kept.

Built from small functions (``read_script``, ``run_script``, ``result``, ``render_text``) so other
commands (saving sessions, audio input) can reuse them.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click

from simulator.commands.common import db_option, echo_json, json_option, personas_option
from simulator.commands.rubrics import load_rubric, rubric_option
from simulator.commands.score import render as render_scorecard
from simulator.conversation.scorecard import Scorecard
from simulator.conversation.session_json import check_name
from simulator.errors import RapportError
from simulator.persona.engine import BuyerEngine
from simulator.persona.factory import ENGINES, make_engine
from simulator.persona.loader import get, load_all
from simulator.persona.schema import Persona
from simulator.session.engine_choice import stored_settings
from simulator.session.events import Event, EventSink, Problem
from simulator.session.loop import PracticeSession
from simulator.session.recorder import Recorder, start_recorder


class ProblemPrinter:
    """An event sink that prints each distinct problem the session survived once (e.g. the LLM
    failed and the offline buyer answered), with how many turns it hit at the end."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, Problem):
            if event.message not in self.seen:
                click.echo(f"rapport: warning: {event.message}", err=True)
            self.seen[event.message] = self.seen.get(event.message, 0) + 1

    def summary(self) -> None:
        for message, count in self.seen.items():
            if count > 1:
                click.echo(f"rapport: warning: ({count} turns) {message}", err=True)


def read_script(path: str | Path) -> list[str]:
    """Rep utterances, one per line (``-`` reads stdin); blank lines and ``#`` comments are skipped."""
    try:
        text = sys.stdin.read() if str(path) == "-" else Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RapportError(f"{path}: the script is not UTF-8 text") from None
    except OSError as exc:
        raise RapportError(f"{path}: cannot read the script: {exc.strerror or exc}") from None
    lines = [line.strip() for line in text.removeprefix("\ufeff").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise RapportError(f"{path}: the script has no lines to say")
    return lines


def run_script(
    persona: Persona, lines: Iterable[str], *, engine: str = "offline", seed: int | None = None,
    settings: object = None, sinks: Iterable[EventSink] = (), rep_name: str | None = None, rubric=None,
    buyer: BuyerEngine | None = None,
) -> PracticeSession:
    """Play the script against the buyer (``buyer``, or the ``engine`` built from ``settings``); stops early if
    the buyer ends the meeting."""
    buyer = buyer or make_engine(engine, seed=seed, settings=settings)
    session = PracticeSession(persona, buyer, seed=seed, sinks=sinks, rep_name=rep_name, rubric=rubric)
    session.start()
    for line in lines:
        if session.state.ended:
            break
        session.rep_turn(line)
    return session


def result(session: PracticeSession, engine: str | None = None) -> dict:
    """The ``simulate --json`` document."""
    return {
        "persona": session.persona.id,
        "engine": engine or session.engine.name,
        "seed": session.seed,
        "turns": [t.to_dict() for t in session.turns],
        "scorecard": session.scorecard(),
        "buyer_ended": session.state.ended,
    }


def render_text(doc: dict, persona: Persona, unused: int = 0) -> str:
    """A readable transcript (labels on rep lines, trust on buyer lines), then the scorecard."""
    who = f"{persona.name} ({persona.role}, {persona.company})"
    out = [f"Simulated conversation with {who} - {doc['engine']} engine", ""]
    for t in doc["turns"]:
        if t["speaker"] == "rep":
            out.append(f"REP    [{', '.join(t['labels']) or '-'}] {t['text']}")
        else:
            found = f" +{', '.join(t['revealed'])}" if t["revealed"] else ""
            out.append(f"BUYER  (trust {t['trust']:.0f}{found}) {t['text']}")
    if doc["buyer_ended"]:
        out += ["", f"The buyer ended the meeting; {unused} script line(s) were not said."]
    card = doc["scorecard"]
    disc = card["discovery"]
    out += ["", f"Trust at the end: {card['trust_final']:.0f}   facts uncovered: {disc['revealed']}/{disc['total']}"]
    if doc.get("session_id"):
        sid = doc["session_id"]
        out.append(f"Saved as session {sid} (rapport sessions show {sid})")
    out += ["", render_scorecard(Scorecard.from_dict(card))]
    return "\n".join(out)


@click.command()
@click.option("--persona", "persona_id", required=True, help="Persona id (see `rapport personas list`).")
@click.option("--script", "script", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="Text file with one rep utterance per line (- for stdin).")
@click.option("--audio", "audio", default=None, type=click.Path(dir_okay=False),
              help="Audio file of the rep speaking (instead of --script): goes through the microphone's pipeline.")
@click.option("--realtime", is_flag=True, help="With --audio: feed the file at the pace of a live microphone.")
@click.option("--stt-model", default=None,
              help="With --audio: a local Whisper name or folder (default tiny.en), or with RAPPORT_STT_URL set the "
              "server's model name (default whisper-1). Default: RAPPORT_STT_MODEL.")
@click.option("--engine", type=click.Choice(ENGINES), default="offline", show_default=True, help="Buyer engine.")
@click.option("--model", default=None, help="LLM model name for --engine openai (default: RAPPORT_LLM_MODEL).")
@click.option("--seed", type=int, default=None, help="Seed for a repeatable conversation.")
@click.option("--rep", "rep_name", default=None, help="The rep's name, stored with the session.")
@click.option("--no-save", is_flag=True, help="Do not store the session (by default it is saved).")
@rubric_option
@db_option
@personas_option
@json_option
def simulate(persona_id: str, script: str | None, audio: str | None, realtime: bool, stt_model: str | None, engine: str,
             model: str | None, seed: int | None, rep_name: str | None, no_save: bool, rubric_ref: str | None,
             db_url: str | None, personas_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Feed a script of rep lines to a simulated buyer; print the conversation and the scorecard."""
    _, warnings = load_all(personas_dirs)
    for line in warnings:
        click.echo(f"rapport: warning: {line}", err=True)
    persona = get(persona_id, personas_dirs)
    rubric = load_rubric(rubric_ref)
    if rep_name is not None:
        rep_name = check_name(rep_name, "--rep")
    if (script is None) == (audio is None):
        raise RapportError("give either --script FILE or --audio FILE")
    if audio is not None:
        from simulator.speech.transcriber import stt_settings

        stt_settings(stt_model)  # bad speech-to-text settings are one line, before a session is stored
    lines = read_script(script) if script is not None else []
    source = {"script": str(script)} if script is not None else {"audio": str(audio), "realtime": realtime}
    settings = {"model": model} if model else None
    if rubric is not None:
        source = {**source, "rubric": rubric.name, "rubric_hash": rubric.hash}
    buyer = make_engine(engine, seed=seed, settings=settings)  # unusable LLM settings: one line, nothing stored
    # a store failure is noted, not printed as it happens: the one line at the end says what was lost
    recorder = None if no_save else start_recorder(persona, engine, {"seed": seed, **source, **stored_settings(buyer)},
                                                     db_url, reps=[rep_name] if rep_name else [],
                                                     on_problem=_noted)
    problems = ProblemPrinter()
    sinks: list[EventSink] = [problems] + ([recorder] if recorder else [])
    try:
        if audio is not None:  # the voice pipeline (simulator/speech/run.py) feeds the session turn by turn
            from simulator.speech.run import run_audio_file

            session = PracticeSession(persona, buyer, seed=seed, sinks=sinks, rep_name=rep_name, rubric=rubric)
            session.start()
            with tempfile.TemporaryDirectory(prefix="rapport-turns-") as folder:
                # each turn's recording is written here; the store copies it when the turn is recorded
                run_audio_file(session, persona.voice, audio, realtime=realtime, stt_model=stt_model,
                               record_dir=Path(folder) if recorder else None, events=problems)
            for turn in session.turns:
                turn.audio = None  # the temporary copies are gone; the store keeps its own
            lines = [t.text for t in session.turns if t.speaker == "rep"]
        else:
            session = run_script(persona, lines, engine=engine, seed=seed, sinks=sinks, rep_name=rep_name,
                                 rubric=rubric, buyer=buyer)
        problems.summary()
        doc = result(session, engine)
        failure = _save(recorder, session, doc)
    finally:
        if recorder is not None:
            recorder.store.close()
    if as_json:
        echo_json(doc)
    else:
        said = sum(1 for t in session.turns if t.speaker == "rep")
        click.echo(render_text(doc, persona, unused=len(lines) - said))
    if failure:
        raise RapportError(failure)


def _noted(problem: str) -> None:
    """A store problem during the run: kept by the recorder and reported once, by ``_save``."""


def _save(recorder: Recorder | None, session: PracticeSession, doc: dict) -> str | None:
    """End the stored session and record in ``doc`` whether it was saved in full: ``saved``, plus
    ``session_id`` when it was or ``error`` when the store lost something.  Returns that error line."""
    if recorder is None:
        doc["saved"] = False
        return None
    session.end("buyer ended the meeting" if session.state.ended else "finished")
    failure = recorder.unsaved()
    doc["saved"] = failure is None
    if failure is None:
        doc["session_id"] = recorder.session_id
    else:
        doc["error"] = failure
    return failure
