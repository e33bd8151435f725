"""Load on `jipp-kb serve`'s search API: N concurrent clients for S seconds.

    .venv/bin/python benchmarks/serve_load.py                 # 16 clients, 60 s, the real index (.jipp)
    .venv/bin/python benchmarks/serve_load.py --clients 32 --seconds 30 --mode keyword
    .venv/bin/python benchmarks/serve_load.py --processes 2 --corpus /tmp/synth/10000 --index-dir /tmp/synth/10000-index

Starts the WSGI app on waitress in this process (8 threads), or in
``--processes`` worker processes each with its own port and its own copy of the
read-only index (the clients spread over them in turn, as a load balancer
would), then runs the clients in threads over real HTTP (keep-alive off, like
independent browsers) with queries drawn in turn from
benchmarks/search_speed.py's list and the judged queries, and prints
requests/s, latency p50/p95/p99 and the count of errors (any status other
than 200, or a dropped connection).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def start_app(corpus: Path | None, index_dir: Path | None, port: int = 0):
    """The app on waitress in a thread of this process; returns (server, app)."""
    from jipp_kb.config import load_config
    from jipp_kb.corpus import load_corpus
    from jipp_kb.serve import App, make_server

    config = load_config(ROOT / "jipp-kb.toml")
    config = dataclasses.replace(config, corpus=corpus or config.corpus, index_dir=index_dir or config.index_dir)
    site = ROOT / "_site"
    site.mkdir(exist_ok=True)
    app = App(config, load_corpus(config.resolve(config.corpus)), site)
    server = make_server(app, "127.0.0.1", port)
    return server, app


def child(corpus: str, index_dir: str) -> None:
    """A worker process: serve until killed, after printing the port."""
    server, _ = start_app(Path(corpus) if corpus else None, Path(index_dir) if index_dir else None)
    print(server.effective_port, flush=True)
    server.run()


def main() -> None:
    from search_speed import QUERIES, judged

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "keyword", "semantic"))
    parser.add_argument("--processes", type=int, default=1, help="worker processes, each with its own port (a load balancer's pool)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: jipp-kb.toml's)")
    parser.add_argument("--index-dir", type=Path, help="index folder (default: jipp-kb.toml's)")
    args = parser.parse_args()
    queries = QUERIES + judged()

    workers: list[subprocess.Popen] = []
    if args.processes == 1:
        server, app = start_app(args.corpus, args.index_dir)
        threading.Thread(target=server.run, daemon=True).start()
        ports, cases = [server.effective_port], len(app.corpus.cases)
    else:
        probe = "import sys; sys.path.insert(0, sys.argv[1]); from serve_load import child; child(sys.argv[2], sys.argv[3])"
        for _ in range(args.processes):
            command = [sys.executable, "-c", probe, str(Path(__file__).parent), str(args.corpus or ""), str(args.index_dir or "")]
            workers.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
        ports = [int(w.stdout.readline()) for w in workers]
        cases = len(list((args.corpus or ROOT / "corpus").glob("*.md")))
    bases = [f"http://127.0.0.1:{port}/api/search?mode={args.mode}&q=" for port in ports]

    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < stop:
            url = bases[i % len(bases)] + urllib.parse.quote(queries[i % len(queries)])
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
    if workers:
        for w in workers:
            w.terminate()
            w.wait()
    else:
        server.close()
    ms = sorted(t * 1000 for t in times)
    pct = lambda p: ms[min(len(ms) - 1, int(len(ms) * p))] if ms else float("nan")  # noqa: E731
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.clients} clients × {args.seconds:.0f} s, mode {args.mode}, {cases} cases, {args.processes} process(es); load average {load}"
    )
    print(f"requests {len(ms)} ok, {len(errors)} errors; {len(ms) / wall:.1f} requests/s")
    print(f"latency p50 {statistics.median(ms):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms")
    if errors:
        print("first errors:", errors[:5])


if __name__ == "__main__":
    main()
