"""Finding persona files: the bundled ones, the user folder, ``RAPPORT_PERSONAS`` and ``--personas``.

``load_all(extra_dirs=()) -> (personas by id, warnings)``: later folders override earlier ones
by id (see ``simulator.config.persona_dirs``).  A broken file never stops the others: it becomes
one line in ``warnings`` and is skipped.  ``get(id, extra_dirs=())`` returns one persona or
raises ``RapportError`` listing the known ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from simulator import config
from simulator.errors import RapportError
from simulator.persona.schema import Persona, PersonaError, load_persona


def load_all(extra_dirs: Iterable[str | Path] = ()) -> tuple[dict[str, Persona], list[str]]:
    """Every valid persona, by id, and one warning line per file that could not be used."""
    personas: dict[str, Persona] = {}
    warnings: list[str] = []
    asked = tuple(Path(d) for d in extra_dirs)
    for folder in asked:
        if not folder.is_dir():
            warnings.append(f"no persona folder {folder} (--personas): it was ignored")
    for folder in config.persona_dirs(asked):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                persona = load_persona(path)
            except PersonaError as exc:
                warnings.append(f"skipped persona {exc}")
                continue
            personas[persona.id] = persona
    return dict(sorted(personas.items())), warnings


def get(persona_id: str, extra_dirs: Iterable[str | Path] = ()) -> Persona:
    """The persona with this id (or at this ``.toml`` path); an unknown id raises ``RapportError``
    naming the known ones."""
    if persona_id.endswith(".toml") and Path(persona_id).is_file():
        return load_persona(persona_id)
    personas, _ = load_all(extra_dirs)
    if persona_id in personas:
        return personas[persona_id]
    known = ", ".join(personas) or "none found"
    raise RapportError(f"unknown persona {persona_id!r}; known personas: {known}")
