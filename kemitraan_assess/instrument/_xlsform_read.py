"""Reading an XLSForm workbook into the mapping that
:func:`~kemitraan_assess.instrument.loader.parse_instrument` validates.

The layout and the reading rules are described in :mod:`kemitraan_assess.instrument.xlsform`;
:func:`~kemitraan_assess.instrument.xlsform.from_xlsform` is the public entry point.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

from ..errors import InstrumentError
from ..safeyaml import load_yaml

_META = "kemitraan"
_SHEET_KEYS = (
    "title",
    "description",
    "source",
    "readiness",
    "bands",
    "models",
    "types",
    "defaults",
)


def _load_scale_map(scale_map: Mapping[str, Any] | str | Path | None) -> dict[str, str]:
    if scale_map is None:
        return {}
    source = None
    if isinstance(scale_map, (str, Path)):
        source = str(scale_map)
        try:
            data = load_yaml(
                Path(scale_map).read_text(encoding="utf-8-sig")
            )  # bounded: no alias bomb
        except OSError as exc:
            raise InstrumentError(
                f"cannot read the scale mapping: {exc.strerror}", source=source
            ) from None
        except yaml.YAMLError as exc:
            raise InstrumentError(
                f"the scale mapping is not valid YAML: {exc}", source=source
            ) from None
    else:
        data = scale_map
    if not isinstance(data, Mapping):
        raise InstrumentError(
            "a scale mapping must be a mapping 'question: SCALE' (or 'SCALE: [questions]')",
            source=source,
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
                f"scale mapping entry {key!r}: expected a scale id or a list of questions, got "
                f"{value!r}",
                source=source,
            )
    return out


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
            f"not a readable .xlsx workbook ({exc}); save the XLSForm as Excel .xlsx",
            source=source,
            code="instrument.xlsform_unreadable",
        ) from None
    sheets: dict[str, list[dict[str, str]]] = {}
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = [_header(v) for v in next(rows, ())]
        table = []
        for values in rows:
            row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
            if any(row.values()):
                table.append(row)
        sheets[ws.title.strip().casefold()] = table
    wb.close()
    if "survey" not in sheets:
        raise InstrumentError(
            f"no 'survey' sheet (sheets: {', '.join(sheets) or 'none'})",
            source=source,
            code="instrument.xlsform_no_survey",
            params={"sheets": list(sheets)},
        )
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
            self.meta = {
                r["key"]: load_yaml(r.get("value", ""))
                for r in sheets.get(_META, [])
                if r.get("key")
            }
        except yaml.YAMLError as exc:
            raise InstrumentError(
                f"sheet '{_META}' holds invalid YAML: {exc}", source=source
            ) from None
        default = (
            self._lang(self.settings.get("default_language", ""), None)
            if self.settings.get("default_language")
            else None
        )
        columns = dict.fromkeys(
            c for row in [*self.survey, *sum(self.lists.values(), [])] for c in row
        )
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
            points = sorted(
                set(points) | {c for c, _, miss in coded if miss and points[0] < c < points[-1]}
            )
        run = points[:1]
        for c in points[1:]:
            if c != run[-1] + 1:
                break
            run.append(c)
        if len(run) < 2:
            return None
        lo, hi = run[0], run[-1]
        labels = {
            c: t
            for c, t, _ in coded
            if lo <= c <= hi and t and any(v != str(c) for v in t.values())
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
                rs = (
                    None
                    if row.get(f"{_META}::role")
                    else responses.get(list_name) or self.likert(list_name)
                )
                if rs is not None:
                    responses[list_name] = rs
                    scale = smap.get(name) or (stack[-1] if stack else None)
                    items.append((row, scale, list_name))
                elif name in smap:
                    raise InstrumentError(
                        f"question {name!r} is mapped to scale {smap[name]!r}, but its choice list "
                        f"{list_name!r} has no integer answer codes; name the choices 1, 2, 3, ... "
                        "in scale order",
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
                code="instrument.xlsform_no_likert",
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
                f"{len(lacking)} question(s) have no scale: {', '.join(lacking)}. They are not "
                "inside a begin_group/end_group. Put each scale's questions in a group named after "
                "the scale, or give the mapping as a YAML file of 'question: SCALE' lines "
                f"({example}, "
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
                scale: dict[str, Any] = {
                    "id": sid,
                    "name": self.texts(grp) or dict.fromkeys(self.langs, sid),
                }
                for key in ("kind", "model"):
                    if grp.get(f"{_META}::{key}"):
                        scale[key] = grp[f"{_META}::{key}"]
                if grp.get(f"{_META}::min_answered"):
                    scale["min_answered"] = float(grp[f"{_META}::min_answered"])
                if self.texts(grp, f"{_META}::description"):
                    scale["description"] = self.texts(grp, f"{_META}::description")
                scale["items"] = []
                scales[sid] = scale
            item: dict[str, Any] = {
                "id": row["name"],
                "text": self.texts(row),
                "response": list_name,
            }
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
                (
                    r
                    for r, hints in _ROLE_HINTS.items()
                    if row["name"].casefold() in hints and r not in taken
                ),
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
                fld["choices"] = [
                    self._choice(row["_list"], c) for c in self.lists.get(row["_list"], [])
                ]
            if _split(row.get(f"{_META}::aliases", "")):
                fld["aliases"] = _split(row[f"{_META}::aliases"])
            out_fields.append(fld)

        used = {lst for _, _, lst in items}
        version = self.settings.get("version", "")
        if not re.fullmatch(
            r"\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?", version
        ):  # e.g. ODK's 2024061201
            tail = re.sub(r"[^0-9A-Za-z.-]+", "-", version).strip("-.")
            version = f"1.0.0-{tail}" if tail else "1.0.0"
        data: dict[str, Any] = {
            "id": instrument_id
            or _slug(self.settings.get("form_id", "") or self.source.rsplit("/", 1)[-1]),
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
