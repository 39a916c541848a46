"""Batches: index, atomic files, skip when unchanged, failures do not stop the batch,
progress; the process pool and the dask cluster behind one interface."""

import re

import pytest

from kemitraan_assess.demo import make_demo_survey
from kemitraan_assess.reporting import batch as batch_mod
from kemitraan_assess.reporting import render_reports
from kemitraan_assess.reporting.batch import LocalPoolExecutor

from .conftest import HOSTILE_NAME, STRONG, SUPPRESSED, WEAK, _score_frame


def test_html_batch_index_and_rerun(demo_scores, tmp_path):
    ticks = []
    only = [STRONG, WEAK, SUPPRESSED, HOSTILE_NAME]
    res = render_reports(
        demo_scores,
        tmp_path,
        lang="en",
        formats=("html",),
        workers=1,
        only=only,
        progress=ticks.append,
    )
    assert not res.failures and sum(ticks) == 4
    files = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert len(files) == 5 and "index.html" in files
    assert all(re.fullmatch(r"[a-z0-9-]+\.html", f) for f in files)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    # every partnership listed; the suppressed one with why; hostile name escaped
    assert index.count('<th scope="row">') == len(demo_scores.summary["partnerships"])
    assert "Not shown: fewer than 5 respondents" in index
    # the only script is the index's own sorting/filtering; the hostile name is text
    assert (
        index.count("<script") == 1 and "<script>alert" not in index and "&lt;script&gt;" in index
    )
    assert f'href="{res.slugs[STRONG]}.html"' in index
    # a re-run with the same inputs skips everything
    again = render_reports(
        demo_scores, tmp_path, lang="en", formats=("html",), workers=1, only=only
    )
    assert sorted(again.skipped) == sorted(only) and [p.name for p in again.written] == [
        "index.html"
    ]
    # another language is another input: rendered again
    other = render_reports(
        demo_scores, tmp_path, lang="id", formats=("html",), workers=1, only=[STRONG]
    )
    assert other.skipped == ()


def test_a_failed_report_does_not_stop_the_batch(demo_scores, tmp_path, monkeypatch):
    real = batch_mod.render_html

    def flaky(ctx, **kw):
        if ctx["partnership"]["name"] == WEAK:
            raise RuntimeError("boom")
        return real(ctx, **kw)

    monkeypatch.setattr(batch_mod, "render_html", flaky)
    res = render_reports(
        demo_scores, tmp_path, lang="en", formats=("html",), workers=1, only=[STRONG, WEAK]
    )
    assert [f.partnership for f in res.failures] == [WEAK] and "boom" in res.failures[0].reason
    assert (tmp_path / f"{res.slugs[STRONG]}.html").exists()
    assert not (tmp_path / f"{res.slugs[WEAK]}.html").exists()
    assert not (tmp_path / f".{res.slugs[WEAK]}.key").exists()  # retried on the next run
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.slow
def test_process_pool_renders_the_same_bytes(demo_scores, tmp_path):
    one = render_reports(
        demo_scores, tmp_path / "a", lang="id", formats=("html",), workers=1, only=[STRONG, WEAK]
    )
    ex = LocalPoolExecutor(2)
    try:
        two = render_reports(
            demo_scores,
            tmp_path / "b",
            lang="id",
            formats=("html",),
            only=[STRONG, WEAK],
            executor=ex,
        )
    finally:
        ex.close()
    assert not one.failures and not two.failures
    for name in (STRONG, WEAK):
        slug = one.slugs[name]
        assert (tmp_path / "a" / f"{slug}.html").read_bytes() == (
            tmp_path / "b" / f"{slug}.html"
        ).read_bytes()


@pytest.mark.slow
@pytest.mark.dask
def test_dask_local_cluster(demo_scores, tmp_path):
    pytest.importorskip("dask.distributed")
    res = render_reports(
        demo_scores,
        tmp_path,
        lang="en",
        formats=("html",),
        scheduler="local",
        workers=2,
        only=[STRONG, WEAK, SUPPRESSED],
    )
    assert not res.failures
    assert len([p for p in res.written if p.suffix == ".html"]) == 4
    ref = render_reports(
        demo_scores, tmp_path / "ref", lang="en", formats=("html",), workers=1, only=[STRONG]
    )
    slug = res.slugs[STRONG]
    assert (tmp_path / f"{slug}.html").read_bytes() == (
        tmp_path / "ref" / f"{slug}.html"
    ).read_bytes()
    assert ref.failures == ()


def test_a_partnership_named_index_keeps_its_report(instrument, tmp_path):
    # "Index" used to get the slug "index": the portfolio index.html overwrote its report,
    # and its key file then made every re-run skip it
    s = make_demo_survey(instrument)
    m = s["partnership"].str.strip().str.lower() == STRONG.lower()
    s.loc[m, "partnership"] = "Index"
    scores = _score_frame(s, instrument, tmp_path / "survey.csv")
    out = tmp_path / "out"
    res = render_reports(scores, out, lang="en", formats=("html",), workers=1, only=["Index", WEAK])
    assert not res.failures and res.slugs["Index"] != "index"
    report = (out / f"{res.slugs['Index']}.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert report != index and f'href="{res.slugs["Index"]}.html"' in index
    assert "Reach and impact" in report and "Reach and impact" not in index
    assert f'href="{res.slugs[WEAK]}.html"' not in report
    again = render_reports(
        scores, out, lang="en", formats=("html",), workers=1, only=["Index", WEAK]
    )
    assert sorted(again.skipped) == sorted(["Index", WEAK])
    assert (out / f"{res.slugs['Index']}.html").read_text(encoding="utf-8") == report
    assert (out / "index.html").read_text(encoding="utf-8") == index
