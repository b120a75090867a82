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


def changes(folders: list[Path], out: Path) -> Iterator[set[Path]]:
    """The changed files, a set each time some change, until Ctrl+C; the build's own output
    folder is left out (it may lie inside the content)."""
    from watchfiles import watch

    out = out.resolve()

    def outside_out(_change, path: str) -> bool:
        return not Path(path).is_relative_to(out)

    for batch in watch(*folders, watch_filter=outside_out, step=QUIET_MS,
                       raise_interrupt=False):
        yield {Path(path) for _change, path in batch}


def watch_and_build(app: Flask, out: Path, build: Callable[[], None],
                    say: Callable[[str], None]) -> None:
    folders = watched_folders(app)
    say(f"Watching {len(folders)} folders for changes (Ctrl+C stops).")
    for changed in changes(folders, out):
        names = sorted(p.name for p in changed)
        say(f"changed: {', '.join(names[:3])}" + (f" and {len(names) - 3} more"
                                                   if len(names) > 3 else ""))
        build()
