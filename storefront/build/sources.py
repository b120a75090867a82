"""What the files a build reads look like now, hashing only the ones that changed.

A file is hashed (SHA-256) the first time it is seen and again only when its size or
modification time differs from the previous build's record, so an incremental build reads
the few files that changed and merely ``stat``s the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

Record = tuple[int, int, str]  # mtime_ns, size, sha256
MISSING = "missing"


def digest(*parts: str) -> str:
    """One fingerprint for several strings (order matters)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


class FileStates:
    def __init__(self, previous: dict[str, list] | None = None):
        self._previous = {k: tuple(v) for k, v in (previous or {}).items()}
        self._now: dict[str, Record] = {}
        self.hashed = 0  # files read this run (the rest were only stat'ed)

    def sha(self, path: Path) -> str:
        """The file's content hash, or MISSING."""
        key = str(path)
        if key in self._now:
            return self._now[key][2]
        try:
            st = path.stat()
        except OSError:
            return MISSING
        old = self._previous.get(key)
        if old is not None and old[0] == st.st_mtime_ns and old[1] == st.st_size:
            sha = old[2]
        else:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            self.hashed += 1
        self._now[key] = (st.st_mtime_ns, st.st_size, sha)
        return sha

    def remember(self, path: Path, record: Record) -> None:
        """A record made elsewhere (a worker that read and parsed the file), unless the file
        was looked at here already this run."""
        if str(path) not in self._now:
            self._now[str(path)] = record
            self.hashed += 1

    def changed(self, path: Path) -> bool:
        """Whether the file differs from the previous build (new files count as changed)."""
        old = self._previous.get(str(path))
        return old is None or old[2] != self.sha(path)

    def folder(self, folder: Path, pattern: str = "**/*") -> str:
        """A fingerprint of every file under ``folder`` (names and contents)."""
        return digest(*(f"{p.relative_to(folder)}={self.sha(p)}"
                        for p in sorted(files(folder, pattern))))

    def many(self, paths: Iterable[Path]) -> str:
        return digest(*(f"{p}={self.sha(p)}" for p in sorted(paths)))

    def records(self) -> dict[str, list]:
        """Every file looked at this run, for the manifest."""
        return {k: list(v) for k, v in sorted(self._now.items())}


def files(folder: Path, pattern: str = "**/*") -> list[Path]:
    """Regular files under ``folder`` (none if it does not exist), skipping caches."""
    if not folder.is_dir():
        return []
    return [p for p in folder.glob(pattern)
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")]


def scandir_md(folder: Path) -> list[Path]:
    """The ``*.md`` files directly in ``folder``, sorted."""
    return sorted(p for p in folder.glob("*.md") if p.is_file())
