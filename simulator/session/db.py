"""Opening the session database, and turning database failures into one clear line.

SQLite and PostgreSQL take the same code path; only the connection set-up differs:

* SQLite: WAL mode (a reader never blocks the writer, and a follower in another process sees
  each commit at once), ``synchronous=NORMAL`` (in WAL mode a commit survives the process being
  killed; only a power cut can lose the last commits), a 30 s busy timeout, and two engines:
  one whose transactions start with ``BEGIN IMMEDIATE`` for writes (so two writers queue
  instead of failing half-way), one with plain ``BEGIN`` for reads.
* PostgreSQL: one engine, ``pool_pre_ping`` so a restarted server is reconnected to.

A file that is not SQLite is refused before SQLAlchemy touches it; nothing here ever deletes,
truncates or recreates a database file.
"""

from __future__ import annotations

import contextlib
import errno
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from simulator.errors import RapportError
from simulator.safe_text import visible

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Engines:
    """The engines a store uses: ``write`` for changes, ``read`` for queries (the same on PostgreSQL)."""

    write: sa.Engine
    read: sa.Engine
    where: str

    @property
    def dialect(self) -> str:
        return self.write.dialect.name

    def enable_wal(self) -> None:
        """Switch an SQLite store to WAL mode (kept in the file; done only once it is known to be ours)."""
        if self.dialect != "sqlite":
            return
        raw = self.write.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL").fetchall()
        finally:
            raw.close()

    def dispose(self) -> None:
        self.write.dispose()
        if self.read is not self.write:
            self.read.dispose()


def describe(url: sa.URL) -> str:
    """A URL fit for messages: the file for SQLite, the URL without its password otherwise."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


#: PostgreSQL drivers Rapport can use (``postgresql://`` means psycopg 3)
POSTGRES_DRIVERS = ("postgresql", "postgresql+psycopg")
HINT = "use sqlite:///FILE or postgresql://USER@HOST[:PORT]/DATABASE"


def parse_url(url: str) -> sa.URL:
    """The parsed session store URL, checked without connecting to anything (``RapportError`` when it
    cannot be used): a known database and driver, a port from 1 to 65535, no control characters."""
    if not isinstance(url, str) or not url.strip():
        raise RapportError(f"no database URL given ({HINT})")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in url):
        raise RapportError(f"not a database URL: {visible(url)!r} holds control characters ({HINT})")
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise RapportError(f"not a database URL: {url!r} ({HINT})") from None
    except ValueError:  # sqlalchemy reads whatever follows the last ":" of the host part as the port
        host = url.partition("://")[2].rpartition("@")[2].partition("/")[0]
        why = ("an IPv6 host is written in brackets, [::1], with both of them" if host.count("[") != host.count("]")
               else "unreadable host or port (a port is a number)")
        raise RapportError(f"not a database URL: {url!r}: {why} ({HINT})") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise RapportError(f"unsupported database {backend!r} in {url!r}: {HINT}")
    if backend == "sqlite" and parsed.drivername != "sqlite" or backend == "postgresql" and (
            parsed.drivername not in POSTGRES_DRIVERS):  # fmt: skip
        raise RapportError(f"unsupported database driver {parsed.drivername!r}: {HINT}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RapportError(f"not a database URL: {url!r}: port {parsed.port} is not between 1 and 65535")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def open_engines(url: str, *, existing: bool = False) -> Engines:
    """Create the engines for ``url`` (``sqlite:///path`` or ``postgresql://...``); with ``existing`` an SQLite
    file that is not there is an error instead of a new, empty database (a mistyped ``--db`` on a command
    that only reads)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(parsed, existing)
    try:
        engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    except ImportError as exc:
        raise RapportError(f"PostgreSQL driver missing ({exc}); install psycopg") from None
    except (sa.exc.ArgumentError, TypeError, ValueError) as exc:
        raise RapportError(f"cannot use the database URL {describe(parsed)}: {exc}") from None
    return Engines(engine, engine, describe(parsed))


def _sqlite_file(path: str, existing: bool) -> Path:
    """The SQLite file named by the URL, checked (``RapportError`` for a path that cannot be one)."""
    try:
        file = Path(path).expanduser()
        if existing and not file.exists():
            raise RapportError(f"no session database at {file} (check --db or RAPPORT_DB)")
        check_sqlite_file(file)
    except RuntimeError:  # ~unknownuser/...
        raise RapportError(f"cannot use the session database path {path!r}: unknown home folder") from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        reason = getattr(exc, "strerror", None) or str(exc)
        raise RapportError(f"cannot use the session database path {path!r}: {reason}") from None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RapportError(f"cannot create the folder for {file}: {exc.strerror}") from None
    return file


def _sqlite(url: sa.URL, existing: bool = False) -> Engines:
    path = url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        url = url.set(database=str(_sqlite_file(path, existing)))

    def make(begin: str) -> sa.Engine:
        engine = sa.create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False, "isolation_level": None}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001 (DBAPI objects)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # noqa: ANN001
            conn.exec_driver_sql(begin)

        return engine

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", sa.exc.SAWarning)  # an option the driver would silently ignore
            return Engines(make("BEGIN IMMEDIATE"), make("BEGIN"), describe(url))
    except sa.exc.SAWarning as exc:
        reason = str(exc).split(";")[0].replace(" and are being ignored", "")
        raise RapportError(f"cannot use the database URL {describe(url)}: {reason} (other SQLite options need "
                           "uri=true)") from None
    except (sa.exc.ArgumentError, TypeError, ValueError) as exc:
        raise RapportError(f"cannot use the database URL {describe(url)}: {exc}") from None


def check_sqlite_file(file: Path) -> None:
    """Refuse a file that exists and is not an SQLite database (it is left exactly as it is)."""
    if file.is_dir():
        raise RapportError(f"{file} is a folder, not a session database file")
    try:
        with file.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RapportError(f"cannot read {file}: {exc.strerror}") from None
    if head and head != SQLITE_HEADER:
        raise RapportError(f"{file} is not a Rapport session database (not SQLite); it was left untouched")


def message(exc: BaseException, action: str, where: str) -> str:
    """One line saying what went wrong with the database while doing ``action``."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = text.lower()
    if "disk is full" in low or "no space" in low or getattr(orig, "errno", None) == errno.ENOSPC:
        return f"disk full: could not {action} in {where}; everything saved before is intact"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"{where} is corrupt or not a Rapport session database; it was left untouched"
    if "locked" in low or "busy" in low:
        return f"{where} is busy (another process holds it locked); could not {action}"
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return f"cannot write to {where} ({text}); could not {action}"
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or "connect" in low or "server" in low:
        return f"lost the connection to the session database {where} ({text}); could not {action}"
    return f"session database error in {where} while trying to {action}: {text}"


@contextlib.contextmanager
def translate(action: str, where: str) -> Iterator[None]:
    """Re-raise database failures as RapportError with one clear line."""
    try:
        yield
    except RapportError:
        raise
    except sa.exc.DBAPIError as exc:
        raise RapportError(message(exc, action, where)) from exc
    except sa.exc.SQLAlchemyError as exc:
        raise RapportError(message(exc, action, where)) from exc
