"""Detect what a survey export is: encoding, kind of content, line endings, delimiter,
header rows and the platform that wrote it.

Each function looks at bytes or at the first records only, so detection costs the same
for ten rows and for a million.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..errors import DataError
from . import platforms as _platforms

__all__ = [
    "Decoded",
    "decode_bytes",
    "check_content",
    "detect_line_ending",
    "detect_delimiter",
    "unquoted_line_ends",
    "detect_platform",
    "PLATFORMS",
    "PLATFORM_ID_COLUMNS",
    "PLATFORM_TIME_COLUMNS",
    "PLATFORM_META_COLUMNS",
]

PLATFORMS = tuple(p.name for p in _platforms.REGISTRY) + ("spreadsheet", "generic")
"""Platform names written to ``ingest.json``."""

_EVERY = (
    *_platforms.REGISTRY,
    _platforms.get_platform("spreadsheet"),
    _platforms.get_platform("generic"),
)

PLATFORM_ID_COLUMNS: dict[str, tuple[str, ...]] = {p.name: p.id_columns for p in _EVERY}
"""Columns holding each platform's submission id, in order of preference."""

PLATFORM_TIME_COLUMNS: dict[str, tuple[str, ...]] = {p.name: p.time_columns for p in _EVERY}
"""Columns holding the submission time, used to keep the last of duplicate submissions."""

PLATFORM_META_COLUMNS: dict[str, frozenset[str]] = {p.name: p.meta_columns for p in _EVERY}
"""Metadata columns of each platform: known, reported, never mapped to items."""


@dataclass
class Decoded:
    """Text decoded from an export, with what was detected on the way."""

    text: str
    encoding: str
    bom: bool
    warnings: list[str] = field(default_factory=list)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)

_BINARY_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook or a zipped export?)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls workbook (save it as .xlsx or CSV)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3", "an SQLite database"),
)


def _line_of(data: bytes, pos: int) -> int:
    """1-based line number of byte ``pos`` (LF, CRLF or CR line endings)."""
    head = data[:pos]
    n_lf = head.count(b"\n")
    return (n_lf if n_lf else head.count(b"\r")) + 1


def decode_bytes(data: bytes, *, encoding: str | None = None, file: str | None = None) -> Decoded:
    """Decode an export to text.

    Order: the encoding the user gave; a byte-order mark (UTF-8, UTF-16, UTF-32);
    strict UTF-8; otherwise Windows-1252 (what Excel writes on Indonesian and
    English Windows), reported with a warning naming the first line with bytes that
    are not UTF-8. NUL bytes in 8-bit text are removed with a warning.

    Raises
    ------
    DataError
        for an empty file, a file holding only a byte-order mark, or binary data.

    Examples
    --------
    >>> d = decode_bytes("a;b\\nRagu-ragu;\\u00e9\\n".encode("cp1252"))
    >>> d.encoding, d.warnings[0][:40]
    ('cp1252', 'not UTF-8: read as Windows-1252 (cp1252)')
    """
    if not data:
        raise DataError("the file is empty", file=file, code="data.empty")
    warnings: list[str] = []
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except (LookupError, TypeError, ValueError):
            raise DataError(
                f"unknown encoding '{encoding}' (try utf-8, cp1252 or utf-16)", file=file
            ) from None
        if not getattr(info, "_is_text_encoding", True):
            raise DataError(
                f"'{encoding}' is not a text encoding (try utf-8, cp1252 or utf-16)", file=file
            )
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DataError(
                f"'{encoding}' is not a text encoding (try utf-8, cp1252 or utf-16)", file=file
            ) from None
        except UnicodeDecodeError as exc:
            raise DataError(
                f"cannot be read as {encoding}: byte {exc.start} "
                f"({data[exc.start : exc.start + 1]!r}) is not valid; check --encoding",
                file=file,
                code="data.encoding",
                params={"encoding": encoding, "byte": exc.start},
                row=_line_of(data, exc.start),
            ) from None
        bom = text.startswith("\ufeff")
        text = text.lstrip("\ufeff") if bom else text
        if not text.strip("\x00 \t\r\n"):
            raise DataError("the file has no text", file=file, code="data.empty")
        return Decoded(_strip_nul(text, warnings), encoding.lower(), bom, warnings)
    for mark, codec, _name in _BOMS:
        if data.startswith(mark):
            rest = data[len(mark) :]
            if not rest.strip(b"\x00 \t\r\n"):
                raise DataError(
                    "the file holds only a byte-order mark and no data",
                    file=file,
                    code="data.empty",
                )
            try:
                text = rest.decode(codec)
            except UnicodeDecodeError as exc:
                before = rest[: exc.start].decode(codec, errors="replace")
                line = len(re.findall(r"\r\n|\r|\n", before)) + 1
                raise DataError(
                    f"starts with a {codec} byte-order mark but byte {exc.start + len(mark)} is "
                    f"not {codec}; the file mixes encodings: save it again as one, or pass "
                    "--encoding",
                    file=file,
                    code="data.mixed_encoding",
                    params={"encoding": codec},
                    row=line,
                ) from None
            return Decoded(_strip_nul(text, warnings), codec, True, warnings)
    _check_binary(data, file)
    try:
        text = data.decode("utf-8")
        return Decoded(_strip_nul(text, warnings), "utf-8", False, warnings)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        warnings.append(
            "not UTF-8: read as Windows-1252 (cp1252); the first byte that is not UTF-8 is on line "
            f"{line}; pass --encoding if the text looks wrong"
        )
        text = data.decode("cp1252", errors="replace")
        return Decoded(_strip_nul(text, warnings), "cp1252", False, warnings)


def _strip_nul(text: str, warnings: list[str]) -> str:
    if "\x00" in text:
        n = text.count("\x00")
        first = text.index("\x00")
        line = text.count("\n", 0, first) + 1
        warnings.append(f"removed {n} NUL byte(s); the first is on line {line}")
        text = text.replace("\x00", "")
    return text


def _check_binary(data: bytes, file: str | None) -> None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DataError(
                f"this is {what}, not a CSV export",
                file=file,
                code="data.binary",
                params={"what": what},
            )
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte is NUL
        if head[1::2].count(0) > 0.4 * len(head[1::2]) or head[0::2].count(0) > 0.4 * len(
            head[0::2]
        ):
            raise DataError(
                "looks like UTF-16 text without a byte-order mark; pass --encoding utf-16-le "
                "(or utf-16-be)",
                file=file,
                code="data.utf16_without_bom",
            )
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 0))
    if head.count(0) > 0.3 * len(head) or control > 0.1 * len(head):
        raise DataError(
            "binary data, not a CSV export",
            file=file,
            code="data.binary",
            params={"what": "binary data"},
        )


def check_content(text: str, *, file: str | None = None) -> None:
    """Refuse text that is plainly not a table: an HTML page or a JSON document.

    Examples
    --------
    >>> check_content("<!DOCTYPE html><html>login</html>")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kemitraan_assess.errors.DataError: this is an HTML page, not a CSV export (the download ...
    """
    head = text.lstrip(" \t\r\n")[:2048]
    low = head.lower()
    if low.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        low.startswith("<") and "<html" in low
    ):
        raise DataError(
            "this is an HTML page, not a CSV export (the download may have saved a login or "
            "error page; export the data again)",
            file=file,
            code="data.html",
        )
    if low.startswith("<?xml"):
        raise DataError("this is an XML document, not a CSV export", file=file, code="data.xml")
    if head[:1] in ("{", "["):
        is_json = False
        try:
            json.loads(text)
            is_json = True
        except ValueError:
            is_json = bool(re.match(r"^[\[{]\s*[\"{\[]", head))
        if is_json:
            raise DataError(
                "this is a JSON document, not a CSV export (choose the CSV or XLSX export)",
                file=file,
                code="data.json",
            )


def unquoted_line_ends(text: str, delimiter: str) -> Iterator[re.Match[str]]:
    """The line ends of ``text`` that end records: those outside quoted fields.

    A quote opens a quoted field only as the first character of a field (as Python's
    :mod:`csv` and Excel read it); inside, ``""`` is a quote and the next lone ``"``
    closes the field. Line breaks, delimiters and quotes inside a quoted cell are
    opaque. An unclosed quote hides every line end after it.

    Examples
    --------
    >>> [m.group(0) for m in unquoted_line_ends('a,"x\\r\\ny"\\r\\nb,5" tall\\n', ",")]
    ['\\r\\n', '\\n']
    """
    token = (
        re.compile('"|' + re.escape(delimiter) + r"|\r\n|\r|\n")
        if delimiter
        else re.compile(r'"|\r\n|\r|\n')
    )
    pos = 0
    field_start = 0
    n = len(text)
    while pos < n:
        m = token.search(text, pos)
        if m is None:
            return
        tok = m.group(0)
        pos = m.end()
        if tok == '"':
            if m.start() != field_start:
                continue  # a quote inside an unquoted field is text
            while True:  # skip the quoted field
                close = text.find('"', pos)
                if close < 0:
                    return
                if text.startswith('"', close + 1):
                    pos = close + 2
                    continue
                pos = close + 1
                break
        elif tok == delimiter:
            field_start = pos
        else:
            field_start = pos
            yield m


def detect_line_ending(text: str, delimiter: str | None = None) -> str:
    """``"CRLF"``, ``"LF"``, ``"CR"`` (or ``"none"`` for a single line), from the first line end.

    With the ``delimiter``, line breaks inside quoted cells are skipped: only a line
    end between records counts.

    Examples
    --------
    >>> detect_line_ending("a\\r\\nb"), detect_line_ending("a\\rb"), detect_line_ending("a\\nb")
    ('CRLF', 'CR', 'LF')
    >>> detect_line_ending('"a\\r\\nb",c\\nd,e\\n', ",")
    'LF'
    """
    head = text[:1_000_000]
    if delimiter is None:
        m = re.search(r"\r\n|\r|\n", head)
    else:
        m = next(unquoted_line_ends(head, delimiter), None)
    if m is None:
        return "none"
    return {"\r\n": "CRLF", "\r": "CR", "\n": "LF"}[m.group(0)]


_DELIMS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r"^sep=([,;\t|])(?:\r\n|\r|\n|$)", re.IGNORECASE)
_SAMPLE_RECORDS = 80


def _field_counts(text: str, delimiter: str, truncated: bool) -> list[int]:
    """Number of fields of the first records of ``text`` (blank records left out)."""
    counts = []
    old = csv.field_size_limit(max(len(text) + 1, 131_072))
    try:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True
        )
        for row in itertools.islice(reader, _SAMPLE_RECORDS + 1):
            if any(c.strip() for c in row):
                counts.append(len(row))
    except csv.Error:
        return []
    finally:
        csv.field_size_limit(old)
    if truncated and len(counts) > 1:
        counts.pop()  # the last record may be cut short by the end of the sample
    return counts[:_SAMPLE_RECORDS]


def detect_delimiter(sample: str | Sequence[str], *, truncated: bool = False) -> str:
    """The delimiter among ``,`` ``;`` tab ``|`` that splits the sample most consistently.

    ``sample`` is the start of the text (or a list of its lines). Each candidate
    splits it into records as a CSV reader would, so delimiters, quotes and line breaks
    inside quoted cells do not vote. Excel's ``sep=;`` first line names the delimiter.
    ``truncated`` says that the sample was cut from a longer text (its last record is
    then left out).

    Examples
    --------
    >>> detect_delimiter(['a;b;"x, y"', '1;2;"p, q"'])
    ';'
    >>> detect_delimiter('a,b,c\\n1,2,"x\\r|y\\r|z"\\n3,4,"p\\r|q\\r|r"\\n')
    ','
    >>> detect_delimiter("sep=;\\na;b\\n")
    ';'
    """
    text = sample if isinstance(sample, str) else "\n".join(sample)
    m = _SEP_LINE.match(text.lstrip("\ufeff"))
    if m:
        return m.group(1)
    best, best_score = ",", (-1.0, 0)
    for d in _DELIMS:
        counts = [c - 1 for c in _field_counts(text, d, truncated)]
        if not counts or max(counts) == 0:
            continue
        mode, freq = Counter(c for c in counts if c > 0).most_common(1)[0]
        score = (freq / len(counts), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def detect_platform(header: Sequence[str], next_rows: Sequence[Sequence[str]] = ()) -> str:
    """Name the platform that wrote an export, from its header and the rows below it.

    Examples
    --------
    >>> detect_platform(["SubmissionDate", "GOL-GOL1", "meta-instanceID", "KEY"])
    'odk_central'
    >>> detect_platform(["Stempel waktu", "Nama kemitraan"])
    'google_forms'
    """
    found = _platforms.detect([str(h) for h in header], [[str(c) for c in r] for r in next_rows])
    return found.name if found is not None else "generic"
