"""Ingest survey exports: detection, reading, column and label mapping, the ingest log,
and the safe, atomic file writing every stage uses."""

from ..output.safecsv import (
    atomic_write_bytes,
    atomic_write_many,
    atomic_write_text,
    csv_bytes,
    write_csv_safe,
)
from .detect import decode_bytes, detect_delimiter, detect_line_ending, detect_platform
from .ingest import ingest
from .log import REJECT_REASONS, IngestResult, ingest_json, write_ingest_outputs
from .mapping import load_mapping, normalise_text
from .preview import ColumnPreview, ExportPreview, preview_export

__all__ = [
    "REJECT_REASONS",
    "ColumnPreview",
    "ExportPreview",
    "IngestResult",
    "atomic_write_bytes",
    "atomic_write_many",
    "atomic_write_text",
    "csv_bytes",
    "decode_bytes",
    "detect_delimiter",
    "detect_line_ending",
    "detect_platform",
    "ingest",
    "ingest_json",
    "load_mapping",
    "normalise_text",
    "preview_export",
    "write_csv_safe",
    "write_ingest_outputs",
]
