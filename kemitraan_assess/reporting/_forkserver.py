"""Preloaded by the multiprocessing forkserver of the report pool, and by nothing else.

Importing it asks the kernel to kill the forkserver when the batch process that started
it dies (see :mod:`kemitraan_assess.reporting._worker`), so a killed batch leaves no
forkserver behind to fork more workers.
"""

from ._worker import die_with_parent

die_with_parent()
