"""A seeded synthetic partnership survey with real structure, and the demo pipeline.

The survey is drawn from a simple latent model, so the numbers in the demo reports mean
something: partnerships differ in their true levels of every success factor and benefit;
factors differ from each other; some partnerships disagree internally (two camps, mostly
two sectors: health offices and community organisations); the
working model a partnership follows shows in its model items; and answers to the
goals / resources / context questions mostly suit that model (not always, so some
reports say the model does not fit). About 3 % of answers are blank and some are
"Tidak tahu". One partnership is below the confidentiality minimum.

The same seed gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .instrument.model import Instrument

__all__ = [
    "DEMO_SEED",
    "DemoPartnership",
    "demo_partnerships",
    "make_demo_survey",
    "demo_csv_bytes",
]

DEMO_SEED = 20261123

# (name as typed, type, working model, general level, spread, size)
_PARTNERSHIPS: list[tuple[str, str, str, float, float, int]] = [
    (
        "Kemitraan Percepatan Penurunan Stunting Kab. Sleman",
        "multisectoral",
        "collaboration",
        4.3,
        0.35,
        18,
    ),
    ("Forum Kota Sehat Bantul", "multisectoral", "coordination", 3.7, 0.40, 14),
    ("Koalisi Kawasan Tanpa Rokok Jawa Timur", "nonprofit_nonprofit", "coalition", 3.9, 0.40, 12),
    ("Jejaring Penanggulangan TB Kota Malang", "public_private", "network", 3.4, 0.45, 22),
    ("Aliansi Gizi Seimbang Sulawesi Selatan", "public_private", "alliance", 4.0, 0.35, 16),
    ("Posyandu Remaja Desa Sukamaju", "community", "collaboration", 3.1, 0.45, 9),
    (
        "Kemitraan Sanitasi Total Berbasis Masyarakat Kab. Lombok Timur",
        "community",
        "coordination",
        2.6,
        0.45,
        11,
    ),
    ("Gerakan Masyarakat Hidup Sehat Kota Kupang", "multisectoral", "coordination", 3.3, 0.40, 20),
    ("Jaringan LSM Kesehatan Ibu dan Anak Papua", "nonprofit_nonprofit", "network", 2.8, 0.50, 8),
    ("Kemitraan CSR Air Bersih Karawang", "public_private", "alliance", 3.6, 0.40, 10),
    ("Koalisi Advokasi Cukai Minuman Berpemanis", "nonprofit_nonprofit", "coalition", 3.5, 0.45, 7),
    ("Forum Desa Siaga Kecamatan Ngaglik", "community", "collaboration", 4.1, 0.35, 13),
    ("Kemitraan Sekolah Sehat Kota Bandung", "multisectoral", "coordination", 3.8, 0.40, 25),
    ("Jejaring Layanan HIV Kota Medan", "public_private", "network", 3.0, 0.50, 17),
    (
        "Aliansi Pencegahan Demam Berdarah Kota Semarang",
        "public_private",
        "alliance",
        2.5,
        0.40,
        15,
    ),
    (
        "Tim Terpadu Kesehatan Jiwa Kab. Gunungkidul",
        "multisectoral",
        "collaboration",
        3.2,
        0.95,
        16,
    ),
    ("Kemitraan Bidan dan Dukun Kab. Sumba Barat", "community", "coordination", 3.0, 0.90, 12),
    (
        "Koalisi Perempuan untuk Kesehatan Reproduksi NTB",
        "nonprofit_nonprofit",
        "coalition",
        4.2,
        0.35,
        9,
    ),
    ("Forum Pangan Lokal Kab. Wonosobo", "community", "network", 3.6, 0.45, 6),
    ("Kemitraan Industri Sehat Kawasan Cikarang", "public_private", "alliance", 2.9, 0.45, 19),
    ("Gugus Tugas Imunisasi Kota Makassar", "multisectoral", "coordination", 4.4, 0.30, 21),
    ("Jaringan Relawan Lansia Sehat Yogyakarta", "nonprofit_nonprofit", "network", 3.3, 0.45, 10),
    ("Kemitraan Puskesmas dan Pesantren Jombang", "community", "collaboration", 3.7, 0.40, 8),
    ("Koalisi Jalan Aman dan Sehat Surabaya", "multisectoral", "coalition", 3.1, 0.90, 14),
    ("Aliansi Rumah Sakit Swasta untuk Malaria Maluku", "public_private", "alliance", 3.4, 0.40, 7),
    ("Forum Kesehatan Pesisir Kab. Pangandaran", "community", "coordination", 2.7, 0.50, 9),
    (
        "Kemitraan Gizi Anak Sekolah Kab. Kulon Progo",
        "multisectoral",
        "collaboration",
        3.9,
        0.35,
        11,
    ),
    ("Jejaring Klinik Pratama Kota Denpasar", "public_private", "network", 3.5, 0.45, 5),
    ("Koalisi Peduli Thalassemia Jawa Barat", "nonprofit_nonprofit", "coalition", 3.8, 0.40, 6),
    ("Paguyuban Kader Kesehatan Desa Wae Rebo", "community", "collaboration", 3.6, 0.40, 3),
]

_COMMENTS = [
    "Rapat koordinasi sebaiknya dijadwalkan rutin setiap bulan.",
    "Pembagian peran antarmitra belum jelas, terutama soal pendanaan.",
    "Komunikasi lewat grup WhatsApp sangat membantu, tapi keputusan penting perlu dicatat.",
    "Kami butuh data pemantauan yang dibagikan ke semua mitra, bukan hanya ke dinas.",
    "Kepemimpinan ketua forum sangat baik dan mengayomi.",
    "Konflik soal lokasi kegiatan belum pernah dibahas secara terbuka.",
    'Mitra swasta kadang "menghilang" setelah acara seremonial.',
    "Perlu pelatihan evaluasi program untuk kader.",
    "Tidak ada.",
    "-",
]
"""Open answers drawn for the demo; non-answers ("Tidak ada.", "-") are dropped by the
reports. A hostile string (markup, a spreadsheet formula) is injected only by the tests."""

_WAVE_PARTNERSHIPS = (
    "Kemitraan Sekolah Sehat Kota Bandung",
    "Gugus Tugas Imunisasi Kota Makassar",
    "Tim Terpadu Kesehatan Jiwa Kab. Gunungkidul",
)
"""Partnerships surveyed in two rounds (the earlier half of their answers is round 2025,
a little lower), so the demo reports show the comparison with the previous round."""


@dataclass(frozen=True)
class DemoPartnership:
    name: str
    type: str
    model: str
    level: float
    spread: float
    size: int


def demo_partnerships() -> list[DemoPartnership]:
    """The partnerships of the demo survey (a divided one has spread ≥ 0.9)."""
    return [DemoPartnership(*row) for row in _PARTNERSHIPS]


def _choice_codes(instrument: Instrument, role: str) -> tuple[str | None, list[Any]]:
    fld = instrument.field_by_role(role)
    if fld is None:
        return None, []
    return fld.id, list(fld.choices)


def make_demo_survey(
    instrument: Instrument, *, seed: int = DEMO_SEED, lang: str | None = None
) -> pd.DataFrame:
    """Draw the demo survey as a KoboToolbox "XML values and headers" CSV would hold it.

    Columns are the respondent fields, the items under their group (``gol/GOL1``) and
    Kobo's metadata (``_id``, ``_uuid``, ``_submission_time``, ...); answers are codes 1–5, with
    blanks (~3 %) and the instrument's first missing label ("Tidak tahu") for some
    answers. Partnership names are typed with the occasional case or spacing slip
    (ingest groups them back). Vectorised over respondents.
    """
    rng = np.random.default_rng(seed)
    lang = lang or instrument.default_language
    parts = demo_partnerships()
    sizes = np.array([p.size for p in parts])
    n = int(sizes.sum())
    pid = np.repeat(np.arange(len(parts)), sizes)
    spread = np.array([p.spread for p in parts])[pid]
    divided = spread >= 0.9
    # two camps in a divided partnership: half see it well, half badly
    camp = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    shift = np.where(divided, camp * 0.9, 0.0)

    frame: dict[str, Any] = {}
    frame["respondent_id"] = [f"R{idx:04d}" for idx in range(1, n + 1)]
    names = np.array([p.name for p in parts], dtype=object)[pid]
    slip = rng.random(n)
    names = np.where(slip < 0.04, np.char.upper(names.astype(str)).astype(object), names)
    names = np.where(
        (slip >= 0.04) & (slip < 0.07), np.char.add(names.astype(str), "  ").astype(object), names
    )
    frame["partnership"] = names

    sector_id, sectors = _choice_codes(instrument, "sector")
    if sector_id:
        codes = [c.code for c in sectors]
        sector = rng.choice(codes, size=n).astype(object)
        if len(codes) >= 2:
            # in a divided partnership the camps are mostly two sectors (the health offices
            # see it well, community organisations badly), so the report can show how
            # sectors differ; the typo draw (slip) doubles as the 15 % who cross over
            well = "health" if "health" in codes else codes[0]
            badly = "community" if "community" in codes else codes[-1]
            cross = (slip >= 0.07) & (slip < 0.22)
            sector = np.where(divided, np.where((camp > 0) ^ cross, well, badly), sector)
        frame[sector_id] = sector
    org_field = next((f for f in instrument.fields if f.id == "organisation"), None)
    if org_field is not None:
        orgs = np.array(
            ["Dinas Kesehatan", "Puskesmas", "Yayasan", "PT", "Sekolah", "Universitas", "Kelurahan"]
        )
        frame[org_field.id] = np.char.add(
            np.char.add(rng.choice(orgs, size=n), " "), rng.integers(1, 9, size=n).astype(str)
        )
    type_id, _ = _choice_codes(instrument, "type")
    if type_id:
        ptype = np.array([p.type for p in parts], dtype=object)[pid]
        other = rng.choice(
            ["public_private", "nonprofit_nonprofit", "community", "multisectoral"], size=n
        )
        frame[type_id] = np.where(rng.random(n) < 0.85, ptype, other)
    true_model = np.array([p.model for p in parts], dtype=object)
    for role in ("goals", "resources", "context"):
        fid, choices = _choice_codes(instrument, role)
        if not fid:
            continue
        # each partnership's consensus answer: one that suits its model, except a few
        part_answer = []
        for k, p in enumerate(parts):
            suiting = [c.code for c in choices if p.model in c.suits]
            pool = suiting if suiting and (k % 7 != 3) else [c.code for c in choices]
            part_answer.append(pool[int(rng.integers(len(pool)))])
        consensus = np.array(part_answer, dtype=object)[pid]
        anything = rng.choice([c.code for c in choices], size=n)
        frame[fid] = np.where(rng.random(n) < 0.8, consensus, anything)

    missing_label = None
    for rs in instrument.response_scales.values():
        if rs.missing_labels:
            missing_label = rs.missing_labels[0].get(lang) or next(
                iter(rs.missing_labels[0].values())
            )
            break

    items_out: dict[str, np.ndarray] = {}
    for s_index, scale in enumerate(instrument.scales):
        # true partnership level for this scale: general level + factor-specific deviation
        dev = rng.normal(0.0, 0.35, size=len(parts))
        if scale.kind == "model":
            base = np.where(true_model == scale.model, 4.1, 2.6)
            mu = (base + rng.normal(0.0, 0.25, size=len(parts)))[pid]
        else:
            factor_offset = (s_index % 5 - 2) * 0.12
            mu = (np.array([p.level for p in parts]) + dev + factor_offset)[pid] + shift
        theta = mu + rng.normal(0.0, 1.0, size=n) * spread * 1.5
        for item in scale.items:
            rs = instrument.response_scales[item.response]
            x = np.rint(theta + rng.normal(0.0, 0.7, size=n))
            x = np.clip(x, rs.min, rs.max)
            if item.reverse:
                x = rs.min + rs.max - x
            items_out[item.id] = x

    table = pd.DataFrame(frame)
    item_df = pd.DataFrame(items_out)
    # KoboToolbox "XML values and headers": questions under their group's name
    item_df.columns = [f"{instrument.item_scale[c].lower()}/{c}" for c in item_df.columns]
    blanks = rng.random(item_df.shape) < 0.03
    dont_know = rng.random(item_df.shape) < 0.012
    text = item_df.astype("Int64").astype("string")
    text = text.mask(blanks, "")
    if missing_label:
        text = text.mask(dont_know & ~blanks, missing_label)
    out = pd.concat([table, text], axis=1)
    comment_field = instrument.field_by_role("comment")
    if comment_field is not None:
        pick = rng.integers(0, len(_COMMENTS), size=n)
        has = rng.random(n) < 0.35
        out[comment_field.id] = np.where(has, np.array(_COMMENTS, dtype=object)[pick], "")
    # KoboToolbox metadata columns, as its CSV export writes them
    start = pd.Timestamp("2026-09-01T08:00:00")
    minutes = np.sort(rng.integers(0, 60 * 24 * 28, size=n))
    submitted = (start + pd.to_timedelta(minutes, unit="min")).strftime("%Y-%m-%dT%H:%M:%S")
    out["_id"] = np.arange(1000001, 1000001 + n)
    out["_uuid"] = [
        f"{int(a):08x}-{int(b):04x}-4{int(c):03x}-8{int(d):03x}-{int(e):012x}"
        for a, b, c, d, e in zip(
            *(rng.integers(0, m, size=n) for m in (16**8, 16**4, 16**3, 16**3, 16**12)), strict=True
        )
    ]
    out["_submission_time"] = submitted
    out["_validation_status"] = ""
    out["_index"] = np.arange(1, n + 1)
    _add_rounds(out, instrument, pid, parts, seed)
    return out.drop(columns=["respondent_id"])


def _add_rounds(
    out: pd.DataFrame,
    instrument: Instrument,
    pid: np.ndarray,
    parts: list[DemoPartnership],
    seed: int,
) -> None:
    """A 'Putaran' column: 2026 for everyone, 2025 for the earlier half of the partnerships
    in :data:`_WAVE_PARTNERSHIPS`, whose answers then were about half a point lower and
    were submitted a year earlier (4–22 August 2025; round 2026 is in September 2026).
    A separate random stream, so every other value of the survey stays as it was."""
    fld = instrument.field_by_role("wave")
    if fld is None:
        return
    rng = np.random.default_rng(seed + 1)
    dates = np.random.default_rng(seed + 2)  # its own stream: the answers stay as they were
    wave = np.full(len(out), "2026", dtype=object)
    items = [c for c in out.columns if "/" in str(c)]
    for k, p in enumerate(parts):
        if p.name not in _WAVE_PARTNERSHIPS:
            continue
        rows = np.flatnonzero(pid == k)
        earlier = rows[: len(rows) // 2]
        wave[earlier] = "2025"
        minutes = np.sort(dates.integers(0, 60 * 24 * 19, size=len(earlier)))
        when = pd.Timestamp("2025-08-04T08:00:00") + pd.to_timedelta(minutes, unit="min")
        out.loc[out.index[earlier], "_submission_time"] = when.strftime("%Y-%m-%dT%H:%M:%S")
        for col in items:
            scale = instrument.item_scale[str(col).split("/")[-1]]
            if instrument.scale(scale).kind == "model":
                continue
            v = pd.to_numeric(out[col].iloc[earlier], errors="coerce")
            item = next(i for i in instrument.scale(scale).items if i.id == str(col).split("/")[-1])
            step = np.where(rng.random(len(earlier)) < 0.5, -1.0, 0.0) * (
                -1.0 if item.reverse else 1.0
            )
            lowered = (v + step).clip(1, 5)
            text = out[col].astype("string").to_numpy(dtype=object)
            ok = v.notna().to_numpy()
            text[earlier[ok]] = lowered[ok].astype(int).astype(str).to_numpy()
            out[col] = text
    out["Putaran"] = wave


def demo_csv_bytes(survey: pd.DataFrame) -> bytes:
    """The survey as UTF-8 CSV bytes with LF line endings (deterministic)."""
    buf = io.StringIO()
    survey.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")
