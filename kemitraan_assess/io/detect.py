"""Detect what a survey export is: encoding, kind of content, line endings, delimiter,
header rows and the platform that wrote it.

Each function looks at bytes or at the first records only, so detection costs the same
for ten rows and for a million.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import DataError
from . import platforms as _platforms

__all__ = [
    "Decoded",
    "decode_bytes",
    "check_content",
    "detect_line_ending",
    "detect_delimiter",
    "detect_platform",
    "PLATFORMS",
    "PLATFORM_ID_COLUMNS",
    "PLATFORM_TIME_COLUMNS",
    "PLATFORM_META_COLUMNS",
]

PLATFORMS = tuple(p.name for p in _platforms.REGISTRY) + ("spreadsheet", "generic")
"""Platform names written to ``ingest.json``."""

_EVERY = (*_platforms.REGISTRY, _platforms.get_platform("spreadsheet"), _platforms.get_platform("generic"))

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
        raise DataError("the file is empty", file=file)
    warnings: list[str] = []
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except (LookupError, TypeError, ValueError):
            raise DataError(f"unknown encoding '{encoding}' (try utf-8, cp1252 or utf-16)", file=file) from None
        if not getattr(info, "_is_text_encoding", True):
            raise DataError(
                f"'{encoding}' is not a text encoding (try utf-8, cp1252 or utf-16)", file=file
            )
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DataError(f"'{encoding}' is not a text encoding (try utf-8, cp1252 or utf-16)", file=file) from None
        except UnicodeDecodeError as exc:
            raise DataError(
                f"cannot be read as {encoding}: byte {exc.start} ({data[exc.start:exc.start + 1]!r}) "
                "is not valid; check --encoding",
                file=file,
                row=_line_of(data, exc.start),
            ) from None
        bom = text.startswith("\ufeff")
        text = text.lstrip("\ufeff") if bom else text
        if not text.strip("\x00 \t\r\n"):
            raise DataError("the file has no text", file=file)
        return Decoded(_strip_nul(text, warnings), encoding.lower(), bom, warnings)
    for mark, codec, _name in _BOMS:
        if data.startswith(mark):
            rest = data[len(mark):]
            if not rest.strip(b"\x00 \t\r\n"):
                raise DataError("the file holds only a byte-order mark and no data", file=file)
            try:
                text = rest.decode(codec)
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"starts with a {codec} byte-order mark but byte {exc.start + len(mark)} is not {codec}",
                    file=file,
                ) from None
            return Decoded(_strip_nul(text, warnings), codec, True, warnings)
    _check_binary(data, file)
    try:
        text = data.decode("utf-8")
        return Decoded(_strip_nul(text, warnings), "utf-8", False, warnings)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        warnings.append(
            f"not UTF-8: read as Windows-1252 (cp1252); the first byte that is not UTF-8 is on line {line}; "
            "pass --encoding if the text looks wrong"
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
            raise DataError(f"this is {what}, not a CSV export", file=file)
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte is NUL
        if head[1::2].count(0) > 0.4 * len(head[1::2]) or head[0::2].count(0) > 0.4 * len(head[0::2]):
            raise DataError(
                "looks like UTF-16 text without a byte-order mark; pass --encoding utf-16-le "
                "(or utf-16-be)",
                file=file,
            )
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 0))
    if head.count(0) > 0.3 * len(head) or control > 0.1 * len(head):
        raise DataError("binary data, not a CSV export", file=file)


def check_content(text: str, *, file: str | None = None) -> None:
    """Refuse text that is plainly not a table: an HTML page or a JSON document.

    Examples
    --------
    >>> check_content("<!DOCTYPE html><html>login</html>")
    Traceback (most recent call last):
    ...
    kemitraan_assess.errors.DataError: this is an HTML page, not a CSV export (the download may have saved a login or error page; export the data again)
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
        )
    if low.startswith("<?xml"):
        raise DataError("this is an XML document, not a CSV export", file=file)
    if head[:1] in ("{", "["):
        is_json = False
        try:
            json.loads(text)
            is_json = True
        except ValueError:
            is_json = bool(re.match(r"^[\[{]\s*[\"{\[]", head))
        if is_json:
            raise DataError(
                "this is a JSON document, not a CSV export (choose the CSV or XLSX export)", file=file
            )


def detect_line_ending(text: str) -> str:
    """``"CRLF"``, ``"LF"``, ``"CR"`` (or ``"none"`` for a single line), from the first line end.

    Examples
    --------
    >>> detect_line_ending("a\\r\\nb"), detect_line_ending("a\\rb"), detect_line_ending("a\\nb")
    ('CRLF', 'CR', 'LF')
    """
    m = re.search(r"\r\n|\r|\n", text[:1_000_000])
    if m is None:
        return "none"
    return {"\r\n": "CRLF", "\r": "CR", "\n": "LF"}[m.group(0)]


_DELIMS = (",", ";", "\t", "|")


def detect_delimiter(lines: Sequence[str]) -> str:
    """The delimiter among ``,`` ``;`` tab ``|`` that splits the sample lines most consistently.

    Quoted text is removed before counting, so commas inside answers do not vote.

    Examples
    --------
    >>> detect_delimiter(['a;b;"x, y"', '1;2;"p, q"'])
    ';'
    """
    cleaned = [re.sub(r'"[^"]*"', '""', ln) for ln in lines if ln.strip()]
    if not cleaned:
        return ","
    best, best_score = ",", (-1.0, 0)
    for d in _DELIMS:
        counts = [ln.count(d) for ln in cleaned]
        if max(counts) == 0:
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
