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
import re
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

from ..errors import InstrumentError
from .loader import parse_instrument
from .model import Instrument

__all__ = ["to_xlsform", "from_xlsform", "dump_instrument_yaml", "language_column"]

_META = "kemitraan"
_SHEET_KEYS = ("title", "description", "source", "readiness", "bands", "models", "types", "defaults")
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
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


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
                extra = c.model_dump(mode="python", exclude_unset=True, include={"variants", "suits", "reason"})
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
                f"{_META}::min_answered": "" if scale.min_answered is None else repr(scale.min_answered),
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
        for code, text in zip(rs.missing_codes, rs.missing_labels):
            full = {lang: text.get(lang) or next(iter(text.values())) for lang in langs}
            choices.append({"list_name": key, "name": str(code), **labels(full)})
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
    dump = [{"key": k, "value": yaml.safe_dump(v, sort_keys=False, allow_unicode=True)} for k, v in meta.items()]
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
def _load_scale_map(scale_map: Mapping[str, Any] | str | Path | None) -> dict[str, str]:
    if scale_map is None:
        return {}
    source = None
    if isinstance(scale_map, (str, Path)):
        source = str(scale_map)
        try:
            data = yaml.safe_load(Path(scale_map).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise InstrumentError(f"cannot read the scale mapping: {exc.strerror}", source=source) from None
        except yaml.YAMLError as exc:
            raise InstrumentError(f"the scale mapping is not valid YAML: {exc}", source=source) from None
    else:
        data = scale_map
    if not isinstance(data, Mapping):
        raise InstrumentError(
            "a scale mapping must be a mapping 'question: SCALE' (or 'SCALE: [questions]')", source=source
        )
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, (list, tuple)):  # SCALE: [q1, q2]
            for q in value:
                out[str(q)] = str(key)
        elif isinstance(value, str) and value.strip():
            out[str(key)] = value.strip()
        else:
            raise InstrumentError(
                f"scale mapping entry {key!r}: expected a scale id or a list of questions, got {value!r}",
                source=source,
            )
    return out


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


def _slug(value: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")
    return s or "xlsform"


_LANG_NAMES = {
    "english": "en", "indonesian": "id", "bahasa indonesia": "id", "bahasa": "id",
    "indonesia": "id", "malay": "ms", "bahasa melayu": "ms", "javanese": "jv",
    "sundanese": "su", "tetum": "tet", "french": "fr", "français": "fr", "spanish": "es",
    "español": "es", "portuguese": "pt", "português": "pt", "arabic": "ar", "swahili": "sw",
    "hindi": "hi", "bengali": "bn", "urdu": "ur", "nepali": "ne", "vietnamese": "vi",
    "thai": "th", "khmer": "km", "lao": "lo", "burmese": "my", "filipino": "fil",
    "tagalog": "tl", "chinese": "zh",
}  # fmt: skip
_MISSING_WORDS = re.compile(
    r"\b(tidak tahu|tdk tahu|tidak tau|tidak berlaku|tidak relevan|tidak menjawab|tidak ada jawaban"
    r"|menolak|don'?t know|do not know|not applicable|not sure|n/?a|refus\w*|prefer not\b.*"
    r"|no answer|no opinion|dk|tt)\b",
    re.IGNORECASE,
)
_ROLE_HINTS = {
    "partnership": ("partnership", "kemitraan", "nama_kemitraan", "partnership_name"),
    "respondent_id": ("respondent_id", "respondent", "responden", "id_responden"),
    "sector": ("sector", "sektor"),
    "wave": ("wave", "round", "putaran", "gelombang"),
    "comment": ("comment", "comments", "komentar", "saran"),
}
_YES = {"yes", "true", "true()", "1", "ya", "y"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(value: Any) -> str:
    parts = _cell(value).split("::")
    head = parts[0].strip().casefold().replace(" ", "_")
    return "::".join([head, *(p.strip() for p in parts[1:])])


def _read_sheets(path: str | Path | BytesIO, source: str) -> dict[str, list[dict[str, str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InstrumentError("file not found", source=source) from None
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InstrumentError(
            f"not a readable .xlsx workbook ({exc}); save the XLSForm as Excel .xlsx", source=source
        ) from None
    sheets: dict[str, list[dict[str, str]]] = {}
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = [_header(v) for v in next(rows, ())]
        table = []
        for values in rows:
            row = {h: _cell(v) for h, v in zip(header, values) if h}
            if any(row.values()):
                table.append(row)
        sheets[ws.title.strip().casefold()] = table
    wb.close()
    if "survey" not in sheets:
        raise InstrumentError(f"no 'survey' sheet (sheets: {', '.join(sheets) or 'none'})", source=source)
    return sheets


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _int(value: str) -> int | None:
    return int(value) if re.fullmatch(r"-?\d+", value) else None


class _Reader:
    """Turns the rows of an XLSForm into the mapping :func:`parse_instrument` validates."""

    def __init__(self, sheets: dict[str, list[dict[str, str]]], source: str):
        self.source = source
        self.survey = sheets["survey"]
        self.settings = (sheets.get("settings") or [{}])[0]
        self.lists: dict[str, list[dict[str, str]]] = {}
        for row in sheets.get("choices", []):
            name = row.get("list_name", "")
            if name:
                self.lists.setdefault(name, []).append(row)
        try:
            self.meta = {r["key"]: yaml.safe_load(r.get("value", "")) for r in sheets.get(_META, []) if r.get("key")}
        except yaml.YAMLError as exc:
            raise InstrumentError(f"sheet '{_META}' holds invalid YAML: {exc}", source=source) from None
        default = self._lang(self.settings.get("default_language", ""), None) if self.settings.get(
            "default_language"
        ) else None
        columns = dict.fromkeys(c for row in [*self.survey, *sum(self.lists.values(), [])] for c in row)
        langs: list[str] = []
        self.cols: dict[str, list[tuple[str, str]]] = {}
        for col in columns:
            parts = col.split("::")
            prefix = "::".join(parts[:-1]) if len(parts) > 1 else parts[0]
            if parts[0] not in ("label", _META) or (parts[0] == _META and len(parts) < 3):
                continue
            lang = self._lang(parts[-1], col) if len(parts) > 1 else (default or "en")
            self.cols.setdefault(prefix, []).append((col, lang))
            if prefix == "label" and lang not in langs:
                langs.append(lang)
        if not langs:
            raise InstrumentError("no label column in the survey sheet", source=source)
        order = [default] if default in langs else []
        self.langs = order + [lang for lang in langs if lang not in order]

    def _lang(self, suffix: str, column: str | None) -> str:
        m = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$", suffix)
        if m:
            return m.group(1)
        name = suffix.strip().casefold()
        if name in _LANG_NAMES:
            return _LANG_NAMES[name]
        if re.fullmatch(r"[a-z]{2,3}", name):
            return name
        raise InstrumentError(
            f"cannot tell the language of {column or 'default_language'!r}; "
            f"write it as 'Name (code)', e.g. 'label::Indonesian (id)'",
            source=self.source,
        )

    def texts(self, row: Mapping[str, str], prefix: str = "label") -> dict[str, str]:
        out: dict[str, str] = {}
        for col, lang in self.cols.get(prefix, []):
            if row.get(col) and lang not in out:
                out[lang] = row[col]
        return {lang: out[lang] for lang in self.langs if lang in out}

    # -------------------------------------------------------------- choice lists
    def likert(self, list_name: str) -> dict[str, Any] | None:
        """The response scale of a choice list, or None when its names are not integers."""
        rows = self.lists.get(list_name, [])
        coded: list[tuple[int, dict[str, str], bool]] = []
        uncoded: list[dict[str, str]] = []
        for row in rows:
            texts = self.texts(row)
            says_missing = any(_MISSING_WORDS.search(t) for t in texts.values())
            code = _int(row.get("name", ""))
            if code is None:
                if not says_missing:
                    return None
                uncoded.append(texts)
            else:
                coded.append((code, texts, says_missing))
        points = sorted(c for c, _, miss in coded if not miss)
        if points and points[0] < 0 <= points[-1]:  # -99, -88 ... beside 1..5 mean missing
            points = [c for c in points if c >= 0]
        if points:  # a code that reads like 'don't know' inside the range stays a scale point
            points = sorted(set(points) | {c for c, _, miss in coded if miss and points[0] < c < points[-1]})
        run = points[:1]
        for c in points[1:]:
            if c != run[-1] + 1:
                break
            run.append(c)
        if len(run) < 2:
            return None
        lo, hi = run[0], run[-1]
        labels = {
            c: t for c, t, _ in coded if lo <= c <= hi and t and any(v != str(c) for v in t.values())
        }
        missing = [(c, t) for c, t, _ in coded if not lo <= c <= hi]
        out: dict[str, Any] = {"min": lo, "max": hi, "labels": dict(sorted(labels.items()))}
        extra = (self.meta.get("response_scales") or {}).get(list_name) or {}
        if extra.get("label_variants"):
            out["label_variants"] = extra["label_variants"]
        missing_labels = [t for _, t in missing if t] + uncoded
        if extra.get("missing_labels"):
            missing_labels = extra["missing_labels"]
        if missing_labels:
            out["missing_labels"] = missing_labels
        if missing:
            out["missing_codes"] = [c for c, _ in missing]
        return out

    # -------------------------------------------------------------- the form
    def instrument_data(self, smap: dict[str, str], instrument_id: str | None) -> dict[str, Any]:
        groups: dict[str, dict[str, str]] = {}
        stack: list[str] = []
        items: list[tuple[dict[str, str], str | None, str]] = []
        fields: list[dict[str, str]] = []
        responses: dict[str, dict[str, Any]] = {}
        for row in self.survey:
            tokens = row.get("type", "").replace("_", " ").split()
            head = " ".join(tokens[:2]).casefold()
            name = row.get("name", "")
            if head in ("begin group", "begin repeat"):
                stack.append(name)
                groups.setdefault(name, row)
            elif head in ("end group", "end repeat"):
                if stack:
                    stack.pop()
            elif head == "select one" and len(tokens) >= 3 and tokens[2] != "from":
                list_name = tokens[2]
                rs = None if row.get(f"{_META}::role") else responses.get(list_name) or self.likert(list_name)
                if rs is not None:
                    responses[list_name] = rs
                    scale = smap.get(name) or (stack[-1] if stack else None)
                    items.append((row, scale, list_name))
                elif name in smap:
                    raise InstrumentError(
                        f"question {name!r} is mapped to scale {smap[name]!r}, but its choice list "
                        f"{list_name!r} has no integer answer codes; name the choices 1, 2, 3, ... in "
                        f"scale order",
                        source=self.source,
                    )
                else:
                    fields.append({**row, "_kind": "choice", "_list": list_name})
            elif head in ("text", "integer", "date") and name:
                fields.append({**row, "_kind": head})
        if not items:
            raise InstrumentError(
                "no Likert question found: a Likert question is a select_one whose choice list has "
                "integer names (1, 2, 3, ...)",
                source=self.source,
            )
        names = {row.get("name", "") for row, _, _ in items}
        unknown = sorted(set(smap) - names)
        if unknown:
            raise InstrumentError(
                f"the scale mapping names questions that are not Likert questions of the form: "
                f"{', '.join(unknown)}",
                source=self.source,
            )
        lacking = [row.get("name", "") for row, scale, _ in items if not scale]
        if lacking:
            example = ", ".join(f"{q}: SCALE" for q in lacking[:2])
            raise InstrumentError(
                f"{len(lacking)} question(s) have no scale: {', '.join(lacking)}. They are not inside "
                f"a begin_group/end_group. Put each scale's questions in a group named after the "
                f"scale, or give the mapping as a YAML file of 'question: SCALE' lines ({example}, "
                f"...) with --scale-map FILE on the command line, or scale_map={{...}} in Python",
                source=self.source,
            )
        return self._assemble(groups, items, fields, responses, instrument_id)

    def _assemble(
        self,
        groups: dict[str, dict[str, str]],
        items: list[tuple[dict[str, str], str | None, str]],
        fields: list[dict[str, str]],
        responses: dict[str, dict[str, Any]],
        instrument_id: str | None,
    ) -> dict[str, Any]:
        scales: dict[str, dict[str, Any]] = {}
        for row, scale_id, list_name in items:
            sid = str(scale_id)
            if sid not in scales:
                grp = groups.get(sid, {})
                scale: dict[str, Any] = {"id": sid, "name": self.texts(grp) or dict.fromkeys(self.langs, sid)}
                for key in ("kind", "model"):
                    if grp.get(f"{_META}::{key}"):
                        scale[key] = grp[f"{_META}::{key}"]
                if grp.get(f"{_META}::min_answered"):
                    scale["min_answered"] = float(grp[f"{_META}::min_answered"])
                if self.texts(grp, f"{_META}::description"):
                    scale["description"] = self.texts(grp, f"{_META}::description")
                scale["items"] = []
                scales[sid] = scale
            item: dict[str, Any] = {"id": row["name"], "text": self.texts(row), "response": list_name}
            if row.get(f"{_META}::reverse", "").casefold() in _YES:
                item["reverse"] = True
            if self.texts(row, f"{_META}::short"):
                item["short"] = self.texts(row, f"{_META}::short")
            if _split(row.get(f"{_META}::aliases", "")):
                item["aliases"] = _split(row[f"{_META}::aliases"])
            scales[sid]["items"].append(item)

        out_fields = []
        taken = {row.get(f"{_META}::role") for row in fields}
        for row in fields:
            fld: dict[str, Any] = {"id": row["name"]}
            role = row.get(f"{_META}::role") or next(
                (r for r, hints in _ROLE_HINTS.items() if row["name"].casefold() in hints and r not in taken),
                "",
            )
            taken.add(role)
            if role:
                fld["role"] = role
            fld["text"] = self.texts(row)
            fld["kind"] = row["_kind"]
            if row.get("required", "").casefold() in _YES:
                fld["required"] = True
            if row["_kind"] == "choice":
                fld["choices"] = [self._choice(row["_list"], c) for c in self.lists.get(row["_list"], [])]
            if _split(row.get(f"{_META}::aliases", "")):
                fld["aliases"] = _split(row[f"{_META}::aliases"])
            out_fields.append(fld)

        used = {lst for _, _, lst in items}
        version = self.settings.get("version", "")
        if not re.fullmatch(r"\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?", version):  # e.g. ODK's 2024061201
            tail = re.sub(r"[^0-9A-Za-z.-]+", "-", version).strip("-.")
            version = f"1.0.0-{tail}" if tail else "1.0.0"
        data: dict[str, Any] = {
            "id": instrument_id or _slug(self.settings.get("form_id", "") or self.source.rsplit("/", 1)[-1]),
            "version": version,
            "languages": self.langs,
        }
        for key in ("title", "description", "source"):
            if key in self.meta:
                data[key] = self.meta[key]
        if "title" not in data and self.settings.get("form_title"):
            data["title"] = dict.fromkeys(self.langs, self.settings["form_title"])
        data["response_scales"] = {k: v for k, v in responses.items() if k in used}
        data["scales"] = list(scales.values())
        if out_fields:
            data["fields"] = out_fields
        for key in _SHEET_KEYS[3:]:
            if key in self.meta:
                data[key] = self.meta[key]
        return data

    def _choice(self, list_name: str, row: Mapping[str, str]) -> dict[str, Any]:
        code = row.get("name", "")
        extra = ((self.meta.get("choices") or {}).get(list_name) or {}).get(code) or {}
        return {"code": code, "label": self.texts(row), **extra}
