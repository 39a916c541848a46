"""Same input, same bytes: one side is made in a subprocess with another hash seed,
time zone and locale, so set iteration order, local time and the C locale cannot leak
into scores.json, the reports or the index."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kemitraan_assess.reporting import build_context, render_html, render_reports
from kemitraan_assess.reporting.pdf import render_pdf

from .conftest import DIVIDED, STRONG, SUPPRESSED, WEAK

KINDS = [STRONG, WEAK, DIVIDED, SUPPRESSED]

_SIDE = r"""
import hashlib, json, sys
from pathlib import Path
from kemitraan_assess import load_instrument
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting import build_context, render_html, render_reports
from kemitraan_assess.reporting.pdf import render_pdf
from kemitraan_assess.scoring import score

survey, out, names, pdf_name = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
inst = load_instrument("kemitraan-readiness")
res = score(ingest(survey, inst).responses, inst)
digest = {"scores.json": hashlib.sha256(res.summary_json_bytes()).hexdigest()}
for name in names:
    for lang in ("id", "en"):
        html = render_html(build_context(res, name, lang=lang))
        digest[f"{name}/{lang}"] = hashlib.sha256(html.encode()).hexdigest()
        if name == pdf_name and lang == "id":
            digest["pdf"] = hashlib.sha256(render_pdf(html)).hexdigest()
render_reports(res, out, lang="id", formats=("html",), workers=1, only=names)
digest["index"] = hashlib.sha256((out / "index.html").read_bytes()).hexdigest()
print(json.dumps(digest))
"""


@pytest.mark.slow
@pytest.mark.pdf
def test_same_bytes_with_another_hash_seed_time_zone_and_locale(demo_csv, demo_scored, tmp_path):
    survey = demo_csv
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="Pacific/Kiritimati", LANG="C", LC_ALL="C")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _SIDE,
            str(survey),
            str(tmp_path / "other"),
            json.dumps(KINDS),
            DIVIDED,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])

    res = demo_scored
    ours = {"scores.json": hashlib.sha256(res.summary_json_bytes()).hexdigest()}
    for name in KINDS:
        for lang in ("id", "en"):
            html = render_html(build_context(res, name, lang=lang))
            ours[f"{name}/{lang}"] = hashlib.sha256(html.encode()).hexdigest()
            if name == DIVIDED and lang == "id":
                ours["pdf"] = hashlib.sha256(render_pdf(html)).hexdigest()
    render_reports(res, tmp_path / "ours", lang="id", formats=("html",), workers=1, only=KINDS)
    ours["index"] = hashlib.sha256(Path(tmp_path / "ours" / "index.html").read_bytes()).hexdigest()
    assert ours == theirs
