"""XLSForm out and in: field an instrument on ODK / KoboToolbox, or read a researcher's form.

An XLSForm (https://xlsform.org) is an ``.xlsx`` workbook with ``survey``, ``choices`` and
``settings`` sheets. :func:`to_xlsform` writes one that pyxform converts without warnings;
:func:`from_xlsform` reads any Likert questionnaire written as XLSForm back into an
:class:`~kemitraan_assess.instrument.model.Instrument`.

Layout written by :func:`to_xlsform`
-----------------------------------
* ``survey``: columns ``type``, ``name``, one ``label::<Language> (<code>)`` per language,
  ``required``, ``appearance``. Respondent fields come first (``text``, ``integer``,
  ``date`` or ``select_one <field id>``), except comment fields, which close the form.
  Each scale is a ``begin_group`` / ``end_group`` named after the scale id with appearance
  ``field-list``; each item is ``select_one <response scale id>`` with appearance
  ``likert`` and ``required = yes``. Kobo and ODK exports then name item columns
  ``GOL/GOL1`` or ``GOL-GOL1``, which ingest maps back to ``GOL1``.
* ``choices``: one list per response scale with choice names ``min..max`` (unlabelled codes
  are labelled with the code itself), followed by one choice per *coded* missing answer:
  the k-th entry of ``missing_labels`` is written with the name ``missing_codes[k]``
  (8 = "Tidak tahu / Don't know" and 9 = "Tidak berlaku / Not applicable" in the bundled
  instrument). Such answers come back from a KoboToolbox or ODK export either as the code
  (when exporting values) or as the label (when exporting labels), and ingest counts both
  as missing. Missing labels without a code are not offered as choices. One list per
  choice field follows, named after the field.
* ``settings``: ``form_title``, ``form_id``, ``version``, ``default_language``.
* Extra columns prefixed ``kemitraan::`` (``reverse``, ``short::<lang>``, ``aliases``,
  ``kind``, ``model``, ``min_answered``, ``description::<lang>``, ``role`` on the survey
  sheet) and a sheet ``kemitraan`` (as YAML: title, bands, models, types, defaults, label
  variants, and the variants, ``suits`` and ``reason`` of field choices) carry the rest of
  the instrument. pyxform ignores both, so the form stays a plain XLSForm, and
  :func:`from_xlsform` restores the instrument exactly. Lists in a cell are separated
  by ``|``.

Reading a researcher's form
---------------------------
A Likert question is a ``select_one`` whose choice list has integer names. Choices whose
label reads like a non-answer ("Tidak tahu", "Don't know", "N/A", "Refused", ...), negative
codes, and codes after a gap at the top (``1..5, 8, 9``) become missing codes; the other
codes form the scale ``min..max``. Its scale is the innermost ``begin_group`` around it,
or the one ``scale_map`` gives. Other ``select_one``, ``text``, ``integer`` and ``date``
questions become respondent fields; notes, calculations and metadata are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

from ._xlsform_read import _META, _SHEET_KEYS, _load_scale_map, _read_sheets, _Reader
from .loader import parse_instrument
from .model import Instrument

__all__ = ["to_xlsform", "from_xlsform", "dump_instrument_yaml", "language_column"]

_LIST_SEP = " | "


def language_column(code: str) -> str:
    """The XLSForm language suffix for a language code: ``"Indonesian (id)"``.

    Examples
    --------
    >>> language_column("id")
    'Indonesian (id)'
    >>> language_column("en")
    'English (en)'
    """
    try:
        from babel import Locale

        name = Locale.parse(code.replace("-", "_")).english_name
    except Exception:  # an unknown code keeps the code as its name
        name = None
    return f"{name} ({code})" if name else code


def dump_instrument_yaml(instrument: Instrument) -> str:
    """A clean YAML text of ``instrument``, loadable with ``load_instrument``.

    Only what the instrument sets explicitly is written (defaults stay implicit), in the
    order of the model's fields; texts are written as UTF-8, not escaped.

    Parameters
    ----------
    instrument : Instrument
        A validated instrument.

    Returns
    -------
    str
        The YAML document.

    Examples
    --------
    >>> from kemitraan_assess.instrument import load_instrument, parse_instrument
    >>> import yaml
    >>> inst = load_instrument("kemitraan-readiness")
    >>> text = dump_instrument_yaml(inst)
    >>> text.splitlines()[0]
    'id: kemitraan-readiness'
    >>> parse_instrument(yaml.safe_load(text)) == inst
    True
    """
    data = instrument.model_dump(mode="python", exclude_unset=True)
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


# ---------------------------------------------------------------------------- writing
def _text(value: Mapping[str, str] | None, lang: str) -> str:
    return "" if not value else str(value.get(lang, ""))


def _lang_cols(prefix: str, langs: list[str]) -> list[str]:
    return [f"{prefix}::{language_column(lang)}" for lang in langs]


def to_xlsform(instrument: Instrument, path: str | Path | BytesIO) -> None:
    """Write ``instrument`` as an XLSForm workbook for ODK Collect / KoboToolbox.

    Parameters
    ----------
    instrument : Instrument
        The instrument to field.
    path : str, Path or BytesIO
        Where to write the ``.xlsx`` file.

    Notes
    -----
    The layout (sheets, columns, how "don't know" answers are coded and how they come
    back in an export) is described in the module docstring. The workbook converts with
    ``pyxform`` (``xls2xform``) without warnings, and :func:`from_xlsform` reads it back
    into an equal instrument.

    Examples
    --------
    >>> from io import BytesIO
    >>> from kemitraan_assess.instrument import load_instrument
    >>> buf = BytesIO()
    >>> to_xlsform(load_instrument("kemitraan-readiness"), buf)
    >>> from_xlsform(buf).items["GOL6"].reverse
    True
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    langs = list(instrument.languages)
    label_cols = _lang_cols("label", langs)
    survey_cols = [
        "type", "name", *label_cols, "required", "appearance",
        f"{_META}::role", f"{_META}::reverse", f"{_META}::kind", f"{_META}::model",
        f"{_META}::min_answered", f"{_META}::aliases",
        *_lang_cols(f"{_META}::short", langs), *_lang_cols(f"{_META}::description", langs),
    ]  # fmt: skip
    choice_cols = ["list_name", "name", *label_cols]
    choice_extra: dict[str, dict[str, Any]] = {}
    survey: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []

    def labels(text: Mapping[str, str] | None, prefix: str = "label") -> dict[str, str]:
        return {f"{prefix}::{language_column(lang)}": _text(text, lang) for lang in langs}

    list_names = set(instrument.response_scales)
    field_list: dict[str, str] = {}
    for fld in instrument.fields:
        name = fld.id if fld.id not in list_names else f"{fld.id}_choices"
        list_names.add(name)
        field_list[fld.id] = name

    def field_row(fld: Any) -> dict[str, Any]:
        kind = {"text": "text", "integer": "integer", "date": "date"}.get(fld.kind)
        row = {
            "type": kind or f"select_one {field_list[fld.id]}",
            "name": fld.id,
            **labels(fld.text),
            "required": "yes" if fld.required else "",
            f"{_META}::role": fld.role,
            f"{_META}::aliases": _LIST_SEP.join(fld.aliases),
        }
        if fld.kind == "choice":
            for c in fld.choices:
                choices.append({"list_name": field_list[fld.id], "name": c.code, **labels(c.label)})
                extra = c.model_dump(
                    mode="python", exclude_unset=True, include={"variants", "suits", "reason"}
                )
                if extra:
                    choice_extra.setdefault(field_list[fld.id], {})[c.code] = extra
        return row

    trailing = [f for f in instrument.fields if f.role == "comment"]
    survey.extend(field_row(f) for f in instrument.fields if f.role != "comment")
    for scale in instrument.scales:
        survey.append(
            {
                "type": "begin_group",
                "name": scale.id,
                **labels(scale.name),
                "appearance": "field-list",
                f"{_META}::kind": scale.kind,
                f"{_META}::model": scale.model or "",
                f"{_META}::min_answered": ""
                if scale.min_answered is None
                else repr(scale.min_answered),
                **labels(scale.description, f"{_META}::description"),
            }
        )
        for item in scale.items:
            survey.append(
                {
                    "type": f"select_one {item.response}",
                    "name": item.id,
                    **labels(item.text),
                    "required": "yes",
                    "appearance": "likert",
                    f"{_META}::reverse": "yes" if item.reverse else "",
                    f"{_META}::aliases": _LIST_SEP.join(item.aliases),
                    **labels(item.short, f"{_META}::short"),
                }
            )
        survey.append({"type": "end_group", "name": ""})
    survey.extend(field_row(f) for f in trailing)

    for key, rs in instrument.response_scales.items():
        for code in range(rs.min, rs.max + 1):
            text = rs.labels.get(code) or {lang: str(code) for lang in langs}
            choices.append({"list_name": key, "name": str(code), **labels(text)})
        for code, text in zip(rs.missing_codes, rs.missing_labels, strict=False):
            every_lang = {lang: text.get(lang) or next(iter(text.values())) for lang in langs}
            choices.append({"list_name": key, "name": str(code), **labels(every_lang)})
    # field choice lists after the response scales, in survey order
    choices.sort(key=lambda c: 0 if c["list_name"] in instrument.response_scales else 1)

    full = instrument.model_dump(mode="python", exclude_unset=True)
    meta: dict[str, Any] = {k: full[k] for k in _SHEET_KEYS if k in full}
    rs_keep = ("label_variants", "missing_labels")
    rs_extra = {k: {f: v[f] for f in rs_keep if f in v} for k, v in full["response_scales"].items()}
    meta["response_scales"] = {k: v for k, v in rs_extra.items() if v}
    meta["choices"] = choice_extra
    meta = {k: v for k, v in meta.items() if v}

    wb = Workbook()
    bold = Font(bold=True)

    def write(ws: Any, cols: list[str], rows: list[dict[str, Any]]) -> None:
        ws.append(cols)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([row.get(c, "") or None for c in cols])

    ws = wb.active
    ws.title = "survey"
    write(ws, survey_cols, survey)
    ws.freeze_panes = "C2"
    write(wb.create_sheet("choices"), choice_cols, choices)
    settings = {
        "form_title": instrument.text(instrument.title) or instrument.id,
        "form_id": instrument.id,
        "version": instrument.version,
        "default_language": language_column(instrument.default_language),
    }
    write(wb.create_sheet("settings"), list(settings), [settings])
    dump = [
        {"key": k, "value": yaml.safe_dump(v, sort_keys=False, allow_unicode=True)}
        for k, v in meta.items()
    ]
    write(wb.create_sheet(_META), ["key", "value"], dump)
    wb.properties.creator = "kemitraan-assess"
    if not isinstance(path, (str, Path)):
        wb.save(path)
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, target)  # atomic: no half-written form is left behind


# ---------------------------------------------------------------------------- reading


def from_xlsform(
    path: str | Path | BytesIO,
    *,
    scale_map: Mapping[str, Any] | str | Path | None = None,
    instrument_id: str | None = None,
) -> Instrument:
    """Read an XLSForm Likert questionnaire as an instrument.

    Parameters
    ----------
    path : str, Path or BytesIO
        The ``.xlsx`` XLSForm.
    scale_map : mapping, str or Path, optional
        Which scale each question belongs to, overriding the groups of the form: a dict
        ``{"q1": "GOL", ...}`` or ``{"GOL": ["q1", "q2"], ...}``, or the path of a YAML
        file holding such a mapping.
    instrument_id : str, optional
        Id of the instrument; by default the form's ``form_id`` (lower-cased, kebab-case)
        or the file name.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        When the file cannot be read, has no Likert question, a question has no scale
        (the message names the questions and how to give the mapping), or the result is
        not a valid instrument (the message names the place).

    Notes
    -----
    How questions, choices and languages are read is described in the module docstring.
    Columns ``label::English (en)``, ``label::English`` and ``label::en`` all give
    language ``en``; a plain ``label`` column takes the form's ``default_language`` (or
    ``en``). Forms written by :func:`to_xlsform` come back unchanged.

    Examples
    --------
    >>> from io import BytesIO
    >>> from kemitraan_assess.instrument import load_instrument
    >>> inst = load_instrument("kemitraan-readiness")
    >>> buf = BytesIO()
    >>> to_xlsform(inst, buf)
    >>> back = from_xlsform(buf)
    >>> back == inst
    True
    >>> [s.id for s in back.scales][:5]
    ['GOL', 'LEAD', 'COMM', 'CONF', 'EVAL']
    """
    source = str(path) if isinstance(path, (str, Path)) else "<xlsform>"
    sheets = _read_sheets(path, source)
    data = _Reader(sheets, source).instrument_data(_load_scale_map(scale_map), instrument_id)
    return parse_instrument(data, source=source)
