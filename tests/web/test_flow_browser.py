"""The whole flow in headless Chromium, as an evaluator would use it, at 1280 and 360 px.

create project -> upload a Qualtrics-style export no column of which matches the instrument
(tests/web/qualtrics.py cites the format's sources) -> say what every column holds on the
columns page -> map the one edited answer text on the check page -> results -> validation
report (in the app's frame) -> report job -> download the zip -> change the project's
settings (the reports page then says they predate it) -> second round (the saved mapping
applies at once, reports compare with round 1).
Set KEMITRAAN_SCREENSHOTS=DIR to keep a full-page screenshot of every page visited.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .exports import demo_frame
from .qualtrics import EDITED_LABEL, qualtrics_export, question_columns

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.pdf]


class Visit:
    def __init__(self, page: Any, width: int, shots: Path | None):
        self.page = page
        self.width = width
        self.shots = shots
        self.n = 0

    def check(self, name: str) -> None:
        """No horizontal scroll at this width; a screenshot when asked for."""
        self.page.wait_for_load_state("load")
        scroll = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= self.width, f"{name}: page is {scroll} px wide at {self.width} px"
        if self.shots is not None:
            self.n += 1
            self.shots.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(
                path=str(self.shots / f"{self.width}-{self.n:02d}-{name}.png"), full_page=True
            )


def _upload(page: Any, name: str, data: bytes) -> None:
    page.set_input_files(
        "input[name=export]", files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/r/\d+/check$"))


def _make_reports(page: Any, tmp_path: Path, round_no: int) -> zipfile.ZipFile:
    page.get_by_role("button", name="Make all reports (HTML and PDF)").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    zip_link = page.get_by_role("link", name="Download all reports (zip)")
    zip_link.wait_for(timeout=240_000)  # the page polls, then reloads when the job ends
    assert page.locator("progress").get_attribute("value") == page.locator(
        "progress"
    ).get_attribute("max")
    with page.expect_download() as info:
        zip_link.click()
    target = tmp_path / f"round-{round_no}.zip"
    info.value.save_as(target)
    assert info.value.suggested_filename == f"reports-round-{round_no}.zip"
    return zipfile.ZipFile(io.BytesIO(target.read_bytes()))


@pytest.mark.parametrize("width", [1280, 360])
def test_export_to_zip_and_second_round(
    width: int, open_page: Any, serve_process: Any, tmp_path: Path
) -> None:
    server = serve_process("--workers", "2")
    shots = (
        Path(os.environ["KEMITRAAN_SCREENSHOTS"])
        if os.environ.get("KEMITRAAN_SCREENSHOTS")
        else None
    )
    page = open_page(server.url, width=width, height=800)
    v = Visit(page, width, shots)
    page.get_by_role("link", name="EN").click()
    v.check("home")

    # 1. project
    page.get_by_label("Project name").fill("Dinas Kesehatan Kota Contoh")
    page.get_by_label("Report language").select_option("en")
    page.get_by_label("Organisation").fill("Dinkes Kota Contoh")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/p/[0-9a-f]{32}$"))
    project_url = page.url
    v.check("project")
    with page.expect_download() as xls:
        page.get_by_role("link", name=re.compile("Download the questionnaire as XLSForm")).click()
    assert xls.value.suggested_filename == "kemitraan-readiness-xlsform.xlsx"

    # 2. upload a Qualtrics export whose columns match nothing: kept, columns page
    page.set_input_files(
        "input[name=export]",
        files=[
            {
                "name": "survey round 1.csv",
                "mimeType": "text/csv",
                "buffer": qualtrics_export(seed=11),
            }
        ],
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/u/[0-9a-f]{32}/columns$"))
    assert page.get_by_role("heading", name="Match the columns of the upload").is_visible()
    v.check("columns")
    # a choice refused: nothing saved, the page says why
    page.get_by_role("button", name="Save the choices and check the file").click()
    page.wait_for_load_state("load")
    assert "Choose the column that holds the partnership names" in page.locator("main").inner_text()
    v.check("columns-refused")

    # 3. say what every question column holds, then the edited answer text on the check page
    for col, target in question_columns():
        page.get_by_label(col, exact=True).select_option(target)
    page.get_by_role("button", name="Save the choices and check the file").click()
    page.wait_for_url(re.compile(r"/r/1/check$"))
    v.check("check-before-mapping")
    tally = page.locator("ul.tally").inner_text()
    assert re.search(rf"\b{len(demo_frame(4, seed=11))}\s+rows read", tally)
    assert page.get_by_role("heading", name="Columns and answers to match").is_visible()
    page.get_by_label(re.compile(EDITED_LABEL)).select_option("5")
    page.get_by_role("button", name="Save the mapping and check again").click()
    page.wait_for_url(re.compile(r"/r/1/check$"))
    v.check("check-after-mapping")
    assert page.get_by_role("heading", name="Answers that match no code").count() == 0
    assert re.search(r"\b0\s+unusable answers", page.locator("ul.tally").inner_text())

    # 4. results: heat-map, suppressed partnership blank, a report in the page
    page.get_by_role("link", name="See the results").click()
    v.check("results")
    rows = page.locator("table.heat tbody tr")
    assert rows.count() == 4
    blank = page.locator("table.heat tbody tr:has(td.blank)")
    assert blank.count() == 1 and blank.locator("td.cell.blank").count() == 5
    assert blank.locator("td.num:not(.blank)").count() == 0
    page.get_by_label("Sort by").select_option("index")
    page.get_by_label("Order").select_option("desc")
    page.get_by_role("button", name="Apply").click()
    v.check("results-sorted")
    first = rows.first.locator("th a").inner_text()
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(r"/partnership\?name="))
    frame = page.frame_locator("iframe.report-frame")
    assert first in frame.locator("h1").first.inner_text()
    v.check("partnership")
    page.go_back()
    page.get_by_role("link", name="Validation report (for researchers)").click()
    page.wait_for_url(re.compile(r"/r/1/validation$"))
    report = page.frame_locator("iframe.report-frame")
    report.locator("h1").first.wait_for(timeout=120_000)  # computed on first visit
    assert "Cronbach" in report.locator("body").inner_text()
    v.check("validation")
    page.get_by_role("link", name="Results of round 1").click()  # the way back
    page.wait_for_url(re.compile(r"/r/1/results$"))

    # 5. reports as a background job, then the zip
    z = _make_reports(page, tmp_path, 1)
    v.check("job-done")
    names = z.namelist()
    assert "index.html" in names
    assert len([n for n in names if n.endswith(".pdf")]) == 4
    assert len([n for n in names if n.endswith(".html")]) == 5
    assert z.read(names[-1])  # readable

    job_url = page.url

    # 6. settings: a change after the reports; the reports page says they predate it
    page.goto(project_url)
    page.get_by_role("link", name="Settings of the project").click()
    page.wait_for_url(re.compile(r"/settings$"))
    assert "cannot change once the project has a round" in page.locator("main").inner_text()
    page.get_by_label("Footer text").fill("Confidential: for the partnership's members")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_url(re.compile(r"/settings\?saved=1$"))
    v.check("settings-saved")
    page.goto(job_url)
    assert page.get_by_role("button", name="Make the reports again").is_visible()
    v.check("job-predates")

    # 7. second round: the saved mapping applies at once, reports compare with round 1
    page.goto(project_url)
    _upload(page, "survey round 2.csv", qualtrics_export(seed=22))
    v.check("check-round-2")
    assert page.get_by_role("heading", name="Columns and answers to match").count() == 0
    page.get_by_role("link", name="See the results").click()
    main = page.locator("main").inner_text()
    assert (
        "from the answers of round 2 only" in main
        and "compares its partnership with round 1" in main
    )
    z2 = _make_reports(page, tmp_path, 2)
    report = next(
        n
        for n in z2.namelist()
        if n.endswith(".html") and n != "index.html" and "paguyuban" not in n
    )
    text = z2.read(report).decode("utf-8")
    assert (
        "Change since the previous round" in text
        and "including benefits and comments, is from round 2 (" in text
        and "compares it with round 1 (" in text
    )
    page.goto(project_url)
    v.check("project-two-rounds")
    assert page.locator("table tbody tr").count() == 2
