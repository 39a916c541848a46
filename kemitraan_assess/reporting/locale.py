"""Report words and numbers for a language.

Every word a report shows comes from a catalogue ``reports/locales/<lang>.yaml`` (nested
YAML, read as flat dotted keys such as ``summary.title``). A third language is added by
dropping in a catalogue with the same keys; :func:`available_languages` lists them.
Numbers are formatted by Babel for the locale, so 0.82 reads ``0,82`` in Indonesian.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Mapping
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel import numbers as bnum

from .._resources import reports_dir
from ..errors import KemitraanError

__all__ = [
    "Catalogue",
    "available_languages",
    "catalogue_languages",
    "load_catalogue",
    "read_catalogue",
    "flatten",
]


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested mapping → ``{"a.b": "text"}`` (values turned into strings).

    Examples
    --------
    >>> flatten({"a": {"b": "x", "c": "y"}, "d": "z"})
    {'a.b': 'x', 'a.c': 'y', 'd': 'z'}
    """
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{full}."))
        else:
            out[full] = "" if value is None else str(value)
    return out


def _locale_folder(subfolder: str) -> Any:
    folder = reports_dir()
    for part in subfolder.split("/"):
        folder = folder / part
    return folder


def catalogue_languages(subfolder: str = "locales") -> list[str]:
    """Language codes of the ``<lang>.yaml`` catalogues in ``reports/<subfolder>`` (sorted)."""
    folder = _locale_folder(subfolder)
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_catalogue(subfolder: str, lang: str, what: str = "report") -> dict[str, str]:
    """The flat ``key -> text`` mapping of ``reports/<subfolder>/<lang>.yaml``.

    Raises
    ------
    KemitraanError
        When there is no such catalogue (the message lists the available ones) or it is
        not a mapping.
    """
    path = _locale_folder(subfolder) / f"{lang}.yaml"
    shown = f"reports/{subfolder}/{lang}.yaml"
    if not path.is_file():
        have = ", ".join(catalogue_languages(subfolder))
        raise KemitraanError(
            f"no {what} catalogue for language '{lang}' (available: {have}); "
            f"add {shown} with the keys of en.yaml"
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise KemitraanError(f"{shown}: expected a mapping of keys to texts")
    return flatten(data)


def available_languages() -> list[str]:
    """Language codes with a catalogue in ``reports/locales/`` (sorted).

    Examples
    --------
    >>> {"en", "id"} <= set(available_languages())
    True
    """
    return catalogue_languages("locales")


class Catalogue:
    """The words of one language and number formatting for its locale.

    Parameters
    ----------
    lang
        Language code (``id``, ``en`` ...).
    messages
        Flat ``key → text`` mapping; texts may hold ``{name}`` placeholders.

    Examples
    --------
    >>> cat = load_catalogue("id")
    >>> cat.number(0.8249)
    '0,82'
    >>> load_catalogue("en").number(3.456, 1)
    '3.5'
    """

    def __init__(self, lang: str, messages: Mapping[str, str]):
        self.lang = lang
        self.messages = dict(messages)
        try:
            self.locale = Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en")

    def __call__(self, key: str, **values: Any) -> str:
        """The text of ``key`` with ``{placeholders}`` filled in."""
        try:
            text = self.messages[key]
        except KeyError:
            raise KemitraanError(
                f"report catalogue '{self.lang}' has no text for '{key}'; "
                f"add it to reports/locales/{self.lang}.yaml"
            ) from None
        if not values:
            return text
        return string.Formatter().vformat(text, (), values)

    def has(self, key: str) -> bool:
        return key in self.messages

    # ---------------------------------------------------------------- numbers
    def number(self, value: float | None, digits: int = 2) -> str:
        """A decimal with ``digits`` places in the locale ('–' when missing).

        The one path every report number takes: thousands grouped (``11.421,21`` in
        Indonesian, ``11,421.21`` in English) and negatives with the minus sign U+2212,
        never a hyphen.

        Examples
        --------
        >>> cat = load_catalogue("id")
        >>> cat.number(11421.2149), cat.number(-3133.2, 1), cat.number(-0.001)
        ('11.421,21', '−3.133,2', '0,00')
        """
        if value is None or not math.isfinite(float(value)):
            return "–"
        fmt = "#,##0." + "0" * digits if digits > 0 else "#,##0"
        text = bnum.format_decimal(float(value), format=fmt, locale=self.locale)
        if text.startswith("-"):
            text = "−" + text[1:] if text.strip("-0.,") else text[1:]  # no '−0,00'
        return text

    def signed(self, value: float | None, digits: int = 2) -> str:
        """A decimal with an explicit sign (+0,25 / −0,25)."""
        if value is None or not math.isfinite(float(value)):
            return "–"
        body = self.number(abs(float(value)), digits)
        if round(float(value), digits) == 0:
            return body
        return ("+" if value > 0 else "−") + body

    def integer(self, value: int | None) -> str:
        """A whole number, thousands grouped, negatives with U+2212."""
        if value is None:
            return "–"
        return self.number(int(value), 0)

    def ordinal(self, value: int | None) -> str:
        """``value`` as an ordinal in the language: 2nd / 23rd in English, ke-2 in Indonesian.

        The catalogue holds one pattern per CLDR ordinal category the language uses
        (``ordinal.one``, ``ordinal.two``, ``ordinal.few`` ..., always ``ordinal.other``);
        Babel says which category a number takes.

        Examples
        --------
        >>> en = load_catalogue("en")
        >>> [en.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 98, 101)]
        ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '98th', '101st']
        >>> load_catalogue("id").ordinal(98)
        'ke-98'
        """
        if value is None:
            return "–"
        n = int(value)
        form = self.locale.ordinal_form(n)
        key = f"ordinal.{form}" if f"ordinal.{form}" in self.messages else "ordinal.other"
        return self(key, n=self.integer(n))

    def percent(self, value: float | None, digits: int = 0) -> str:
        """A share 0..1 as a percentage (78 %)."""
        if value is None or not math.isfinite(float(value)):
            return "–"
        fmt = "0" + ("." + "0" * digits if digits else "") + "%"
        return bnum.format_percent(float(value), format=fmt, locale=self.locale)

    def interval(self, lo: float | None, hi: float | None, digits: int = 2) -> str:
        """``lo–hi`` in the locale."""
        return f"{self.number(lo, digits)}–{self.number(hi, digits)}"

    def join(self, words: list[str]) -> str:
        """'a, b and c' with the catalogue's word for 'and'."""
        if not words:
            return ""
        if len(words) == 1:
            return words[0]
        return f"{', '.join(words[:-1])} {self('words.and')} {words[-1]}"


@functools.lru_cache(maxsize=16)
def _read(lang: str) -> dict[str, str]:
    return read_catalogue("locales", lang)


def load_catalogue(lang: str) -> Catalogue:
    """The catalogue of ``lang`` from ``reports/locales/<lang>.yaml``.

    Raises
    ------
    KemitraanError
        When no catalogue exists for ``lang`` (the message lists the available ones).
    """
    return Catalogue(lang, _read(lang))
