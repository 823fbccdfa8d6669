"""docs/METHODOLOGY.md split into sections for the Methodology page, with a table of contents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "docs" / "METHODOLOGY.md"
_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*$")
_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


@dataclass(frozen=True)
class Section:
    """One heading of the document and the markdown under it (up to the next heading)."""

    level: int  # 1 title, 2 chapter ("## 1. Concentration"), 3 section ("### 1.4 Bounds ...")
    title: str
    body: str

    @property
    def number(self) -> str | None:
        """The section number code cites as §N.N ('1', '1.4'), None for an unnumbered heading."""
        match = _NUMBER.match(self.title)
        return match.group(1) if match else None

    @property
    def anchor(self) -> str | None:
        """The page anchor of a numbered heading: '§1.4' -> 's1-4'."""
        return None if self.number is None else "s" + self.number.replace(".", "-")


def sections(markdown: str) -> list[Section]:
    """The document's headings (levels 1 to 3) in order, each with its body; text before the first
    heading becomes an untitled level-0 section."""
    out: list[Section] = []
    level, title, body = 0, "", []
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            if title or "".join(body).strip():
                out.append(Section(level, title, "\n".join(body).strip()))
            level, title, body = len(match.group(1)), match.group(2), []
        else:
            body.append(line)
    if title or "".join(body).strip():
        out.append(Section(level, title, "\n".join(body).strip()))
    return out


def table_of_contents(parts: list[Section]) -> str:
    """A nested markdown list linking every numbered chapter and section to its anchor."""
    lines = [f"{'    ' * (s.level - 2)}- [{s.title}](#{s.anchor})" for s in parts if s.anchor and s.level >= 2]
    return "\n".join(lines)


def read() -> list[Section]:
    return sections(PATH.read_text(encoding="utf-8"))
