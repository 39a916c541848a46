"""Safe, unique file names from partnership names.

A partnership name is data typed by a respondent; it must never decide where a file is
written. :func:`slugify` turns any name into a short, lowercase ASCII name made of
``a-z``, ``0-9`` and single hyphens, which cannot be ``..``, cannot contain a path
separator and is never a Windows reserved device name. :func:`unique_slugs` gives each
name of a batch its own slug, suffixing collisions ``-2``, ``-3`` ... in the sorted
order of the names, so the same set of names always gets the same file names. A name
whose slug is one the batch uses for its own files (:data:`RESERVED_SLUGS`: the
portfolio ``index``) gets a ``-partnership`` suffix, so a partnership called "Index"
cannot overwrite the portfolio page, nor the page its report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "slugify",
    "unique_slugs",
    "MAX_SLUG_LENGTH",
    "FALLBACK_SLUG",
    "WINDOWS_RESERVED",
    "RESERVED_SLUGS",
]

MAX_SLUG_LENGTH = 60
"""Longest slug (before a collision suffix); leaves room for ``-NN.html`` on any file system."""

FALLBACK_SLUG = "partnership"
"""The slug of a name with no usable letter or digit."""

WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)
"""Device names Windows refuses as a file name, with or without an extension."""

RESERVED_SLUGS = frozenset(["index"])
"""File-name stems the report batch writes itself, beside the reports (``index.html``).

The batch's other files cannot collide with a slug: its key files (``.<slug>.key``) and
temporary files (``.<name>.<random>.tmp``) start with a dot, which no slug does.
"""

_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def slugify(name: str, *, max_length: int = MAX_SLUG_LENGTH) -> str:
    """A safe file-name stem for ``name``.

    Parameters
    ----------
    name
        Any text (a partnership name as typed in a survey).
    max_length
        Longest result; the cut falls on a hyphen when one is near the end.

    Returns
    -------
    str
        Lowercase ``[a-z0-9]`` runs joined by single hyphens; ``"partnership"`` when
        nothing usable is left; a Windows device name or a name in
        :data:`RESERVED_SLUGS` gets a ``-partnership`` suffix.

    Notes
    -----
    Accents are removed by Unicode NFKD decomposition and dropping what is not ASCII
    (``Ké`` → ``ke``); every other run of characters (spaces, dots, slashes, quotes)
    becomes one hyphen, so ``..`` and path separators cannot survive.

    Examples
    --------
    >>> slugify("Forum Kota Sehat Bantul")
    'forum-kota-sehat-bantul'
    >>> slugify("../../etc/passwd")
    'etc-passwd'
    >>> slugify("CON")
    'con-partnership'
    >>> slugify("<script>")
    'script'
    >>> slugify("？？")
    'partnership'
    >>> slugify("Index")
    'index-partnership'
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_ALLOWED.sub("-", text).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        hyphen = cut.rfind("-")
        slug = cut[:hyphen] if hyphen >= max_length // 2 else cut
        slug = slug.strip("-")
    if not slug:
        return FALLBACK_SLUG
    if slug in WINDOWS_RESERVED or slug in RESERVED_SLUGS:
        slug = f"{slug}-{FALLBACK_SLUG}"
    return slug


def unique_slugs(names: Iterable[str], *, max_length: int = MAX_SLUG_LENGTH) -> dict[str, str]:
    """A distinct slug for every distinct name.

    Parameters
    ----------
    names
        Partnership names (duplicates are ignored).
    max_length
        Passed to :func:`slugify`.

    Returns
    -------
    dict
        Name → slug. Names are taken in sorted order; the first name with a slug keeps
        it, the next ones get ``-2``, ``-3``, ... (skipping any suffix another name
        already owns), so the mapping does not depend on the order given.

    Notes
    -----
    File systems that ignore case (Windows, macOS) are safe too, as slugs are lowercase.

    Examples
    --------
    >>> unique_slugs(["Forum B", "forum-b", "Forum  B"])
    {'Forum  B': 'forum-b', 'Forum B': 'forum-b-2', 'forum-b': 'forum-b-3'}
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    distinct = sorted(set(map(str, names)))
    bases = {n: slugify(n, max_length=max_length) for n in distinct}
    # plain slugs first, so that "a-2" typed as a name keeps its own slug
    for n in distinct:
        base = bases[n]
        if base not in taken:
            out[n] = base
            taken.add(base)
    for n in distinct:
        if n in out:
            continue
        base = bases[n]
        k = 2
        while f"{base}-{k}" in taken:
            k += 1
        out[n] = f"{base}-{k}"
        taken.add(out[n])
    return {n: out[n] for n in distinct}
