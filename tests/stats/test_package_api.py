"""The stats package: every public name resolves, lazily, to the function (not a submodule)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import kemitraan_assess.stats as stats


def test_every_public_name_resolves():
    for name in stats.__all__:
        obj = getattr(stats, name)
        assert not isinstance(obj, type(stats)), f"{name} resolved to a module"


def test_no_module_is_named_like_a_public_function():
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(stats.__path__)}
    assert not modules & set(stats.__all__)
    for module in modules:  # importing every module leaves cfa, omega & co. the functions
        importlib.import_module(f"kemitraan_assess.stats.{module}")
    from kemitraan_assess.stats import cfa, efa, omega

    assert [f.__name__ for f in (cfa, efa, omega)] == ["cfa", "efa", "omega"]


def test_one_registry_of_public_names():
    assert stats.__all__ == sorted(stats.PUBLIC)
    for name, module in stats.PUBLIC.items():
        assert getattr(stats, name).__module__ == f"kemitraan_assess.stats.{module}", name


def test_scoring_does_not_import_the_factor_analysis_stack():
    code = (
        "import sys, kemitraan_assess.scoring; "
        "print(any(m in sys.modules for m in ('scipy.optimize', 'scipy.stats', 'pingouin')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
