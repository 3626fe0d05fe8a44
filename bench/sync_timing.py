"""Time `sync_index` on a copy of the MultiHop-RAG eval index: nothing changed, then one article added
(a bundled .txt), one changed (a paragraph appended) and one deleted, synced together.

    rag eval ../shared/eval-data/multihop-rag      # builds .eval/multihop-rag once
    python bench/sync_timing.py [--source .eval/multihop-rag] [--work /tmp/sync-timing]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from rag import Settings, sync_index

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, default=ROOT / ".eval" / "multihop-rag")
    ap.add_argument("--work", type=Path, default=Path("/tmp/sync-timing"))
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    shutil.copytree(args.source / "corpus", args.work / "corpus")
    shutil.copytree(args.source / "index", args.work / "index", symlinks=True)
    s = Settings.load(corpus_dir=args.work / "corpus", index_dir=args.work / "index")

    t = time.perf_counter()
    summary = sync_index(settings=s)
    print(f"nothing changed: {time.perf_counter() - t:.2f} s |", summary.line())
    records = sorted((args.work / "corpus").glob("*.json"))
    shutil.copy(sorted((ROOT / "corpus").glob("*.txt"))[0], args.work / "corpus" / "new-article.txt")
    rec = json.loads(records[1].read_text())
    rec["body"] += "\n\nThis paragraph was added later."
    records[1].write_text(json.dumps(rec))
    records[2].unlink()
    print(f"load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    summary = sync_index(settings=s)
    print(f"add + change + delete: {time.perf_counter() - t:.2f} s |", summary.line())


if __name__ == "__main__":
    main()
