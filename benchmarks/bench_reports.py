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

5. (``--ratio-only``, also run first by default) the layout cost: ``render_pdf`` on the full
   report of the demo's strong, weak and divided partnerships against ``render_pdf`` on the
   same text as plain paragraphs (every text block of the report as a ``<p>``, in the
   report's fonts on the report's page, no other style), both sides warmed up, in this
   process, interleaved; the median ratio over ``--runs`` runs (default 7) with its spread
   (min, max), in CPU time (robust on a shared machine) and wall time. ``--stages`` adds
   the CPU time per WeasyPrint stage (parse, cascade, boxes, layout, draw, fonts, tags,
   write) of both sides. Goal (issue 11): <= 4x.

Goals: everything besides WeasyPrint <= 10 % of the total; 2 workers >= 1.5x the
sequential throughput; peak memory per worker <= 300 MiB.

Usage::

    .venv/bin/python benchmarks/bench_reports.py [--n 200] [--lang id] [--workers 2]
    .venv/bin/python benchmarks/bench_reports.py --ratio-only [--lang id] [--runs 7] [--stages]

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


_BLOCK_TAGS = frozenset(
    ("p", "li", "h1", "h2", "h3", "tr", "dt", "dd", "caption", "figcaption", "div", "th")
)
_SKIP_TAGS = frozenset(("style", "script", "svg", "title"))
_STAGES = (
    "parse",
    "cascade",
    "boxes",
    "layout",
    "draw",
    "fonts",
    "tags",
    "write",
    "other",
)


def plain_paragraphs_html(report_html: str, lang: str) -> tuple[str, int]:
    """The text of a report's body as plain paragraphs (one ``<p>`` per text block).

    Same fonts as the report (its ``font-family`` and printed 10pt size) on the same page
    (A4, the report's margins); no other style. Chart text (inside ``<svg>``) is left out:
    it is drawing, not text set in paragraphs.
    """
    import html as _html
    import re
    from html.parser import HTMLParser

    blocks: list[str] = []

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip = 0
            self.buf: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in _SKIP_TAGS:
                self.skip += 1
            elif tag in _BLOCK_TAGS:
                self.flush()

        def handle_endtag(self, tag: str) -> None:
            if tag in _SKIP_TAGS:
                self.skip -= 1
            elif tag in _BLOCK_TAGS and tag != "th":
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
    family = re.search(r"html\s*\{[^}]*font-family:\s*([^;]+);", report_html)
    margin = re.search(r"@page\s*\{[^@}]*margin:\s*([^;]+);", report_html)
    body = "".join(f"<p>{_html.escape(b)}</p>" for b in blocks)
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>plain</title>'
        f"<style>@page {{ size: A4; margin: {margin.group(1) if margin else '2cm'} }} "
        f"body {{ font-family: {family.group(1) if family else 'sans-serif'}; "
        f"font-size: 10pt }}</style></head><body>{body}</body></html>"
    )
    return page, len(blocks)


class StageClock:
    """CPU time per WeasyPrint stage inside ``render_pdf`` (wraps WeasyPrint's functions).

    Stages: HTML parsing, CSS cascade, box tree, layout (pagination), drawing the pages,
    font embedding with subsetting, PDF/UA tags, writing (serialising and compressing);
    "other" is the rest of ``render_pdf``.
    """

    def __init__(self) -> None:
        import weasyprint
        import weasyprint.document as wdoc
        import weasyprint.pdf as wpdf

        self.acc: dict[str, float] = {}
        self._undo: list[tuple[object, str, object]] = []

        def wrap(owner: object, name: str, stage: str, consume: bool = False) -> None:
            real = getattr(owner, name)

            def timed(*a: object, **k: object) -> object:
                t = time.process_time()
                try:
                    out = real(*a, **k)
                    return list(out) if consume else out  # layout_document is a generator
                finally:
                    self.acc[stage] = self.acc.get(stage, 0.0) + time.process_time() - t

            self._undo.append((owner, name, real))
            setattr(owner, name, timed)

        wrap(weasyprint.HTML, "__init__", "parse")
        wrap(wdoc, "get_all_computed_styles", "cascade")
        wrap(wdoc, "build_formatting_structure", "boxes")
        wrap(wdoc, "layout_document", "layout", consume=True)
        wrap(wdoc, "generate_pdf", "pdf")
        wrap(wpdf, "build_fonts_dictionary", "fonts")
        wrap(wpdf, "add_tags", "tags")
        wrap(wpdf.pydyf.PDF, "write", "write")

    def close(self) -> None:
        for owner, name, real in reversed(self._undo):
            setattr(owner, name, real)

    def run(self, fn: object, *args: object) -> dict[str, float]:
        self.acc = {}
        t = time.process_time()
        fn(*args)  # type: ignore[operator]
        total = time.process_time() - t
        a = self.acc
        draw = a.get("pdf", 0.0) - a.get("fonts", 0.0) - a.get("tags", 0.0)
        out = {k: a.get(k, 0.0) for k in ("parse", "cascade", "boxes", "layout")}
        out |= {"draw": draw, "fonts": a.get("fonts", 0.0), "tags": a.get("tags", 0.0)}
        out["write"] = a.get("write", 0.0)
        out["other"] = total - sum(out.values())
        out["total"] = total
        return out


def _spread(xs: list[float]) -> str:
    import statistics

    return f"{statistics.median(xs):.2f}x (min {min(xs):.2f}, max {max(xs):.2f})"


def layout_ratio(lang: str, runs: int = 7, stages: bool = False) -> None:
    """WeasyPrint time of a full demo report / of the same text as plain paragraphs.

    Both sides go through the same ``render_pdf`` (tagged PDF, URL fetcher) in this
    process, after two warm-up renders each; the runs alternate the order of the two sides
    (full-plain, plain-full, ...) so drift on a shared machine hits both alike. Each run
    gives one ratio; printed are the median ratio and its spread (min, max) over the runs,
    in CPU time (WeasyPrint is single-threaded: not slowed by a busy neighbour's time
    slices) and in wall time.
    """
    import statistics

    import weasyprint

    from kemitraan_assess import load_instrument
    from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
    from kemitraan_assess.io import ingest
    from kemitraan_assess.reporting import build_context, render_html
    from kemitraan_assess.reporting.pdf import render_pdf
    from kemitraan_assess.scoring import score

    inst = load_instrument("kemitraan-readiness")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        path.write_bytes(demo_csv_bytes(make_demo_survey(inst)))
        scores = score(ingest(path, inst).responses, inst)
    print(
        "layout cost: WeasyPrint on a full report / on the same text as plain paragraphs "
        f"(render_pdf, {runs} interleaved runs; median ratio (min, max) over the runs)"
    )
    clock = StageClock() if stages else None
    all_cpu: list[float] = []
    all_wall: list[float] = []
    kinds = (
        ("strong", "Gugus Tugas Imunisasi Kota Makassar"),
        ("weak", "Aliansi Pencegahan Demam Berdarah Kota Semarang"),
        ("divided", "Kemitraan Bidan dan Dukun Kab. Sumba Barat"),
    )
    for kind, name in kinds:
        html = render_html(build_context(scores, name, lang=lang))
        plain, n_blocks = plain_paragraphs_html(html, lang)
        for _ in range(2):  # warm up fonts and caches, both sides
            render_pdf(html)
            render_pdf(plain)
        pages_full = len(weasyprint.HTML(string=html).render().pages)
        pages_plain = len(weasyprint.HTML(string=plain).render().pages)
        times: dict[str, list[tuple[float, float]]] = {"full": [], "plain": []}
        st: dict[str, list[dict[str, float]]] = {"full": [], "plain": []}
        for i in range(runs):
            order = ("full", "plain") if i % 2 == 0 else ("plain", "full")
            for side in order:
                doc = html if side == "full" else plain
                t, c = time.perf_counter(), time.process_time()
                if clock is not None:
                    st[side].append(clock.run(render_pdf, doc))
                else:
                    render_pdf(doc)
                times[side].append((time.process_time() - c, time.perf_counter() - t))
        cpu = [f[0] / p[0] for f, p in zip(times["full"], times["plain"], strict=True)]
        wall = [f[1] / p[1] for f, p in zip(times["full"], times["plain"], strict=True)]
        all_cpu += cpu
        all_wall += wall
        fc = statistics.median(x[0] for x in times["full"])
        pc = statistics.median(x[0] for x in times["plain"])
        print(
            f"  {kind} ({name}, {lang}): full {fc:.2f} s CPU ({pages_full} pages), plain "
            f"{pc:.2f} s CPU ({pages_plain} pages, {n_blocks} paragraphs)\n"
            f"    ratio CPU {_spread(cpu)}; wall {_spread(wall)}"
        )
        if clock is not None:
            for side in ("full", "plain"):
                med = {k: statistics.median(r[k] for r in st[side]) for k in st[side][0]}
                parts = ", ".join(f"{k} {med[k]:.3f}" for k in _STAGES)
                print(f"    {side:5s} CPU s per stage (median): {parts}; total {med['total']:.3f}")
    if clock is not None:
        clock.close()
    print(f"  all runs: ratio CPU {_spread(all_cpu)}; wall {_spread(all_wall)} (goal <= 4x)")


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
    ap.add_argument("--runs", type=int, default=7, help="interleaved runs of the ratio (7)")
    ap.add_argument(
        "--stages", action="store_true", help="CPU time per WeasyPrint stage with the ratio"
    )
    args = ap.parse_args()

    layout_ratio(args.lang, runs=args.runs, stages=args.stages)
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
    t0, c0 = time.perf_counter(), time.process_time()
    seq = render_reports(scores, work / "seq", lang=args.lang, workers=1)
    t_seq, c_seq = time.perf_counter() - t0, time.process_time() - c0
    pdfmod.render_pdf = real
    wp = sum(wp_times)
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nsequential: {n_reports} reports in {t_seq:.1f} s = {n_reports / t_seq:.2f} reports/s "
        f"({len(seq.failures)} failed); CPU {c_seq:.1f} s = {c_seq / n_reports:.2f} s per report "
        f"= {n_reports / c_seq:.2f} reports per CPU second"
    )
    print(
        f"  WeasyPrint alone (render_pdf on the final HTML): {wp:.1f} s "
        f"({wp / max(len(wp_times), 1):.2f} s per report)"
    )
    print(
        f"  everything else: {t_seq - wp:.1f} s = {100 * (t_seq - wp) / t_seq:.1f} % "
        "of the total (goal <= 10 %)"
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
        f"\n{args.workers} workers: {n_reports} reports in {t_par:.1f} s = "
        f"{n_reports / t_par:.2f} reports/s ({len(par.failures)} failed); "
        f"speed-up {t_seq / t_par:.2f}x (goal >= 1.5x)"
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
        f"\nre-run: {len(again.skipped)} of {n_reports} skipped as unchanged in "
        f"{time.perf_counter() - t0:.1f} s"
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
