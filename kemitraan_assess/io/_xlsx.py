"""Read the first sheet of an ``.xlsx`` workbook as rows of text, with bounded work.

A workbook is a ZIP of XML parts. This reader streams them with a SAX parser from
:mod:`defusedxml` (no entity expansion, no external resources), so memory stays bounded
by the limits below whatever the compression ratio:

- no cell longer than :data:`MAX_CELL_CHARS` characters (a shared string is checked as
  it is parsed, before it is held in memory);
- no more than :data:`MAX_ROWS` rows with a value, :data:`MAX_CELLS` cells with a value
  and :data:`MAX_SHARED_CHARS` characters of shared strings;
- ZIP parts whose declared size exceeds :data:`MAX_PART_BYTES` are refused unread.

A sheet beyond these limits is not a survey export anyone fills by hand; the message
says to save it as CSV, which has no such limits (it is read by the streaming CSV
reader). Malformed XML is refused with the part, line and column of the fault.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from ..errors import DataError

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_CELLS",
    "MAX_PART_BYTES",
    "MAX_ROWS",
    "MAX_SHARED_CHARS",
    "Sheet",
    "read_first_sheet",
]

MAX_CELL_CHARS = 10_000_000
"""Longest cell (characters); Excel itself stops at 32,767 and Google Sheets at 50,000."""
MAX_ROWS = 200_000
"""Most rows with a value in a workbook (save larger exports as CSV)."""
MAX_CELLS = 20_000_000
"""Most cells with a value in a workbook."""
MAX_SHARED_CHARS = 200_000_000
"""Most characters in the workbook's table of shared strings."""
MAX_PART_BYTES = 4 << 30
"""Largest declared uncompressed size of one XML part of the workbook (4 GiB)."""
_SMALL_PART_BYTES = 16 << 20  # workbook.xml, its relationships, styles.xml

_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_MAX_MERGES = 100_000
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass(frozen=True)
class Sheet:
    """The sheet read: its title, rows as ``(row number, cells)``, the other sheets'
    titles, and what the reader did that the user should know (``notes``)."""

    title: str
    rows: list[tuple[int, list[str]]]
    other_sheets: list[str]
    notes: tuple[str, ...] = ()


class _Stop(Exception):
    """A limit was reached while parsing (carries the DataError to raise)."""

    def __init__(self, error: DataError):
        super().__init__(str(error))
        self.error = error


def _column_letters(index: int) -> str:
    """``0 -> "A"``, ``27 -> "AB"``."""
    out = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        out = chr(65 + r) + out
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _number_text(text: str) -> str:
    try:
        x = float(text)
    except ValueError:
        return text
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _date_text(text: str, date1904: bool) -> str:
    try:
        serial = float(text)
    except ValueError:
        return text
    base = _dt.datetime(1904, 1, 1) if date1904 else _dt.datetime(1899, 12, 30)
    try:
        value = base + _dt.timedelta(days=serial)
    except OverflowError:
        return _number_text(text)
    value = value.replace(microsecond=round(value.microsecond / 1000) * 1000 % 1_000_000)
    if value.time() == _dt.time(0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


class _SharedStrings(ContentHandler):
    """``<si>`` texts (plain ``<t>`` or rich-text runs; phonetic ``<rPh>`` ignored)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.strings: list[str] = []
        self._parts: list[str] = []
        self._len = 0
        self._total = 0
        self._in_t = False
        self._in_rph = False

    def startElement(self, name: str, attrs: object) -> None:
        local = name.rpartition(":")[2]
        if local == "si":
            self._parts, self._len = [], 0
        elif local == "t" and not self._in_rph:
            self._in_t = True
        elif local == "rPh":
            self._in_rph = True

    def endElement(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "si":
            self.strings.append("".join(self._parts))
        elif local == "t":
            self._in_t = False
        elif local == "rPh":
            self._in_rph = False

    def characters(self, content: str) -> None:
        if not self._in_t:
            return
        self._len += len(content)
        self._total += len(content)
        if self._len > MAX_CELL_CHARS:
            raise _Stop(
                DataError(
                    f"shared string {len(self.strings) + 1} of the workbook is longer than "
                    f"{MAX_CELL_CHARS:,} characters; no survey answer is that long (is this the "
                    "right file?)",
                    file=self.name,
                )
            )
        if self._total > MAX_SHARED_CHARS:
            raise _Stop(
                DataError(
                    f"the workbook's shared strings exceed {MAX_SHARED_CHARS:,} characters; save "
                    "the sheet as CSV",
                    file=self.name,
                )
            )
        self._parts.append(content)


class _SheetRows(ContentHandler):
    """Rows of a worksheet as text, cells placed by their reference (gaps are empty)."""

    def __init__(self, name: str, shared: list[str], date_styles: set[int], date1904: bool):
        super().__init__()
        self.name = name
        self.shared = shared
        self.date_styles = date_styles
        self.date1904 = date1904
        self.rows: list[tuple[int, list[str]]] = []
        self.cells = 0
        self._row: dict[int, str] = {}
        self._row_no = 0
        self._col = -1
        self._type = "n"
        self._style = 0
        self._text: list[str] | None = None
        self._len = 0
        self._in_is = False
        self._formula = False
        self.formulas_without_value: list[str] = []  # the first cell references, e.g. "C2"
        self.n_formulas_without_value = 0
        self.merges: list[str] = []  # merged ranges, e.g. "A3:A5"

    def _too_long(self) -> _Stop:
        ref = f"row {self._row_no}, column {self._col + 1}"
        return _Stop(
            DataError(
                f"the cell at {ref} of the first sheet is longer than {MAX_CELL_CHARS:,} "
                "characters; no survey answer is that long (is this the right file?)",
                file=self.name,
                row=self._row_no,
            )
        )

    def startElement(self, name: str, attrs: object) -> None:
        local = name.rpartition(":")[2]
        get = attrs.get  # type: ignore[attr-defined]
        if local == "row":
            self._row = {}
            r = get("r")
            self._row_no = int(r) if r and r.isdigit() else self._row_no + 1
        elif local == "c":
            m = _CELL_REF.match(get("r") or "")
            self._col = _column_index(m.group(1)) if m else self._col + 1
            self._type = get("t") or "n"
            s = get("s")
            self._style = int(s) if s and s.isdigit() else 0
            self._formula = False
        elif local == "f":
            self._formula = True
        elif local == "mergeCell":
            if len(self.merges) < _MAX_MERGES:
                self.merges.append(get("ref") or "")
        elif local == "v" or (local == "t" and self._in_is):
            self._text, self._len = [], 0
        elif local == "is":
            self._in_is = True

    def characters(self, content: str) -> None:
        if self._text is None:
            return
        self._len += len(content)
        if self._len > MAX_CELL_CHARS:
            raise self._too_long()
        self._text.append(content)

    def endElement(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "v" and self._text is not None:
            self._put(self._value("".join(self._text)))
            self._text = None
        elif local == "t" and self._in_is and self._text is not None:
            self._put(self._row.get(self._col, "") + "".join(self._text))
            self._text = None
        elif local == "is":
            self._in_is = False
        elif local == "c":
            if self._formula and self._row.get(self._col, "") == "":
                self.n_formulas_without_value += 1
                if len(self.formulas_without_value) < 5:
                    self.formulas_without_value.append(
                        f"{_column_letters(self._col)}{self._row_no}"
                    )
        elif local == "row" and self._row:
            width = max(self._row) + 1
            cells = [""] * width
            for j, v in self._row.items():
                cells[j] = v
            self.rows.append((self._row_no, cells))
            if len(self.rows) > MAX_ROWS:
                raise _Stop(
                    DataError(
                        f"the first sheet has more than {MAX_ROWS:,} rows with values (the limit "
                        "for workbooks); save it as CSV, which has no such limit",
                        file=self.name,
                        row=self._row_no,
                    )
                )

    def _value(self, text: str) -> str:
        t = self._type
        if t == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError):
                raise _Stop(
                    DataError(
                        f"the cell at row {self._row_no}, column {self._col + 1} points to shared "
                        f"string {text!r}, which the workbook does not have",
                        file=self.name,
                        row=self._row_no,
                    )
                ) from None
        if t == "b":
            return "TRUE" if text.strip() == "1" else "FALSE"
        if t in ("str", "e", "inlineStr"):
            return text
        if t == "d":
            return text.replace("T", " ")
        if self._style in self.date_styles:
            return _date_text(text, self.date1904)
        return _number_text(text)

    def _put(self, value: str) -> None:
        if self._col < 0 or self._col >= 16384:
            return
        self._row[self._col] = value
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise _Stop(
                DataError(
                    f"the first sheet has more than {MAX_CELLS:,} cells with values (the limit for "
                    "workbooks); save it as CSV",
                    file=self.name,
                    row=self._row_no,
                )
            )


def _member(
    zf: zipfile.ZipFile, part: str, name: str, limit: int = MAX_PART_BYTES
) -> zipfile.ZipInfo | None:
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    if info.file_size > limit:
        raise DataError(
            f"the workbook part {part} declares {info.file_size:,} bytes, more than the {limit:,} "
            "a survey export needs; save the sheet as CSV",
            file=name,
        )
    return info


def _parse(zf: zipfile.ZipFile, info: zipfile.ZipInfo, handler: ContentHandler, name: str) -> None:
    parser = make_parser()
    parser.setFeature("http://xml.org/sax/features/namespaces", False)
    parser.setContentHandler(handler)
    try:
        with zf.open(info) as stream:
            parser.parse(stream)
    except _Stop as stop:
        raise stop.error from None
    except SAXParseException as exc:
        raise DataError(
            f"the workbook is damaged: {info.filename} is not well-formed XML at line "
            f"{exc.getLineNumber()}, column {exc.getColumnNumber()} ({exc.getMessage()}); open it "
            "in a spreadsheet program and save it again",
            file=name,
        ) from None
    except DefusedXmlException as exc:
        raise DataError(
            f"the workbook part {info.filename} uses XML features a spreadsheet never needs "
            f"({type(exc).__name__})",
            file=name,
        ) from None
    except (SAXException, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise DataError(
            f"the workbook is damaged: cannot read {info.filename} ({type(exc).__name__})",
            file=name,
        ) from None


class _Collect(ContentHandler):
    """Attributes of the elements named in ``wanted`` (small parts: workbook, rels, styles)."""

    def __init__(self, wanted: set[str]):
        super().__init__()
        self.wanted = wanted
        self.found: list[tuple[str, dict[str, str]]] = []
        self._stack: list[str] = []

    def startElement(self, name: str, attrs: object) -> None:
        local = name.rpartition(":")[2]
        self._stack.append(local)
        if local in self.wanted:
            values = {}
            for attr, value in attrs.items():  # type: ignore[attr-defined]
                values[attr] = value
                if attr.endswith(":id"):  # r:id, the relationship of a <sheet>
                    values["rid"] = value
            values["_parent"] = self._stack[-2] if len(self._stack) > 1 else ""
            self.found.append((local, values))

    def endElement(self, name: str) -> None:
        self._stack.pop()


def _collect(
    zf: zipfile.ZipFile, part: str, wanted: set[str], name: str
) -> list[tuple[str, dict[str, str]]]:
    info = _member(zf, part, name, _SMALL_PART_BYTES)
    if info is None:
        return []
    handler = _Collect(wanted)
    _parse(zf, info, handler, name)
    return handler.found


def _date_styles(zf: zipfile.ZipFile, name: str) -> set[int]:
    found = _collect(zf, "xl/styles.xml", {"numFmt", "xf"}, name)
    custom_dates = set()
    for tag, a in found:
        if tag == "numFmt":
            code = _QUOTED.sub("", a.get("formatCode", ""))
            if _DATE_CODE.search(code) and "General" not in code:
                custom_dates.add(int(a.get("numFmtId", "-1")))
    xfs = [a for tag, a in found if tag == "xf" and a["_parent"] == "cellXfs"]
    out = set()
    for k, a in enumerate(xfs):
        fmt = int(a.get("numFmtId", "0") or 0)
        if fmt in _DATE_FORMAT_IDS or fmt in custom_dates:
            out.add(k)
    return out


def _fill_merges(rows: list[tuple[int, list[str]]], merges: list[str]) -> list[str]:
    """Copy the value of each merged range that spans rows down its first column (a
    partnership name merged over its respondents' rows belongs to each of them).
    Horizontal merges are left as the CSV exports write them: the value in the first
    cell. Returns the ranges filled."""
    by_row = {r: cells for r, cells in rows}
    numbers = sorted(by_row)
    filled: list[str] = []
    budget = MAX_CELLS
    for ref in merges:
        a, _, b = ref.partition(":")
        ma, mb = _CELL_REF.match(a), _CELL_REF.match(b)
        if not (ma and mb):
            continue
        col = _column_index(ma.group(1))
        r1, r2 = int(ma.group(2)), int(mb.group(2))
        top = by_row.get(r1)
        if r2 <= r1 or top is None or col >= len(top) or top[col] == "":
            continue
        value = top[col]
        # only rows with values: a range down to row 1,048,576 costs what the sheet holds
        for k in range(bisect.bisect_right(numbers, r1), bisect.bisect_right(numbers, r2)):
            budget -= 1
            if budget < 0:
                return filled
            cells = by_row[numbers[k]]
            if col >= len(cells):
                cells.extend([""] * (col + 1 - len(cells)))
            if cells[col] == "":
                cells[col] = value
        filled.append(ref)
    return filled


def _is_table(rows: list[tuple[int, list[str]]]) -> bool:
    """At least a header and one record, at least two columns wide."""
    return (
        len(rows) >= 2
        and sum(1 for _, cells in rows if sum(1 for c in cells if c.strip()) >= 2) >= 2
    )


def read_first_sheet(data: bytes, name: str) -> Sheet:
    """The first visible sheet of an ``.xlsx`` workbook that holds a table, as text rows.

    Hidden sheets are skipped, and so are sheets without a table (fewer than two rows
    with two values: a title page, notes, an empty first sheet); the notes of the
    result name every sheet skipped and why. Merged ranges that span rows are filled
    down; formulas saved without their value are named in the notes. Bounded by the
    module's limits.

    Raises
    ------
    DataError
        for a file that is not a workbook, a damaged part (naming it, with line and
        column), a workbook beyond the limits, or one with no table on a visible sheet.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DataError(
            f"not a readable .xlsx workbook ({type(exc).__name__})", file=name
        ) from None
    with zf:
        sheets = [a for _, a in _collect(zf, "xl/workbook.xml", {"sheet"}, name)]
        if not sheets:
            raise DataError("not a readable .xlsx workbook (it lists no sheets)", file=name)
        pr = _collect(zf, "xl/workbook.xml", {"workbookPr"}, name)
        date1904 = bool(pr) and pr[0][1].get("date1904", "0") in ("1", "true")
        rels = {
            a.get("Id"): a.get("Target", "")
            for _, a in _collect(zf, "xl/_rels/workbook.xml.rels", {"Relationship"}, name)
        }
        shared: list[str] = []
        sinfo = _member(zf, "xl/sharedStrings.xml", name)
        if sinfo is not None:
            sh = _SharedStrings(name)
            _parse(zf, sinfo, sh, name)
            shared = sh.strings
        styles = _date_styles(zf, name)
        skipped: list[str] = []
        for k, sheet in enumerate(sheets):
            title = sheet.get("name", f"Sheet{k + 1}")
            if sheet.get("state", "visible") in ("hidden", "veryHidden"):
                skipped.append(f"'{title}' (hidden)")
                continue
            default = f"worksheets/sheet{k + 1}.xml"
            target = rels.get(sheet.get("rid", ""), default)
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            info = _member(zf, part, name)
            if info is None:
                skipped.append(f"'{title}' (its part {part} is missing)")
                continue
            rows = _SheetRows(name, shared, styles, date1904)
            _parse(zf, info, rows, name)
            if not _is_table(rows.rows):
                skipped.append(f"'{title}' ({'empty' if not rows.rows else 'no table'})")
                continue
            notes = []
            if skipped:
                notes.append(f"read sheet '{title}'; skipped {', '.join(skipped)}")
            rest = [s.get("name", "") for s in sheets[k + 1 :]]
            if rest:
                notes.append(f"read sheet '{title}' only; other sheets: {', '.join(rest)}")
            filled = _fill_merges(rows.rows, rows.merges)
            if filled:
                notes.append(
                    f"sheet '{title}': {len(filled)} merged cell range(s) spanning rows were "
                    f"filled down (the first: {filled[0]}); each row gets the merged value"
                )
            if rows.n_formulas_without_value:
                notes.append(
                    f"sheet '{title}': {rows.n_formulas_without_value} cell(s) hold a formula "
                    "saved without its value, read as empty (the first: "
                    f"{', '.join(rows.formulas_without_value)}); open the workbook in a "
                    "spreadsheet program and save it, or export it as CSV"
                )
            return Sheet(
                title,
                rows.rows,
                [s.get("name", "") for s in sheets if s is not sheet],
                tuple(notes),
            )
    raise DataError(
        "no visible sheet of the workbook holds a table (a header and a row of answers): "
        f"{', '.join(skipped)}",
        file=name,
    )
