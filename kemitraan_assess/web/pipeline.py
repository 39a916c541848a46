"""The one place where the web app calls the library: the same entry points as the CLI.

Every call the app makes into ingest, scoring, validation and report rendering goes
through this module, so that a change of those public functions is adjusted here only.
Nothing statistical happens here: these are thin calls with the web app's arguments.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import BrandError, InstrumentError
from ..instrument import Instrument, load_instrument

__all__ = [
    "bundled_instruments",
    "instrument_from_upload",
    "load_project_instrument",
    "xlsform_bytes",
    "make_brand",
    "ingest_export",
    "score_responses",
    "validation_html",
    "partnership_html",
    "render_batch",
    "mapping_from_yaml",
    "mapping_yaml",
    "project_brand",
    "report_slugs",
]


def bundled_instruments() -> list[Instrument]:
    from ..instrument import list_instruments

    return list_instruments()


def load_project_instrument(spec: str, project_dir: Path) -> Instrument:
    """``bundled:<id>`` or ``file`` (``instrument.yaml`` in the project's folder)."""
    if spec.startswith("bundled:"):
        return load_instrument(spec.removeprefix("bundled:"))
    return load_instrument(project_dir / "instrument.yaml")


def instrument_from_upload(path: Path, kind: str) -> tuple[Instrument, str]:
    """Validate an uploaded instrument; return it and its YAML text to keep.

    ``kind`` is ``"yaml"`` (kept as sent) or ``"xlsform"`` (converted). Raises
    :class:`InstrumentError` naming the place, as ``instruments validate`` does.
    """
    from ..instrument.xlsform import dump_instrument_yaml, from_xlsform

    if kind == "xlsform":
        inst = from_xlsform(path)
        return inst, dump_instrument_yaml(inst)
    inst = load_instrument(path)
    try:
        return inst, path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InstrumentError("not UTF-8 text", source=path.name) from None


def xlsform_bytes(instrument: Instrument) -> bytes:
    from ..instrument.xlsform import to_xlsform

    buf = io.BytesIO()
    to_xlsform(instrument, buf)
    return buf.getvalue()


def make_brand(
    folder: Path, *, organisation: str, primary_color: str, footer: str, logo: str
) -> Any:
    """A :class:`~kemitraan_assess.reporting.Brand` through ``load_brand`` (same checks as
    ``--brand``)."""
    from ..reporting import load_brand

    data: dict[str, str] = {}
    if organisation:
        data["organisation"] = organisation
    if primary_color:
        data["primary_color"] = primary_color
    if footer:
        data["footer"] = footer
    if logo:
        data["logo"] = logo
    path = folder / "brand.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=True), encoding="utf-8")
    try:
        return load_brand(path)
    except BrandError as exc:  # the file is ours: name the field, not our path
        raise BrandError(
            str(exc).replace(f"{path}: ", ""), code=exc.code, params=exc.params
        ) from None


def mapping_from_yaml(text: str) -> dict[str, Any]:
    """The project's mapping (YAML as for ``--mapping``) as a dict ``load_mapping`` reads."""
    from ..io import load_mapping

    data = yaml.safe_load(text) if text.strip() else {}
    spec = load_mapping(data or {})
    return {"columns": dict(spec.columns), "labels": dict(spec.labels)}


def ingest_export(
    path: Path, instrument: Instrument, mapping: Mapping[str, Any] | None, *, display_name: str
) -> Any:
    """``kemitraan_assess.io.ingest`` on a stored upload; messages name the user's file."""
    from ..errors import DataError
    from ..io import ingest

    try:
        return ingest(path, instrument, mapping=dict(mapping) if mapping else None)
    except DataError as exc:
        # the message names the user's file, never where the server keeps it
        def shown(text: str) -> str:
            return text.replace(str(path), display_name).replace(path.name, display_name)

        raise DataError(
            shown(exc.detail),
            file=shown(exc.file) if exc.file else None,
            row=exc.row,
            column=exc.column,
            code=exc.code,
            params=exc.params,
        ) from None


def score_responses(
    responses: Any, instrument: Instrument, min_group_size: int, *, previous: Any = None
) -> Any:
    """``kemitraan_assess.scoring.score``; ``previous`` (the previous round's responses,
    labelled by round in the wave field as ``responses`` are) gives each report its
    comparison with that round, never its headline numbers."""
    from ..scoring import score

    return score(responses, instrument, min_group_size=min_group_size, previous=previous)


def validation_html(responses: Any, instrument: Instrument, lang: str) -> bytes:
    from ..reporting.validation_report import render_validation
    from ..validation import validate

    return render_validation(validate(responses, instrument), instrument, lang=lang, fmt="html")


def partnership_html(scores: Any, name: str, *, lang: str, brand: Any) -> str:
    """One report (its comparison with the previous round is in ``scores``)."""
    from ..reporting import build_context, render_html

    return render_html(build_context(scores, name, lang=lang, brand=brand))


def render_batch(
    scores: Any,
    out_dir: Path,
    *,
    lang: str,
    brand: Any,
    workers: int | None,
    scheduler: str | None,
    progress: Callable[[int], Any],
) -> Any:
    """``render_reports`` (HTML + PDF); re-running skips the reports already made."""
    from ..reporting import render_reports

    return render_reports(
        scores,
        out_dir,
        lang=lang,
        formats=("html", "pdf"),
        brand=brand,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )


def report_slugs(names: list[str]) -> dict[str, str]:
    """Partnership name -> file stem, as ``render_reports`` names its files."""
    from ..reporting import unique_slugs

    return unique_slugs(sorted(names))


def project_brand(folder: Path) -> Any:
    """The brand saved with the project (checked again by ``load_brand``), or None."""
    from ..reporting import load_brand

    path = folder / "brand.yaml"
    return load_brand(path) if path.is_file() else None


def mapping_yaml(columns: dict[str, str], labels: dict[str, float]) -> str:
    """The project's mapping as the YAML file ``--mapping`` reads (column ``""``: left out).

    One writer for the columns page and the check page's answer labels."""
    doc: dict[str, Any] = {}
    if columns:
        doc["columns"] = dict(sorted(columns.items()))
    if labels:
        doc["labels"] = {
            k: (v if math.isnan(v) else int(v) if v == int(v) else v)
            for k, v in sorted(labels.items())
        }
    head = (
        "# kemitraan-assess mapping (the same file as --mapping): export column -> item,"
        " answer label -> code; a column mapped to '' is left out\n"
    )
    return head + (yaml.safe_dump(doc, allow_unicode=True, sort_keys=False) if doc else "{}\n")
