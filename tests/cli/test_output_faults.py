"""Output faults (issue 10, section 6): a folder that cannot be written, a full disk, a
killed run's temporaries, file permissions.

What fails for root matters here: ``chmod`` does not stop root, so a read-only folder is
imitated by making ``os.open`` fail with EROFS for files under it (what a read-only
mount gives), a full disk by making ``os.write`` fail with ENOSPC (what a full file
system gives), and "cannot be a folder" is real: a path under a regular file.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.output import atomic
from kemitraan_assess.output.atomic import STAGE_SUFFIX, TEMP_SUFFIX, atomic_write_bytes
from kemitraan_assess.reporting import batch as batch_mod

ONE = "Gugus Tugas Imunisasi Kota Makassar"
TWO = "Aliansi Pencegahan Demam Berdarah Kota Semarang"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith((TEMP_SUFFIX, STAGE_SUFFIX))]


def one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    assert "Traceback" not in res.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


COMMANDS = {
    "ingest": lambda s, out: ["ingest", s, "--out", out],
    "score": lambda s, out: ["score", s, "--out", out],
    "report": lambda s, out: [
        "report",
        s,
        "--out",
        out,
        "--format",
        "html",
        "--workers",
        "1",
        "--partnership",
        ONE,
    ],
    "demo": lambda s, out: ["demo", "--out", out, "--format", "html", "--workers", "1"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_under_a_file_is_a_one_line_refusal(command, demo_csv, tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file", encoding="utf-8")
    out = blocker / "out"
    res = run(*COMMANDS[command](demo_csv, out))
    one_line_error(res, str(blocker), "not a folder", "choose another output folder")
    assert "free some space" not in res.output
    assert blocker.read_text(encoding="utf-8") == "a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only for this process, as a read-only mount is (EROFS)."""
    real_open, real_mkdir = os.open, os.mkdir
    folders: list[Path] = []

    def under(path) -> bool:
        p = Path(os.path.abspath(path))
        return any(p == f or f in p.parents for f in folders)

    def fake_open(path, flags, mode=0o777, *a, **kw):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and under(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, mode, *a, **kw)

    def fake_mkdir(path, mode=0o777, *a, **kw):
        if under(path) and not Path(path).exists():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, mode, *a, **kw)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    return lambda folder: folders.append(Path(os.path.abspath(folder)))


def test_report_on_a_read_only_out_fails_before_rendering(
    demo_csv, tmp_path, read_only, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()
    read_only(out)
    rendered = []
    monkeypatch.setattr(batch_mod, "render_html", lambda *a, **k: rendered.append(1) or "")
    res = run("report", demo_csv, "--out", out, "--format", "html", "--workers", "1")
    one_line_error(res, str(out), "Read-only file system")
    assert rendered == []  # before: every report rendered, then a traceback on index.html
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("command", ["ingest", "score"])
def test_read_only_out_for_the_tables(command, demo_csv, tmp_path, read_only):
    out = tmp_path / "out"
    out.mkdir()
    read_only(out)
    res = run(*COMMANDS[command](demo_csv, out))
    one_line_error(res, str(out), "Read-only file system")
    assert list(out.iterdir()) == [] and leftovers(tmp_path) == []


@pytest.fixture
def disk_full_after(monkeypatch):
    """``os.write`` fails with ENOSPC once ``n`` bytes of real output are written (the
    4 KiB probe of an output folder still fits: the disk is full later, mid-run)."""
    real_write = os.write

    def arm(n: int) -> None:
        left = [n]

        def fake_write(fd, data):
            if bytes(data[:4096]) == b"\n" * 4096 and len(data) == 4096:  # the writability probe
                return real_write(fd, data)
            if len(data) > left[0]:
                if left[0]:
                    real_write(fd, bytes(data[: left[0]]))
                left[0] = 0
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            left[0] -= len(data)
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", fake_write)

    return arm


@pytest.mark.parametrize("command", ["ingest", "score"])
def test_full_disk_exit_2_nothing_written(command, demo_csv, tmp_path, disk_full_after):
    out = tmp_path / "deep" / "out"
    disk_full_after(50_000)
    res = run(*COMMANDS[command](demo_csv, out))
    one_line_error(res, "No space left on device", ".csv", "free some space")
    assert not (tmp_path / "deep").exists()  # folders this run created are gone too
    assert leftovers(tmp_path) == []


def test_full_disk_mid_batch_stops_the_report(demo_csv, tmp_path, disk_full_after, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    real = batch_mod.render_job
    done = []

    def after_first(job):  # the disk fills up after the first report
        if done:
            disk_full_after(1000)
        done.append(job["name"])
        return real(job)

    monkeypatch.setattr(batch_mod, "render_job", after_first)
    res = run(
        "report",
        demo_csv,
        "--out",
        out,
        "--format",
        "html",
        "--workers",
        "1",
        "--partnership",
        ONE,
        "--partnership",
        TWO,
    )
    one_line_error(res, "No space left on device", str(out))
    assert not (out / "index.html").exists() and leftovers(tmp_path) == []
    pages = list(out.glob("*.html"))
    assert len(pages) == 1 and pages[0].read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_unknown_partnership_leaves_no_out(demo_csv, tmp_path):
    out = tmp_path / "out"
    res = run(
        "report",
        demo_csv,
        "--out",
        out,
        "--format",
        "html",
        "--workers",
        "1",
        "--partnership",
        "Nope",
    )
    one_line_error(res, "'Nope'")
    assert not out.exists()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_files_follow_the_umask(umask, mode, demo_csv, tmp_path):
    old = os.umask(umask)
    try:
        res = run("score", demo_csv, "--out", tmp_path / "s", "-q")
        atomic_write_bytes(tmp_path / "a.bin", b"x")
    finally:
        os.umask(old)
    assert res.exit_code in (0, 1), res.output
    files = [tmp_path / "a.bin", *(tmp_path / "s").iterdir()]
    assert len(files) >= 5
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(mode)}


KILLED_WRITER = """
import os, sys
from pathlib import Path
from kemitraan_assess.output import atomic
target = Path(sys.argv[1])
with atomic.staging_dir(target) as stage:
    (stage / "respondents.csv").write_text("half", encoding="utf-8")
    fd, tmp = atomic._open_temp(target / "report.html")
    os.write(fd, b"<html>half")
    print(stage.name, tmp.name, flush=True)
    os.kill(os.getpid(), 9)
"""


def _killed_writer(target: Path) -> tuple[str, str]:
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    stage, tmp = proc.stdout.split()
    assert (target.parent / stage).is_dir() and (target / tmp).is_file()
    return stage, tmp


def test_temporaries_of_a_killed_run_are_removed_by_the_next(demo_csv, tmp_path):
    out = tmp_path / "out"
    stage, tmp = _killed_writer(out)
    # a live writer's temporaries beside them must stay
    with atomic.staging_dir(out) as live_stage:
        fd, live_tmp = atomic._open_temp(out / "other.html")
        try:
            res = run("score", demo_csv, "--out", out, "-q")
            assert res.exit_code in (0, 1), res.output
            assert not (tmp_path / stage).exists() and not (out / tmp).exists()
            assert live_stage.is_dir() and live_tmp.is_file()
        finally:
            os.close(fd)
            live_tmp.unlink()
    assert leftovers(tmp_path) == []


def test_report_removes_a_killed_run_temporaries(demo_csv, tmp_path):
    out = tmp_path / "out"
    _, tmp = _killed_writer(out)
    res = run(
        "report",
        demo_csv,
        "--out",
        out,
        "--format",
        "html",
        "--workers",
        "1",
        "--partnership",
        ONE,
        "-q",
    )
    assert res.exit_code in (0, 1), res.output
    assert not (out / tmp).exists()
