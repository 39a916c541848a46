"""Library errors in the page's language: a stable code and params on the exception, the
catalogue text errors.<code> in id and en; unknown codes fall back to the English text."""

from __future__ import annotations

import pytest

from kemitraan_assess.errors import DataError, InstrumentError, KemitraanError
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting.locale import read_catalogue
from kemitraan_assess.web._http import web_catalogue
from kemitraan_assess.web.messages import explain

from .exports import csrf_of


def _error(data: bytes) -> DataError:
    with pytest.raises(DataError) as info:
        ingest(data, "kemitraan-readiness")
    return info.value


CASES = {
    b"": "data.empty",
    b"%PDF-1.4 binary": "data.binary",
    b"<!DOCTYPE html><html>login</html>": "data.html",
    b'{"a": 1}': "data.json",
    b"partnership,GOL1\n": "data.no_rows",
    b"programme,Q1\nA,4\n": "data.no_partnership_column",
    b'partnership,GOL1\nA,4\nB,"5\nC,3\n': "data.unclosed_quote",
    b"partnership,GOL1,GOL1\nA,4,4\n": "data.duplicate_column",
}


@pytest.mark.parametrize("data,code", list(CASES.items()))
def test_errors_a_web_user_meets_have_a_code_and_a_text_in_both_languages(data, code) -> None:
    exc = _error(data)
    assert exc.code == code
    for lang in ("id", "en"):
        t = web_catalogue(lang)
        assert t.has(f"errors.{code}")
        shown = explain(exc, t)
        assert shown and "{" not in shown.replace('{"a"', "")
    assert explain(exc, web_catalogue("id")) != explain(exc, web_catalogue("en"))


def test_the_message_and_its_place_are_translated() -> None:
    exc = _error(b"programme,Q1\nA,4\n")
    assert str(exc).startswith("<bytes>, row 1: no partnership column")  # the CLI's, unchanged
    assert exc.params["columns"] == ["programme", "Q1"]
    idn = explain(exc, web_catalogue("id"))
    assert idn.startswith("<bytes>, baris 1: tidak ada kolom yang berisi nama kemitraan")
    assert "programme, Q1" in idn
    en = explain(exc, web_catalogue("en"))
    assert en.startswith("<bytes>, row 1: no column holds the partnership names")


def test_instrument_errors_name_the_place() -> None:
    from kemitraan_assess.instrument.loader import parse_instrument

    with pytest.raises(InstrumentError) as info:
        parse_instrument({"id": "x"}, source="mine.yaml")
    exc = info.value
    assert exc.code == "instrument.invalid" and exc.location
    assert explain(exc, web_catalogue("id")).startswith(f"mine.yaml, di {exc.location}: ")


def test_unknown_codes_fall_back_to_the_english_text() -> None:
    exc = KemitraanError("something odd", code="data.not_in_any_catalogue")
    assert explain(exc, web_catalogue("id")) == "something odd"
    assert explain(KemitraanError("plain"), web_catalogue("id")) == "plain"


def test_every_code_raised_in_the_library_has_id_and_en_texts() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "kemitraan_assess"
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r'code="([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert len(codes) >= 25
    for lang in ("id", "en"):
        cat = read_catalogue("locales", lang)
        assert not sorted(c for c in codes if f"errors.{c}" not in cat), lang


@pytest.mark.parametrize(
    "lang,lead,text",
    [
        ("id", "Berkas bad.csv tidak dapat dipakai", "bad.csv: ini halaman web, bukan ekspor CSV"),
        ("en", "The file bad.csv cannot be used", "bad.csv: this is a web page, not a CSV export"),
    ],
)
def test_upload_errors_are_shown_in_the_page_language(live_app, lang, lead, text) -> None:
    app = live_app()
    with app.client() as c:
        c.cookies.set("ka_lang", lang)
        csrf = csrf_of(c.get("/").text)
        r = c.post(
            "/projects",
            data={
                "csrf": csrf,
                "name": "P",
                "lang": "en",
                "min_group_size": "5",
                "instrument": "bundled:kemitraan-readiness",
            },
            files={"logo": ("", b"")},
        )
        pid = str(r.url).rsplit("/", 1)[1]
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("bad.csv", b"<!DOCTYPE html><html>login</html>")},
        )
        assert r.status_code == 400
        assert lead in r.text and text in r.text
