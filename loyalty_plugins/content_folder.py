"""Plugin content kept as Markdown files in a folder of content/ (events, community articles):
the error a bad file raises, and a cache that reads the folder again only when a file changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class Invalid(ValueError):
    """A problem in one field of a content file."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


def signature(where: Path) -> tuple:
    """Names, times and sizes of the folder's Markdown files: changes when any file does."""
    if not where.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                        for p in where.glob("*.md")))


class FolderCache(Generic[T]):
    """What ``read`` made of a folder, kept until a file in it changes (per worker process)."""

    def __init__(self, read: Callable[[Path], T]):
        self._read = read
        self._seen: dict[Path, tuple[tuple, T]] = {}

    def get(self, where: Path) -> T:
        current = signature(where)
        cached = self._seen.get(where)
        if cached is not None and cached[0] == current:
            return cached[1]
        value = self._read(where)
        self._seen[where] = (current, value)
        return value
