"""Read survey exports into columns of strings (or numbers) with their source lines.

Reading happens in two steps so that the header can be mapped to the instrument before
the body is parsed:

1. :func:`open_export` reads the bytes, detects the encoding, content, line endings and
   delimiter, and parses the first records (or the whole sheet of an ``.xlsx``).
2. :func:`read_body` parses the records under the header. A plain UTF-8 CSV with one
   header line is read by ``pyarrow.csv`` (multi-threaded C++); anything else, or
   anything ``pyarrow`` refuses, goes through Python's :mod:`csv` module in batches,
   which knows the line each record starts on and keeps records with a wrong number of
   fields so that they can be reported.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import DataError
from ._xlsx import MAX_CELL_CHARS, read_first_sheet
from .detect import (
    Decoded,
    check_content,
    decode_bytes,
    detect_delimiter,
    detect_line_ending,
    unquoted_line_ends,
)

__all__ = ["Export", "Body", "open_export", "read_body", "PREVIEW_RECORDS"]

PREVIEW_RECORDS = 60
_SAMPLE_CHARS = 200_000  # characters of the head that delimiter detection reads
_LAZY_MIN = 1 << 20
_BATCH_CELLS = 2_000_000  # cells held as Python strings before they become arrays
_FAST_MAX_COLUMNS = 2_000  # wider exports go through the Python reader (pyarrow's
# multi-threaded reader holds ~11 kB a column per thread: 50,000 columns took ~600 MB)
MAX_COLUMNS = 65_536
"""Most fields in one line (Excel stops at 16,384 columns, Google Sheets at 18,278)."""

_CSV_BATCH = 2048  # records parsed per scoped change of the csv module's field limit


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """The csv module's field size limit (process-wide) set to ``limit``, then restored.

    Importing this package changes no global state: the limit is raised only while this
    module parses a batch of records, never while a generator is suspended.
    """
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


@dataclass
class Export:
    """An opened export: decoded text (or sheet rows) and what was detected."""

    name: str
    kind: str  # "csv" or "xlsx"
    encoding: str
    bom: bool
    delimiter: str
    line_ending: str
    preview: list[tuple[int, list[str]]]  # (first line, fields) of the first records
    text: str | None = None
    raw: bytes | None = None  # the UTF-8 bytes when the text is plain UTF-8 (fast path)
    sheet_rows: list[tuple[int, list[str]]] | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    _data: bytes = b""


@dataclass
class Body:
    """The records under the header, column by column."""

    columns: list[Any]  # pyarrow Array or ChunkedArray per column
    source_row: np.ndarray
    bad_rows: list[tuple[int, str]]  # (first line, detail): wrong number of fields
    empty_lines: int
    reader: str


def _read_source(source: Any) -> tuple[bytes, str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise DataError("file not found", file=str(source))
        if path.is_dir():
            raise DataError("is a folder, not a file", file=str(source))
        try:
            return path.read_bytes(), str(source)
        except OSError as exc:
            raise DataError(f"cannot read: {exc.strerror}", file=str(source)) from None
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "<bytes>"
    if hasattr(source, "read"):
        data = source.read()
        name = str(getattr(source, "name", "<stream>"))
        if isinstance(data, str):
            return data.encode("utf-8"), name
        return bytes(data), name
    raise DataError(f"cannot read a survey export from a {type(source).__name__}")


def open_export(
    source: str | os.PathLike[str] | IO[Any] | bytes, *, encoding: str | None = None
) -> Export:
    """Open an export (path, bytes or file-like) and detect its format.

    Raises
    ------
    DataError
        for empty, binary, HTML or JSON content and for unreadable workbooks.
    """
    data, name = _read_source(source)
    # The content decides, not the name: a workbook renamed .csv is a workbook, and a
    # CSV saved under an .xlsx name is read as the text it is.
    if data.startswith(b"PK\x03\x04"):
        return _open_xlsx(data, name)
    misnamed = name.lower().endswith((".xlsx", ".xlsm"))
    lazy = (
        encoding is None
        and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        and len(data) > _LAZY_MIN
    )
    if lazy and b"\x00" not in data[:8192]:
        # Large file: decode only the head now; the rest is decoded only if the slow
        # reader needs it (pyarrow validates UTF-8 itself on the fast path).
        cut = data.rfind(b"\n", 0, _LAZY_MIN)
        head = data[: cut + 1 if cut > 0 else _LAZY_MIN]
        try:
            head.decode("utf-8")
            decoded = Decoded(head.decode("utf-8"), "utf-8", False, [])
        except UnicodeDecodeError:
            lazy = False
    else:
        lazy = False
    if not lazy:
        decoded = decode_bytes(data, encoding=encoding, file=name)
    text = decoded.text
    check_content(text, file=name)
    if not text.strip():
        raise DataError(
            "the file holds only blank lines, no header and no data", file=name, code="data.empty"
        )
    # Quoted cells are opaque to detection: the delimiter is the one whose quote-aware
    # split of the first records is most consistent, and the line ending and stray CRs
    # are looked for only between records.
    delimiter = detect_delimiter(text[:_SAMPLE_CHARS], truncated=len(text) > _SAMPLE_CHARS)
    line_ending = detect_line_ending(text, delimiter)
    _check_stray_cr(text, name, delimiter)
    _check_line_widths(data, delimiter, line_ending, name)
    raw = None
    if decoded.encoding == "utf-8" and not decoded.warnings:
        raw = data[3:] if decoded.bom else data
    if misnamed:
        decoded.warnings.append(
            "the file is named like a workbook (.xlsx) but holds text; it was read as CSV"
        )
    export = Export(
        name=name,
        kind="csv",
        encoding=("utf-8-sig" if decoded.bom and decoded.encoding == "utf-8" else decoded.encoding),
        bom=decoded.bom,
        delimiter=delimiter,
        line_ending=line_ending,
        preview=[],
        text=text,
        raw=raw,
        warnings=list(decoded.warnings),
    )
    preview = []
    for start, _end, row in _iter_records(export):
        preview.append((start, row))
        if len(preview) >= PREVIEW_RECORDS:
            break
    export.preview = preview
    if lazy:
        export.text = None
        export._data = data
    return export


def _check_stray_cr(text: str, name: str, delimiter: str, lines: int = 25) -> None:
    """Refuse a lone carriage return outside quotes in the first lines of a file whose
    lines end with LF or CRLF when it splits a record in two (the header, or a title
    row). A CR inside a quoted cell is part of the answer; a CR that ends a whole record
    (as many fields before it and after it as the other lines have: mixed line endings)
    is a line end."""
    head = text[:1_000_000]
    crlf = head.count("\r\n")
    lone_cr = head.count("\r") - crlf
    if not lone_cr or head.count("\n") == 0:
        return
    ends = [
        m for _, m in zip(range(max(lines, 200)), unquoted_line_ends(head, delimiter), strict=False)
    ]
    cr = [k for k, m in enumerate(ends) if m.group(0) == "\r"]
    if not cr or len(cr) * 2 >= len(ends):
        return  # no stray CR between records, or a file with CR line endings
    starts = [0] + [m.end() for m in ends]

    def fields(k: int) -> int:  # fields of the k-th line (between record ends)
        stop = ends[k].start() if k < len(ends) else len(head)
        row = next(csv.reader([head[starts[k] : stop]], delimiter=delimiter), [])
        return len(row)

    cr_set = set(cr)
    usual = Counter(fields(k) for k in range(len(ends)) if k not in cr_set).most_common(1)
    width = usual[0][0] if usual else 0
    for k in cr:
        first = ends[k].start()
        line = head.count("\n", 0, first) + 1
        if line > lines:
            return
        if width > 1 and fields(k) == width and fields(k + 1) in (width, 0, 1):
            continue  # a whole record ends here: a line end written by another program
        col = first - max(head.rfind("\n", 0, first), -1)
        raise DataError(
            f"a stray carriage return (CR) at character {col} splits this line in two (the file's "
            "lines end with LF); remove it, or open the file in a spreadsheet program and save it "
            "again",
            file=name,
            row=line,
        )


def _check_line_widths(data: bytes, delimiter: str, line_ending: str, name: str) -> None:
    """Refuse a line with more than :data:`MAX_COLUMNS` fields, or with a cell beyond
    MAX_CELL_CHARS, before it is parsed (a 200 MB line of commas would otherwise become
    a hundred million strings).

    Only lines longer than MAX_COLUMNS bytes can hold that many fields; their delimiters
    are counted. Delimiters inside quoted cells count too: no answer holds 65,536 of them.
    """
    if len(data) <= MAX_COLUMNS or len(delimiter) != 1:
        return
    nl = b"\r" if line_ending == "CR" else b"\n"
    d = delimiter.encode("latin-1") if ord(delimiter) < 256 else delimiter.encode()
    # A line longer than MAX_COLUMNS bytes covers at least one whole aligned block of half
    # that size: only blocks without a line end are looked at (memchr-fast, no arrays).
    block = MAX_COLUMNS // 2
    seen_end = -1
    for b0 in range(0, len(data), block):
        if b0 < seen_end or data.find(nl, b0, b0 + block) >= 0:
            continue
        line_start = data.rfind(nl, 0, b0) + 1
        stop = data.find(nl, b0)
        stop = len(data) if stop < 0 else stop
        seen_end = stop
        if stop - line_start <= MAX_COLUMNS:
            continue
        length = stop - line_start
        n = data.count(d, line_start, stop)
        if n >= MAX_COLUMNS:
            raise DataError(
                f"this line has more than {MAX_COLUMNS:,} fields; no survey export is that wide "
                "(is the delimiter right, or is this the right file?)",
                file=name,
                row=data.count(nl, 0, line_start) + 1,
                code="data.too_many_fields",
                params={"max": MAX_COLUMNS},
            )
        # some run of bytes between two delimiters is at least this long, and lies in one cell
        if (length - n) / (n + 1) > 4 * MAX_CELL_CHARS:
            raise DataError(
                f"a cell on this line is longer than {MAX_CELL_CHARS:,} characters; no survey "
                "answer is that long (a stray quote can also join the rest of the file into one "
                "cell)",
                file=name,
                row=data.count(nl, 0, line_start) + 1,
                code="data.cell_too_long",
                params={"max": MAX_CELL_CHARS},
            )


def _full_text(export: Export) -> str:
    """The whole text of a lazily opened export (decoded on first use)."""
    if export.text is None:
        decoded = decode_bytes(export._data, file=export.name)
        export.text = decoded.text
        export.encoding = decoded.encoding
        export.warnings.extend(decoded.warnings)
        if decoded.warnings:
            export.raw = None
    return export.text


def _open_xlsx(data: bytes, name: str) -> Export:
    """The first visible sheet of a workbook holding a table (bounded: see
    :mod:`kemitraan_assess.io._xlsx`)."""
    sheet = read_first_sheet(data, name)
    rows = sheet.rows
    width = max((len(v) for _, v in rows), default=0)
    used = 0
    for _, v in rows:
        for i in range(len(v) - 1, -1, -1):
            if v[i].strip():
                used = max(used, i + 1)
                break
    rows = [(ln, (v + [""] * (width - len(v)))[:used]) for ln, v in rows]
    rows = [(ln, v) for ln, v in rows if any(x.strip() for x in v)] if used else []
    if not rows:
        raise DataError(f"the workbook's sheet '{sheet.title}' is empty", file=name)
    warnings = list(sheet.notes)
    return Export(
        name=name,
        kind="xlsx",
        encoding="xlsx",
        bom=False,
        delimiter="",
        line_ending="none",
        preview=rows[:PREVIEW_RECORDS],
        sheet_rows=rows,
        sheet=sheet.title,
        warnings=warnings,
    )


def _iter_records(export: Export) -> Iterator[tuple[int, int, list[str]]]:
    """Records with the lines they start and end on (blank lines skipped)."""
    if export.sheet_rows is not None:
        for line, row in export.sheet_rows:
            yield line, line, row
        return
    text = export.text if export.text is not None else _full_text(export)
    # lines handed out lazily: io.StringIO would copy the text at 4 bytes a character
    lines = (m.group(0) for m in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=export.delimiter, quotechar='"', doublequote=True)
    prev = 0
    while True:
        batch: list[tuple[int, int, list[str]]] = []
        n_read = 0
        with _csv_field_limit(MAX_CELL_CHARS):
            try:
                for row in itertools.islice(reader, _CSV_BATCH):
                    n_read += 1
                    start = prev + 1
                    prev = reader.line_num
                    if row:
                        batch.append((start, prev, row))
            except csv.Error as exc:
                raise _csv_error(exc, export.name, prev + 1) from None
        if not n_read:
            return
        yield from batch


def _csv_error(exc: csv.Error, name: str, line: int) -> DataError:
    msg = str(exc)
    if "field larger than field limit" in msg:
        return DataError(
            f"a cell in the record starting here is longer than {MAX_CELL_CHARS:,} characters; no "
            "survey answer is that long (a stray quote can also join the rest of the file into one "
            "cell)",
            file=name,
            row=line,
        )
    return DataError(f"not a readable CSV record ({msg})", file=name, row=line)


def _unclosed_quote_line(text: str, start_line: int) -> int | None:
    """If the text from ``start_line`` on ends inside a quoted field, the line it opened on."""
    pos = 0
    for _ in range(start_line - 1):
        m = _NEWLINE.search(text, pos)
        if m is None:
            return None
        pos = m.end()
    inside = False
    opened = None
    line = start_line
    for m in _QUOTE_OR_NL.finditer(text, pos):
        tok = m.group(0)
        if tok == '"':
            inside = not inside
            if inside:
                opened = line
        else:
            line += 1
    return opened if inside else None


_NEWLINE = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_SMALL_INT = re.compile(r"^-?\d{1,4}$")
_QUOTE_OR_NL = re.compile(r'"|\r\n|\r|\n')


def read_body(
    export: Export, data_start: int, width: int, *, string_columns: set[int] | None = None
) -> Body:
    """Parse the records from record index ``data_start`` (0-based, after header rows).

    Parameters
    ----------
    export
        From :func:`open_export`.
    data_start
        Number of records (title and header rows) before the data.
    width
        Number of header columns; records with another number of non-empty fields are
        reported in ``bad_rows``.
    string_columns
        Column positions read as text on the fast path (ids, names, free text); other
        columns may be read as numbers.
    """
    # pyarrow refuses a record with another number of fields: when the first records show
    # one, go straight to the reader that reports them (and spare pyarrow's allocation)
    uneven = any(len(row) != width for _, row in export.preview[data_start:])
    if (
        export.raw is not None
        and data_start == 1
        and export.line_ending in ("LF", "CRLF")
        and width <= _FAST_MAX_COLUMNS
        and not uneven
    ):
        fast = _read_fast(export, width, string_columns or set())
        if fast is not None:
            return fast
    return _read_slow(export, data_start, width)


def _read_fast(export: Export, width: int, string_columns: set[int]) -> Body | None:
    raw = export.raw
    if raw is None:
        return None
    first = export.preview[0] if export.preview else None
    if first is None:
        return None
    header_lines = (export.preview[1][0] - 1) if len(export.preview) > 1 else 1
    names = [f"c{i}" for i in range(width)]
    text_types = {names[i]: pa.string() for i in string_columns if i < width}
    # Answer codes are small integers: int16 keeps memory low. A column whose first
    # records hold labels or decimals is read as text at once (no second parse); one
    # that turns out to hold them further down makes pyarrow refuse, and the next
    # attempt reads every column as it comes.
    sample = [row for _, row in export.preview[1:]]
    item_types = {
        names[i]: pa.int16()
        if all(_SMALL_INT.match(r[i]) for r in sample if i < len(r) and r[i] != "")
        else pa.string()
        for i in range(width)
        if i not in string_columns
    }
    table = None
    for types in ({**text_types, **item_types}, text_types):
        try:
            table = pacsv.read_csv(
                pa.BufferReader(raw),  # zero-copy, read without the interpreter lock
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=header_lines),
                parse_options=pacsv.ParseOptions(
                    delimiter=export.delimiter,
                    quote_char='"',
                    double_quote=True,
                    newlines_in_values=True,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            break
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            continue
    if table is None:
        _full_text(export)  # decode now: reports the encoding fallback if that was the cause
        return None
    n = table.num_rows
    if n == 0:
        return Body([], np.zeros(0, dtype=np.int64), [], 0, "pyarrow")
    _check_cell_sizes(table, export.name)
    extra = np.zeros(n, dtype=np.int64)
    columns = []
    for col in table.columns:
        arr = col
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            arr = col.combine_chunks()
            if pc.any(pc.match_substring(arr, "\n")).as_py():
                extra += pc.fill_null(pc.count_substring(arr, "\n"), 0).to_numpy(
                    zero_copy_only=False
                )
        columns.append(arr)
    # pyarrow skips blank lines silently: if the line count does not add up, let the
    # slower reader (which knows every line) do the work.
    expected = header_lines + n + int(extra.sum()) - (0 if raw.endswith(b"\n") else 1)
    if raw.count(b"\n") != expected:
        return None
    shift = np.concatenate([[0], np.cumsum(extra)[:-1]])
    source_row = header_lines + 1 + np.arange(n, dtype=np.int64) + shift
    return Body(columns, source_row, [], 0, "pyarrow")


def _check_cell_sizes(table: pa.Table, name: str) -> None:
    """Refuse a cell longer than MAX_CELL_CHARS (the python reader's limit too)."""
    for j, col in enumerate(table.columns):
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        longest = pc.max(pc.binary_length(col)).as_py()
        if longest is None or longest <= MAX_CELL_CHARS:
            continue
        chars = pc.utf8_length(col)
        too_long = pc.greater(chars, MAX_CELL_CHARS)
        if pc.any(too_long).as_py():
            k = int(pc.index(too_long, True).as_py())
            raise DataError(
                f"column {j + 1} of data record {k + 1} (counting records, not lines, after the "
                f"header) is longer than {MAX_CELL_CHARS:,} characters; no survey answer is that "
                "long",
                file=name,
            )


def _read_slow(export: Export, data_start: int, width: int) -> Body:
    batches: list[list[list[str]]] = []
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    empty = 0
    current: list[list[str]] = []
    last: tuple[int, int, list[str]] | None = None
    for idx, (start, end, row) in enumerate(_iter_records(export)):
        if idx < data_start:
            continue
        last = (start, end, row)
        if len(row) != width:
            if len(row) > width and not any(x.strip() for x in row[width:]):
                row = row[:width]
            elif not any(x.strip() for x in row):
                empty += 1
                continue
            else:
                span = (
                    f" (the record runs over lines {start}-{end}: a stray quote?)"
                    if end - start > 3
                    else ""
                )
                bad.append((start, f"{len(row)} fields where the header has {width}{span}"))
                continue
        elif not any(x.strip() for x in row):
            empty += 1
            continue
        current.append(row)
        lines.append(start)
        if len(current) * width >= _BATCH_CELLS:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    if last is not None and export.sheet_rows is None:
        start, end, row = last
        if end > start or len(row) != width:
            opened = _unclosed_quote_line(export.text or "", start)
            if opened is not None:
                raise DataError(
                    f'a quoted field opened on line {opened} is never closed (check for a stray " '
                    "on that line)",
                    file=export.name,
                    row=opened,
                    code="data.unclosed_quote",
                )
    columns: list[pa.Array] = []
    if batches:
        chunked: list[list[pa.Array]] = [[] for _ in range(width)]
        for batch in batches:
            for j, col in enumerate(zip(*batch, strict=True)):
                chunked[j].append(pa.array(col, type=pa.string()))
        for j in range(width):
            columns.append(pa.concat_arrays(chunked[j]))
    return Body(columns, np.asarray(lines, dtype=np.int64), bad, empty, "python-csv")
