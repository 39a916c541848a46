"""The report batch under faults (issue 10, section 6): a killed batch leaves no worker
behind, a dead worker costs only its own report, and each report has a time and a
memory limit that fail that report alone.

The faults are real: the command runs as a subprocess, and a ``sitecustomize`` module
on its ``PYTHONPATH`` (imported by every Python process, so by the forkserver and its
workers too) wraps ``render_html`` to misbehave for the partnerships named in the
``KA_FAULTS`` environment variable: kill its own process with SIGKILL (as the OOM
killer does), spin in Python, spin in C without returning to Python, or allocate far
more memory than allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kemitraan_assess.reporting import batch as batch_mod
from kemitraan_assess.reporting import render_reports

from .conftest import STRONG, WEAK

SITECUSTOMIZE = """
import json, os
spec = json.loads(os.environ.get("KA_FAULTS") or "{}")
if spec:
    import kemitraan_assess.reporting.batch as batch

    real = batch.render_html

    def faulty(ctx, **kw):
        name = ctx["partnership"]["name"]
        if name in spec.get("kill", []):
            os.kill(os.getpid(), 9)
        if name in spec.get("spin_python", []):
            while True:
                pass
        if name in spec.get("spin_c", []):
            sum(range(10**14))  # one C call: never returns to Python
        if name in spec.get("allocate", []):
            b"x" * (3 * 2**30)
        return real(ctx, **kw)

    batch.render_html = faulty
"""


@pytest.fixture(scope="module")
def survey(demo_csv, demo_scored, tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    shutil.copyfile(demo_csv, d / "survey.csv")
    (d / "hooks").mkdir()
    (d / "hooks" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    names = sorted(demo_scored.summary["partnerships"])
    return d, names


def command(survey_dir: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kemitraan_assess",
        "report",
        str(survey_dir / "survey.csv"),
        "--out",
        str(out),
        "--lang",
        "en",
        *extra,
    ]


def env_with(survey_dir: Path, faults: dict) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(survey_dir / "hooks"), env.get("PYTHONPATH", "")])
    env["KA_FAULTS"] = json.dumps(faults)
    return env


def failures(stderr: str) -> dict[str, str]:
    out = {}
    for line in stderr.splitlines():
        if line.startswith("failed: "):
            name, _, reason = line[len("failed: ") :].partition(": ")
            out[name] = reason
    return out


@pytest.mark.slow
def test_a_dead_worker_costs_only_its_own_report(survey, tmp_path):
    d, names = survey
    killed = names[3:5]  # two deaths in a row, as under the OOM killer
    out = tmp_path / "out"
    proc = subprocess.run(
        command(d, out, "--format", "html", "--workers", "2"),
        env=env_with(d, {"kill": killed}),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    failed = failures(proc.stderr)
    assert sorted(failed) == sorted(killed), proc.stderr
    for reason in failed.values():
        assert "was killed (SIGKILL" in reason and "could not start" not in reason
    pages = {p.name for p in out.glob("*.html")}
    assert len(pages) == len(names) - len(killed) + 1  # every other report, and the index
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_each_report_has_a_time_limit(survey, tmp_path):
    d, names = survey
    slow_py, slow_c = names[0], names[1]
    out = tmp_path / "out"
    t0 = time.monotonic()
    proc = subprocess.run(
        command(
            d,
            out,
            "--format",
            "html",
            "--workers",
            "2",
            "--time-limit",
            "2",
            "--partnership",
            slow_py,
            "--partnership",
            slow_c,
            "--partnership",
            names[2],
        ),
        env=env_with(d, {"spin_python": [slow_py], "spin_c": [slow_c]}),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert time.monotonic() - t0 < 120
    assert proc.returncode == 1, proc.stderr
    failed = failures(proc.stderr)
    assert sorted(failed) == sorted([slow_py, slow_c]), proc.stderr
    assert failed[slow_py] == "took longer than the time limit of 2 s"
    assert failed[slow_c].startswith("took longer than the time limit of 2 s and was stopped")
    assert len(list(out.glob("*.html"))) == 2  # names[2] and the index


@pytest.mark.slow
def test_each_report_has_a_memory_limit(survey, tmp_path):
    d, names = survey
    greedy = names[0]
    out = tmp_path / "out"
    proc = subprocess.run(
        command(
            d,
            out,
            "--format",
            "html",
            "--workers",
            "2",
            "--memory-limit",
            "500",
            "--partnership",
            greedy,
            "--partnership",
            names[1],
        ),
        env=env_with(d, {"allocate": [greedy]}),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    assert failures(proc.stderr) == {
        greedy: "ran out of memory (the memory limit of 500 MB per report)"
    }
    assert len(list(out.glob("*.html"))) == 2


def _group(pgid: int) -> list[int]:
    """Processes of a process group (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(entry.name))
    return pids


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.mark.slow
def test_kill_9_of_the_batch_leaves_no_worker(survey, tmp_path):
    d, _ = survey
    out = tmp_path / "out"
    proc = subprocess.Popen(
        command(d, out, "--format", "html,pdf", "--workers", "2"),
        env=env_with(d, {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not list(out.glob("*.pdf")):  # mid-batch: the first reports are written
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        assert len(_group(proc.pid)) >= 3  # the command, the forkserver, workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group(proc.pid) == [], "workers outlived the batch"
        before = _listing(out)
        time.sleep(3)
        assert _listing(out) == before  # nothing more is written
        assert len([n for n in before if n.endswith(".pdf")]) < 30
    finally:
        for pid in _group(proc.pid):  # only what this test started
            os.kill(pid, signal.SIGKILL)


def test_time_limit_in_process(demo_scores, tmp_path, monkeypatch):
    real = batch_mod.render_html

    def slow(ctx, **kw):
        if ctx["partnership"]["name"] == WEAK:
            while True:
                time.sleep(0.01)
        return real(ctx, **kw)

    monkeypatch.setattr(batch_mod, "render_html", slow)
    res = render_reports(
        demo_scores,
        tmp_path,
        lang="en",
        formats=("html",),
        workers=1,
        only=[STRONG, WEAK],
        time_limit=0.5,
    )
    assert [(f.partnership, f.reason) for f in res.failures] == [
        (WEAK, "took longer than the time limit of 0.5 s")
    ]
    assert (tmp_path / f"{res.slugs[STRONG]}.html").exists()
