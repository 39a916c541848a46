"""What a first-time user (an M&E officer, Indonesian by default, no terminal) meets.

Library messages are English, as the command line prints them: the page says in its own
language what happened and what to do, and shows the message as the details. The check
page names respondent fields in words, and the heat-map's title stays readable on a phone.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from exports import RENAMED, csrf_of, demo_frame, export_needing_mapping

from kemitraan_assess.demo import demo_csv_bytes

PDF_AS_CSV = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256)) * 4


def _client(app: Any, lang: str) -> httpx.Client:
    return httpx.Client(base_url=app.url, follow_redirects=True, timeout=120, cookies={"ka_lang": lang})


def _project(c: httpx.Client) -> tuple[str, str]:
    csrf = csrf_of(c.get("/").text)
    r = c.post("/projects", data={"csrf": csrf, "name": "Dinkes", "instrument": "bundled:kemitraan-readiness",
                                  "lang": "id", "min_group_size": "5"}, files={"logo": ("", b"")})
    assert r.status_code == 200, r.text
    return str(r.url).rsplit("/", 1)[1], csrf


@pytest.mark.parametrize(("lang", "lead", "hint"), [
    ("id", "Berkas laporan.csv tidak dapat dipakai, jadi tidak disimpan. Proyek tidak berubah.",
     "Unggah ekspor survei apa adanya"),
    ("en", "The file laporan.csv cannot be used, so it was not kept. The project is unchanged.",
     "Upload the survey export as it is"),
])
def test_a_wrong_file_is_explained_in_the_page_language(live_app, lang: str, lead: str, hint: str) -> None:
    app = live_app()
    with _client(app, lang) as c:
        pid, csrf = _project(c)
        for name, data in (("laporan.csv", PDF_AS_CSV), ("laporan.csv", b"")):
            r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": (name, data)})
            assert r.status_code == 400
            assert lead in r.text and hint in r.text
            # the library's own line stays, as the details
            assert ("PDF document" in r.text) if data else ("empty" in r.text)
    assert app.app.state.web.store.uploads(pid) == []


def test_the_row_limit_message_is_not_presented_as_an_english_detail(live_app) -> None:
    app = live_app(max_rows=10)
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("survey.csv", export_needing_mapping())})
    assert r.status_code == 400
    assert "survey.csv: 41 baris, lebih dari 10 yang diterima server ini" in r.text
    assert "bahasa Inggris" not in r.text


def test_check_page_speaks_of_respondents_and_names_fields_in_words(live_app) -> None:
    app = live_app()
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("a.csv", export_needing_mapping())})
    page = r.text
    assert re.search(r"<strong>41</strong> responden dipakai", page)
    assert "Platform terdeteksi: KoboToolbox" in page  # its name, not the id "kobotoolbox"
    # a column can be matched to a respondent field, offered by its question text
    assert '<option value="partnership">Nama kemitraan (partnership)</option>' in page
    assert RENAMED["lead/LEAD2"] in page
    # the library's warnings (English) come under a heading that says so
    notes = page[page.index("Catatan pemeriksaan"):]
    assert "bahasa Inggris" in notes[:400] and "have no column in the export" in notes


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_heat_map_title_is_readable_at_phone_width(live_app, open_page: Any, width: int) -> None:
    app = live_app()
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("a.csv", demo_csv_bytes(demo_frame(5)))})
    page = open_page(f"{app.url}/p/{pid}/r/1/results", width=width)
    title = page.locator("#heat-caption")
    assert title.inner_text() == "Faktor keberhasilan per kemitraan (rata-rata, 1–5) · kemitraan dalam tabel: 5"
    box = title.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width  # not cut off by the table's scrolling
    assert page.locator(".scroll-hint").is_visible() == (width == 360)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
