"""The build's memory, kept in the output folder: per page its fingerprint and output hash,
per file its size, time and hash, per content file what it holds, per asset its hash."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

FILENAME = ".storefront-build.json"
VERSION = 1


@dataclass
class Manifest:
    site: str = ""  # site_key of the last build
    pages: dict[str, dict] = field(default_factory=dict)  # key -> {file, deps, sha, sitemap}
    files: dict[str, list] = field(default_factory=dict)  # path -> [mtime_ns, size, sha]
    content: dict[str, dict] = field(default_factory=dict)  # "products"/"pages" -> metas
    assets: dict[str, str] = field(default_factory=dict)  # url -> sha
    extra: dict[str, str] = field(default_factory=dict)  # sitemap.xml etc. -> sha

    @classmethod
    def load(cls, out: Path) -> Manifest:
        try:
            data = json.loads((out / FILENAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.pop("version", None) != VERSION:
            return cls()
        try:
            return cls(**data)
        except TypeError:
            return cls()

    @staticmethod
    def forget(out: Path) -> None:
        """No manifest: the next build renders every page."""
        (out / FILENAME).unlink(missing_ok=True)

    def save(self, out: Path) -> None:
        """Written whole or not at all."""
        tmp = out / f"{FILENAME}.tmp"
        # The fields as they are (asdict would deep-copy some 20,000 values first).
        data = {"version": VERSION, **{f.name: getattr(self, f.name) for f in fields(self)}}
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, out / FILENAME)
