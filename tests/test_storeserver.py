"""The server store's PostgreSQL (rag/storeserver.py): real servers on 127.0.0.1, in a temporary store_home.

One two-shard store is started for the module (a few seconds) and stopped, with its data deleted, at the end.
"""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from rag import Settings
from rag.storeserver import SERVICE_USER, StoreServerError, down, status, up, urls


def _settings(home: Path) -> Settings:
    # store_url None: the URLs come from the store's url file even when RAG_STORE_URL is set around the tests
    return dataclasses.replace(Settings.load(store_home=home), store_url=None)


def _wipe(s: Settings) -> None:
    """Stop the store and delete its data, also what root keeps under /var/lib/rag-store."""
    try:
        down(s)
    finally:
        for root in {shard.data_dir.parent.parent for shard in status(s)}:
            if root != Path(s.store_home).resolve():
                shutil.rmtree(root, ignore_errors=True)


def _one(url: str, query: str) -> object:
    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, list[str]]]:
    s = _settings(tmp_path_factory.mktemp("pg") / "store")
    try:
        yield s, up(s, shards=2)
    finally:
        _wipe(s)


def test_up_gives_one_url_per_shard_with_pgvector_on_loopback(store: tuple[Settings, list[str]]) -> None:
    s, found = store
    assert len(found) == 2 and len({_port(u) for u in found}) == 2
    assert urls(s) == found
    for url in found:
        assert url.startswith("postgresql://rag:") and "@127.0.0.1:" in url and url.endswith("/rag")
        assert str(_one(url, "select extversion from pg_extension where extname = 'vector'")).startswith("0.8")
        assert _one(url, "show listen_addresses") == "127.0.0.1"
        assert int(str(_one(url, "show port"))) == _port(url)
        assert _one(url, "select rolsuper from pg_roles where rolname = current_user") is False
        assert _one(url, "show fsync") == "on"
    shards = status(s)
    assert [(x.name, x.running, x.port) for x in shards] == [
        ("shard-0", True, _port(found[0])),
        ("shard-1", True, _port(found[1])),
    ]
    if os.geteuid() == 0:  # PostgreSQL refuses root: the servers run as the service user
        assert all(pwd.getpwuid(x.data_dir.stat().st_uid).pw_name == SERVICE_USER for x in shards)


def test_a_password_is_needed(
    store: tuple[Settings, list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, found = store
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    port = _port(found[0])
    for url in (f"postgresql://rag@127.0.0.1:{port}/rag", f"postgresql://rag:wrong@127.0.0.1:{port}/rag"):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=5).close()
    with pytest.raises(psycopg.OperationalError):  # nor is the superuser open
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=5).close()


def test_secrets_and_url_file_are_private(store: tuple[Settings, list[str]]) -> None:
    s, found = store
    home = Path(s.store_home)
    for name in ("url", "password", "admin-password"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
    assert (home / "url").read_text().split() == found
    for shard in status(s):
        assert stat.S_IMODE(shard.data_dir.parent.stat().st_mode) == 0o700


def test_up_again_leaves_running_servers_alone(store: tuple[Settings, list[str]]) -> None:
    s, found = store
    started = [_one(u, "select pg_postmaster_start_time()") for u in found]
    assert up(s, shards=2) == found
    assert [_one(u, "select pg_postmaster_start_time()") for u in found] == started


def test_fewer_shards_than_the_store_has_is_refused(store: tuple[Settings, list[str]]) -> None:
    s, _ = store
    with pytest.raises(StoreServerError, match=r"SHARDS=2.*store-down"):
        up(s, shards=1)
    assert all(x.running for x in status(s))


def test_down_then_up_keeps_the_data_and_a_taken_port_moves(store: tuple[Settings, list[str]]) -> None:
    s, found = store
    with psycopg.connect(found[1]) as conn:
        conn.execute("create table kept (id int primary key, v text)")
        conn.execute("insert into kept select i, 'row ' || i from generate_series(1, 100) i")
    down(s)
    assert not any(x.running for x in status(s))
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(found[1], connect_timeout=2).close()
    down(s)  # nothing runs: fine

    with socket.socket() as squatter:  # shard-1's port is taken while it is down: it moves, the url file follows
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # our own closed connections linger
        squatter.bind(("127.0.0.1", _port(found[1])))
        squatter.listen()
        again = up(s, shards=2)
    assert again[0] == found[0] and _port(again[1]) != _port(found[1])
    assert urls(s) == again
    assert _one(again[1], "select count(*) from kept") == 100
    assert up(s, shards=2) == again  # and it stays on the new port


def test_urls_come_from_the_settings_first(tmp_path: Path) -> None:
    s = _settings(tmp_path / "none")
    with pytest.raises(StoreServerError, match="make store-up"):
        urls(s)
    given = "postgresql://a@127.0.0.1:1/rag, postgresql://b@127.0.0.1:2/rag  postgresql://c@127.0.0.1:3/rag"
    assert urls(s.replace(store_url=given)) == [f"postgresql://{x}@127.0.0.1:{i}/rag" for i, x in enumerate("abc", 1)]
    down(s)  # no store at all: nothing to do
    assert status(s) == []
