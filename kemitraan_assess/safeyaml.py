"""One YAML loader for every YAML file a user hands in (instrument, mapping, brand).

``yaml.safe_load`` constructs no Python objects beyond plain data, but it does not bound
the *work*: a few hundred bytes of anchors and aliases (``&a`` / ``*a``, the "billion
laughs") describe a document of billions of nodes, which the constructor's merge keys
(``<<: *a``) and every later walk over the data (validation, hashing, JSON) expand; a
348-byte file was seen to take 3.5 GB. :func:`load_yaml` composes the document first
(linear in its size: aliases are shared nodes, not copies), measures it, and refuses it
before anything is expanded when it has

* more than :data:`MAX_ALIASES` aliases,
* more than :data:`MAX_NODES` nodes once every alias is expanded,
* an alias inside itself (a recursive structure), or
* nesting deeper than :data:`MAX_DEPTH`.

The refusal is a :class:`YAMLLimitError`, both a :class:`yaml.YAMLError` (so a
caller's "invalid YAML" handling names the file) and a
:class:`~kemitraan_assess.errors.KemitraanError` (so the command line exits 2 with one
line even where no caller handles it).
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import KemitraanError

__all__ = ["load_yaml", "YAMLLimitError", "MAX_ALIASES", "MAX_NODES", "MAX_DEPTH"]

MAX_ALIASES = 100
"""Aliases (``*name``) a document may use. Instruments and brand files need few or none."""
MAX_NODES = 100_000
"""Nodes of the document with every alias expanded (the bundled instrument has ~3,000)."""
MAX_DEPTH = 60
"""Nesting of collections (an instrument is about 6 deep)."""

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLLimitError(yaml.YAMLError, KemitraanError):
    """A YAML document refused for the work it would take to load (see the module notes)."""


def _where(node: yaml.Node) -> str:
    mark = node.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def _measure(root: yaml.Node, source: str) -> None:
    """Count expanded nodes without expanding: memoised sizes over the shared node graph."""
    prefix = f"{source}: " if source else ""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk: (node, depth, children expanded?)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        key = id(node)
        if expanded:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_NODES:
                raise YAMLLimitError(
                    f"{prefix}refused: the document expands to more than {MAX_NODES:,} values "
                    f"through anchors and aliases (&name / *name) near {_where(node)}; write the "
                    "values out instead of repeating aliases"
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise YAMLLimitError(
                f"{prefix}refused: an alias refers to a value that contains it, "
                f"near {_where(node)} (a recursive structure)"
            )
        if depth > MAX_DEPTH:
            raise YAMLLimitError(
                f"{prefix}refused: values nested more than {MAX_DEPTH} deep near {_where(node)}"
            )
        children = _children(node)
        if not children:
            size[key] = 1
            continue
        on_path.add(key)
        stack.append((node, depth, True))
        for child in children:
            if id(child) in on_path:
                raise YAMLLimitError(
                    f"{prefix}refused: an alias refers to a value that contains it, "
                    f"near {_where(child)} (a recursive structure)"
                )
            if id(child) not in size:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _count_aliases(text: str, source: str) -> None:
    prefix = f"{source}: " if source else ""
    n = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            n += 1
            if n > MAX_ALIASES:
                mark = event.start_mark
                raise YAMLLimitError(
                    f"{prefix}refused: more than {MAX_ALIASES} aliases (*name), the last at line "
                    f"{mark.line + 1}; write the values out instead of repeating aliases"
                )


def load_yaml(text: str, *, source: str = "") -> Any:
    """Parse YAML text as ``yaml.safe_load`` does, within bounded work.

    Parameters
    ----------
    text
        The document.
    source
        The file it came from, put at the start of a refusal's message (leave it empty
        when the caller names the file itself).

    Returns
    -------
    Any
        Plain data (dict, list, str, int, float, bool, None, date).

    Raises
    ------
    YAMLLimitError
        Too many aliases, too many expanded nodes, a recursive alias or deep nesting.
    yaml.YAMLError
        Not YAML.

    Examples
    --------
    >>> load_yaml("a: &x [1, 2]\\nb: *x\\n")
    {'a': [1, 2], 'b': [1, 2]}
    >>> bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\\n' + "".join(
    ...     f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\\n" for p, c in zip("abcdefgh", "bcdefghi"))
    >>> try:
    ...     load_yaml(bomb, source="brand.yaml")
    ... except YAMLLimitError as e:
    ...     print(str(e)[:69])
    brand.yaml: refused: the document expands to more than 100,000 values
    """
    if "*" in text:  # no alias, no expansion: the parse below would only cost time
        _count_aliases(text, source)
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            prefix = f"{source}: " if source else ""
            raise YAMLLimitError(f"{prefix}refused: values nested too deeply") from None
        if node is None:
            return None
        _measure(node, source)
        return loader.construct_document(node)
    finally:
        loader.dispose()
