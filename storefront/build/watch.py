"""``storefront build --watch``: build again each time a file the pages are made from changes.

One process stays up, so a change costs only its own pages (a fraction of a second), not the
start of a new ``storefront`` process (about two seconds). Files are watched with watchfiles
(inotify on Linux). Python code and translations are loaded once per process: a change to
them needs the command started again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask

from storefront.web.templates import plugin_dirs

# Long enough to take an editor's save (write a temporary file, rename it) as one change.
QUIET_MS = 50
IDLE_MS = 200


def watched_folders(app: Flask) -> list[Path]:
    """The content, the theme chain, and the plugins' templates and static files."""
    folders = [Path(app.config["CONTENT_DIR"])]
    folders += [theme.path for theme in app.extensions["storefront.theme"]]
    folders += [Path(d) for name in ("templates", "static") for d in plugin_dirs(app, name)]
    found = []
    for folder in folders:
        folder = folder.resolve()
        if folder.is_dir() and not any(folder.is_relative_to(f) for f in found):
            found = [f for f in found if not f.is_relative_to(folder)] + [folder]
    return found


def changes(folders: list[Path], out: Path, ready: Callable[[], None]) -> Iterator[set[Path]]:
    """The changed files, a set each time some change, until Ctrl+C; the build's own output
    folder is left out (it may lie inside the content). ``ready`` is called once the folders
    are watched: a change made before that is not seen."""
    from watchfiles import DefaultFilter, watch

    # Editors' swap and backup files, .git and the like are not changes to the site.
    wanted = DefaultFilter(ignore_paths=[out.resolve()])
    told = False
    # watchfiles starts watching inside the generator and says nothing when it has; its first
    # quiet spell (IDLE_MS with no change, yielded empty) is the sign.
    for batch in watch(*folders, watch_filter=wanted, step=QUIET_MS,
                       rust_timeout=IDLE_MS, yield_on_timeout=True, raise_interrupt=False):
        if not told:
            ready()
            told = True
        if batch:
            yield {Path(path) for _change, path in batch}


def watch_and_build(app: Flask, out: Path, build: Callable[[], None],
                    say: Callable[[str], None]) -> None:
    folders = watched_folders(app)

    def ready() -> None:
        say(f"Watching {len(folders)} folders for changes (Ctrl+C stops).")

    for changed in changes(folders, out, ready):
        names = sorted(p.name for p in changed)
        say(f"changed: {', '.join(names[:3])}" + (f" and {len(names) - 3} more"
                                                   if len(names) > 3 else ""))
        build()
