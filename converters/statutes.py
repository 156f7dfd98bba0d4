"""What the PRC and Taiwan statute converters share: heading paths, paragraph/item grouping,
article numbers through the one citation parser, and the per-file result they return.

A converter turns one file into a `LawFile`: the laws it holds, each with its articles (records
from lawfactory.records.article), the rejects (locator, reason) and how many article units and
headings it read. The locator is a line number (markdown, XML) or a row number in LawArticles
(JSON, 1-based), so a reject names where to look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lawfactory.parse.citations import parse_citations
from lawfactory.parse.numerals import NUM, to_int
from lawfactory.records import RecordError, article

# 第 十六 章之一  妨害風化罪 → ("第十六章之一", "妨害風化罪"); 附则 has no unit
_HEADING = re.compile(rf"^第[ 　]*(?P<n>{NUM})[ 　]*(?P<u>[编編章节節])(?P<sub>之[ 　]*(?:{NUM}))?[ 　]*(?P<title>.*)$")
HEADING_LEVEL = {"编": 0, "編": 0, "章": 1, "节": 2, "節": 2}


@dataclass
class Law:
    name: str
    modified_date: str
    articles: list = field(default_factory=list)
    headings: int = 0


@dataclass
class LawFile:
    laws: list = field(default_factory=list)
    rejects: list = field(default_factory=list)  # (locator, reason)
    read: int = 0  # article units read (converted + rejected)

    def reject(self, locator: int, reason: str) -> None:
        """A unit that cannot be read (an article, a law object, the whole file): counted as read."""
        self.read += 1
        self.rejects.append((locator, reason))


def heading(text: str, fallback_level: int) -> tuple[int, str]:
    """(level, normalized heading): 0 編, 1 章, 2 節, by the unit the heading names; headings
    without one (附则) take the level their markup gives."""
    t = text.strip()
    m = _HEADING.match(t)
    if not m:
        return fallback_level, t
    label = f"第{m['n']}{m['u']}" + (m["sub"].replace(" ", "").replace("　", "") if m["sub"] else "")
    title = m["title"].strip()
    return HEADING_LEVEL[m["u"]], f"{label} {title}" if title else label


class PathTracker:
    """The 編/章/節 headings above the current article: a heading replaces its own level and
    closes every deeper one (a new 章 ends the previous 章's 節)."""

    def __init__(self) -> None:
        self._levels: dict[int, str] = {}

    def enter(self, level: int, title: str) -> None:
        self._levels = {k: v for k, v in self._levels.items() if k < level}
        self._levels[level] = title

    @property
    def path(self) -> list[str]:
        return [self._levels[k] for k in sorted(self._levels)]


def group_paragraphs(lines: list[str], item: re.Pattern, sub: re.Pattern) -> tuple[list[str], list[dict]]:
    """Lines of one article → (paragraphs, items). An item line (PRC （一）, Taiwan 一、) and a
    sub-item line (PRC 1．, Taiwan （一）) belong to the paragraph before them; any other line
    starts a new paragraph (款 / 項)."""
    paragraphs: list[str] = []
    items: list[dict] = []
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        m = item.match(line)
        if paragraphs and (m or sub.match(line)):
            paragraphs[-1] += "\n" + line
            if m:
                items.append({"paragraph": len(paragraphs), "item": to_int(m.group(1)), "text": line})
            elif items and items[-1]["paragraph"] == len(paragraphs):
                items[-1]["text"] += "\n" + line
            continue
        paragraphs.append(line)
    return paragraphs, items


def number_of(token: str, jurisdiction: str, law: str) -> tuple[int, int]:
    """(number, suffix) of an article heading ('第一百三十三条之一', '第 185-3 條') read by the
    citation parser, so the index and every citation share one reading."""
    cites = parse_citations(token, jurisdiction, default_law=law)
    if len(cites) != 1 or cites[0]["text"] != token.strip():
        raise RecordError(f"not an article number: {token!r}")
    return cites[0]["number"], cites[0]["suffix"]


def make_article(law: Law, jurisdiction: str, token: str, lines: list[str], deleted_marks: tuple[str, ...],
                 item: re.Pattern, sub: re.Pattern, path: list[str], source: str) -> dict:
    """The one place both converters build an article record."""
    number, suffix = number_of(token, jurisdiction, law.name)
    text = "".join(ln.strip() for ln in lines)
    deleted = text in deleted_marks
    paragraphs, items = ([], []) if deleted else group_paragraphs(lines, item, sub)
    return article(law=law.name, jurisdiction=jurisdiction, number=number, suffix=suffix, path=path,
                   paragraphs=paragraphs, items=items, deleted=deleted, modified_date=law.modified_date,
                   source=source)


def add(result: LawFile, law: Law, locator: int, build) -> None:
    """Count one article unit: its record, or its reject with the reason."""
    try:
        rec = build()
    except (RecordError, ValueError) as e:
        result.reject(locator, str(e))
        return
    result.read += 1
    law.articles.append(rec)
