"""The import graph of kemitraan_assess: no cycle among modules, and no private name of
``kemitraan_assess.stats`` imported from another module.

The graph is read from the source with ``ast``: an edge A -> B for every ``import`` /
``from ... import`` that runs when A is imported (module level, class bodies, ``try`` and
``if`` blocks), to the module B named and to every package on B's path that A is not
inside (importing ``pkg.mod`` runs ``pkg/__init__.py`` first). Not edges:

* imports inside a function: they run on the function's first call, once every module
  is loaded, so they cannot take part in an import cycle. The package uses them to keep
  start-up fast (``import kemitraan_assess`` in ~5 ms; a command imports its stack when
  it runs; the stats package loads a module on first use of one of its names);
* imports under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kemitraan_assess"
ROOT = "kemitraan_assess"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = (ROOT, *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _runtime_imports(tree: ast.Module):  # type: ignore[no-untyped-def]
    """Import statements that run on import (not in functions, not under TYPE_CHECKING)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        stack.extend(ast.iter_child_nodes(node))


def _targets(
    module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]
) -> list[str]:
    """Full names of the package modules an import statement loads."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = module if is_package else module.rsplit(".", 1)[0]
            up = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
            base = ".".join([*up, base] if base else up)
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    out = []
    for name in names:
        if name in known:
            parts = name.split(".")
            out.extend(".".join(parts[:k]) for k in range(2, len(parts) + 1))
    return [t for t in dict.fromkeys(out) if t in known]


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        is_package = path.name == "__init__.py"
        edges = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(name, is_package, node, known):
                inside = name == target or name.startswith(target + ".")  # its own package(s)
                if not inside:
                    edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    graph = _graph()
    # a known edge of each kind: relative, absolute, and through a package __init__
    assert "kemitraan_assess.stats.moments" in graph["kemitraan_assess.validation.analyse"]
    assert "kemitraan_assess.stats.pairwise" in graph["kemitraan_assess.stats.moments"]
    assert "kemitraan_assess.scoring" in graph["kemitraan_assess.validation.analyse"]


def test_no_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles among modules: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_a_cycle_would_be_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_of_stats_is_imported_across_modules() -> None:
    mods = _modules()
    bad = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # function-level imports too
            if not isinstance(node, ast.ImportFrom):
                continue
            base = node.module or ""
            if node.level:
                pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                up = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                full = f"{base}.{alias.name}".split(".")
                if full[:2] != [ROOT, "stats"] or base == name:
                    continue
                if any(p.startswith("_") and p != "__init__" for p in full[2:]):
                    bad.append(f"{name}:{node.lineno} imports {'.'.join(full)}")
    assert not bad, "\n".join(bad)
