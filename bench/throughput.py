"""Throughput of the JSON API (`rag api`) served as replicas: requests/s and latency as users grow.

Starts `rag api --workers N` on a free port, in the environment it is run in (so
`RAG_STORE=server python bench/throughput.py ...` measures the server store), waits for /health,
warms every worker up with one /ask (--warm-all: every question; the claim checker caches what it
has parsed, so a question seen before costs less), then for each concurrency level U runs U client
threads that together send --requests POST /ask requests (questions cycled from
tests/data/questions.jsonl). Each request opens its own connection, so the kernel spreads them over
the workers (--keepalive: one connection per user instead). Prints a table, writes --json, stops the
server at the end (also on Ctrl+C or SIGTERM).

    python bench/throughput.py --workers 2 --users 1,5,20 --requests 40 --json out.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from rag.bench import cpu_model

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_questions(path: Path) -> list[str]:
    out = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not out:
        raise SystemExit(f"no questions in {path}")
    return out


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Server:
    """`rag api` as a subprocess, its output in a log file (shown if it fails to start)."""

    def __init__(self, workers: int, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix="rag-api-", suffix=".log", delete=False)  # noqa: SIM115
        cmd = [sys.executable, "-m", "rag.cli", "api", "--workers", str(workers), "--port", str(port)]
        # its own process group: a Ctrl+C in the terminal reaches only us, and we stop it in order
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def wait_healthy(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"rag api exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                r = httpx.get(f"{self.url}/health", timeout=5)
                if r.status_code == 200:
                    return dict(r.json())
                if r.status_code == 503:
                    raise SystemExit(f"rag api has no usable index: {r.json().get('error')}")
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"rag api did not answer /health within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            say("stopping the server")
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


def ask(client: httpx.Client, url: str, question: str) -> tuple[float, bool, str]:
    """One POST /ask: (seconds, ok, worker pid)."""
    t0 = time.perf_counter()
    try:
        r = client.post(f"{url}/ask", json={"question": question})
        ok = r.status_code == 200
        pid = r.headers.get("X-Worker-Pid", "?")
    except httpx.HTTPError:
        ok, pid = False, "?"
    return time.perf_counter() - t0, ok, pid


def client(keepalive: bool) -> httpx.Client:
    limits = httpx.Limits(max_keepalive_connections=1 if keepalive else 0)
    return httpx.Client(timeout=300, limits=limits)


def warm_up(url: str, workers: int, questions: list[str]) -> set[str]:
    """Send `questions` to every worker, unmeasured. A kept-alive connection stays with the worker that
    accepted it, so: open connections until each worker holds one, then ask on each, in parallel."""
    pinned: dict[str, httpx.Client] = {}
    for _ in range(50 * workers):
        c = client(True)
        pid = str(c.get(f"{url}/health").json()["pid"])
        if pid in pinned:
            c.close()
        else:
            pinned[pid] = c
        if len(pinned) == workers:
            break
    answered: set[str] = set()

    def one(c: httpx.Client) -> None:
        for q in questions:
            _, ok, pid = ask(c, url, q)
            if ok:
                answered.add(pid)

    threads = [threading.Thread(target=one, args=(c,)) for c in pinned.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in pinned.values():
        c.close()
    return answered


def run_level(url: str, users: int, requests: int, questions: list[str], keepalive: bool) -> dict[str, Any]:
    """`users` threads sending `requests` /ask requests between them, each as soon as its last one is answered."""
    lock = threading.Lock()
    numbers = itertools.count()
    latencies: list[float] = []
    pids: dict[str, int] = {}
    errors = 0

    def user() -> None:
        nonlocal errors
        with client(keepalive) as c:
            while True:
                with lock:
                    i = next(numbers)
                if i >= requests:
                    return
                seconds, ok, pid = ask(c, url, questions[i % len(questions)])
                with lock:
                    if ok:
                        latencies.append(seconds)
                    else:
                        errors += 1
                    pids[pid] = pids.get(pid, 0) + 1
                    done = len(latencies) + errors
                if done % 10 == 0 or done == requests:
                    say(f"  users {users}: {done}/{requests}")

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "users": users,
        "requests": requests,
        "wall_s": round(wall, 2),
        "requests_per_s": round(requests / wall, 2),
        "p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
        "p95_ms": round(percentile(latencies, 95) * 1000) if latencies else None,
        "max_ms": round(max(latencies) * 1000) if latencies else None,
        "errors": errors,
        "per_worker": dict(sorted(pids.items())),  # requests answered by each worker pid
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # before and after the level
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = f"{'users':>5} {'requests':>8} {'wall s':>7} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}"
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['users']:>5} {r['requests']:>8} {r['wall_s']:>7.1f} {r['requests_per_s']:>6.2f} "
            f"{r['p50_ms'] or '-':>7} {r['p95_ms'] or '-':>7} {r['errors']:>6}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1, help="replica processes of `rag api` (default 1)")
    parser.add_argument("--users", default="1,5,20", help="concurrency levels, comma-separated (default 1,5,20)")
    parser.add_argument("--requests", type=int, default=40, help="/ask requests per level (default 40)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="JSONL with a 'question' field per line")
    parser.add_argument("--keepalive", action="store_true", help="one connection per user, not one per request")
    parser.add_argument("--warm-all", action="store_true", help="warm each worker up with every question, not just one")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--start-timeout", type=float, default=300, help="seconds to wait for /health")
    args = parser.parse_args()
    levels = [int(u) for u in args.users.split(",") if u.strip()]
    questions = load_questions(args.questions)
    store = os.environ.get("RAG_STORE") or "local"

    def stopped(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a SIGTERM stops the server too, like Ctrl+C

    signal.signal(signal.SIGTERM, stopped)

    server = Server(args.workers, free_port())
    try:
        say(f"starting rag api --workers {args.workers} on {server.url} (store {store})")
        health = server.wait_healthy(args.start_timeout)
        warm = questions if args.warm_all else questions[:1]
        say(f"healthy: {health['articles']} articles, {health['chunks']} chunks; {len(warm)} warm-up /ask per worker")
        warmed = warm_up(server.url, args.workers, warm)
        if len(warmed) < args.workers:
            say(f"warning: only {len(warmed)} of {args.workers} workers answered a warm-up request")
        rows = []
        for users in levels:
            say(f"{users} users, {args.requests} requests")
            rows.append(run_level(server.url, users, args.requests, questions, args.keepalive))
    except KeyboardInterrupt:
        say("interrupted")
        raise SystemExit(130) from None
    finally:
        server.stop()

    print(f"rag api --workers {args.workers}, store {store}, {os.cpu_count()} CPUs ({cpu_model()})")
    print(table(rows))
    if args.json:
        result = {
            "workers": args.workers,
            "store": store,
            "keepalive": args.keepalive,
            "warm_all": args.warm_all,
            "threads": os.environ.get("RAG_THREADS") or "default (all CPUs)",
            "cpu_count": os.cpu_count(),
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
            "questions": str(args.questions),
            "articles": health["articles"],
            "chunks": health["chunks"],
            "levels": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        say(f"wrote {args.json}")


if __name__ == "__main__":
    main()
