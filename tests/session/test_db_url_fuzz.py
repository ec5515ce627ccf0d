"""Fuzzing the session store URL: any string given to ``--db`` / ``RAPPORT_DB`` is a usable URL or a
clean one-line ``RapportError`` - never another exception, never a traceback.

Nothing here connects anywhere but this machine: arbitrary strings only go to the parser
(``parse_url`` never connects), and ``Store.open`` is only given SQLite files inside the test's
temporary folder (and, once, PostgreSQL on a closed loopback port)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulator.errors import RapportError
from simulator.session.db import parse_url
from simulator.session.store import Store

FUZZ = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip

URL_BITS = st.sampled_from([
    "postgresql://", "postgresql+psycopg://", "postgresql+asyncpg://", "sqlite://", "sqlite:///", "sqlite:////",
    "mysql://", "://", "u", "@", ":", "[", "]", "::1", "/", "?", "&", "=", "#", "%", "%00", "%zz", "localhost",
    "127.0.0.1", "abc", "65536", "0", "-1", "99999999999999999999", "~", "~nobody", "..", " ", "\x00", "\n", "\x1b",
    "é", "timeout=", "uri=true", "mode=ro", "host=", "port=",
])  # fmt: skip


def check(url: str) -> sa.URL | None:
    """``parse_url(url)``: the URL, or None after a one-line RapportError."""
    try:
        parsed = parse_url(url)
    except RapportError as exc:
        assert str(exc) and "\n" not in str(exc), str(exc)
        return None
    assert parsed.get_backend_name() in ("sqlite", "postgresql")
    assert parsed.drivername in ("sqlite", "postgresql+psycopg")
    assert parsed.port is None or 0 < parsed.port < 65536
    return parsed


@FUZZ
@given(url=st.one_of(st.text(), st.lists(URL_BITS | st.text(max_size=6), max_size=12).map("".join)))
def test_any_string_parses_to_a_url_or_a_clean_error(url):
    check(url)


@FUZZ
@given(user=st.text(max_size=8), host=st.text(max_size=12), port=st.text(max_size=6),
       database=st.text(max_size=10), query=st.text(max_size=12))  # fmt: skip
def test_postgresql_urls_with_any_parts_parse_or_fail_cleanly(user, host, port, database, query):
    url = f"postgresql://{user}@{host}{':' + port if port else ''}/{database}{'?' + query if query else ''}"
    parsed = check(url)
    if parsed is not None:
        assert parsed.get_backend_name() == "postgresql"  # parsed only: nothing connects to it


#: a file name in the test folder (no "/": nothing is created outside it)
NAMES = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=20)
QUERIES = st.lists(st.tuples(st.sampled_from(["timeout", "uri", "mode", "cache", "check_same_thread",
                                              "isolation_level", "cached_statements", "detect_types", "foo"]),
                             st.text(max_size=6)), max_size=3)  # fmt: skip


@FUZZ
@given(name=NAMES, query=QUERIES, read=st.booleans())
def test_store_open_on_any_sqlite_file_name_and_options_opens_or_fails_cleanly(tmp_path, name, query, read):
    folder = tmp_path / "dbs"
    folder.mkdir(exist_ok=True)
    assume(name not in (".", ".."))
    url = f"sqlite:///{folder}/{name}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    parsed = check(url)
    if parsed is None:
        return
    assume(parsed.database and Path(parsed.database).parent == folder)  # "#" or "?" in the name cut it short
    try:
        store = Store.open(url, read=read)
    except RapportError as exc:
        assert str(exc) and "\n" not in str(exc), str(exc)
        return
    with store:
        assert store.list_sessions() == []
    assert all(p.parent == folder for p in folder.rglob("*"))


def test_postgresql_on_a_closed_loopback_port_is_one_line():
    with pytest.raises(RapportError) as caught:
        Store.open("postgresql://rapport@127.0.0.1:1/rapport")
    assert "\n" not in str(caught.value) and "127.0.0.1" in str(caught.value)


@pytest.mark.parametrize("url", ["postgresql://u@[::1", "postgresql://u@localhost:abc/db", "postgresql://u@h:0/d",
                                 "postgresql://u@h:65536/d", "postgresql+asyncpg://u@h/d", "mysql://u@h/d",
                                 "sqlite+pysqlcipher:///x.db", "", "   ", "sqlite:///x\x00.db", "sqlite:///\x1b[2J"])
def test_known_bad_urls_are_refused_by_the_parser(url):
    assert check(url) is None


@pytest.mark.parametrize(("url", "driver"), [("postgresql://u@localhost/db", "postgresql+psycopg"),
                                             ("postgresql+psycopg://u:pw@[::1]:5433/db", "postgresql+psycopg"),
                                             ("sqlite:///sessions.db", "sqlite"), ("sqlite://", "sqlite")])
def test_good_urls_parse(url, driver):
    assert check(url).drivername == driver


def test_an_unclosed_ipv6_bracket_is_named_as_such():
    with pytest.raises(RapportError, match=r"an IPv6 host is written in brackets, \[::1\], with both of them"):
        parse_url("postgresql://u@[::1")
    with pytest.raises(RapportError, match=r"unreadable host or port \(a port is a number\)"):
        parse_url("postgresql://u@localhost:abc/db")
