"""``kemitraan-assess serve``: the whole pipeline in a browser, every assessment kept.

A Starlette application over a data folder (SQLite store, uploads and reports as files
named by id). It calls the same library entry points as the command line, through
:mod:`kemitraan_assess.web.pipeline`.
"""

from ._http import ServeConfig
from .app import create_app

__all__ = ["ServeConfig", "create_app", "default_data_dir"]


def default_data_dir() -> str:
    """The per-user data folder (``$XDG_DATA_HOME/kemitraan-assess`` on Linux)."""
    import platformdirs

    return platformdirs.user_data_dir("kemitraan-assess", appauthor=False)
