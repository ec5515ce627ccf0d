"""Migrations and bad databases: nothing already stored is ever lost or overwritten."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from simulator.conversation.turns import Turn
from simulator.errors import RapportError
from simulator.session import schema
from simulator.session.db import open_engines
from simulator.session.migrations import MIGRATIONS, current_version, migrate
from simulator.session.store import Store


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrated_database_matches_schema_py(store):
    with store.engines.read.connect() as conn:
        inspector = sa.inspect(conn)
        assert current_version(conn) == len(MIGRATIONS)
        for table in schema.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == set(table.c.keys()), table.name


def test_migrating_again_changes_nothing_and_later_migrations_run_once(db_url, tmp_path):
    store = Store.open(db_url, tmp_path)
    sid = store.create_session("p", {"id": "p"}, "offline")
    store.add_turn(sid, 0, Turn("rep", "kept"))
    store.close()
    calls = []

    def m002_add_tag(conn):
        calls.append(1)
        conn.execute(sa.text("ALTER TABLE sessions ADD COLUMN tag VARCHAR(32)"))

    engines = open_engines(db_url)
    try:
        assert migrate(engines.write) == len(MIGRATIONS)
        assert migrate(engines.write, [*MIGRATIONS, m002_add_tag]) == len(MIGRATIONS) + 1
        assert migrate(engines.write, [*MIGRATIONS, m002_add_tag]) == len(MIGRATIONS) + 1
        assert calls == [1]
        with engines.read.connect() as conn:
            assert conn.execute(sa.text("SELECT text FROM turns")).scalar() == "kept"
            assert current_version(conn) == len(MIGRATIONS) + 1
    finally:
        engines.dispose()
    # This Rapport only knows version 1 now: the database is newer, so it is refused and not touched.
    with pytest.raises(RapportError, match="newer than this Rapport knows"):
        Store.open(db_url, tmp_path)


def test_a_failing_migration_leaves_the_version_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    Store.open(url, tmp_path).close()

    def broken(conn):
        conn.execute(sa.text("CREATE TABLE half (x INTEGER)"))
        raise RuntimeError("boom")

    engines = open_engines(url)
    with pytest.raises(RuntimeError):
        migrate(engines.write, [*MIGRATIONS, broken])
    with engines.read.connect() as conn:
        assert current_version(conn) == len(MIGRATIONS)
        assert not sa.inspect(conn).has_table("half")
    engines.dispose()


def test_a_foreign_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n" * 50)
    before = _digest(path)
    with pytest.raises(RapportError, match="not a Rapport session database"):
        Store.open(f"sqlite:///{path}", tmp_path)
    assert _digest(path) == before


def test_a_foreign_sqlite_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE invoices (id INTEGER)"))
        conn.execute(sa.text("INSERT INTO invoices VALUES (7)"))
    engine.dispose()
    before = _digest(path)
    with pytest.raises(RapportError, match="not a Rapport session store"):
        Store.open(f"sqlite:///{path}", tmp_path)
    assert _digest(path) == before


def test_a_corrupt_store_gives_one_line_and_is_not_recreated(tmp_path):
    path = tmp_path / "s.db"
    store = Store.open(f"sqlite:///{path}", tmp_path)
    store.create_session("p", {"id": "p"}, "offline")
    store.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(RapportError) as err:
        Store.open(f"sqlite:///{path}", tmp_path)
    assert "\n" not in str(err.value) and "corrupt" in str(err.value)
    assert _digest(path) == before


def test_a_full_disk_is_one_line_and_keeps_earlier_turns(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store.open(url, tmp_path)
    sid = store.create_session("p", {"id": "p"}, "offline")
    store.add_turn(sid, 0, Turn("rep", "first"))
    with store.engines.write.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    # Cap the database at its current size on every connection: the next growth fails like a full disk.
    sa.event.listen(store.engines.write, "connect",
                    lambda c, _r: c.execute(f"PRAGMA max_page_count={pages}"))  # fmt: skip
    store.engines.write.dispose()
    with pytest.raises(RapportError, match="disk full") as err:
        for i in range(1, 200):
            store.add_turn(sid, i, Turn("rep", "x" * 5000))
    assert "\n" not in str(err.value)
    store.close()
    reopened = Store.open(url, tmp_path)
    assert reopened.get(sid).turns[0].text == "first"
    reopened.close()


def test_audio_on_a_full_disk_is_one_line(store, tmp_path, monkeypatch):
    """ENOSPC while copying a recording (simulated: a real full disk needs a mount) -> one line, no partial file."""
    import errno
    import shutil

    sid = store.create_session("p", {"id": "p"}, "offline")
    src = tmp_path / "t.flac"
    src.write_bytes(b"x" * 100)

    def full(_src, dst):
        open(dst, "wb").close()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(RapportError, match="disk full") as err:
        store.save_audio(sid, 0, "rep", src)
    assert "\n" not in str(err.value)
    assert list((store.audio_dir / sid).iterdir()) == []


def test_a_missing_recording_source_is_one_line(store, tmp_path):
    sid = store.create_session("p", {"id": "p"}, "offline")
    with pytest.raises(RapportError, match="missing"):
        store.save_audio(sid, 0, "rep", tmp_path / "nope.flac")


def test_unreachable_postgres_is_one_line(tmp_path):
    with pytest.raises(RapportError) as err:
        Store.open("postgresql://nobody@127.0.0.1:1/none", tmp_path)
    assert "\n" not in str(err.value) and "127.0.0.1:1" in str(err.value)


def test_bad_urls_are_one_line(tmp_path):
    with pytest.raises(RapportError, match="not a database URL"):
        Store.open("::nonsense::", tmp_path)
    with pytest.raises(RapportError, match="unsupported database"):
        Store.open("mysql://x@y/z", tmp_path)
