"""Report jobs: on a dask cluster (serve --scheduler), and the pages without JavaScript."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kemitraan_assess.web import pipeline
from kemitraan_assess.web.analysis import Analyser
from kemitraan_assess.web.jobs import JobRunner, report_files
from kemitraan_assess.web.store import Store, new_id

from .exports import csrf_of, demo_frame, export_needing_mapping


def _project_with_round(tmp_path: Path, data: bytes) -> tuple[Store, Any, Any]:
    store = Store(tmp_path / "data")
    project = store.create_project(
        name="P", instrument="bundled:kemitraan-readiness", lang="en", min_group_size=5
    )
    uid = new_id()
    store.upload_path(uid).write_bytes(data)
    upload = store.add_upload(
        upload_id=uid,
        project_id=project.id,
        original_name="a.csv",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return store, project, upload


@pytest.mark.dask
@pytest.mark.slow
@pytest.mark.pdf
def test_a_job_renders_on_the_dask_scheduler_given_at_start(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    store, project, upload = _project_with_round(tmp_path, export_needing_mapping(3))
    analyser = Analyser(store)
    runner = JobRunner(
        store,
        analyser,
        workers=1,
        scheduler="local",
        brand_for=lambda p: pipeline.project_brand(store.project_dir(p.id)),
    )
    job = store.create_job(project.id, upload.id)
    runner.run(job.id)
    done = store.job(job.id)
    assert done.status == "done", done.error
    assert done.done == done.total == 3
    names = [p.name for p in report_files(store.report_dir(job.id))]
    assert len([n for n in names if n.endswith(".pdf")]) == 3 and "index.html" in names


def test_an_xlsx_export_is_accepted_and_kept_byte_for_byte(live_app) -> None:
    frame = demo_frame(3, seed=4)
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    data = buf.getvalue()
    app = live_app()
    with app.client() as c:
        csrf = csrf_of(c.get("/").text)
        r = c.post(
            "/projects",
            data={
                "csrf": csrf,
                "name": "X",
                "instrument": "bundled:kemitraan-readiness",
                "lang": "en",
                "min_group_size": "5",
            },
            files={"logo": ("", b"")},
        )
        pid = str(r.url).rsplit("/", 1)[1]
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("survey.xlsx", data)})
        assert r.status_code == 200 and r.url.path.endswith("/r/1/check")
        assert re.search(rf"<strong>{len(frame)}</strong> rows read", r.text)
    up = app.app.state.web.store.uploads(pid)[0]
    assert app.app.state.web.store.upload_path(up.id).read_bytes() == data
    assert isinstance(pd.read_excel(io.BytesIO(data)), pd.DataFrame)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.pdf
def test_the_flow_works_without_javascript(browser: Any, serve_process: Any) -> None:
    server = serve_process("--workers", "1")
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(server.url + "/lang/en")
        page.get_by_label("Project name").fill("Tanpa JavaScript")
        page.get_by_role("button", name="Create project").click()
        page.set_input_files(
            "input[name=export]",
            files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": export_needing_mapping(3)}],
        )
        page.get_by_role("button", name="Upload and check").click()
        page.get_by_role("link", name="See the results").click()
        assert page.locator("table.heat tbody tr").count() == 3
        page.get_by_role("button", name="Make all reports (HTML and PDF)").click()
        # no script: the page refreshes itself (<noscript> meta refresh) and shows the state
        # each time
        page.get_by_role("link", name="Download all reports (zip)").wait_for(timeout=240_000)
        assert "done" in page.locator(".job").inner_text()
    finally:
        ctx.close()
