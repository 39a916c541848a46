"""Locate the data shipped with the package (instruments, report templates).

In a wheel, ``instruments/`` and ``reports/`` are installed as the sub-packages
``kemitraan_assess.instruments`` and ``kemitraan_assess.reports`` (setuptools
``package-dir``). In a source checkout used without installing, they are the folders
beside the package.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["data_root", "instruments_dir", "reports_dir"]


def data_root(name: str) -> Traversable:
    """Return the folder of shipped data ``name`` ("instruments" or "reports")."""
    try:
        root = resources.files(f"kemitraan_assess.{name}")
        if root.is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / name


def instruments_dir() -> Traversable:
    return data_root("instruments")


def reports_dir() -> Traversable:
    return data_root("reports")
