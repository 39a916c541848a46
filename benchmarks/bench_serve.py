"""Load test of ``kemitraan-assess serve`` (issue 13), on 127.0.0.1 only, bounded in time.

Starts the server in its own process on a free loopback port with a fresh data folder,
creates a project of 500 partnerships (3,000 respondents) and a small second project, then
runs 20 concurrent clients for 60 s. Each client, in a loop, opens the results page of the
500-partnership project (timed), the project page, a partnership's report in the page, and
every fifth turn uploads an export to the small project. At the end every upload that
was answered with success is looked for in the store (its round, its sha256 and its
bytes on disk).

Prints the p50 / p95 latency of the results page, the request count, errors (any
non-success answer or failed request) and lost uploads: the goal is 0 errors and 0 lost.

Usage::

    .venv/bin/python benchmarks/bench_serve.py [--clients 20] [--duration 60] [--partnerships 500]

Only the loopback address is ever contacted, and the loop stops by itself.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

HOST = "127.0.0.1"  # never anything else
MAX_CLIENTS = 50
MAX_DURATION = 300.0


def big_export(partnerships: int, per: int = 6, seed: int = 7) -> bytes:
    from kemitraan_assess import load_instrument

    inst = load_instrument("kemitraan-readiness")
    rng = np.random.default_rng(seed)
    n = partnerships * per
    data: dict[str, object] = {
        "partnership": np.repeat([f"Kemitraan {i:04d}" for i in range(partnerships)], per)
    }
    base = rng.normal(3.6, 0.5, size=partnerships).repeat(per)
    for item in inst.items:
        data[item] = np.clip(np.rint(base + rng.normal(0, 0.9, size=n)), 1, 5).astype(int)
    buf = io.StringIO()
    pd.DataFrame(data).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    if not m:
        raise RuntimeError("no CSRF token in the page")
    return m.group(1)


def new_project(c: httpx.Client, name: str) -> tuple[str, str]:
    csrf = csrf_of(c.get("/").text)
    r = c.post(
        "/projects",
        data={
            "csrf": csrf,
            "name": name,
            "instrument": "bundled:kemitraan-readiness",
            "lang": "id",
            "min_group_size": "5",
        },
        files={"logo": ("", b"")},
    )
    r.raise_for_status()
    return str(r.url).rsplit("/", 1)[1], csrf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--partnerships", type=int, default=500)
    ap.add_argument(
        "--keep", action="store_true", help="Keep the data folder (removed by default)."
    )
    args = ap.parse_args()
    clients = min(args.clients, MAX_CLIENTS)
    duration = min(args.duration, MAX_DURATION)

    data_dir = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    port = free_port()
    url = f"http://{HOST}:{port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kemitraan_assess",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--data",
            str(data_dir),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        end = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > end or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        run(url, data_dir, clients, duration, args.partnerships)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(url: str, data_dir: Path, clients: int, duration: float, n_partnerships: int) -> None:
    from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
    from kemitraan_assess.instrument import load_instrument

    with httpx.Client(base_url=url, follow_redirects=True, timeout=300) as c:
        big_pid, csrf = new_project(c, "Beban 500 kemitraan")
        t0 = time.perf_counter()
        r = c.post(
            f"/p/{big_pid}/upload",
            data={"csrf": csrf},
            files={"export": ("besar.csv", big_export(n_partnerships))},
        )
        r.raise_for_status()
        t_upload = time.perf_counter() - t0
        t0 = time.perf_counter()
        c.get(f"/p/{big_pid}/r/1/results").raise_for_status()
        t_first = time.perf_counter() - t0
        small_pid, _ = new_project(c, "Unggahan bersamaan")
    small = demo_csv_bytes(
        make_demo_survey(load_instrument("kemitraan-readiness"), seed=3).head(60)
    )
    results_path = f"/p/{big_pid}/r/1/results"
    latencies: list[float] = []
    uploads: list[tuple[str, str]] = []  # (sha256, round url) answered with success
    errors: list[str] = []
    counts = {"requests": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(k: int) -> None:
        with httpx.Client(base_url=url, follow_redirects=True, timeout=120) as cl:
            token = csrf_of(cl.get("/").text)
            turn = 0
            while time.monotonic() < stop_at:
                turn += 1
                try:
                    t = time.perf_counter()
                    r = cl.get(results_path + ("?sort=index&order=desc" if turn % 2 else ""))
                    dt = time.perf_counter() - t
                    n = 1
                    ok = r.status_code == 200 and 'table class="heat"' in r.text
                    r2 = cl.get(f"/p/{big_pid}")
                    r3 = cl.get(
                        f"/p/{big_pid}/r/1/partnership?name=Kemitraan%20"
                        f"{(k * 37 + turn) % n_partnerships:04d}"
                    )
                    n += 2
                    ok = ok and r2.status_code == 200 and r3.status_code == 200
                    if turn % 5 == 0:
                        payload = small + b"\n" * (k * 1000 + turn)  # unique bytes per upload
                        r4 = cl.post(
                            f"/p/{small_pid}/upload",
                            data={"csrf": token},
                            files={"export": (f"klien-{k}-{turn}.csv", payload)},
                        )
                        n += 1
                        if r4.status_code == 200 and "/check" in str(r4.url):
                            with lock:
                                uploads.append((hashlib.sha256(payload).hexdigest(), str(r4.url)))
                        else:
                            ok = False
                    with lock:
                        latencies.append(dt)
                        counts["requests"] += n
                        if not ok:
                            errors.append(f"client {k} turn {turn}: {r.status_code}")
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"client {k}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    db = sqlite3.connect(data_dir / "kemitraan.sqlite3")
    stored = {
        sha: uid
        for uid, sha in db.execute(
            "SELECT id, sha256 FROM uploads WHERE project_id = ?", (small_pid,)
        )
    }
    rounds = sorted(
        r for (r,) in db.execute("SELECT round FROM uploads WHERE project_id = ?", (small_pid,))
    )
    lost = 0
    for sha, _ in uploads:
        uid = stored.get(sha)
        path = data_dir / "files" / f"{uid}.bin"
        if (
            uid is None
            or not path.is_file()
            or hashlib.sha256(path.read_bytes()).hexdigest() != sha
        ):
            lost += 1
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)] if ms else float("nan")
    print(f"server: kemitraan-assess serve on {url} (data {data_dir}), {os.cpu_count()} cores")
    print(
        f"setup: upload of {n_partnerships} partnerships x 6 respondents {t_upload:.2f} s; "
        f"first results page (ingest + score, cached) {t_first:.2f} s"
    )
    print(f"load: {clients} clients for {duration:.0f} s, {counts['requests']} requests")
    print(
        f"results page ({n_partnerships} partnerships): n={len(ms)} "
        f"p50={statistics.median(ms):.0f} ms "
        f"p95={p95:.0f} ms max={ms[-1]:.0f} ms"
    )
    print(
        f"uploads answered with success: {len(uploads)}; rounds stored {len(rounds)} "
        f"(1..{rounds[-1] if rounds else 0}, no gap: {rounds == list(range(1, len(rounds) + 1))})"
    )
    print(f"errors: {len(errors)}; lost uploads: {lost}")
    for e in errors[:10]:
        print("  ", e)
    if errors or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
