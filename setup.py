"""Package discovery for kemitraan-assess (all other metadata is in pyproject.toml).

Every code package under ``kemitraan_assess/`` is found, and the two data folders at the
top of the repository ship inside the package: ``instruments/`` as
``kemitraan_assess.instruments`` and ``reports/`` as ``kemitraan_assess.reports``, with
every file in every sub-folder. Nothing is listed by hand, so a new module, template or
catalogue cannot be left out of the wheel (``tests/test_packaging.py`` checks the wheel
against the tree).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup

HERE = Path(__file__).resolve().parent
DATA_FOLDERS = {
    "instruments": "kemitraan_assess.instruments",
    "reports": "kemitraan_assess.reports",
}

packages = find_packages(where=str(HERE), include=["kemitraan_assess", "kemitraan_assess.*"])
package_dir = {"kemitraan_assess": "kemitraan_assess"}
package_data = {"kemitraan_assess": ["py.typed"]}
for folder, name in DATA_FOLDERS.items():
    subfolders = [""] + [
        sub for sub in find_namespace_packages(where=str(HERE / folder)) if "__pycache__" not in sub
    ]
    for sub in subfolders:
        pkg = f"{name}.{sub}" if sub else name
        packages.append(pkg)
        package_dir[pkg] = f"{folder}/{sub.replace('.', '/')}" if sub else folder
        package_data[pkg] = ["*"]

setup(packages=packages, package_dir=package_dir, package_data=package_data)
