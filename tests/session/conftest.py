"""Store fixtures: every store test runs once on SQLite and once on PostgreSQL.

PostgreSQL comes from ``scripts/postgres.sh start`` (URL in RAPPORT_TEST_PG); each test gets
its own schema (``search_path``), dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import require_service  # noqa: E402

from simulator.session.store import Store  # noqa: E402

PG_URL = os.environ.get("RAPPORT_TEST_PG", "postgresql+psycopg://rapport@127.0.0.1:54329/rapport_test")


def _pg_reachable() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 (any failure means: not reachable)
        return str(exc).splitlines()[0]
    return None


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema (dropped after the test)."""
    problem = _pg_reachable()
    if problem:
        require_service("PostgreSQL", f"{PG_URL}: {problem} (run `sh scripts/postgres.sh start`)")
    schema = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """The store URL: an SQLite file in the test's folder, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sessions.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url, tmp_path):
    s = Store.open(db_url, tmp_path / "audio")
    yield s
    s.close()
