"""What every part of the :class:`~simulator.session.store.Store` works with: the database engines, the audio
folder and the store's name for messages.  The parts (writes, scores, reads, ...) are mixins of this."""

from __future__ import annotations

from pathlib import Path

from simulator.session.db import Engines


class StoreBase:
    """A connection to one session database and its audio folder."""

    engines: Engines
    audio_dir: Path
    where: str

    def __init__(self, engines: Engines, audio_dir: Path) -> None:
        self.engines = engines
        self.audio_dir = audio_dir
        self.where = engines.where

    def resolve(self, prefix: str) -> str:  # pragma: no cover (the Store's Reads part answers)
        """The full id of the one session whose id starts with ``prefix`` (see ``reads.Reads.resolve``)."""
        raise NotImplementedError
