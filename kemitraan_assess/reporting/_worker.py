"""The life of a report worker process: it dies with the batch, and each report is bounded.

* **Dies with its parent.** A worker of the local pool is forked by the
  multiprocessing forkserver, which the batch process started. If the batch is killed
  (``kill -9``, the OOM killer), nothing would stop them: they would go on rendering
  the reports already queued, writing into the output folder, for minutes. So, on
  Linux:

  - the forkserver, when it imports this module (``set_forkserver_preload``), asks the
    kernel for ``SIGKILL`` when its parent (the batch) dies (``prctl(PR_SET_PDEATHSIG)``);
  - each worker asks the same of its own parent (the forkserver), and also watches the
    batch process itself through a pidfd (``os.pidfd_open``), ending at once when it
    ends, whoever its parent is.

* **Bounded reports.** :func:`limits` wraps one report: a wall-clock limit raised as
  :class:`ReportTimeout` inside the report (``SIGALRM``, when running on the main thread),
  and, in a worker process, a CPU-time limit set a little above it (``RLIMIT_CPU``): a
  report stuck in C code that never returns to Python is ended by the kernel
  (``SIGXCPU``), which costs that worker and that report only. :func:`init_worker` caps
  the worker's address space at its size after start-up plus the memory limit
  (``RLIMIT_AS``), so a report that would take all memory gets a ``MemoryError``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import math
import os
import select
import signal
import sys
import threading
from collections.abc import Iterator

__all__ = [
    "ReportTimeout",
    "die_with_parent",
    "watch_process",
    "init_worker",
    "limits",
    "describe_exit",
]

_PR_SET_PDEATHSIG = 1


class ReportTimeout(Exception):
    """A report took longer than its time limit."""


def die_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent dies (Linux; False elsewhere)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() == 1:  # the parent died before the request: too late to be told
        os._exit(1)
    return True


def watch_process(pid: int) -> bool:
    """End this process as soon as process ``pid`` ends (a daemon thread on a pidfd).

    Returns False when pidfds are not available (not Linux >= 5.3); ends this process
    at once when ``pid`` is already gone.
    """
    if not hasattr(os, "pidfd_open"):
        return False
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except OSError:
        return False

    def wait() -> None:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while not poller.poll():
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=wait, name=f"exit with {pid}", daemon=True).start()
    return True


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def init_worker(parent_pid: int, memory_limit: int | None) -> None:
    """Initializer of a pool worker: die with the batch, warm the renderer, cap memory.

    Parameters
    ----------
    parent_pid
        The batch process (not the forkserver that forked this worker).
    memory_limit
        Bytes of address space a report may add to the worker's size after start-up
        (None: no cap).
    """
    die_with_parent()
    watch_process(parent_pid)
    import weasyprint  # noqa: F401 - the heavy import, once per worker

    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(
            resource.RLIMIT_CORE, (0, 0)
        )  # a report ended by SIGXCPU leaves no core file
        size = _vm_size()
        if memory_limit is not None and size is not None:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = size + int(memory_limit)
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


@contextlib.contextmanager
def limits(seconds: float | None, *, hard: bool) -> Iterator[None]:
    """Bound one report to ``seconds`` of wall-clock time (and CPU time when ``hard``).

    ``hard`` (in a worker process only) also sets ``RLIMIT_CPU`` to the CPU time used so
    far plus ``seconds`` plus a grace, so the kernel ends the process if the report never
    returns to Python. Without a limit, or off the main thread, only what can be done is.
    """
    if not seconds or seconds <= 0:
        yield
        return
    alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = None
    cpu_set = False
    if alarm:

        def on_alarm(signum: int, frame: object) -> None:
            raise ReportTimeout(f"took longer than the time limit of {seconds:g} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    if hard:
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            used = resource.getrusage(resource.RUSAGE_SELF)
            soft = math.ceil(used.ru_utime + used.ru_stime + seconds + max(2.0, seconds / 2))
            _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
            if hard_cpu == resource.RLIM_INFINITY or soft < hard_cpu:
                resource.setrlimit(resource.RLIMIT_CPU, (soft, hard_cpu))
                cpu_set = True
    try:
        yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if cpu_set:
            import resource

            _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
            resource.setrlimit(resource.RLIMIT_CPU, (hard_cpu, hard_cpu))


def describe_exit(exitcode: int | None, time_limit: float | None = None) -> str:
    """Why a worker process ended, in words, from its exit code."""
    if exitcode is None:
        return "the worker process rendering it died"
    if exitcode < 0:
        sig = -exitcode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        if sig == getattr(signal, "SIGXCPU", None):
            limit = f" of {time_limit:g} s" if time_limit else ""
            return (
                f"took longer than the time limit{limit} and was stopped "
                f"(the worker was ended by {name})"
            )
        if sig == signal.SIGKILL:
            return (
                f"the worker process rendering it was killed ({name}; the system may have run out "
                "of memory)"
            )
        return f"the worker process rendering it was ended by {name}"
    return f"the worker process rendering it exited with code {exitcode}"
