"""Exception types of kemitraan-assess.

Every error says what is wrong, where (file, row, column, item) and, where it can,
what to do. The command line maps :class:`KemitraanError` subclasses to exit code 2
and prints the message on one line; reports turn :class:`InsufficientDataError` into
"not computed: n = 2 (< 3)".

Errors a user is likely to meet carry a stable ``code`` (``"data.no_partnership_column"``)
and the ``params`` of their message, so that an interface can say the same thing in its
own language (the web app's catalogues ``errors.<code>``); ``str(exc)`` stays the
command line's English one-line message. An error without a code is shown as that text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "KemitraanError",
    "InstrumentError",
    "DataError",
    "InsufficientDataError",
    "BrandError",
    "OutputError",
]


class KemitraanError(Exception):
    """Base class of every error this package raises on purpose.

    ``code`` names the kind of error (stable across releases, e.g.
    ``"data.no_item_matched"``) and ``params`` holds the values its message is made of;
    both are optional: ``code`` is None for errors no interface translates.
    """

    code: str | None = None

    def __init__(
        self, *args: Any, code: str | None = None, params: Mapping[str, Any] | None = None
    ):
        super().__init__(*args)
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = dict(params or {})


class InstrumentError(KemitraanError):
    """An instrument file is missing, unreadable or invalid.

    ``location`` is a dotted path into the file such as ``scales[2].items[3].reverse``.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        location: str | None = None,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ):
        self.source = source
        self.location = location
        parts = []
        if source:
            parts.append(str(source))
        if location:
            parts.append(location)
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message, code=code, params=params)
        self.detail = message


class DataError(KemitraanError):
    """Survey data that cannot be used as given.

    ``file``, ``row`` (1-based line in the source file) and ``column`` are included in the
    message when known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ):
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message, code=code, params=params)


class InsufficientDataError(KemitraanError):
    """Too few observations to compute a statistic.

    ``n`` is what was available and ``required`` the minimum.
    """

    def __init__(self, message: str, *, n: int | None = None, required: int | None = None):
        self.n = n
        self.required = required
        super().__init__(message)


class BrandError(KemitraanError):
    """A brand file (organisation name, logo, colours) is invalid."""


class OutputError(KemitraanError):
    """An output file or folder could not be written (read-only, full disk, not a folder).

    ``path`` is the file or folder; the message names it and says what to do. The
    command line exits 2 and leaves no partial output.
    """

    def __init__(self, path: str, reason: str, hint: str = "choose another output folder"):
        self.path = path
        self.reason = reason
        self.hint = hint
        super().__init__(
            f"{path}: cannot write ({reason}); {hint}",
            code="output.cannot_write",
            params={"path": path, "reason": reason},
        )
