"""``rapport practice`` (also ``rapport`` alone), ``rapport watch`` and ``rapport replay``: the TUI."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.commands.common import db_option, personas_option
from simulator.commands.rubrics import load_rubric, rubric_option


def _run(options) -> None:
    """Run the app with native libraries' stderr (ALSA underruns, PortAudio) in a log, off the screen."""
    from simulator.config import data_dir
    from simulator.tui.app import make_app
    from simulator.tui.terminal import native_stderr_to

    with native_stderr_to(data_dir() / "logs" / "native-stderr.log"):
        make_app(options).run()


@click.command()
@click.option("--persona", help="Skip the start screen and practise with this persona.")
@click.option("--rep", "rep_name", default="", help="Your name (shown in the session and its scorecard).")
@click.option("--text", "typed", is_flag=True, help="Typed mode: no microphone.")
@click.option("--push-to-talk", "ptt", is_flag=True, help="Voice with push-to-talk (F2) instead of hands-free.")
@click.option("--audio", "audio_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Feed this recording instead of the microphone.")
@click.option("--engine", type=click.Choice(["offline", "openai"]), default=None,
              help="Buyer engine (default: offline; with --from, the one the session used, with its stored settings).")
@click.option("--model", default=None, help="LLM model name for --engine openai (default: RAPPORT_LLM_MODEL).")
@click.option("--device", default=None, help="Microphone: index or part of its name (see `rapport devices`).")
@click.option("--output-device", default=None, help="Where the buyer's voice plays: index or part of its name.")
@click.option("--stt-model", default=None,
              help="Speech-to-text model: a local Whisper name or folder (default tiny.en), or with RAPPORT_STT_URL "
              "set the server's model name (default whisper-1). Default: RAPPORT_STT_MODEL. See docs/voice.md.")
@click.option("--loudspeakers", is_flag=True,
              help="Open speakers in a room: the microphone closes while the buyer speaks (no barge-in). "
                   "Without it, the buyer's own voice is removed from the microphone and barge-in works.")
@click.option("--no-hints", is_flag=True, help="Hide live hints.")
@click.option("--exam", is_flag=True, help="Exam mode: no hints at all.")
@click.option("--seed", type=int, default=None, help="Make the offline buyer deterministic.")
@click.option("--no-save", is_flag=True, help="Do not store the session.")
@click.option("--from", "retry_from", default=None, metavar="SESSION[:TURN]",
              help="Retry a moment of a stored session: the buyer as it stood before that rep turn (default: the "
              "costliest moment); say it differently and go on.")
@rubric_option
@personas_option
@db_option
def practice(persona, rep_name, typed, ptt, audio_file, engine, model, device, output_device, stt_model, loudspeakers,
             no_hints, exam, seed, no_save, retry_from, rubric_ref, personas_dirs, db_url) -> None:
    """Open the practice app (the start screen, or straight into practice with --persona)."""
    from simulator.speech.transcriber import stt_settings
    from simulator.tui.app import AppOptions

    if not typed:
        stt_settings(stt_model)  # bad speech-to-text settings are one line here, before the app opens
    rubric = load_rubric(rubric_ref)  # so is a bad rubric
    if retry_from:  # so is a moment that cannot be retried, or its engine unusable; the persona is the session's
        from simulator.session.branch import open_branch

        persona = open_branch(retry_from, engine=engine, engine_settings={"model": model} if model else None,
                              rubric=rubric, db_url=db_url, save=False).persona.id

    mode = "typed" if typed else "ptt" if ptt else "voice"
    if audio_file is not None:
        mode = "voice"
    skip = persona is not None or audio_file is not None
    _run(AppOptions(start="practice" if skip and persona else "start", persona=persona, rep_name=rep_name,
                    mode=mode if skip else ("typed" if typed else mode), engine=engine or "offline",
                    engine_given=engine is not None, hints=not no_hints,
                    exam=exam, audio_file=audio_file, personas_dirs=tuple(personas_dirs), db_url=db_url,
                    seed=seed, save=not no_save, device=device, output_device=output_device,
                    barge_in=not loudspeakers, loudspeakers=loudspeakers,
                    stt_model=stt_model, extra={**({"model": model} if model else {}),
                                                **({"rubric": rubric} if rubric else {}),
                                                **({"retry_from": retry_from} if retry_from else {})}))


@click.command()
@click.argument("session_id", required=False)
@click.option("--latest", is_flag=True, help="Follow the most recent running session.")
@db_option
def watch(session_id, latest, db_url) -> None:
    """Follow a session running in another process, read-only."""
    from simulator.tui.app import AppOptions

    _run(AppOptions(start="watch", session_id=None if latest else session_id, db_url=db_url))


@click.command()
@click.argument("session_id", required=False)
@click.option("--rep", "rep_filter", default=None, help="Only this rep's sessions.")
@db_option
def replay(session_id, rep_filter, db_url) -> None:
    """Browse past sessions and replay one turn by turn."""
    from simulator.tui.app import AppOptions

    _run(AppOptions(start="replay", session_id=session_id, db_url=db_url, rep_filter=rep_filter))
