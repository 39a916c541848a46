"""A later round: its results and reports are its own answers, compared with the round before.

Round 2's scores must not pool round 1's answers: an evaluator reads "round 2" as what
the members said in round 2. The comparison section of each report (the library's wave
comparison) is the one place both rounds meet.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from kemitraan_assess.demo import demo_csv_bytes
from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting.locale import load_catalogue
from kemitraan_assess.scoring import score

from .exports import RENAMED, UNKNOWN_LABEL, csrf_of, demo_frame, export_needing_mapping

SMALL = "Paguyuban Kader Kesehatan Desa Wae Rebo"  # 3 respondents in each round


def _own_scores(data: bytes, tmp_path: Path, name: str, round_no: int) -> dict:
    """The library's scores of one upload alone, its rows labelled with the app's round
    number in the wave field (as the app labels them, over the export's own round column)."""
    path = tmp_path / name
    path.write_bytes(data)
    inst = load_instrument("kemitraan-readiness")
    responses = ingest(path, inst).responses.assign(wave=str(round_no))
    return score(responses, inst, min_group_size=5).summary


def _rounds(app, tmp_path: Path) -> tuple[str, bytes, bytes]:
    one, two = demo_csv_bytes(demo_frame(5)), demo_csv_bytes(demo_frame(5, seed=99))
    with app.client() as c:
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
        for k, data in enumerate((one, two), start=1):
            r = c.post(
                f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": (f"round{k}.csv", data)}
            )
            assert r.url.path.endswith(f"/r/{k}/check"), r.text
    return pid, one, two


def test_round_two_results_are_round_two_answers_only(live_app, tmp_path: Path) -> None:
    app = live_app()
    pid, _, two = _rounds(app, tmp_path)
    own = _own_scores(two, tmp_path, "two.csv", 2)
    with app.client() as c:
        page = c.get(f"/p/{pid}/r/2/results").text
    # the respondents counted are round 2's, not rounds 1 and 2 together
    assert f"{own['n_respondents']} respondents" in page
    for name, p in own["partnerships"].items():
        assert re.search(
            re.escape(name) + r"</a> <span class=\"muted small\">n=" + str(p["n"]) + "<", page
        ), name
    # 3 respondents in each round: 6 when pooled, but round 2 alone is below the minimum of 5
    row = page[page.index(SMALL) :]
    assert "cell blank" in row[: row.index("</tr>")]
    assert "from the answers of round 2 only" in page


def test_round_two_report_is_round_two_with_the_comparison_to_round_one(
    live_app, tmp_path: Path
) -> None:
    app = live_app()
    pid, one, two = _rounds(app, tmp_path)
    own = _own_scores(two, tmp_path, "two.csv", 2)
    first = _own_scores(one, tmp_path, "one.csv", 1)
    cat = load_catalogue("en")
    name = next(n for n, p in own["partnerships"].items() if not p.get("suppressed"))
    index = own["partnerships"][name]["readiness"]["index"]
    assert cat.number(index) != cat.number(first["partnerships"][name]["readiness"]["index"])
    with app.client() as c:
        html = c.get(f"/p/{pid}/r/2/report", params={"name": name}).text
        assert f"readiness index is {cat.number(index)}" in html  # page 1 verdict
        assert "Round 2 · " in html or "Round 2: survey " in html  # page 1 names the round
        assert "Change since the previous round" in html and "compares it with round 1 (" in html
        assert "pool the answers" not in html
        # the report made by a job (local pool, HTML and PDF) says the same
        csrf = csrf_of(c.get(f"/p/{pid}/r/2/results").text)
        job = c.post(f"/p/{pid}/r/2/jobs", data={"csrf": csrf})
        jid = str(job.url).rsplit("/", 1)[1]
        for _ in range(600):
            state = c.get(f"/jobs/{jid}/progress.json").json()
            if state["status"] not in ("queued", "running"):
                break

            time.sleep(0.5)
        assert state["status"] == "done", state
        files = re.findall(
            r'href="/jobs/[0-9a-f]+/files/([^"]+\.html)"', c.get(f"/jobs/{jid}").text
        )
        made = [c.get(f"/jobs/{jid}/files/{f}").text for f in files if f != "index.html"]
        mine = next(h for h in made if f"readiness index is {cat.number(index)}" in h)
        assert "Change since the previous round" in mine and "compares it with round 1 (" in mine
        # round 1 has nothing to compare with
        r1 = c.get(f"/p/{pid}/r/1/report", params={"name": name}).text
        assert "Change since the previous round" not in r1


def test_two_projects_given_the_same_file_each_see_their_own_project(live_app) -> None:
    """The same export in two projects (two district offices, one template) with the same
    mapping: each project's pages name that project and link within it, never the other."""
    app = live_app()
    data = export_needing_mapping(seed=5)
    mapping = {
        "colname_1": RENAMED["gol/GOL1"],
        "coltarget_1": "GOL1",
        "labelname_1": UNKNOWN_LABEL,
        "labelcode_1": "5",
    }
    pids = []
    with app.client() as c:
        for name in ("Dinkes Kota A", "Dinkes Kota B"):
            csrf = csrf_of(c.get("/").text)
            r = c.post(
                "/projects",
                data={
                    "csrf": csrf,
                    "name": name,
                    "lang": "en",
                    "min_group_size": "5",
                    "instrument": "bundled:kemitraan-readiness",
                },
                files={"logo": ("", b"")},
            )
            pid = str(r.url).rsplit("/", 1)[1]
            c.post(f"/p/{pid}/upload", data={"csrf": csrf}, files={"export": ("same.csv", data)})
            r = c.post(f"/p/{pid}/mapping", data={"csrf": csrf, "round": "1", **mapping})
            assert r.url.path == f"/p/{pid}/r/1/check"
            pids.append((pid, name))
        for pid, name in pids:
            other = next(n for p, n in pids if p != pid)
            for page in ("check", "results"):
                html = c.get(f"/p/{pid}/r/1/{page}").text
                assert name in html and other not in html, (page, name)
                assert f'href="/p/{pid}"' in html
