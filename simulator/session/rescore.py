"""Re-scoring stored sessions with the current analyser and scorecard.

``rescore(store, session_id)`` labels every rep turn again (each read against the buyer's
previous line, as during practice), stores the new labels, and adds a new scorecard stamped with
the analyser and scorer versions; the earlier scorecards stay in the session's score history.
The buyer's turns (words, trust, revealed facts) are what really happened and are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from simulator.conversation.rubric import Rubric
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


def scorecard(turns: Sequence[Turn], persona: dict, *, trust_start: float | None = None,
              facts_read: bool = False, rubric: Rubric | None = None,
              alternatives: dict[int, str] | None = None) -> dict:
    """The scorecard of ``turns`` with the persona snapshot's facts (as the practice loop scores it);
    ``trust_start`` is the buyer's trust before the first of them (default: the persona's starting trust).
    ``facts_read``: the buyer turns' revealed facts were read from their words (an import with a persona),
    so discovery counts against the persona's facts even when none was found.  ``rubric``: default the default.
    ``alternatives``: the "try instead" already given for some turns (see ``part_alternatives``)."""
    from simulator.conversation.scorecard import score

    facts = [f for f in persona.get("facts") or [] if isinstance(f, dict) and f.get("id")]
    reported = facts_read or any(t.revealed for t in turns if t.speaker == "buyer")
    trusts = [t.trust for t in turns if t.speaker == "buyer" and t.trust is not None]
    card = score(
        list(turns),
        facts_total=len(facts) if facts and (reported or trusts) else None,
        fact_titles={f["id"]: f.get("topic") or f["id"] for f in facts},
        trust_start=_trust_start(persona, trusts, trust_start),
        rubric=rubric,
        alternatives=alternatives,
    ).to_dict()
    revealed = sorted({fid for t in turns if t.speaker == "buyer" for fid in t.revealed})
    if facts and (reported or trusts):
        card["discovery"] = {**(card.get("discovery") or {}), "revealed": len(revealed), "total": len(facts),
                             "facts": revealed}  # fmt: skip
    card["trust_final"] = trusts[-1] if trusts else None
    return card


def _trust_start(persona: dict, trusts: list[float], given: float | None) -> float | None:
    if not trusts:
        return None
    if given is not None:
        return float(given)
    return float(persona["starting_trust"]) if persona.get("starting_trust") is not None else None


def rep_scorecards(turns: Sequence[Turn], persona: dict, reps: Sequence[str] = (),
                   rubric: Rubric | None = None, whole: dict | None = None) -> dict[str, dict]:
    """One scorecard per rep of a group session (each rep's turns and the buyer turns answering them; trust
    figures start from the buyer's trust when that rep first spoke); empty when one rep (or none) spoke.
    ``whole``: the whole session's scorecard, whose moments keep their "try instead" in the rep's."""
    from simulator.conversation.segments import split_by_rep

    default = reps[0] if reps else "Rep"
    parts = split_by_rep(turns, default=default)
    if len(parts) <= 1:
        return {}
    start = persona.get("starting_trust")
    trust = float(start) if start is not None else None
    first_trust: dict[str, float | None] = {}
    for turn in turns:
        if turn.speaker == "rep":
            first_trust.setdefault(turn.rep_name or default, trust)
        elif turn.trust is not None:
            trust = float(turn.trust)
    positions: dict[str, list[int]] = {}
    current = next((t.rep_name or default for t in turns if t.speaker == "rep"), default)
    for i, turn in enumerate(turns):
        if turn.speaker == "rep":
            current = turn.rep_name or default
        positions.setdefault(current, []).append(i)
    return {rep: in_session(scorecard(part, persona, trust_start=first_trust.get(rep), rubric=rubric,
                                      alternatives=part_alternatives(whole, positions[rep])), positions[rep])
            for rep, part in parts.items()}


def part_alternatives(whole: dict | None, positions: Sequence[int]) -> dict[int, str]:
    """The whole session's "try instead" by the part's turn index (``positions[k]``: the session index of the
    part's turn ``k``), so a moment shown in both scorecards has one suggestion."""
    by_turn = {m.get("turn_index"): m.get("alternative") for m in (whole or {}).get("moments") or []
               if isinstance(m, dict) and m.get("alternative")}
    return {k: by_turn[i] for k, i in enumerate(positions) if i in by_turn}


_TURN_REF = re.compile(r"\b(turns?) (\d+)(?:–(\d+))?")


def in_session(card: dict, positions: Sequence[int]) -> dict:
    """A scorecard of part of a session, with its turn numbers made the whole session's: ``positions[k]``
    is the session index of the part's turn ``k``; moments' ``turn_index`` (0-based) and the figures'
    "turn 3" / "turns 2–4" (1-based) are rewritten."""

    def session_no(number: str) -> str:
        k = int(number) - 1
        return str(positions[k] + 1) if 0 <= k < len(positions) else number

    def swap(match: re.Match) -> str:
        word, first, last = match.groups()
        return f"{word} {session_no(first)}" + (f"–{session_no(last)}" if last else "")

    for figure in card.get("figures") or []:
        if isinstance(figure.get("detail"), str):
            figure["detail"] = _TURN_REF.sub(swap, figure["detail"])
    for moment in card.get("moments") or []:
        k = moment.get("turn_index")
        if isinstance(k, int) and 0 <= k < len(positions):
            moment["turn_index"] = positions[k]
    return card


def read_facts(turns: Sequence[Turn], persona: dict, share: float = 0.6) -> None:
    """Mark on each buyer turn of a plain transcript the persona's facts its words give: a fact counts when
    the turn holds at least ``share`` of the content words of one of its lines (says, more or story; lines
    of three content words or more).  Turns that already name their facts are kept as they are."""
    from simulator.conversation.transcript import content_stems

    lines: list[tuple[str, set[str]]] = []
    for fact in persona.get("facts") or []:
        if not isinstance(fact, dict) or not fact.get("id"):
            continue
        for line in [*(fact.get("says") or []), *(fact.get("more") or []), *(fact.get("story") or [])]:
            stems = content_stems(str(line))
            if len(stems) >= 3:
                lines.append((fact["id"], stems))
    seen: set[str] = set()
    for turn in turns:
        if turn.speaker != "buyer":
            continue
        if turn.revealed:
            seen.update(turn.revealed)
            continue
        said = content_stems(turn.text)
        found = [fid for fid, stems in lines if fid not in seen and len(stems & said) >= share * len(stems)]
        found = list(dict.fromkeys(found))
        if found:
            turn.revealed = tuple(found)
            seen.update(found)


def rescore(store: Store, session_id: str, *, rubric: Rubric | None = None, relabel: bool = True) -> dict:
    """Re-label (unless ``relabel`` is False: the stored labels are kept) and re-score one session under
    ``rubric`` (default: the default rubric); returns {"id", "before", "after", "rubric", "rubric_hash"}."""
    session = store.get(session_id)
    analyser_version, scorer_version = versions()
    labels = label(session.turns) if relabel else {}
    turns = list(session.turns)
    for i, (lab, cues) in labels.items():
        turns[i] = Turn(**{**turns[i].__dict__, "labels": lab, "cues": cues})
    card = scorecard(turns, session.persona, facts_read=session.summary.source == "import", rubric=rubric)
    if not relabel and session.scores:  # the labels are the ones the last scorecard was made with
        analyser_version = session.scores[-1].analyser_version
    store.add_scorecard(session.id, card, analyser_version, scorer_version, labels=labels or None)
    before = session.scores[-1].overall if session.scores else None
    stamp = card.get("rubric") or {}
    return {"id": session.id, "before": before, "after": card.get("overall"), "rubric": stamp.get("name"),
            "rubric_hash": stamp.get("hash")}


def rescore_all(store: Store, progress: Callable[[int, int], None] | None = None, *, rubric: Rubric | None = None,
                relabel: bool = True) -> list[dict]:
    """Re-score every stored session (except running ones, which are still being written)."""
    ids = [s.id for s in store.list_sessions() if s.status != "running"]
    results = []
    for n, sid in enumerate(ids, 1):
        results.append(rescore(store, sid, rubric=rubric, relabel=relabel))
        if progress:
            progress(n, len(ids))
    return results
