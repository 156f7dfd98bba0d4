"""PRC statutes as LawRefBook-style markdown (docs/statutes.md) → article records.

    # 中华人民共和国刑法            the law's name
    2023年12月29日 …通过的《…修正案（十二）》   history: the last date is the modified date
    <!-- INFO END -->
    ## 第一编 总则 / ### 第一章 … / #### 第一节 …   headings (## 附则, ## 附件一 have no unit)
    第一百三十三条之一 驾驶机动车…     an article starts a paragraph with 第X条(之Y) and a space
    （一）追逐竞驶，情节恶劣的；     项 (items) of the paragraph before
    第一百九十九条 （删去）          a deleted article

Paragraphs are separated by blank lines; every non-item paragraph is a 款. A paragraph that
starts with 第X款 (第一款中关于…) is text, not an article: an article heading needs 条 and a space.
"""

from __future__ import annotations

import re
from pathlib import Path

from converters.statutes import Law, LawFile, PathTracker, add, heading, make_article
from lawfactory.parse.numerals import NUM

JURISDICTION = "cn"
_ARTICLE = re.compile(rf"^(第(?:{NUM})条(?:之(?:{NUM}))?)[ 　]+(.*)$")
_ITEM = re.compile(r"^（([零一二三四五六七八九十]+)）")
_SUB = re.compile(r"^[0-9０-９]+[．.、]")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
DELETED = ("（删去）", "(删去)")
# ① notes (施行日期 explanations) are editorial, not statute text
_NOTE = re.compile(r"^[①-⑳]")


def read_file(path: Path, rel: str) -> LawFile:
    result = LawFile()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        result.reject(1, f"not UTF-8 (byte {e.start})")
        return result
    title = next(((i, ln) for i, ln in enumerate(lines, 1) if ln.strip()), (1, ""))
    if not title[1].startswith("# "):
        result.reject(title[0], "no '# <law name>' title line: not a LawRefBook markdown file")
        return result
    law = Law(title[1][2:].strip(), "")
    result.laws.append(law)
    tracker = PathTracker()
    body = False  # after <!-- INFO END --> (files without the marker: after the first heading)
    current: tuple[int, str, list[str], list[str]] | None = None  # line, token, lines, path

    def close() -> None:
        nonlocal current
        if current is not None:
            line, token, text, path_ = current
            add(result, law, line, lambda: make_article(law, JURISDICTION, token, text, DELETED, _ITEM, _SUB,
                                                       path_, f"{rel}:{line}"))
        current = None

    for lineno, raw in enumerate(lines[title[0]:], title[0] + 1):
        s = raw.strip()
        if not body:
            if s == "<!-- INFO END -->" or s.startswith("## "):
                body = True
            elif m := _DATE.match(s):
                law.modified_date = f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}"
            if not s.startswith("## "):
                continue
        if not s or s.startswith("<!--") or _NOTE.match(s):
            continue
        if s.startswith("#"):
            close()
            marks = len(s) - len(s.lstrip("#"))
            level, text = heading(s.lstrip("#"), marks - 2)
            tracker.enter(level, text)
            law.headings += 1
        elif m := _ARTICLE.match(s):
            close()
            current = (lineno, m[1], [m[2]], tracker.path)
        elif current is not None:
            current[2].append(s)
        # text under a heading with no article (附件一's list of repealed acts) is not an article
    close()
    return result
