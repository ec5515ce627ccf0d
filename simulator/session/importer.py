"""Importing a transcript (the ``rapport score`` format) as a scored session.

``import_transcript(store, text, persona, rep_name)``: ``rep: ...`` / ``buyer: ...`` lines (or a
JSON session) become a finished session with source ``import``: rep turns labelled by the
analyser, scored with the scorecard, the persona snapshot stored like a practice session's.
Nothing is stored when the transcript has an error (the message names its line).
"""

from __future__ import annotations

from pathlib import Path

from simulator.errors import RapportError
from simulator.session import rescore
from simulator.session.store import Store


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RapportError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise RapportError(f"{path}: cannot read: {exc.strerror or exc}") from None


def import_transcript(store: Store, text: str, persona: dict, rep_name: str | None = None, *,
                      source_name: str = "transcript") -> str:  # fmt: skip
    """Store ``text`` as a finished, scored session; returns its id."""
    from simulator.conversation.transcript import load

    try:
        turns = load(text).turns
    except RapportError as exc:
        raise RapportError(f"{source_name}: {exc}") from None
    if not any(t.speaker == "rep" for t in turns):
        raise RapportError(f"{source_name}: no rep lines to import")
    for i, (labels, cues) in rescore.label(turns, keep_existing=True).items():
        turns[i].labels, turns[i].cues = labels, cues
    if rep_name:
        for turn in turns:
            if turn.speaker == "rep" and not turn.rep_name:
                turn.rep_name = rep_name
    card = rescore.scorecard(turns, persona)
    analyser_version, scorer_version = rescore.versions()
    reps = [rep_name] if rep_name else []
    sid = store.create_session(persona["id"], persona, "import", {"file": source_name}, reps,
                               source="import", status="running")  # fmt: skip
    try:
        for i, turn in enumerate(turns):
            store.add_turn(sid, i, turn)
        store.add_scorecard(sid, card, analyser_version, scorer_version)
        store.finish(sid, "finished", "imported")
    except BaseException:
        store.delete(sid)  # an import is all or nothing
        raise
    return sid
