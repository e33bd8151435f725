"""Load on `jipp-kb serve`'s search API: N concurrent clients for S seconds.

    .venv/bin/python benchmarks/serve_load.py                 # 16 clients, 60 s, the real index (.jipp)
    .venv/bin/python benchmarks/serve_load.py --clients 32 --seconds 30 --mode keyword

Starts the WSGI app on waitress in this process (8 threads), then runs the
clients in threads over real HTTP (keep-alive off, like independent
browsers) with queries drawn in turn from benchmarks/search_speed.py's list,
and prints requests/s, latency p50/p95/p99 and the count of errors (any
status other than 200, or a dropped connection).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def main() -> None:
    from search_speed import QUERIES

    from jipp_kb.config import load_config
    from jipp_kb.corpus import load_corpus
    from jipp_kb.serve import App, make_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "keyword", "semantic"))
    args = parser.parse_args()

    config = load_config(ROOT / "jipp-kb.toml")
    site = ROOT / "_site"
    site.mkdir(exist_ok=True)
    app = App(config, load_corpus(config.resolve(config.corpus)), site)
    server = make_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}{app.urls.base}api/search?mode={args.mode}&q="

    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < stop:
            url = base + urllib.parse.quote(QUERIES[i % len(QUERIES)])
            i += args.clients
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    r.read()
                    ok = r.status == 200
            except (urllib.error.URLError, OSError) as exc:
                ok, err = False, repr(exc)
            else:
                err = ""
            elapsed = time.perf_counter() - start
            with lock:
                (times.append(elapsed) if ok else errors.append(err or "status"))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    server.close()
    ms = sorted(t * 1000 for t in times)
    pct = lambda p: ms[min(len(ms) - 1, int(len(ms) * p))] if ms else float("nan")  # noqa: E731
    print(f"{args.clients} clients × {args.seconds:.0f} s, mode {args.mode}, {len(app.corpus.cases)} cases")
    print(f"requests {len(ms)} ok, {len(errors)} errors; {len(ms) / wall:.1f} requests/s")
    print(f"latency p50 {statistics.median(ms):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms")
    if errors:
        print("first errors:", errors[:5])


if __name__ == "__main__":
    main()
