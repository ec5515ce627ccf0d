"""Turn recordings: copied into the store's audio folder (one file per turn, under the session's id), and read
back only from inside that folder."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from simulator.errors import RapportError
from simulator.session import schema as t
from simulator.session.db import translate
from simulator.session.store.base import StoreBase


class Recordings(StoreBase):
    def save_audio(self, session_id: str, index: int, speaker: str, source: str | Path) -> str:
        """Copy a turn recording into the audio folder; returns the reference stored with the turn."""
        src = Path(source)
        dest_dir = self.audio_dir / session_id
        dest = dest_dir / f"{index:04d}-{speaker}{src.suffix.lower() or '.flac'}"
        tmp = dest.with_suffix(dest.suffix + ".part")
        try:
            dest_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        except FileNotFoundError:
            raise RapportError(f"recording {src} is missing; turn {index} kept without audio") from None
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno == errno.ENOSPC:
                raise RapportError(f"disk full: could not store the recording of turn {index}") from None
            raise RapportError(f"could not store the recording of turn {index}: {exc.strerror}") from None
        return f"{session_id}/{dest.name}"

    def set_turn_audio(self, session_id: str, index: int, ref: str | None) -> None:
        """Point a stored turn at a recording (e.g. a test's stand-in recording)."""
        with translate(f"save the recording of turn {index}", self.where), self.engines.write.begin() as conn:
            conn.execute(
                sa.update(t.turns).where(t.turns.c.session_id == session_id, t.turns.c.idx == index).values(audio=ref)
            )

    def audio_path(self, ref: str | None) -> Path | None:
        """The file behind a turn's audio reference, or None when there is none, it is missing, or it
        is not inside the audio folder.

        The reference is resolved (``..`` and symlinks followed) and must land inside the resolved audio
        folder: a stored ``/etc/passwd``, ``../../x.wav`` or a symlink pointing out of the folder gives
        None, so no export or replay ever reads a file outside it.  Read recordings only through this."""
        if not ref or not isinstance(ref, str):
            return None
        try:
            root = self.audio_dir.resolve()
            path = (root / ref).resolve()
            inside = path != root and path.is_relative_to(root)
            return path if inside and path.is_file() else None
        except (OSError, RuntimeError, ValueError):  # unreadable folder, symlink loop, NUL byte in the reference
            return None
