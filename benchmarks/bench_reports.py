"""Batch report benchmark (issue 6, 'Speed').

Builds a survey of N partnerships (default 200) from seeded demo surveys, scores it, then:

1. renders every report (HTML + PDF) sequentially in this process, timing WeasyPrint alone
   on each report's final HTML (``render_pdf``) inside the run, so the share of everything
   else (context, Jinja, SVG, file writing, index) is ``1 - weasyprint / total``;
2. renders the same reports on a local process pool of 2 workers into a fresh folder
   (throughput ratio against 1.), sampling the resident memory of every worker process;
3. re-runs the pooled batch to show that unchanged reports are skipped;
4. runs the whole ``kemitraan-assess report SURVEY --workers 1`` command (start-up, ingest,
   scoring, every report, the index) as a subprocess, and sets the WeasyPrint time of 1.
   against it: the share of everything besides WeasyPrint in what a user waits for.

5. (``--ratio-only``, also run first by default) the layout cost: ``render_pdf`` on a full
   report of a demo partnership against ``render_pdf`` on the same text as plain paragraphs
   (every text block of the report as a ``<p>``, no stylesheet beyond the page size), median
   of 5 runs each, in CPU time (robust on a shared machine) and wall time. Goal (issue 11): <= 4x.

Goals: everything besides WeasyPrint <= 10 % of the total; 2 workers >= 1.5x the
sequential throughput; peak memory per worker <= 300 MiB.

Usage::

    .venv/bin/python benchmarks/bench_reports.py [--n 200] [--lang id] [--workers 2]
    .venv/bin/python benchmarks/bench_reports.py --ratio-only [--lang id]

Run it on an otherwise idle machine: other processes competing for the cores distort the
parallel speed-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd


def build_survey(n_partnerships: int, workdir: Path):
    from kemitraan_assess import load_instrument
    from kemitraan_assess.demo import DEMO_SEED, demo_csv_bytes, make_demo_survey
    from kemitraan_assess.io import ingest
    from kemitraan_assess.scoring import score

    inst = load_instrument("kemitraan-readiness")
    frames, have, k = [], 0, 0
    while have < n_partnerships:
        s = make_demo_survey(inst, seed=DEMO_SEED + k)
        names = s["partnership"].astype(str).str.strip().str.casefold()
        uniq = sorted(names.unique())
        keep = uniq[: n_partnerships - have]
        s = s[names.isin(keep).to_numpy()].copy()
        s["partnership"] = s["partnership"].astype(str).str.strip() + f" (batch {k + 1})"
        if "respondent_id" in s.columns:
            s["respondent_id"] = s["respondent_id"].astype(str) + f"-{k + 1}"
        frames.append(s)
        have += len(keep)
        k += 1
    survey = pd.concat(frames, ignore_index=True)
    path = workdir / "survey.csv"
    path.write_bytes(demo_csv_bytes(survey))
    t0 = time.perf_counter()
    result = score(ingest(path, inst).responses, inst)
    return result, time.perf_counter() - t0, len(survey)


def plain_paragraphs_html(report_html: str, lang: str) -> tuple[str, int]:
    """The text of a report's body as plain paragraphs (one ``<p>`` per text block)."""
    import html as _html
    from html.parser import HTMLParser

    blocks: list[str] = []

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip = 0
            self.buf: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("style", "script", "svg", "title"):
                self.skip += 1
            elif tag in (
                "p",
                "li",
                "h1",
                "h2",
                "h3",
                "tr",
                "dt",
                "dd",
                "caption",
                "figcaption",
                "div",
                "th",
            ):
                self.flush()

        def handle_endtag(self, tag: str) -> None:
            if tag in ("style", "script", "svg", "title"):
                self.skip -= 1
            elif tag in (
                "p",
                "li",
                "h1",
                "h2",
                "h3",
                "tr",
                "dt",
                "dd",
                "caption",
                "figcaption",
                "div",
            ):
                self.flush()

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.buf.append(data)

        def flush(self) -> None:
            text = " ".join("".join(self.buf).split())
            if text:
                blocks.append(text)
            self.buf = []

    parser = _Text()
    parser.feed(report_html)
    parser.flush()
    body = "".join(f"<p>{_html.escape(b)}</p>" for b in blocks)
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>plain</title>'
        f"<style>@page {{ size: A4; margin: 2cm }} body {{ font-family: sans-serif; font-size: 10pt }}</style>"
        f"</head><body>{body}</body></html>"
    )
    return page, len(blocks)


def layout_ratio(lang: str, runs: int = 5) -> None:
    """WeasyPrint time of a full demo report / of the same text as plain paragraphs."""
    import statistics

    import weasyprint

    from kemitraan_assess import load_instrument
    from kemitraan_assess.demo import make_demo_survey
    from kemitraan_assess.io import ingest
    from kemitraan_assess.reporting import build_context, render_html
    from kemitraan_assess.reporting.pdf import render_pdf
    from kemitraan_assess.scoring import score

    inst = load_instrument("kemitraan-readiness")
    with tempfile.TemporaryDirectory() as tmp:
        from kemitraan_assess.demo import demo_csv_bytes

        path = Path(tmp) / "survey.csv"
        path.write_bytes(demo_csv_bytes(make_demo_survey(inst)))
        scores = score(ingest(path, inst).responses, inst)
    print("layout cost: WeasyPrint on a full report / on the same text as plain paragraphs")
    for name in (
        "Gugus Tugas Imunisasi Kota Makassar",
        "Tim Terpadu Kesehatan Jiwa Kab. Gunungkidul",
    ):
        html = render_html(build_context(scores, name, lang=lang))
        plain, n_blocks = plain_paragraphs_html(html, lang)
        render_pdf(html)  # warm up fonts and caches
        pages_full = len(weasyprint.HTML(string=html).render().pages)
        pages_plain = len(weasyprint.HTML(string=plain).render().pages)
        full_t, plain_t, full_c, plain_c = [], [], [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            render_pdf(html)
            full_t.append(time.perf_counter() - t)
            full_c.append(time.process_time() - c)
            t, c = time.perf_counter(), time.process_time()
            render_pdf(
                plain
            )  # same renderer settings (tagged PDF, fetcher): only the layout differs
            plain_t.append(time.perf_counter() - t)
            plain_c.append(time.process_time() - c)
        f, p = statistics.median(full_t), statistics.median(plain_t)
        fc, pc = statistics.median(full_c), statistics.median(plain_c)
        # CPU time is the robust figure on a shared machine (WeasyPrint is single-threaded)
        print(
            f"  {name} ({lang}): full {fc:.2f} s CPU / {f:.2f} s wall ({pages_full} pages), plain "
            f"{pc:.2f} s CPU / {p:.2f} s wall ({pages_plain} pages, {n_blocks} paragraphs): "
            f"ratio {fc / pc:.1f}x CPU, {f / p:.1f}x wall (goal <= 4x)"
        )


class RssSampler:
    """Peak RSS of every descendant process (sampled every 0.2 s with psutil)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.peak: dict[int, tuple[int, int]] = {}  # pid -> (parent pid, peak RSS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = self._psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                    ppid = child.ppid()
                except (self._psutil.NoSuchProcess, self._psutil.AccessDenied):
                    continue
                if rss > self.peak.get(child.pid, (0, 0))[1]:
                    self.peak[child.pid] = (ppid, rss)
            time.sleep(0.2)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200, help="partnerships (default 200)")
    ap.add_argument("--lang", default="id")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--ratio-only", action="store_true", help="only the layout-cost ratio (issue 11)"
    )
    args = ap.parse_args()

    layout_ratio(args.lang)
    if args.ratio_only:
        return

    import kemitraan_assess.reporting.pdf as pdfmod
    from kemitraan_assess.reporting import render_reports
    from kemitraan_assess.reporting.batch import LocalPoolExecutor

    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    print(f"workdir: {work}")
    scores, t_score, n_rows = build_survey(args.n, work)
    n_reports = len(scores.summary["partnerships"])
    print(f"survey: {n_rows} responses, {n_reports} partnerships; ingest + score {t_score:.2f} s")

    # 1. sequential, timing WeasyPrint alone on each final HTML
    real = pdfmod.render_pdf
    wp_times: list[float] = []

    def timed(html: str, **kw: object) -> bytes:
        t = time.perf_counter()
        out = real(html, **kw)
        wp_times.append(time.perf_counter() - t)
        return out

    pdfmod.render_pdf = timed
    t0 = time.perf_counter()
    seq = render_reports(scores, work / "seq", lang=args.lang, workers=1)
    t_seq = time.perf_counter() - t0
    pdfmod.render_pdf = real
    wp = sum(wp_times)
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nsequential: {n_reports} reports in {t_seq:.1f} s = {n_reports / t_seq:.2f} reports/s "
        f"({len(seq.failures)} failed)"
    )
    print(
        f"  WeasyPrint alone (render_pdf on the final HTML): {wp:.1f} s "
        f"({wp / max(len(wp_times), 1):.2f} s per report)"
    )
    print(
        f"  everything else: {t_seq - wp:.1f} s = {100 * (t_seq - wp) / t_seq:.1f} % of the total (goal <= 10 %)"
    )
    print(f"  peak RSS of this process: {rss_self:.0f} MiB")

    # 2. process pool
    ex = LocalPoolExecutor(args.workers)
    with RssSampler() as sampler:
        t0 = time.perf_counter()
        par = render_reports(scores, work / "pool", lang=args.lang, executor=ex)
        t_par = time.perf_counter() - t0
    ex.close()
    # workers are forked by the forkserver: the grandchildren of this process
    me = os.getpid()
    direct = {pid for pid, (ppid, _) in sampler.peak.items() if ppid == me}
    workers = sorted(
        (rss for pid, (ppid, rss) in sampler.peak.items() if ppid in direct), reverse=True
    )
    server = [rss for pid, (ppid, rss) in sampler.peak.items() if pid in direct]
    print(
        f"\n{args.workers} workers: {n_reports} reports in {t_par:.1f} s = {n_reports / t_par:.2f} reports/s "
        f"({len(par.failures)} failed); speed-up {t_seq / t_par:.2f}x (goal >= 1.5x)"
    )
    if workers:
        print(
            f"  peak RSS per worker process: max {workers[0] / 2**20:.0f} MiB "
            f"(all: {', '.join(f'{w / 2**20:.0f}' for w in workers[:8])} MiB; goal <= 300 MiB)"
        )
    if server:
        print(
            f"  forkserver / resource tracker (workers fork from the preloaded forkserver): "
            f"{', '.join(f'{w / 2**20:.0f}' for w in sorted(server, reverse=True))} MiB"
        )

    # 3. re-run: everything unchanged is skipped
    t0 = time.perf_counter()
    again = render_reports(scores, work / "pool", lang=args.lang, workers=args.workers)
    print(
        f"\nre-run: {len(again.skipped)} of {n_reports} skipped as unchanged in {time.perf_counter() - t0:.1f} s"
    )
    same = sum(
        (work / "seq" / p.name).read_bytes() == p.read_bytes()
        for p in (work / "pool").glob("*.pdf")
    )
    print(
        f"identical PDFs sequential vs pool: {same} of {len(list((work / 'pool').glob('*.pdf')))}"
    )

    # 4. the whole command, as a user runs it
    import shutil
    import subprocess
    import sys

    exe = (
        shutil.which("kemitraan-assess", path=str(Path(sys.executable).parent))
        or "kemitraan-assess"
    )
    for workers in (1, args.workers):
        out = work / f"cmd-{workers}"
        t0 = time.perf_counter()
        # exit 1 is "done, with warnings" (the seeded surveys hold suppressed partnerships)
        rc = subprocess.run(
            [
                exe,
                "report",
                str(work / "survey.csv"),
                "--out",
                str(out),
                "--lang",
                args.lang,
                "--workers",
                str(workers),
                "-q",
            ]
        ).returncode
        t_cmd = time.perf_counter() - t0
        if rc > 1:
            raise SystemExit(f"`kemitraan-assess report` failed with exit code {rc}")
        line = f"\nwhole `report` command, --workers {workers}: {t_cmd:.1f} s"
        if workers == 1:
            line += (
                f"; WeasyPrint alone {wp:.1f} s, everything else {t_cmd - wp:.1f} s = "
                f"{100 * (t_cmd - wp) / t_cmd:.1f} % (goal <= 10 %)"
            )
        print(line)


if __name__ == "__main__":
    main()
