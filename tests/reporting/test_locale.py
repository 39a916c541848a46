"""Catalogues: id and en have the same keys and placeholders; every key the code and the
templates use exists; numbers follow the locale (Babel / CLDR: 0,82 in Indonesian)."""

import re
import string
from pathlib import Path

import pytest

from kemitraan_assess.reporting.locale import _read, available_languages, load_catalogue

ROOT = Path(__file__).resolve().parents[2]


def _fields(text):
    return sorted({f for _, f, _, _ in string.Formatter().parse(text) if f})


def test_languages_have_identical_keys_and_placeholders():
    langs = available_languages()
    assert {"id", "en"} <= set(langs)

    def common(cat):  # ordinal patterns follow each language's CLDR categories
        return {k for k in cat if not k.startswith("ordinal.") or k == "ordinal.other"}

    ref = _read("en")
    for lang in langs:
        cat = _read(lang)
        assert common(cat) == common(ref), (
            f"{lang}: keys differ: {sorted(common(cat) ^ common(ref))}"
        )
        for key in common(ref):
            text = ref[key]
            assert _fields(cat[key]) == _fields(text), f"{lang}:{key} placeholders differ"
            assert cat[key].strip(), f"{lang}:{key} is empty"


def _used_keys():
    keys = set()
    for tpl in (ROOT / "reports" / "templates").glob("*.html"):
        keys |= set(
            re.findall(r"""\bt\(\s*'([a-z_]+\.[a-z_0-9]+)'""", tpl.read_text(encoding="utf-8"))
        )
    for py in (ROOT / "kemitraan_assess" / "reporting").glob("*.py"):
        if py.name.startswith("validation_"):  # the validation report's own catalogue
            continue
        keys |= set(
            re.findall(r"""\bcat\(\s*"([a-z_]+\.[a-z_0-9]+)\"""", py.read_text(encoding="utf-8"))
        )
    return keys


def test_every_key_used_exists():
    used = _used_keys()
    assert len(used) > 100
    missing = sorted(used - set(_read("en")))
    assert not missing


@pytest.mark.parametrize(
    ("lang", "value", "digits", "expected"),
    [
        ("id", 0.8249, 2, "0,82"),
        ("en", 0.8249, 2, "0.82"),
        ("id", 3.456, 1, "3,5"),
        ("id", None, 2, "–"),
    ],
)
def test_numbers_follow_the_locale(lang, value, digits, expected):
    assert load_catalogue(lang).number(value, digits) == expected


def test_signed_percent_and_integers():
    cat = load_catalogue("id")
    assert (
        cat.signed(0.25) == "+0,25" and cat.signed(-0.25) == "−0,25" and cat.signed(0.001) == "0,00"
    )
    assert cat.percent(0.785) == "78%"  # CLDR id: no space before %
    assert cat.integer(1234) == "1.234"
    assert load_catalogue("en").integer(1234) == "1,234"


def test_unknown_language_names_the_fix():
    from kemitraan_assess.errors import KemitraanError

    with pytest.raises(KemitraanError, match="reports/locales/xx.yaml"):
        load_catalogue("xx")


def test_ordinal_patterns_cover_the_languages_cldr_categories():
    """Every ordinal category CLDR gives a language (via Babel) has a pattern, and no other."""
    from babel import Locale

    for lang in available_languages():
        cat = load_catalogue(lang)
        have = {k.split(".", 1)[1] for k in cat.messages if k.startswith("ordinal.")}
        used = {Locale.parse(lang).ordinal_form(n) for n in range(0, 1001)}
        assert "other" in have and used <= have and have <= used | {"other"}, (lang, have, used)
    en, id_ = load_catalogue("en"), load_catalogue("id")
    assert [en.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 111, 112, 113)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "111th",
        "112th",
        "113th",
    ]
    assert id_.ordinal(2) == "ke-2"
