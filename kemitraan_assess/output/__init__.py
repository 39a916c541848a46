"""Writing outputs: the leaf every layer may import (it imports nothing of ours but errors).

* :mod:`.atomic`: atomic writes (a temporary beside the target, then a rename; nothing
  half-written), writable-folder checks, removal of stale temporaries of killed runs.
* :mod:`.safecsv` and :mod:`.fastcsv`: the CSV format of every table the project writes
  (see the README's "CSV files written"), with formula neutralising (:mod:`.neutral`).
* :func:`json_text`: the JSON encoding of every JSON document the project writes.
"""

from __future__ import annotations

import json
from typing import Any

from .atomic import atomic_write_bytes, atomic_write_many, atomic_write_text
from .neutral import neutralise_text
from .safecsv import csv_bytes, write_csv_safe

__all__ = [
    "atomic_write_bytes",
    "atomic_write_many",
    "atomic_write_text",
    "csv_bytes",
    "json_text",
    "neutralise_text",
    "write_csv_safe",
]


def json_text(doc: Any) -> str:
    """``doc`` as the project writes JSON: UTF-8 text (no ASCII escapes), two-space indents,
    a final newline; NaN and infinities are refused (``ValueError``), never written.

    >>> json_text({"alpha": 0.8, "name": "Kota Sehat"})
    '{\\n  "alpha": 0.8,\\n  "name": "Kota Sehat"\\n}\\n'
    """
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
