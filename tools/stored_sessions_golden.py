"""Record sessions as the store held them before rubrics (``tests/data/stored_sessions_golden.json``).

Run it with the code of the commit *before* rubrics (issue 15) first on the path, so the scorecards are the
ones that Rapport stored then::

    git archive 98ef8f3^ simulator personas | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old .venv/bin/python tools/stored_sessions_golden.py tests/data/stored_sessions_golden.json

It stores, with the real commands into a real SQLite store: every whole call of the corpus's
``09-whole-calls`` and ``13-whole-calls-2`` played as a ``rapport simulate`` script against the offline buyer
(personas in turn, fixed seeds), and 24 transcripts of ``tests/data/scorecard_golden.json`` imported with
``rapport sessions import`` (revealed facts read from the buyer's words).  Then it writes the persona snapshots
and each stored session
(persona id, source, turns with their labels, the stored scorecard and versions).
``tests/session/test_rubric_store.py`` loads them into SQLite and PostgreSQL and checks that each rescores to
the same scorecard under the default rubric.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"


def calls() -> list[list[str]]:
    out: list[list[str]] = []
    for name in ("09-whole-calls.psv", "13-whole-calls-2.psv"):
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("# Call") or line.startswith("# Conversation"):
                out.append([])
            elif line.strip() and not line.startswith("#") and out:
                out[-1].append(line.split("|", 2)[2])
    return [c for c in out if c]


def rapport(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise SystemExit(f"rapport {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def main(out_path: str) -> None:
    import simulator
    from simulator.persona.loader import load_all
    from simulator.session.store import Store

    print(f"storing with the code in {Path(simulator.__file__).parent}", file=sys.stderr)
    personas = sorted(load_all()[0])
    golden = json.loads((ROOT / "tests" / "data" / "scorecard_golden.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/sessions.db"
        for n, lines in enumerate(calls()):
            script = Path(tmp) / f"call{n}.txt"
            script.write_text("\n".join(lines) + "\n", encoding="utf-8")
            rapport("simulate", "--persona", personas[n % len(personas)], "--script", str(script), "--seed", str(n),
                    "--db", db, "--rep", f"rep{n % 3}")
        for n, case in enumerate(golden[:24]):
            text = "\n".join(f"{t['speaker']}: {' '.join(t['text'].split())}" for t in case["turns"])
            path = Path(tmp) / f"import{n}.txt"
            path.write_text(text + "\n", encoding="utf-8")
            rapport("sessions", "import", str(path), "--persona", personas[n % len(personas)], "--db", db)
        store = Store.open(db, Path(tmp) / "audio")
        sessions, snapshots = [], {}
        for sid in store.session_ids():
            s = store.get(sid)
            record = s.scores[-1]
            snapshots.setdefault(s.summary.persona_id, s.persona)
            sessions.append({
                "persona_id": s.summary.persona_id, "engine": s.summary.engine,
                "source": s.summary.source, "reps": s.summary.reps, "turns": [t.to_dict() for t in s.turns],
                "scorecard": record.data, "analyser_version": record.analyser_version,
                "scorer_version": record.scorer_version,
            })
        store.close()
    doc = {"personas": snapshots, "sessions": sessions}
    Path(out_path).write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(sessions)} stored sessions to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "tests" / "data" / "stored_sessions_golden.json"))
