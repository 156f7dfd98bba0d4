"""Taiwan statutes (全國法規資料庫, 法務部) → article records. Two layouts (docs/statutes.md):

MOJ API JSON: a per-law object {LawName, LawModifiedDate "20240731", LawArticles: [{ArticleType
"A"|"C", ArticleNo "第 185-3 條", ArticleContent}]}, or the whole dump `ChLaw.json` (UTF-8 with a
BOM) holding {"UpdateDate", "Laws": [law, …]} (a bare list of laws is read too). Type C rows are
編/章/節 headings (indented 0/3/6 spaces, empty ArticleNo); 項 are separated by \r\n; 款 lines
start 一、; 目 lines （一）; deleted articles read （刪除）.

FalV XML (the older export): <法規><法規名稱>…<最新異動日期>…<法規內容> with <編章節> headings and
<條文><條號>第 1 條</條號><條文內容>…</條文內容></條文>, 項 separated by \n. Same content as the JSON.
A whole-database export holds one <法規> element per law.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from pathlib import Path

import orjson

from converters.statutes import Law, LawFile, PathTracker, add, heading, make_article

JURISDICTION = "tw"
_ITEM = re.compile(r"^([零一二三四五六七八九十百]+)、")
_SUB = re.compile(r"^（[零一二三四五六七八九十百]+）")
DELETED = ("（刪除）", "(刪除)", "（删除）")


def _level(text: str) -> int:
    """Heading level by indentation (0 編, 3 章, 6 節) when the heading names no unit."""
    return min((len(text) - len(text.lstrip(" 　"))) // 3, 2)


def _article(result: LawFile, law: Law, tracker: PathTracker, locator: int, no: str, content: str,
             source: str) -> None:
    add(result, law, locator, lambda: make_article(law, JURISDICTION, no, content.splitlines(), DELETED, _ITEM, _SUB,
                                                   tracker.path, source))


def _heading(law: Law, tracker: PathTracker, text: str) -> None:
    tracker.enter(*heading(text, _level(text)))
    law.headings += 1


def read_json(path: Path, rel: str) -> LawFile:
    result = LawFile()
    try:
        data = orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as e:
        result.reject(getattr(e, "lineno", 1), f"invalid JSON: {e}")
        return result
    if isinstance(data, dict) and "Laws" in data:
        data = data["Laws"]
    laws = data if isinstance(data, list) else [data]
    row = 0  # rows count through every law of a dump, so a locator is unique in the file
    for n, obj in enumerate(laws, 1):
        if not isinstance(obj, dict) or not isinstance(obj.get("LawArticles"), list) or not obj.get("LawName"):
            result.reject(row + 1, f"law {n}: not a MOJ law object (LawName, LawArticles)")
            continue
        law = Law(str(obj["LawName"]).strip(), str(obj.get("LawModifiedDate") or ""))
        result.laws.append(law)
        tracker = PathTracker()
        for a in obj["LawArticles"]:
            row += 1
            if not isinstance(a, dict) or not isinstance(a.get("ArticleContent"), str):
                result.reject(row, f"{law.name}: LawArticles row {row} has no ArticleContent")
            elif a.get("ArticleType") == "C":
                _heading(law, tracker, a["ArticleContent"])
            elif a.get("ArticleType") == "A":
                _article(result, law, tracker, row, str(a.get("ArticleNo") or ""), a["ArticleContent"],
                         f"{rel}:{row}")
            else:
                result.reject(row, f"{law.name}: unknown ArticleType {a.get('ArticleType')!r}")
    return result


_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def read_xml(path: Path, rel: str) -> LawFile:
    """FalV XML, read with expat so that every article and reject carries its line number. A dump
    holds many <法規> under one root: each starts its own Law and its own heading path, so one law's
    編/章 never sit above the next law's articles."""
    result = LawFile()
    law, tracker = Law("", ""), PathTracker()
    text: list[str] = []
    art: dict = {}

    def start(tag: str, attrs: dict) -> None:
        nonlocal law, tracker
        text.clear()
        if tag == "法規":
            law, tracker = Law("", ""), PathTracker()
        elif tag == "條文":
            art.clear()
            art["line"] = parser.CurrentLineNumber

    def end(tag: str) -> None:
        value = "".join(text)
        if tag == "法規名稱":
            law.name = value.strip()
            if not result.laws or result.laws[-1] is not law:  # once per <法規>
                result.laws.append(law)
        elif tag == "最新異動日期":
            law.modified_date = value.strip()
        elif tag == "編章節":
            _heading(law, tracker, value)
        elif tag in ("條號", "條文內容"):
            art[tag] = value
        elif tag == "條文":
            _article(result, law, tracker, art["line"], art.get("條號", ""), art.get("條文內容", ""),
                     f"{rel}:{art['line']}")
        text.clear()

    with open(path, "rb") as f:
        declared = _DECLARED_ENCODING.match(f.read(200).removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower().replace(b"-", b"") not in (b"utf8", b"usascii", b"ascii"):
        enc = declared.group(1).decode("ascii")
        result.reject(1, f"declared encoding {enc}: FalV XML is read as UTF-8; convert the file "
                         f"(iconv -f {enc} -t UTF-8) and change its declaration")
        return result
    parser = xml.parsers.expat.ParserCreate("utf-8")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text.append
    try:
        with open(path, "rb") as f:
            parser.ParseFile(f)
    except xml.parsers.expat.ExpatError as e:
        result.reject(e.lineno, f"malformed XML: {xml.parsers.expat.errors.messages[e.code]}")
    if not any(x.name for x in result.laws) and not result.rejects:
        result.reject(1, "no <法規名稱>: not a FalV XML law file")
    return result
