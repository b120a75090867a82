"""docs/es/owner-guide.md is the owner guide in Spanish (issue 18) and keeps up with the
English one: the same sections in the same order, the same tables and code blocks, the same
settings and commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "docs" / "owner-guide.md"
SPANISH = ROOT / "docs" / "es" / "owner-guide.md"


def _outside_code(text: str) -> str:
    return re.sub(r"(?ms)^```.*?^```", "", text)


def headings(text: str) -> list[str]:
    return re.findall(r"^(#{1,4}) ", _outside_code(text), re.M)


def code_blocks(text: str) -> list[list[str]]:
    """Each fenced block's lines without their comments (translated)."""
    blocks = re.findall(r"(?ms)^```[^\n]*\n(.*?)^```", text)
    return [[line.split("#", 1)[0].rstrip() for line in block.splitlines()] for block in blocks]


def table_rows(text: str) -> int:
    return len(re.findall(r"^\|", _outside_code(text), re.M))


def names(text: str) -> set[str]:
    """Settings, commands and paths quoted as code."""
    return {" ".join(name.split()) for name in re.findall(r"`([^`]+)`", _outside_code(text))}


def test_the_spanish_owner_guide_has_the_english_ones_sections_tables_and_code():
    english, spanish = ENGLISH.read_text(), SPANISH.read_text()
    assert headings(spanish) == headings(english)
    assert table_rows(spanish) == table_rows(english)
    assert code_blocks(spanish) == code_blocks(english)
    missing = names(english) - names(spanish)
    assert not missing, f"settings or commands the Spanish guide does not mention: {missing}"
    assert "[English](../owner-guide.md)" in spanish


def test_the_english_owner_guide_links_the_spanish_one():
    assert "[Español](es/owner-guide.md)" in ENGLISH.read_text()
