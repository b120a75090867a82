"""For plugins that keep content as Markdown files in a folder of content/ (events, community
articles): the error a bad file raises, reading its front matter against the fields a plugin
knows, and a cache that reads the folder again only when a file changes."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Generic, TypeVar

from hooks.api import read_front_matter

T = TypeVar("T")


class InvalidField(ValueError):
    """A problem in one field of a content file."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


def read_fields(text: str, known: Collection[str], required: Collection[str]
                ) -> tuple[dict, str]:
    """Front matter and Markdown body of a file; InvalidField for broken front matter, a field
    that is not ``known`` or a ``required`` one that is missing or empty."""
    try:
        meta, body = read_front_matter(text)
    except ValueError as exc:
        field, _, problem = str(exc).partition(": ")
        raise InvalidField(field, problem) from exc
    unknown = sorted(set(meta) - set(known))
    if unknown:
        raise InvalidField(unknown[0], f"is not a known field (known: {', '.join(sorted(known))})")
    for name in required:
        if meta.get(name) in (None, "", []):
            raise InvalidField(name, "is required")
    return meta, body


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
