"""Importing a transcript (the ``rapport score`` format) as a scored session.

``import_transcript(store, text, persona, rep_name)``: ``rep: ...`` / ``buyer: ...`` lines (or a
JSON session, validated field by field by :mod:`simulator.conversation.session_json`) become a
finished session with source ``import``: rep turns labelled by the analyser, scored with the
scorecard, the persona snapshot stored like a practice session's.

All or nothing: the whole transcript is parsed, checked, labelled and scored first (an error names
its line or turn and field, in one line), then the session, its turns and its scorecard are written
in one database transaction, so an error, SIGTERM, SIGKILL or timeout leaves nothing stored.
A transcript is at most ``transcript.MAX_BYTES`` (2 MiB) and ``MAX_TURNS`` (20,000) turns; a turn's
``audio`` must stay inside the audio folder (no absolute path, no ``..``).
"""

from __future__ import annotations

from pathlib import Path

from simulator.conversation.session_json import check_name
from simulator.conversation.transcript import load, read_limited
from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import rescore
from simulator.session.store import Store


def read_text(path: str | Path) -> str:
    """The transcript in file ``path`` (``-`` = stdin), refused above the size limit without reading it all."""
    return read_limited(str(path))


def parse_turns(text: str, source_name: str = "transcript") -> list[Turn]:
    """The checked turns of ``text``; a problem is a one-line RapportError starting with ``source_name``."""
    try:
        turns = load(text).turns
    except RapportError as exc:
        raise RapportError(f"{source_name}: {exc}") from None
    if not any(t.speaker == "rep" for t in turns):
        raise RapportError(f"{source_name}: no rep lines to import")
    return turns


def import_transcript(store: Store, text: str, persona: dict, rep_name: str | None = None, *,
                      source_name: str = "transcript") -> str:  # fmt: skip
    """Store ``text`` as a finished, scored session (in one transaction); returns its id."""
    if rep_name is not None:
        rep_name = check_name(rep_name, "--rep")
    turns = parse_turns(text, source_name)
    for i, (labels, cues) in rescore.label(turns, keep_existing=True).items():
        turns[i].labels, turns[i].cues = labels, cues
    if rep_name:
        for turn in turns:
            if turn.speaker == "rep" and not turn.rep_name:
                turn.rep_name = rep_name
    rescore.read_facts(turns, persona)
    card = rescore.scorecard(turns, persona, facts_read=True)
    analyser_version, scorer_version = rescore.versions()
    reps = [rep_name] if rep_name else []
    return store.add_finished_session(persona["id"], persona, "import", {"file": source_name}, turns, card,
                                      analyser_version, scorer_version, reps=reps)  # fmt: skip
