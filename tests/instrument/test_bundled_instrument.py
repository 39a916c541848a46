"""The bundled instrument ``kemitraan-readiness`` and its recommendations catalogue.

The content follows the project's seed texts (shared/seeds): five success factors, six
benefits, four partnership types and five partnership models, whose choice depends on
goals, resources and context. The readiness bands are the Wilder Collaboration Factors
Inventory convention (Mattessich, Murray-Close & Monsey, 2001): >= 4.0 strength,
3.0-3.99 needs attention, < 3.0 concern.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("id", "en")
SUCCESS = ["GOL", "LEAD", "COMM", "CONF", "EVAL"]
BENEFITS = ["REACH", "RES", "COORD", "SUST", "ACCT", "TRUST"]
MODELS = {"MCOL": "collaboration", "MCOORD": "coordination", "MNET": "network",
          "MCOAL": "coalition", "MALL": "alliance"}  # fmt: skip


@pytest.fixture(scope="module")
def recs():
    path = ROOT / "reports" / "recommendations" / "kemitraan-readiness.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def bilingual(text, where):
    assert text is not None, where
    for lang in LANGS:
        assert str(text.get(lang, "")).strip(), f"{where}: no '{lang}' text"


def test_identity(instrument):
    assert (instrument.id, instrument.version, instrument.languages) == (
        "kemitraan-readiness",
        "1.0.0",
        ["id", "en"],
    )
    for part in ("title", "description", "source"):
        bilingual(getattr(instrument, part), part)
    assert "Wilder" in instrument.source["en"] and "Wilder" in instrument.source["id"]


def test_scale_kinds_and_sizes(instrument):
    assert [s.id for s in instrument.scales_of_kind("success_factor")] == SUCCESS
    assert [s.id for s in instrument.scales_of_kind("benefit")] == BENEFITS
    assert {s.id: s.model for s in instrument.scales_of_kind("model")} == MODELS
    for s in instrument.scales_of_kind("success_factor"):
        assert 5 <= len(s.items) <= 6, s.id
        assert any(i.reverse for i in s.items), f"{s.id} has no reverse-keyed item"
        bilingual(s.description, f"{s.id}.description")
    for s in instrument.scales_of_kind("benefit"):
        assert 3 <= len(s.items) <= 4, s.id
    for s in instrument.scales_of_kind("model"):
        assert 2 <= len(s.items) <= 3, s.id
    assert all(i.id.startswith(s.id) for s, i in instrument.iter_items())


def test_every_text_in_both_languages(instrument):
    for s, item in instrument.iter_items():
        bilingual(s.name, s.id)
        bilingual(item.text, item.id)
        bilingual(item.short, f"{item.id}.short")
        for lang in LANGS:
            assert len(item.short[lang].split()) <= 6, (
                f"{item.id}.short[{lang}] is longer than 6 words"
            )
        assert item.response == "agree5"
    rs = instrument.response_scales["agree5"]
    for code in range(1, 6):
        bilingual(rs.labels[code], f"agree5.{code}")
    for i, text in enumerate(rs.missing_labels):
        bilingual(text, f"agree5.missing_labels[{i}]")
    for fld in instrument.fields:
        bilingual(fld.text, fld.id)
        for c in fld.choices:
            bilingual(c.label, f"{fld.id}.{c.code}")
    for band in instrument.bands:
        bilingual(band.label, band.id)
        bilingual(band.description, band.id)
    for m in instrument.models:
        for part in ("name", "description", "suits_when"):
            bilingual(getattr(m, part), f"{m.id}.{part}")
    for t in instrument.types:
        bilingual(t.name, t.id)
        bilingual(t.description, t.id)


def test_answer_labels_are_unambiguous(instrument):
    """Every label, variant and missing label names one code only (any case)."""
    rs = instrument.response_scales["agree5"]
    owner: dict[str, object] = {}
    entries = [(t, code) for code, text in rs.labels.items() for t in text.values()]
    entries += [(t, code) for code, ts in rs.label_variants.items() for t in ts]
    entries += [(t, "missing") for text in rs.missing_labels for t in text.values()]
    for text, code in entries:
        key = text.strip().casefold()
        assert owner.setdefault(key, code) == code, f"{text!r} means both {owner[key]} and {code}"
    assert rs.missing_codes == [8, 9]


def test_fields(instrument):
    roles = {f.role: f for f in instrument.fields}
    assert [f.id for f in instrument.fields] == [
        "partnership",
        "respondent_id",
        "organisation",
        "sector",
        "ptype",
        "goals",
        "resources",
        "context",
        "wave",
        "comment",
    ]
    assert roles["partnership"].required and roles["partnership"].kind == "text"
    assert {"Nama kemitraan", "Partnership name"} <= set(roles["partnership"].aliases)
    assert (
        {c.code for c in roles["type"].choices}
        == {t.id for t in instrument.types}
        == {"public_private", "nonprofit_nonprofit", "community", "multisectoral"}
    )
    assert {
        "health",
        "education",
        "social_services",
        "government",
        "private",
        "ngo",
        "community",
        "academia",
        "other",
    } <= {c.code for c in roles["sector"].choices}


def test_model_choice_factors(instrument):
    model_ids = {m.id for m in instrument.models}
    assert model_ids == set(MODELS.values())
    suggested = set()
    for fld in instrument.fields:
        for c in fld.choices:
            assert set(c.suits) <= model_ids, f"{fld.id}.{c.code} names an unknown model"
    for role in ("goals", "resources", "context"):
        fld = instrument.field_by_role(role)
        assert fld is not None and fld.kind == "choice"
        for c in fld.choices:
            assert c.suits, f"{fld.id}.{c.code} suits no model"
            bilingual(c.reason, f"{fld.id}.{c.code}.reason")
            suggested |= set(c.suits)
    assert suggested == model_ids  # every model can be suggested


def test_readiness_bands_and_defaults(instrument):
    assert (
        instrument.readiness_composite.scales == SUCCESS
        and instrument.readiness_composite.weights is None
    )
    assert [(b.id, b.min) for b in instrument.bands] == [
        ("strength", 4.0),
        ("attention", 3.0),
        ("concern", 0.0),
    ]
    assert instrument.band_for(3.99).id == "attention" and instrument.band_for(4.0).id == "strength"
    assert instrument.band_for(2.99).id == "concern"
    assert instrument.defaults.min_group_size == 5
    assert instrument.defaults.min_answered == pytest.approx(2 / 3, rel=1e-6)
    # two thirds of the items: 4 of 6, 2 of 3, 3 of 4
    need = {s.id: instrument.min_answered_count(s) for s in instrument.scales}
    assert need["GOL"] == 4 and need["REACH"] == 2 and need["TRUST"] == 3 and need["MCOORD"] == 2


def test_recommendations(instrument, recs):
    assert recs["instrument"] == instrument.id
    for sid in SUCCESS + BENEFITS:
        entry = recs["scales"][sid]
        assert 3 <= len(entry["concern"]) <= 4, sid
        assert 2 <= len(entry["attention"]) <= 3, sid
        for band in ("concern", "attention"):
            for i, action in enumerate(entry[band]):
                bilingual(action, f"{sid}.{band}[{i}]")
    assert set(recs["scales"]) <= {s.id for s in instrument.scales}
    assert set(recs["models"]) == {m.id for m in instrument.models}
    for mid, actions in recs["models"].items():
        assert len(actions) >= 2
        for i, action in enumerate(actions):
            bilingual(action, f"{mid}[{i}]")
