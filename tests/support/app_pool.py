"""Apps kept from one test for the next that asks for the same settings.

A new app costs a test about 40 ms, and its first pages 10-20 ms more each: Werkzeug compiles
the 122 URL rules again and the new engine compiles every SQL statement again. The database
is the template's again for every test, at the same address, so a kept app's engine still
points at it; what a kept app holds in memory is put back as it was when it was made:

- ``app.config`` as after ``create_app``;
- ``app.extensions``: entries added since are dropped; the ones that keep state (the plugin
  stopwatch, the queue, the guest page cache, the rate limiter) start afresh;
- files written into its instance folder are removed; its mail goes to the folder of the
  test that borrows it (``MAIL_FILE_DIR``, unless the test's settings name one), which every
  app of that test shares, as before;
- settings the app reads only when it serves (``PER_TEST``: the content folder, which many
  tests write into their own temporary folder) are not part of what must match: the app is
  made without them and the test's values are set when it is lent;
- its engine keeps the statements it compiled, which is the point, and on PostgreSQL its
  connections too (the database is emptied and filled again in place, see
  tests/support/postgres.py); a SQLite file is a new one, so the connections to the old one
  are closed.

A test that asks twice for the same settings gets two apps, as before. Settings that hold
an object (a plugin instance) match only that same object.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask

from storefront import create_app
from storefront.events import queue
from storefront.extensions import db
from storefront.plugins import STOPWATCH
from storefront.web import guest_pages, throttle
from tests.support.compiled_templates import share_compiled_templates

Key = tuple[str, Any]
# Read at request or command time only, never by create_app (a test checks it).
PER_TEST = frozenset({"CONTENT_DIR"})


def frozen(value: Any) -> Any:
    """A hashable stand-in for a setting's value: equal for equal data, the object's identity
    otherwise (the kept app's config keeps that object alive, so its id is not reused)."""
    if value is None or isinstance(value, str | int | float | bool | Path):
        return value
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), frozen(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(frozen(v) for v in value))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(frozen(v)) for v in value)))
    return ("object", id(value))


@dataclasses.dataclass
class Kept:
    app: Flask
    instance: Path
    config: dict
    extensions: dict
    files: set[Path]


class AppPool:
    def __init__(self, folder: Path, make_config: Callable[..., dict], size: int = 16):
        self.folder = folder
        self.make_config = make_config
        self.size = size
        self._idle: OrderedDict[Key, list[Kept]] = OrderedDict()
        self._made = 0
        self._database_made = 0

    @contextlib.contextmanager
    def lend(self, database_url: str, mail: Path) -> Iterator[Callable[..., Flask]]:
        """``factory(**settings)``: an app on ``database_url``, kept or new, sending its
        mail into ``mail``; each one is reset and kept for later when the test is over."""
        lent: list[tuple[Key, Kept]] = []

        def factory(**overrides: Any) -> Flask:
            lasting = {k: v for k, v in overrides.items() if k not in PER_TEST}
            key = (database_url, frozen(lasting))
            kept = self._take(key) or self._make(database_url, lasting)
            lent.append((key, kept))
            kept.app.config.update({k: v for k, v in overrides.items() if k in PER_TEST})
            if "MAIL_FILE_DIR" not in overrides:
                kept.app.config["MAIL_FILE_DIR"] = str(mail)
            return kept.app

        try:
            yield factory
        finally:
            for key, kept in lent:
                self._give_back(key, kept)

    def database_made(self, times: int) -> None:
        """The PostgreSQL database was dropped and made ``times`` times so far: when that
        moved since the last look, the kept apps' connections to it were cut; close them."""
        if times != self._database_made:
            self._database_made = times
            for idle in self._idle.values():
                for kept in idle:
                    with kept.app.app_context():
                        db.engine.dispose()

    def _take(self, key: Key) -> Kept | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        kept = idle.pop()
        if not idle:
            del self._idle[key]
        return kept

    def _make(self, database_url: str, overrides: dict) -> Kept:
        self._made += 1
        instance = self.folder / f"app-{self._made}"
        app = create_app(self.make_config(database_url, instance, **overrides),
                         instance_path=str(instance))
        share_compiled_templates(app)
        return Kept(app, instance, dict(app.config), dict(app.extensions), _files(instance))

    def _give_back(self, key: Key, kept: Kept) -> None:
        app = kept.app
        with app.app_context():
            db.session.remove()
            if db.engine.dialect.name == "sqlite":  # the next test's file is a new one
                db.engine.dispose()
        _reset(kept)
        self._idle.setdefault(key, []).append(kept)
        self._idle.move_to_end(key)
        while sum(len(idle) for idle in self._idle.values()) > self.size:
            _, oldest = self._idle.popitem(last=False)
            for gone in oldest:
                with gone.app.app_context():
                    db.engine.dispose()  # its PostgreSQL connections, kept until now
                shutil.rmtree(gone.instance, ignore_errors=True)


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.exists() else set()


def _reset(kept: Kept) -> None:
    app = kept.app
    app.config.clear()
    app.config.update(kept.config)
    app.extensions.clear()
    app.extensions.update(kept.extensions)
    app.extensions[STOPWATCH].restart()
    app.extensions[queue.EXTENSION] = dataclasses.replace(app.extensions[queue.EXTENSION])
    if guest_pages.EXTENSION in app.extensions:
        app.extensions[guest_pages.EXTENSION] = guest_pages.GuestPages(
            int(app.config["GUEST_PAGE_CACHE_SIZE"]),
            float(app.config["GUEST_PAGE_CACHE_SECONDS"]))
    limits = app.extensions[throttle.EXTENSION]
    app.extensions[throttle.EXTENSION] = throttle.Throttle(limits.uri, limits.items)
    for path in sorted(_files(kept.instance) - kept.files, reverse=True):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
