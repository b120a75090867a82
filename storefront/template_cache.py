"""Compiled templates kept on disk (``TEMPLATE_CACHE_DIR``), as Python keeps ``.pyc`` files.

Jinja compiles each template to Python code the first time a process renders it; with this
cache a new process (a gunicorn worker, ``storefront build``) loads that code instead. Jinja
checks every entry against the template's source, so an edited template is compiled again.
Entries are Python bytecode: the folder must be writable only by the shop's own user, like
``instance/config.py``. A folder that cannot be written leaves the shop working without it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import jinja2
from flask import Flask
from jinja2.bccache import Bucket, FileSystemBytecodeCache

log = logging.getLogger(__name__)


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache in a folder per Jinja version (Jinja checks the Python version
    and the template's source itself); a failed write is logged once, never raised."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self._warned = False

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("compiled templates are not kept: cannot write %s (%s)",
                            self.directory, exc.strerror or exc)


def cache_folder(setting: str) -> Path:
    return Path(setting) / f"jinja-{jinja2.__version__}"


def init_app(app: Flask) -> None:
    setting = app.config.get("TEMPLATE_CACHE_DIR") or ""
    if not setting:
        return
    folder = cache_folder(setting)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("compiled templates are not kept: cannot create %s (%s)", folder,
                    exc.strerror or exc)
        return
    if not os.access(folder, os.R_OK | os.X_OK):
        return
    app.jinja_env.bytecode_cache = TemplateCache(folder)
