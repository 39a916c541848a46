"""Atomic output: temporary files and staging folders that never leave a half-written result.

* **Atomic files.** :func:`atomic_write_many` writes every payload to a temporary file
  beside its target (``.<name>.<random>.kemitraan-tmp``), flushes it to disk, and only
  when all are written moves them over their targets with :func:`os.replace`. On any
  error the temporary files are removed and the targets are left as they were.
* **Errors name the path.** A folder that cannot be written, a full disk or a path
  under a file raise :class:`~kemitraan_assess.errors.OutputError` with the path and the
  reason (the command line turns it into one line and exit code 2).
* **Permissions as any file.** Files are created with mode ``0o666`` less the umask
  (``0644`` under the usual umask ``022``), as ``open()`` would; :func:`tempfile.mkstemp`
  would make them ``0600``.
* **No stale temporaries.** While a temporary file or staging folder is in use, its
  writer holds an advisory lock on it (``flock``, released by the kernel when the
  process dies, even by ``kill -9``). :func:`remove_stale_temporaries` removes the
  temporaries of a folder whose lock can be taken: those of dead processes. Only names
  this module makes are touched. Without ``fcntl`` (Windows) nothing is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputError

__all__ = [
    "TEMP_SUFFIX",
    "STAGE_SUFFIX",
    "atomic_write_many",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_writable_dir",
    "output_error",
    "remove_stale_temporaries",
    "staging_dir",
]

TEMP_SUFFIX = ".kemitraan-tmp"
"""Suffix of a temporary file (``.<target name>.<8 hex digits>.kemitraan-tmp``)."""
STAGE_SUFFIX = ".kemitraan-stage"
"""Suffix of a staging folder (``.<target name>.<8 hex digits>.kemitraan-stage``)."""

_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)

try:  # advisory locks: POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def output_error(path: str | os.PathLike[str], exc: OSError) -> OutputError:
    """An :class:`OutputError` for ``exc`` raised while writing ``path``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, NotADirectoryError) or exc.errno == errno.ENOTDIR:
        reason = "a part of the path is a file, not a folder"
    elif isinstance(exc, FileExistsError) and Path(path).exists() and not Path(path).is_dir():
        reason = "exists and is not a folder"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError(str(path), reason, "free some space or choose another output folder")
    return OutputError(str(path), reason)


def _lock(fd: int) -> bool:
    """Take the writer's lock on ``fd``; False when another process holds it."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _new_name(path: Path, suffix: str) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}"


def _open_temp(path: Path) -> tuple[int, Path]:
    """A new, locked temporary file beside ``path`` (mode 0o666 less the umask)."""
    while True:
        name = _new_name(path, TEMP_SUFFIX)
        try:
            fd = os.open(name, _FLAGS, 0o666)
        except FileExistsError:
            continue
        _lock(fd)
        return fd, name


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    if view.ndim != 1 or view.itemsize != 1:
        view = view.cast("B")
    while len(view):
        n = os.write(fd, view)
        view = view[n:]


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path.parent, exc) from exc


def atomic_write_many(
    files: Iterable[tuple[str | Path, bytes | Iterable[bytes | memoryview]]],
) -> list[Path]:
    """Write several files so that either all of them are replaced or none.

    Parameters
    ----------
    files
        ``(path, data)`` pairs; ``data`` is bytes or an iterable of byte chunks
        (written one after the other, so a large file is never held whole). Parent
        folders are created when missing.

    Returns
    -------
    list of pathlib.Path
        The target paths, in the order given.

    Raises
    ------
    OutputError
        A file or folder could not be written (nothing is left behind).
    """
    pending: list[tuple[Path, Path]] = []
    fds: list[int] = []  # kept open (and locked) until the files are in place
    current: Path | None = None
    try:
        for target, data in files:
            path = current = Path(target)
            _make_parent(path)
            fd, tmp = _open_temp(path)
            fds.append(fd)
            pending.append((tmp, path))
            if isinstance(data, bytes | bytearray | memoryview):
                _write_all(fd, data)
            else:
                for chunk in data:
                    _write_all(fd, chunk)
            os.fsync(fd)
        for tmp, path in pending:
            current = path
            os.replace(tmp, path)
    except BaseException as exc:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            raise output_error(current or "?", exc) from exc
        raise
    finally:
        for fd in fds:
            os.close(fd)
    return [path for _, path in pending]


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, then :func:`os.replace`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "a.bin", b"x").read_bytes()
    b'x'
    """
    return atomic_write_many([(path, bytes(data))])[0]


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8 with LF line endings, atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(d / "a.txt", "halo\\n").read_text(encoding="utf-8")
    'halo\\n'
    """
    return atomic_write_bytes(path, text.replace("\r\n", "\n").encode("utf-8"))


def check_writable_dir(folder: str | Path) -> Path:
    """Create ``folder`` if needed and check that a file can be written in it.

    A temporary file is created, written, flushed and removed, so a read-only folder, a
    path under a file or a disk with no room for a block fail here, before any work.

    Raises
    ------
    OutputError
        Naming the folder and the reason.
    """
    out = Path(folder)
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(str(out), "exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        fd, tmp = _open_temp(out / "probe")
        try:
            _write_all(fd, b"\n" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
    except OSError as exc:
        raise output_error(out, exc) from exc
    return out


@contextlib.contextmanager
def staging_dir(target: str | Path) -> Iterator[Path]:
    """A locked, empty folder beside ``target`` (``.<name>.<hex>.kemitraan-stage``).

    It is removed on exit (whatever happens inside); its lock marks it as in use, so
    :func:`remove_stale_temporaries` leaves it alone while this process lives.
    """
    target = Path(target)
    _make_parent(target)
    while True:
        stage = _new_name(target, STAGE_SUFFIX)
        try:
            stage.mkdir(mode=0o777)
        except FileExistsError:
            continue
        except OSError as exc:
            raise output_error(target.parent, exc) from exc
        break
    fd = os.open(stage, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        _lock(fd)
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        os.close(fd)


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove the temporary files and staging folders of dead processes in ``folder``.

    Only names this module makes (``.….kemitraan-tmp`` files, ``.….kemitraan-stage``
    folders) whose lock can be taken are removed; a live writer's are left alone.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    removed: list[Path] = []
    if fcntl is None:  # pragma: no cover - Windows: cannot tell a dead writer from a live one
        return removed
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        is_temp = name.endswith(TEMP_SUFFIX)
        if not name.startswith(".") or not (is_temp or name.endswith(STAGE_SUFFIX)):
            continue
        try:
            if entry.is_symlink() or entry.is_dir() == is_temp:
                continue
            fd = os.open(
                entry.path, os.O_RDONLY | (0 if is_temp else getattr(os, "O_DIRECTORY", 0))
            )
        except OSError:
            continue
        try:
            if not _lock(fd):
                continue  # in use by a live process
            if is_temp:
                os.unlink(entry.path)
            else:
                shutil.rmtree(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed
