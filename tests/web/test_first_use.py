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

from kemitraan_assess.demo import demo_csv_bytes

from .exports import RENAMED, csrf_of, demo_frame, export_needing_mapping

PDF_AS_CSV = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256)) * 4


def _client(app: Any, lang: str) -> httpx.Client:
    return httpx.Client(
        base_url=app.url, follow_redirects=True, timeout=120, cookies={"ka_lang": lang}
    )


def _project(c: httpx.Client) -> tuple[str, str]:
    csrf = csrf_of(c.get("/").text)
    r = c.post(
        "/projects",
        data={
            "csrf": csrf,
            "name": "Dinkes",
            "instrument": "bundled:kemitraan-readiness",
            "lang": "id",
            "min_group_size": "5",
        },
        files={"logo": ("", b"")},
    )
    assert r.status_code == 200, r.text
    return str(r.url).rsplit("/", 1)[1], csrf


@pytest.mark.parametrize(
    ("lang", "lead", "hint"),
    [
        (
            "id",
            "Berkas laporan.csv tidak dapat dipakai, jadi tidak disimpan. Proyek tidak berubah.",
            "Unggah ekspor survei apa adanya",
        ),
        (
            "en",
            "The file laporan.csv cannot be used, so it was not kept. The project is unchanged.",
            "Upload the survey export as it is",
        ),
    ],
)
def test_a_wrong_file_is_explained_in_the_page_language(
    live_app, lang: str, lead: str, hint: str
) -> None:
    app = live_app()
    with _client(app, lang) as c:
        pid, csrf = _project(c)
        for name, data in (("laporan.csv", PDF_AS_CSV), ("laporan.csv", b"")):
            r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": (name, data)})
            assert r.status_code == 400
            assert lead in r.text and hint in r.text
            # the library's message, in the page's language, as the details
            empty = {"id": "berkas ini kosong", "en": "the file is empty"}[lang]
            assert ("PDF document" in r.text) if data else (f"laporan.csv: {empty}" in r.text)
    assert app.app.state.web.store.uploads(pid) == []


def test_the_row_limit_message_is_not_presented_as_an_english_detail(live_app) -> None:
    app = live_app(max_rows=10)
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("survey.csv", export_needing_mapping())},
        )
    assert r.status_code == 400
    assert "survey.csv: 41 baris, lebih dari 10 yang diterima server ini" in r.text
    assert "bahasa Inggris" not in r.text


def test_check_page_speaks_of_respondents_and_names_fields_in_words(live_app) -> None:
    app = live_app()
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("a.csv", export_needing_mapping())},
        )
    page = r.text
    assert re.search(r"<strong>41</strong> responden dipakai", page)
    assert "Platform terdeteksi: KoboToolbox" in page  # its name, not the id "kobotoolbox"
    # a column can be matched to a respondent field, offered by its question text
    assert '<option value="partnership">Nama kemitraan (partnership)</option>' in page
    assert RENAMED["lead/LEAD2"] in page
    # the library's warnings (English) come under a heading that says so
    notes = page[page.index("Catatan pemeriksaan") :]
    assert "bahasa Inggris" in notes[:400] and "have no column in the export" in notes


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_heat_map_title_is_readable_at_phone_width(live_app, open_page: Any, width: int) -> None:
    app = live_app()
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("a.csv", demo_csv_bytes(demo_frame(5)))},
        )
    page = open_page(f"{app.url}/p/{pid}/r/1/results", width=width)
    title = page.locator("#heat-caption")
    assert (
        title.inner_text()
        == "Faktor keberhasilan per kemitraan (rata-rata, 1–5) · kemitraan dalam tabel: 5"
    )
    box = title.bounding_box()
    assert (
        box is not None and box["x"] + box["width"] <= width
    )  # not cut off by the table's scrolling
    assert page.locator(".scroll-hint").is_visible() == (width == 360)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_same_file_sent_twice_makes_one_round(live_app) -> None:
    """A double click on "Unggah dan periksa" (or the browser sending the form again)."""
    app = live_app()
    data = demo_csv_bytes(demo_frame(5))
    with _client(app, "id") as c:
        pid, csrf = _project(c)
        first = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("a.csv", data)})
        again = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("a.csv", data)})
        assert first.url.path == again.url.path == f"/p/{pid}/r/1/check"
        assert "sama persis dengan berkas putaran 1, jadi tidak dibuat putaran baru" in again.text
        assert "sama persis" not in first.text
        store = app.app.state.web.store
        assert [u.round for u in store.uploads(pid)] == [1]
        assert len(list((store.root / "files").iterdir())) == 1  # the second copy is not kept
        # a different file is the next round, as always
        other = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("b.csv", demo_csv_bytes(demo_frame(5, seed=99)))},
        )
        assert other.url.path == f"/p/{pid}/r/2/check"


@pytest.mark.browser
def test_a_sent_form_cannot_be_sent_again_while_the_next_page_loads(
    live_app, open_page: Any
) -> None:
    app = live_app()
    page = open_page(app.url, width=360)
    held: list[Any] = []
    sent: list[str] = []
    page.on(
        "request", lambda req: sent.append(req.method) if req.url.endswith("/projects") else None
    )
    page.route(
        "**/projects", lambda route: held.append(route)
    )  # a slow server: the request waits here
    page.locator("input[name=name]").fill("Dinkes lambat")
    button = page.locator("form[action='/projects'] button[type=submit]")
    # click, then the impatient second click 0.1 s later (JS clicks: Playwright would wait
    # for the held page, and cannot look into a page while its next page is on its way)
    disabled = button.evaluate(
        "b => { b.click(); return new Promise(r => setTimeout(() => {"
        " const d = b.disabled; b.click(); r(d); }, 100)); }"
    )
    page.wait_for_timeout(300)
    assert disabled and len(held) == 1 and sent == ["POST"]
    held[0].continue_()
    page.wait_for_url(re.compile(r"/p/[0-9a-f]{32}$"))
    page.go_back()
    page.wait_for_load_state("load")
    assert page.locator("form[action='/projects'] button[type=submit]").is_enabled()
    assert [p.name for p in app.app.state.web.store.projects()] == ["Dinkes lambat"]
