"""The session store: sessions, turns, coach events and scorecards in SQLite or PostgreSQL.

Every write is its own short transaction, so a turn is on disk the moment ``add_turn`` returns
and a process killed afterwards loses nothing of it (an import is the opposite case:
``add_finished_session`` writes a whole session in one transaction, all or nothing).  Opening a
store marks as ``interrupted`` any running session whose writer has died (same host: its pid is
gone; another host: no heartbeat for ``STALE_AFTER_S``), so a crashed session shows up and replays
like any other.

Usage::

    store = Store.open()                       # --db / RAPPORT_DB / the data folder's SQLite file
    sid = store.create_session("ana-cfo", persona.model_dump(), engine="offline", settings={})
    store.add_turn(sid, 0, Turn("rep", "Hi Ana", labels=("rapport",)))
    store.finish(sid, scorecard=card, analyser_version="1", scorer_version="1")
    store.get(sid[:4]).to_dict()

:class:`Store` is put together from one part per job, each a module of this package:

=====================  ===============================================================================
``writes``             a session as it happens (create, turns, coach events, finish, heartbeat) or a
                       finished one in one transaction (imports)
``scores``             scorecards (the score history) and re-analysed turn labels
``practice_links``     retries linked to their session and turn; drill attempts
``reads``              ids from prefixes, the session list, one whole session, following a running one
``recordings``         turn recordings in the audio folder, read back only from inside it
``upkeep``             interrupted sessions after a crash (``STALE_AFTER_S``), deleting a session
``rows``               the rows behind the records (turns, summary columns, rubric columns, free ids)
=====================  ===============================================================================
"""

from __future__ import annotations

from pathlib import Path

from simulator import config
from simulator.session.db import open_engines, translate
from simulator.session.migrations import migrate
from simulator.session.store.practice_links import PracticeLinks
from simulator.session.store.reads import Reads
from simulator.session.store.recordings import Recordings
from simulator.session.store.scores import ScoreWrites
from simulator.session.store.upkeep import STALE_AFTER_S, Upkeep
from simulator.session.store.writes import SessionWrites

__all__ = ["STALE_AFTER_S", "Store"]


def _new_sqlite_file(engines) -> Path | None:
    """The SQLite file this store will create (None: not SQLite, in memory, or the file exists)."""
    name = engines.write.url.database if engines.dialect == "sqlite" else None
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    file = Path(name)
    return None if file.exists() else file


class Store(SessionWrites, ScoreWrites, PracticeLinks, Upkeep, Recordings, Reads):
    """A connection to one session database and its audio folder."""

    @classmethod
    def open(cls, url: str | None = None, audio_dir: str | Path | None = None, *, recover: bool = True,
             read: bool = False) -> Store:
        """Open (creating and migrating if needed) the store; mark dead running sessions interrupted.

        With ``read`` (commands that only look at stored sessions) a database named by ``--db`` or
        ``RAPPORT_DB`` must already exist: a mistyped path is an error, not a new empty file. The default
        database in the data folder is still created, so a fresh install lists "no sessions"."""
        url = config.db_url(url)
        engines = open_engines(url, existing=read and url != config.db_url_default())
        store = cls(engines, config.audio_dir(audio_dir))
        new_file = _new_sqlite_file(engines)
        try:
            with translate("open the session store", store.where):
                migrate(engines.write)
                engines.enable_wal()
                if recover:
                    store.recover()
        except BaseException:
            engines.dispose()
            if new_file is not None and new_file.is_file() and new_file.stat().st_size == 0:
                new_file.unlink()  # e.g. a full disk: do not leave an empty database that was not there before
            raise
        return store

    def close(self) -> None:
        self.engines.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
