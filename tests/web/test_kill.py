"""Nothing lost: kill -9 during an upload and during a report job, restart, resume.

The resumed job's files are byte-identical to those of an uninterrupted job on the same
round; the upload finished before the kill is intact; the half-sent one left no trace.
"""

from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path

import httpx
import pytest

from kemitraan_assess.web.jobs import report_files

from .exports import csrf_of, export_needing_mapping

pytestmark = [pytest.mark.slow, pytest.mark.pdf]


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, follow_redirects=True, timeout=120, cookies={"ka_lang": "en"})


def _wait_job(c: httpx.Client, job: str, *, until: str = "done", timeout: float = 300) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = c.get(f"/jobs/{job}/progress.json").json()
        if state["status"] == until:
            return state
        assert state["status"] in ("queued", "running"), state
        time.sleep(0.3)
    raise AssertionError(f"job {job} not {until} after {timeout} s")


def _start_job(c: httpx.Client, pid: str, csrf: str) -> str:
    r = c.post(f"/p/{pid}/r/1/jobs", data={"csrf": csrf})
    assert r.status_code == 200
    return str(r.url).rsplit("/", 1)[1]


def _half_upload(port: int, pid: str, cookie: str, csrf: str) -> socket.socket:
    """Send the headers and half of a multipart body, then leave it hanging."""
    boundary = "----kemitraan"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="export"; filename="b.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + export_needing_mapping(seed=3)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        f"POST /p/{pid}/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: ka_session={cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head + body[: len(body) // 2])
    return s


def test_kill_during_upload_and_job_then_resume_gives_identical_reports(
    serve_process, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    server = serve_process("--workers", "1", data=data_dir)
    export = export_needing_mapping(partnerships=7, seed=5)
    with _client(server.url) as c:
        csrf = csrf_of(c.get("/").text)
        r = c.post(
            "/projects",
            data={
                "csrf": csrf,
                "name": "Kill test",
                "instrument": "bundled:kemitraan-readiness",
                "lang": "id",
                "min_group_size": "5",
            },
            files={"logo": ("", b"")},
        )
        pid = str(r.url).rsplit("/", 1)[1]
        assert (
            c.post(
                f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("a.csv", export)}
            ).status_code
            == 200
        )
        hanging = _half_upload(server.port, pid, c.cookies["ka_session"], csrf)
        job = _start_job(c, pid, csrf)
        end = time.monotonic() + 240
        while True:  # kill once some reports are made and some are not
            state = c.get(f"/jobs/{job}/progress.json").json()
            if state["total"] and 1 <= state["done"] < state["total"] - 1:
                break
            assert time.monotonic() < end and state["status"] in ("queued", "running"), state
            time.sleep(0.05)
    server.kill()
    hanging.close()
    made_before = [p.name for p in report_files(data_dir / "reports" / job)]
    assert made_before, "no report was made before the kill"

    server = serve_process("--workers", "1", data=data_dir)
    with _client(server.url) as c:
        page = c.get(f"/jobs/{job}")
        assert "interrupted" in page.text and "Resume" in page.text
        csrf = csrf_of(page.text)
        # the finished upload is intact, the half-sent one left nothing
        project = c.get(f"/p/{pid}").text
        assert "a.csv" in project and "b.csv" not in project
        stored = list((data_dir / "files").iterdir())
        assert (
            len(stored) == 1
            and hashlib.sha256(stored[0].read_bytes()).hexdigest()
            == hashlib.sha256(export).hexdigest()
        )
        assert list((data_dir / "tmp").iterdir()) == []
        mtimes = {p.name: p.stat().st_mtime_ns for p in report_files(data_dir / "reports" / job)}

        c.post(f"/jobs/{job}/resume", data={"csrf": csrf})
        _wait_job(c, job)
        resumed = report_files(data_dir / "reports" / job)
        # the reports made before the kill were skipped, not made again
        assert all(
            p.stat().st_mtime_ns == mtimes[p.name]
            for p in resumed
            if p.name in made_before and p.name != "index.html"
        )

        fresh = _start_job(c, pid, csrf)
        assert fresh != job
        _wait_job(c, fresh)
        uninterrupted = report_files(data_dir / "reports" / fresh)
        assert [p.name for p in resumed] == [p.name for p in uninterrupted]
        assert len([p for p in resumed if p.suffix == ".pdf"]) == 7
        for a, b in zip(resumed, uninterrupted, strict=True):
            assert a.read_bytes() == b.read_bytes(), f"{a.name} differs after resuming"
        one = c.get(f"/jobs/{job}/files/{resumed[0].name}")
        assert one.status_code == 200 and one.content == resumed[0].read_bytes()
        assert "sandbox" in one.headers["content-security-policy"]
        for bad in (
            "..%2Fkemitraan.sqlite3",
            ".%2E%2F.%2E%2Fkemitraan.sqlite3",
            f".{resumed[0].stem}.key",
        ):
            assert c.get(f"/jobs/{job}/files/{bad}").status_code == 404
        za = c.get(f"/jobs/{job}/reports.zip").content
        zb = c.get(f"/jobs/{fresh}/reports.zip").content
        assert za == zb
