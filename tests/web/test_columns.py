"""An export whose columns match nothing (Qualtrics ``Q3_1`` names, edited texts): kept as a
pending upload, its columns matched on the columns page, saved as the project's mapping."""

from __future__ import annotations

import re

import httpx
import yaml

from kemitraan_assess.io import ingest, load_mapping, preview_export

from .exports import csrf_of
from .qualtrics import EDITED_LABEL, qualtrics_export, question_columns


def _project(c: httpx.Client) -> tuple[str, str]:
    csrf = csrf_of(c.get("/").text)
    r = c.post(
        "/projects",
        data={
            "csrf": csrf,
            "name": "Q",
            "lang": "en",
            "min_group_size": "5",
            "instrument": "bundled:kemitraan-readiness",
        },
        files={"logo": ("", b"")},
    )
    assert r.status_code == 200
    return str(r.url).rsplit("/", 1)[1], csrf


def store_rows(c: httpx.Client, pid: str) -> int:
    """Rows read in round 1, as its ingest.json (downloaded from the check page) says."""
    return int(c.get(f"/p/{pid}/r/1/account/ingest.json").json()["counts"]["rows_read"])


def _choices(html: str) -> dict[str, str]:
    """Column name -> the position-keyed form field of its choice, from the page."""
    found = re.findall(r'<label for="col(\d+)"><code class="wrap">([^<]+)</code>', html)
    return {name: f"col_{j}" for j, name in found}


def _selected(html: str) -> dict[str, str]:
    """Form field -> the value selected in it on the page ('' when none is)."""
    out = {}
    for field, body in re.findall(
        r'<select id="col\d+" name="(col_\d+)">(.*?)</select>', html, re.S
    ):
        m = re.search(r'<option value="([^"]*)" selected>', body)
        out[field] = m.group(1) if m else ""
    return out


def test_preview_lists_every_column_without_a_match() -> None:
    pv = preview_export(qualtrics_export(seed=3), "kemitraan-readiness")
    assert pv.platform == "qualtrics" and pv.header_rows == 3 and pv.header_line == 1
    assert pv.n_matched_items == 0 and pv.partnership_column is None
    assert len(pv.columns) == 17 + len(question_columns())
    q = pv.column("Q3_1")
    assert q.texts[0].endswith("Statement 1 (revised wording)")
    assert q.texts[1] == '{"ImportId":"QID3_1"}'
    assert {a for a, _ in q.answers} <= {
        "Strongly disagree",
        "Disagree",
        "Neutral",
        "Agree",
        EDITED_LABEL,
    }
    assert sum(n for _, n in q.answers) + q.n_blank == pv.n_records
    assert pv.column("Status").metadata and pv.column("Status").target is None
    # bounded: at most max_answers distinct answers are listed, the count says how many
    small = preview_export(qualtrics_export(seed=3), "kemitraan-readiness", max_answers=2)
    assert len(small.column("Q1").answers) == 2 and small.column("Q1").n_distinct > 2
    # with a mapping, the same columns are matched (and a column mapped to '' left out)
    mapped = preview_export(
        qualtrics_export(seed=3),
        "kemitraan-readiness",
        mapping={"columns": {"Q1": "partnership", "Q3_1": "GOL1", "Q3_2": None}},
    )
    assert mapped.partnership_column == "Q1" and mapped.column("Q3_1").target == "GOL1"
    assert mapped.column("Q3_2").ignored


def test_unmatched_upload_is_kept_mapped_on_the_page_and_becomes_a_round(live_app) -> None:
    app = live_app()
    store = app.app.state.web.store
    with app.client() as c:
        pid, csrf = _project(c)
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("qualtrics.csv", qualtrics_export(seed=5))},
        )
        assert r.status_code == 200 and "/u/" in str(r.url) and str(r.url).endswith("/columns")
        assert "Match the columns of the upload" in r.text
        assert store.uploads(pid) == [] and len(store.pending_uploads(pid)) == 1
        fields = _choices(r.text)
        assert set(fields) >= {"StartDate", "Q1", "Q2", "Q7_6"}  # every column is listed
        assert "Which programme do you answer for?" in r.text and "×" in r.text
        url = str(r.url)

        # refused choices: nothing saved, the page says why, the choices stay as chosen
        form = {"csrf": csrf, fields["Q3_1"]: "GOL1", fields["Q3_2"]: "GOL1"}
        r = c.post(url, data=form)
        assert r.status_code == 400
        assert "GOL1 is chosen for more than one column" in r.text
        assert "Choose the column that holds the partnership names" in r.text
        assert store.project(pid).mapping == "" and store.uploads(pid) == []
        assert re.search(r'<option value="GOL1" selected>', r.text)

        form = {"csrf": csrf}
        for col, target in question_columns():
            form[fields[col]] = target
        r = c.post(url, data=form)
        assert r.status_code == 200 and str(r.url).endswith("/r/1/check"), r.text[:2000]
        assert store.pending_uploads(pid) == [] and [u.round for u in store.uploads(pid)] == [1]
        # the edited answer text is left for the check page's label mapping
        assert EDITED_LABEL in r.text and "Answers that match no code" in r.text
        saved = store.project(pid).mapping
        spec = load_mapping(yaml.safe_load(saved))
        assert spec.columns["Q1"] == "partnership" and spec.columns["Q7_6"] == "EVAL6"
        # the saved mapping is the CLI's --mapping: the same export ingests from the terminal
        res = ingest(qualtrics_export(seed=5), "kemitraan-readiness", mapping=spec)
        assert res.log["counts"]["rows_read"] == store_rows(c, pid)
        assert res.log["column_mapping"]["Q3_1"] == "GOL1"

        # a second round with the same layout goes straight to its check page
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("qualtrics-2.csv", qualtrics_export(seed=6))},
        )
        assert str(r.url).endswith("/r/2/check")


def test_a_column_matched_by_its_header_can_be_left_out(live_app) -> None:
    """Two columns holding one item (ingest refuses): leaving one out on the page fixes it."""
    from kemitraan_assess.demo import demo_csv_bytes

    from .exports import demo_frame

    survey = demo_frame(4, seed=7)
    survey["GOL1 copy"] = survey["gol/GOL1"]
    data = demo_csv_bytes(survey.rename(columns={"GOL1 copy": "GOL1"}))
    app = live_app()
    store = app.app.state.web.store
    with app.client() as c:
        pid, csrf = _project(c)
        r = c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("d.csv", data)})
        assert str(r.url).endswith("/columns")
        assert "Two columns of this file hold the same question" in r.text
        fields = _choices(r.text)
        r = c.post(str(r.url), data={"csrf": csrf})  # nothing chosen: no partnership, no item
        assert r.status_code == 400
        # keep every detected match, leave the copy out
        form = {"csrf": csrf, **_selected(c.get(str(r.url)).text)}
        assert form[fields["GOL1"]] == "GOL1" and form[fields["gol/GOL1"]] == "GOL1"
        form[fields["GOL1"]] = ""
        r = c.post(str(r.url), data=form)
        assert str(r.url).endswith("/r/1/check"), r.text[:3000]
        assert yaml.safe_load(store.project(pid).mapping)["columns"]["GOL1"] == ""


def test_a_pending_upload_is_listed_on_the_project_and_can_be_discarded(live_app) -> None:
    app = live_app()
    store = app.app.state.web.store
    with app.client() as c:
        pid, csrf = _project(c)
        r = c.post(
            f"/p/{pid}/upload",
            data={"csrf": csrf},
            files={"export": ("<i>q.csv", qualtrics_export(seed=8))},
        )
        uid = str(r.url).split("/u/")[1].split("/")[0]
        assert store.upload_path(uid).read_bytes() == qualtrics_export(seed=8)  # kept as sent
        page = c.get(f"/p/{pid}").text
        assert "Uploads waiting for their columns" in page
        assert f'href="/p/{pid}/u/{uid}/columns"' in page and "&lt;i&gt;q.csv" in page
        r = c.post(f"/p/{pid}/u/{uid}/discard", data={"csrf": "forged"})
        assert r.status_code == 403 and store.pending_uploads(pid)
        r = c.post(f"/p/{pid}/u/{uid}/discard", data={"csrf": csrf})
        assert r.status_code == 200 and store.pending_uploads(pid) == []
        assert not store.upload_path(uid).exists()
        assert "Uploads waiting" not in c.get(f"/p/{pid}").text
        assert c.get(f"/p/{pid}/u/{uid}/columns").status_code == 404
