"""Projects and rounds over HTTP: uploaded instruments, the saved mapping, concurrent uploads."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path

import httpx
import yaml
from click.testing import CliRunner

from kemitraan_assess.cli import cli

from .exports import RENAMED, UNKNOWN_LABEL, csrf_of, export_needing_mapping

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini-instrument.yaml"


def _new(c: httpx.Client, files: dict | None = None, **fields: str) -> httpx.Response:
    csrf = csrf_of(c.get("/").text)
    data = {"csrf": csrf, "name": "P", "lang": "en", "min_group_size": "5", **fields}
    return c.post("/projects", data=data, files=files or {"logo": ("", b"")})


def test_an_uploaded_instrument_is_checked_and_errors_name_the_place(live_app) -> None:
    app = live_app()
    bad = MINI.read_text(encoding="utf-8").replace("reverse: true", "reverse: maybe")
    with app.client() as c:
        r = _new(c, files={"instrument_file": ("mine.yaml", bad.encode())})
        assert r.status_code == 400
        assert "scales[0].items[1].reverse" in r.text
        assert str(app.app.state.web.store.root) not in r.text
        assert app.app.state.web.store.projects() == []
        assert list((app.app.state.web.store.root / "projects").iterdir()) == []
        r = _new(c, files={"instrument_file": ("mine.yaml", MINI.read_bytes())})
        assert r.status_code == 200 and "mini-instrument" in r.text
        pid = str(r.url).rsplit("/", 1)[1]
        kept = app.app.state.web.store.project_dir(pid) / "instrument.yaml"
        assert kept.read_bytes() == MINI.read_bytes()  # as sent
        xls = c.get(f"/p/{pid}/xlsform.xlsx")
        assert xls.status_code == 200 and xls.content[:2] == b"PK"
        # the XLSForm made here is accepted back as an instrument
        r = _new(c, files={"instrument_file": ("form.xlsx", xls.content)})
        assert r.status_code == 200, r.text


def test_a_bad_brand_is_refused_with_the_field_named(live_app) -> None:
    app = live_app()
    with app.client() as c:
        r = _new(c, instrument="bundled:kemitraan-readiness", primary_color="#ffff00")
        assert r.status_code == 400 and "primary_color" in r.text
        evil = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        r = _new(c, instrument="bundled:kemitraan-readiness", files={"logo": ("logo.svg", evil)})
        assert r.status_code == 400 and "script" in r.text
        assert app.app.state.web.store.projects() == []


def test_saved_mapping_is_the_cli_mapping_and_applies_to_later_uploads(
    live_app, tmp_path: Path
) -> None:
    app = live_app()
    export = export_needing_mapping(seed=11)
    with app.client() as c:
        r = _new(c, instrument="bundled:kemitraan-readiness")
        pid = str(r.url).rsplit("/", 1)[1]
        csrf = csrf_of(r.text)
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("a.csv", export)})
        assert "Columns and answers to match" in r.text
        form = {
            "csrf": csrf,
            "round": "1",
            "colname_1": RENAMED["gol/GOL1"],
            "coltarget_1": "GOL1",
            "colname_2": RENAMED["lead/LEAD2"],
            "coltarget_2": "../../etc/passwd",  # not an item: ignored
            "labelname_1": UNKNOWN_LABEL,
            "labelcode_1": "5",
        }
        r = c.post(f"/p/{pid}/mapping", data=form)
        assert r.status_code == 200
        saved = c.get(f"/p/{pid}/mapping.yaml").text
        assert yaml.safe_load(saved) == {
            "columns": {RENAMED["gol/GOL1"]: "GOL1"},
            "labels": {UNKNOWN_LABEL: 5},
        }
        web_tally = r.text
        # the command line with the same file reads it the same way
        (tmp_path / "mapping.yaml").write_text(saved, encoding="utf-8")
        (tmp_path / "a.csv").write_bytes(export)
        res = CliRunner().invoke(
            cli,
            [
                "ingest",
                str(tmp_path / "a.csv"),
                "--mapping",
                str(tmp_path / "mapping.yaml"),
                "--out",
                str(tmp_path / "out"),
            ],
        )
        assert res.exit_code == 1  # LEAD2 still has no column: a warning
        assert "0 unusable cells" in res.output
        assert "<strong>0</strong> unusable answers" in web_tally
        # the account offered for download is the CLI's, byte for byte but for the file's name
        web_log = json.loads(c.get(f"/p/{pid}/r/1/account/ingest.json").content)
        cli_log = json.loads((tmp_path / "out" / "ingest.json").read_bytes())
        assert (
            web_log["counts"] == cli_log["counts"]
            and web_log["column_mapping"] == cli_log["column_mapping"]
        )
        assert (
            c.get(f"/p/{pid}/r/1/account/rejected.csv").content
            == (tmp_path / "out" / "rejected.csv").read_bytes()
        )
        assert c.get(f"/p/{pid}/r/1/account/..%2F..%2Fkemitraan.sqlite3").status_code == 404
        original = c.get(f"/p/{pid}/r/1/original")
        assert original.content == export
        assert (
            original.headers["content-disposition"] == 'attachment; filename="round-1-upload.csv"'
        )
        assert RENAMED["lead/LEAD2"] in web_tally  # still offered
        # round 2 uses the saved mapping
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("b.csv", export_needing_mapping(seed=22))},
        )
        assert r.url.path.endswith("/r/2/check")
        assert UNKNOWN_LABEL not in r.text and RENAMED["gol/GOL1"] not in r.text


def test_two_browsers_uploading_to_one_project_at_once_both_succeed(live_app) -> None:
    app = live_app()
    with app.client() as c:
        r = _new(c, instrument="bundled:kemitraan-readiness")
        pid = str(r.url).rsplit("/", 1)[1]
    payloads = [export_needing_mapping(seed=s) for s in (1, 2, 3, 4)]
    results: list[httpx.Response] = []
    start = threading.Barrier(len(payloads))

    def browser(data: bytes, k: int) -> None:
        with app.client() as cl:
            token = csrf_of(cl.get(f"/p/{pid}").text)
            start.wait()
            results.append(
                cl.post(
                    f"/p/{pid}/upload", data={"csrf": token}, files={"export": (f"b{k}.csv", data)}
                )
            )

    threads = [threading.Thread(target=browser, args=(d, k)) for k, d in enumerate(payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * 4
    store = app.app.state.web.store
    ups = store.uploads(pid)
    assert sorted(u.round for u in ups) == [1, 2, 3, 4]
    assert {u.sha256 for u in ups} == {hashlib.sha256(p).hexdigest() for p in payloads}
    for u in ups:
        assert hashlib.sha256(store.upload_path(u.id).read_bytes()).hexdigest() == u.sha256


def test_results_filters_and_sorting(live_app) -> None:
    app = live_app()
    with app.client() as c:
        r = _new(c, instrument="bundled:kemitraan-readiness")
        pid = str(r.url).rsplit("/", 1)[1]
        csrf = csrf_of(r.text)
        c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("a.csv", export_needing_mapping(6))},
        )
        page = c.get(f"/p/{pid}/r/1/results?sort=index&order=desc").text
        names = re.findall(r'partnership\?name=[^"]+">([^<]+)</a>', page)
        index = [
            float(x.replace(",", "."))
            for x in re.findall(r'<span class="pill band-\w+">([\d.,]+)</span>', page)
        ]
        assert len(names) == 6 and index == sorted(index, reverse=True)
        assert names[-1].startswith("Paguyuban")  # suppressed last, whatever the order
        concern = c.get(f"/p/{pid}/r/1/results?band=concern").text
        assert concern.count("partnership?name=") == len(
            re.findall(r'pill band-concern">[\d.,]+<', page)
        )
        found = c.get(f"/p/{pid}/r/1/results?q=semarang").text
        assert found.count("partnership?name=") == 1
