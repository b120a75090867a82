"""Where the tests keep their throwaway files: in memory when the machine has room there.

On this project's machines the temporary folder is on a disk: creating a PostgreSQL
database from the template takes about 0.6 s there (it writes some 1,500 files) and every
SQLite commit waits for an fsync; in /dev/shm the same takes about 0.05 s and no time. A
machine without /dev/shm, or with a small one (Docker gives 64 MB), keeps the usual
temporary folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RAM = Path("/dev/shm")
NEEDED = 2 * 1024**3  # the tests' databases and instance folders, with room to spare


def folder() -> Path | None:
    """/dev/shm if it is writable with at least 2 GB free, else None."""
    if os.environ.get("STOREFRONT_TESTS_ON_DISK"):
        return None
    try:
        free = shutil.disk_usage(RAM).free
    except OSError:
        return None
    return RAM if free >= NEEDED and os.access(RAM, os.W_OK) else None
