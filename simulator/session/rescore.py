"""Re-scoring stored sessions with the current analyser and scorecard.

``rescore(store, session_id)`` labels every rep turn again (each read against the buyer's
previous line, as during practice), stores the new labels, and adds a new scorecard stamped with
the analyser and scorer versions; the earlier scorecards stay in the session's score history.
The buyer's turns (words, trust, revealed facts) are what really happened and are kept as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simulator.conversation.turns import Turn
from simulator.session.store import Store


def versions() -> tuple[str, str]:
    from simulator.conversation.analyser import ANALYSER_VERSION
    from simulator.conversation.scorecard import SCORER_VERSION

    return str(ANALYSER_VERSION), str(SCORER_VERSION)


def label(turns: Sequence[Turn], *, keep_existing: bool = False) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """New (labels, cues) for the rep turns, by index; ``keep_existing`` skips turns already labelled."""
    from simulator.conversation.analyser import analyse, model

    weights = model()
    out: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    buyer_said: str | None = None
    for i, turn in enumerate(turns):
        if turn.speaker == "buyer":
            buyer_said = turn.text
        elif not (keep_existing and turn.labels):
            analysis = analyse(turn.text, buyer_said, weights)
            out[i] = (tuple(analysis.labels), tuple(analysis.cues))
    return out


def scorecard(turns: Sequence[Turn], persona: dict) -> dict:
    """The scorecard of ``turns`` with the persona snapshot's facts (as the practice loop scores it)."""
    from simulator.conversation.scorecard import score

    facts = [f for f in persona.get("facts") or [] if isinstance(f, dict) and f.get("id")]
    reported = any(t.revealed for t in turns if t.speaker == "buyer")
    trusts = [t.trust for t in turns if t.speaker == "buyer" and t.trust is not None]
    card = score(
        list(turns),
        facts_total=len(facts) if facts and (reported or trusts) else None,
        fact_titles={f["id"]: f.get("topic") or f["id"] for f in facts},
        trust_start=float(persona["starting_trust"]) if trusts and persona.get("starting_trust") is not None else None,
    ).to_dict()
    revealed = sorted({fid for t in turns if t.speaker == "buyer" for fid in t.revealed})
    if facts and (reported or trusts):
        card["discovery"] = {**(card.get("discovery") or {}), "revealed": len(revealed), "total": len(facts),
                             "facts": revealed}  # fmt: skip
    card["trust_final"] = trusts[-1] if trusts else None
    return card


def rescore(store: Store, session_id: str) -> dict:
    """Re-label and re-score one session; returns {"id", "before", "after"} overall scores."""
    session = store.get(session_id)
    analyser_version, scorer_version = versions()
    labels = label(session.turns)
    turns = list(session.turns)
    for i, (lab, cues) in labels.items():
        turns[i] = Turn(**{**turns[i].__dict__, "labels": lab, "cues": cues})
    card = scorecard(turns, session.persona)
    store.add_scorecard(session.id, card, analyser_version, scorer_version, labels=labels)
    before = session.scores[-1].overall if session.scores else None
    return {"id": session.id, "before": before, "after": card.get("overall")}


def rescore_all(store: Store, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Re-score every stored session (except running ones, which are still being written)."""
    ids = [s.id for s in store.list_sessions() if s.status != "running"]
    results = []
    for n, sid in enumerate(ids, 1):
        results.append(rescore(store, sid))
        if progress:
            progress(n, len(ids))
    return results
