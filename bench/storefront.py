"""Storefront throughput: the demo marketplace served by gunicorn (2 workers), measured with wrk
(or a Python keep-alive client when wrk is missing) for the product page, a category page and search,
beside the trivial JSON endpoint /healthz on the same server in the same run.

    PYTHONPATH=src .venv/bin/python bench/storefront.py [--var-dir var] [--seconds 10] [--connections 8]

The demo must be built in --var-dir (`kkot demo --no-serve`). Aim (issue 2): product page >= 1/3 of the
trivial endpoint's requests/s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wait_up(port: int, timeout: float = 60) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def run_wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else (v * 1000 if unit == "s" else v)

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  warning: {non2xx.group(1)} non-2xx responses for {url}")
    return rps, ms("50"), ms("99")


def run_python(url_path: str, port: int, seconds: int, connections: int) -> tuple[float, float, float]:
    lat: list[float] = []
    stop = time.time() + seconds
    lock = threading.Lock()

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.time() < stop:
            t = time.perf_counter()
            c.request("GET", url_path)
            r = c.getresponse()
            r.read()
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat.sort()
    return len(lat) / (time.time() - t0), statistics.median(lat), lat[int(len(lat) * 0.99) - 1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--var-dir", default=str(ROOT / "var"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    db = Path(args.var_dir) / "kkot.sqlite3"
    if not db.exists():
        raise SystemExit(f"no demo database at {db}: run `kkot demo --no-serve` first (KKOT_VAR_DIR={args.var_dir})")
    con = sqlite3.connect(db)
    rnd = random.Random(0)
    product = con.execute(
        "SELECT s.slug, p.id FROM catalog_product p JOIN stores_store s ON s.id = p.store_id "
        "WHERE p.status = 'on_sale' ORDER BY p.popularity DESC LIMIT 1").fetchone()
    cat = con.execute("SELECT slug FROM catalog_category WHERE slug = 'women'").fetchone()[0]
    names = [r[0] for r in con.execute("SELECT name FROM catalog_product WHERE status='on_sale' LIMIT 500")]
    query = " ".join(rnd.choice(names).split()[-2:])
    n_products = con.execute("SELECT COUNT(*) FROM catalog_product").fetchone()[0]
    con.close()
    from urllib.parse import quote

    targets = [
        ("trivial JSON /healthz", "/healthz"),
        ("product page", f"/s/{product[0]}/p/{product[1]}/"),
        ("category page", f"/c/{cat}/"),
        ("search", f"/search/?q={quote(query)}"),
    ]
    env = dict(os.environ, KKOT_VAR_DIR=args.var_dir, KKOT_DEBUG="0", PYTHONPATH=str(ROOT / "src"),
               KKOT_ALLOWED_HOSTS="127.0.0.1,localhost")
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen([gunicorn, "kkot.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{args.port}",
                               "--log-level", "warning"], env=env, start_new_session=True)
    try:
        wait_up(args.port)
        for _label, path in targets:  # warm: search index load, template caches
            for _ in range(3):
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                assert r.status == 200, (path, r.status)
        use_wrk = shutil.which("wrk") is not None
        rows = []
        for label, path in targets:
            url = f"http://127.0.0.1:{args.port}{path}"
            rps, p50, p99 = (run_wrk(url, args.seconds, args.connections) if use_wrk
                             else run_python(path, args.port, args.seconds, args.connections))
            rows.append((label, rps, p50, p99))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    base = rows[0][1]
    print(f"\nkkot storefront, gunicorn 2 sync workers, {n_products:,} products, {args.connections} connections, "
          f"{args.seconds}s each, client: {'wrk' if use_wrk else 'python'}")
    print(f"{'endpoint':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs trivial':>12}")
    for label, rps, p50, p99 in rows:
        print(f"{label:<24}{rps:>10.1f}{p50:>10.2f}{p99:>10.2f}{rps / base:>12.2f}")
    print("aim: product page >= 0.33 of the trivial endpoint")
    keys = ["trivial", "product", "category", "search"]
    parts = [f"{k}_rps={r[1]:.1f} {k}_p50_ms={r[2]:.2f} {k}_p99_ms={r[3]:.2f}" for k, r in zip(keys, rows, strict=True)]
    ratios = " ".join(f"{k}_ratio={r[1] / base:.3f}" for k, r in zip(keys[1:], rows[1:], strict=True))
    print("RESULT " + " ".join(parts) + " " + ratios)
    return 0


if __name__ == "__main__":
    sys.exit(main())
