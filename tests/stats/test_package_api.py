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


def test_functions_named_like_their_modules_stay_functions():
    importlib.import_module("kemitraan_assess.stats.cfa")
    importlib.import_module("kemitraan_assess.stats.omega")
    from kemitraan_assess.stats import cfa, omega

    assert callable(cfa) and cfa.__name__ == "cfa"
    assert callable(omega) and omega.__name__ == "omega"


def test_scoring_does_not_import_the_factor_analysis_stack():
    code = (
        "import sys, kemitraan_assess.scoring; "
        "print(any(m in sys.modules for m in ('scipy.optimize', 'scipy.stats', 'pingouin')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
