"""Serve the chat, ask it one question, and record every connection or name lookup this process
attempts beyond 127.0.0.1 (an audit hook). tests/test_ui.py runs it inside a network namespace with
only loopback; it prints one line, RESULT {json}.

    python tests/offline_probe.py CORPUS INDEX COLLECTIONS PORT
    python tests/offline_probe.py --client URL      (the client: another process, not under test)
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

QUESTION = "How many Russian contractors are in Venezuela?"
outbound: list[str] = []


def hook(event: str, args: Any) -> None:
    if event == "socket.connect" and isinstance(args[1], tuple):
        try:
            if not ipaddress.ip_address(args[1][0]).is_loopback:
                outbound.append(f"connect {args[1]}")
        except ValueError:
            outbound.append(f"connect {args[1]}")
    elif event == "socket.getaddrinfo" and args[0] not in ("localhost", "127.0.0.1", "::1", b"localhost", None):
        outbound.append(f"lookup {args[0]}")


def client(url: str) -> None:
    from gradio_client import Client

    chat = Client(url, verbose=False, analytics_enabled=False).predict(QUESTION, 5, api_name="/ask")[0]
    content = chat[-1]["content"]
    print(content if isinstance(content, str) else "".join(p.get("text", "") for p in content))


def server(corpus: str, index: str, root: str, port: str) -> None:
    sys.addaudithook(hook)
    from rag import Settings
    from ui.app import build_app, launch

    settings = Settings.load(corpus_dir=Path(corpus), index_dir=Path(index), collections_dir=Path(root))
    app = build_app(settings)
    launch(app, port=int(port), prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    config = json.load(urllib.request.urlopen(url + "config"))
    page = urllib.request.urlopen(url).read().decode()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    asked = subprocess.run(
        [sys.executable, __file__, "--client", url], capture_output=True, text=True, timeout=300, env=env
    )
    time.sleep(2)  # a version check or telemetry thread would have started by now
    external = re.findall(r"""(?:src|href)=["'](https?://(?!127\.0\.0\.1)[^"']+)""", page)
    result = {
        "analytics": config.get("analytics_enabled"),
        "outbound": outbound,
        "answer": asked.stdout + asked.stderr[-2000:],
        "external_in_page": external,
    }
    print("RESULT " + json.dumps(result))
    app.close()


if __name__ == "__main__":
    if sys.argv[1] == "--client":
        client(sys.argv[2])
    else:
        server(*sys.argv[1:5])
