"""Load, validate and list instrument files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .._resources import instruments_dir
from ..errors import InstrumentError
from ..safeyaml import load_yaml
from .model import Instrument

__all__ = [
    "load_instrument",
    "parse_instrument",
    "list_instruments",
    "instrument_schema",
    "format_location",
]


def format_location(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location ``('scales', 2, 'items', 3, 'reverse')`` into
    ``scales[2].items[3].reverse``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_instrument(data: Any, *, source: str | None = None) -> Instrument:
    """Validate an already-parsed mapping as an instrument.

    Raises
    ------
    InstrumentError
        naming the place of the first problem, e.g. ``scales[2].items[3].reverse``.
    """
    if not isinstance(data, dict):
        raise InstrumentError(
            "an instrument file must be a YAML mapping at the top level",
            source=source,
            code="instrument.not_a_mapping",
        )
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        loc = format_location(tuple(first["loc"]))
        msg = first["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        # cross-checks put their own location at the start of the message
        if not loc and ": " in msg:
            loc, msg = msg.split(": ", 1)
        if first["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see instruments/schema.json)"
        more = len(errors) - 1
        if more:
            msg += f" (and {more} more problem(s))"
        raise InstrumentError(
            msg,
            source=source,
            location=loc or None,
            code="instrument.invalid",
            params={"problem": msg},
        ) from None


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InstrumentError("file not found", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InstrumentError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            source=str(path),
            code="instrument.not_utf8",
        ) from None
    except OSError as exc:
        raise InstrumentError(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return load_yaml(text)  # bounded: no alias bomb
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstrumentError(
            f"invalid YAML: {problem}",
            source=str(path),
            location=where,
            code="instrument.yaml",
            params={"problem": problem},
        ) from None
    except json.JSONDecodeError as exc:
        raise InstrumentError(
            f"invalid JSON: {exc.msg}", source=str(path), location=f"line {exc.lineno}"
        ) from None


def _bundled() -> dict[str, Any]:
    out: dict[str, Any] = {}
    root = instruments_dir()
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith((".yaml", ".yml")):
            out[entry.name.rsplit(".", 1)[0]] = entry
    return out


def list_instruments() -> list[Instrument]:
    """The instruments shipped with the package, sorted by id."""
    result = []
    for name, entry in _bundled().items():
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        result.append(parse_instrument(data, source=f"bundled:{name}"))
    return sorted(result, key=lambda i: i.id)


def load_instrument(id_or_path: str | Path | Instrument) -> Instrument:
    """Load a bundled instrument by id, or an instrument file by path.

    Parameters
    ----------
    id_or_path
        ``"kemitraan-readiness"`` (a bundled instrument), a path to a ``.yaml``/``.json``
        file, or an :class:`Instrument` (returned unchanged).

    Examples
    --------
    >>> inst = load_instrument("kemitraan-readiness")
    >>> inst.languages
    ['id', 'en']
    """
    if isinstance(id_or_path, Instrument):
        return id_or_path
    text = str(id_or_path)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        if not path.is_file():
            raise InstrumentError("file not found", source=text)
        return parse_instrument(_read_yaml(path), source=text)
    bundled = _bundled()
    if text in bundled:
        data = yaml.safe_load(bundled[text].read_text(encoding="utf-8"))
        return parse_instrument(data, source=f"bundled:{text}")
    known = ", ".join(sorted(bundled)) or "none"
    raise InstrumentError(
        f"no bundled instrument '{text}' and no such file (bundled: {known})", source=text
    )


def instrument_schema() -> dict[str, Any]:
    """The JSON Schema of instrument files (published as ``instruments/schema.json``)."""
    schema = Instrument.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kemitraan-assess instrument"
    return schema
