"""The web app's words: id and en catalogues with the same keys and placeholders, and every
key a page asks for present."""

from __future__ import annotations

import re
import string
from pathlib import Path

from kemitraan_assess.reporting.locale import read_catalogue

ROOT = Path(__file__).resolve().parents[2]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_id_and_en_have_the_same_keys_and_placeholders() -> None:
    en = read_catalogue("locales/web", "en")
    id_ = read_catalogue("locales/web", "id")
    assert set(en) == set(id_)
    for key in en:
        assert _fields(en[key]) == _fields(id_[key]), key
        assert id_[key].strip() and en[key].strip(), key


def test_every_key_used_by_a_page_or_a_route_exists() -> None:
    from kemitraan_assess.web._http import web_catalogue

    en = web_catalogue("en").messages  # the web's words and the library's error texts
    used: set[str] = set()
    for path in [
        *(ROOT / "reports" / "templates" / "web").glob("*.html"),
        *(ROOT / "kemitraan_assess" / "web").glob("*.py"),
    ]:
        used |= set(
            re.findall(r"""\bt\(['"]([a-z_]+\.[a-z_.]+)['"]""", path.read_text(encoding="utf-8"))
        )
        used |= set(
            re.findall(r"""\)\(['"]([a-z_]+\.[a-z_.]+)['"]""", path.read_text(encoding="utf-8"))
        )
    assert len(used) > 60
    missing = sorted(
        k for k in used if k not in en and not k.endswith(".")
    )  # 'job.status.' ~ code: below
    assert not missing
    # keys built at run time: a reason, a problem or a job status for each code
    from kemitraan_assess.io import REJECT_REASONS

    for code in REJECT_REASONS:
        assert f"reasons.{code}" in en
    for code in ("out_of_range", "not_integer", "unmapped_label"):
        assert f"problems.{code}" in en
    for status in ("queued", "running", "done", "failed", "interrupted"):
        assert f"job.status.{status}" in en


def test_every_platform_the_ingest_detects_has_a_name_in_both_languages() -> None:
    from kemitraan_assess.io.detect import PLATFORMS

    for lang in ("id", "en"):
        cat = read_catalogue("locales/web", lang)
        assert {f"platforms.{p}" for p in PLATFORMS} <= set(cat), lang
    assert read_catalogue("locales/web", "id")["platforms.kobotoolbox"] == "KoboToolbox"


def test_no_text_is_cut_by_an_unquoted_hash() -> None:
    """``key: text #0b5d7a`` reads as ``text``: YAML starts a comment at `` #``."""
    for lang in ("id", "en"):
        path = ROOT / "reports" / "locales" / "web" / f"{lang}.yaml"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not re.match(r"""^\s+[\w.]+: [^"'#].* #""", line), f"{path.name}:{n}"
    assert "#0b5d7a" in read_catalogue("locales/web", "en")["project.color"]
