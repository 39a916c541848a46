"""The codebook: every item and respondent field with its texts, scale, key and codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import KemitraanError
from .model import Instrument

__all__ = ["codebook_frame", "codebook_records", "write_codebook"]


def codebook_records(instrument: Instrument) -> list[dict[str, Any]]:
    """One record per item and per respondent field, in instrument order.

    Examples
    --------
    >>> from kemitraan_assess import load_instrument
    >>> rec = codebook_records(load_instrument("tests/fixtures/mini-instrument.yaml"))
    >>> rec[1]["variable"], rec[1]["scale"], rec[1]["reverse"], rec[1]["codes"]
    ('Q2', 'S1', True, '1=Very inaccurate; 2; 3; 4; 5; 6=Very accurate')
    """
    langs = instrument.languages
    rows: list[dict[str, Any]] = []
    for scale, item in instrument.iter_items():
        rs = instrument.response_scales[item.response]
        codes = []
        for code in range(rs.min, rs.max + 1):
            label = rs.labels.get(code)
            codes.append(f"{code}={instrument.text(label)}" if label else str(code))
        row: dict[str, Any] = {
            "variable": item.id,
            "kind": "item",
            "scale": scale.id,
            "scale_kind": scale.kind,
            "reverse": item.reverse,
            "response": item.response,
            "min": rs.min,
            "max": rs.max,
            "codes": "; ".join(codes),
            "missing": "; ".join(instrument.text(m) for m in rs.missing_labels),
        }
        for lang in langs:
            row[f"text_{lang}"] = item.text.get(lang, "")
            row[f"scale_name_{lang}"] = scale.name.get(lang, "")
        rows.append(row)
    for fld in instrument.fields:
        row = {
            "variable": fld.id,
            "kind": f"field:{fld.role}",
            "scale": "",
            "scale_kind": "",
            "reverse": False,
            "response": fld.kind,
            "min": None,
            "max": None,
            "codes": "; ".join(f"{c.code}={instrument.text(c.label)}" for c in fld.choices),
            "missing": "",
        }
        for lang in langs:
            row[f"text_{lang}"] = fld.text.get(lang, "")
            row[f"scale_name_{lang}"] = ""
        rows.append(row)
    return rows


def codebook_frame(instrument: Instrument) -> pd.DataFrame:
    return pd.DataFrame(codebook_records(instrument))


def write_codebook(instrument: Instrument, path: str | Path) -> Path:
    """Write the codebook as CSV or JSON, chosen by the file's extension."""
    from ..output import atomic_write_text, json_text, write_csv_safe

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        doc = {
            "instrument": {
                "id": instrument.id,
                "version": instrument.version,
                "languages": instrument.languages,
            },
            "variables": codebook_records(instrument),
        }
        atomic_write_text(path, json_text(doc))
    elif suffix == ".csv":
        write_csv_safe(codebook_frame(instrument), path)
    else:
        raise KemitraanError(
            f"{path}: the codebook is written as .csv or .json (got '{suffix or 'no extension'}')"
        )
    return path
