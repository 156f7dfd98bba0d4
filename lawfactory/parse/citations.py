"""The one citation parser: judgments, statutes, the evaluator and the adversarial generator all
turn citation strings into the same keys here.

    刑法第一百三十三条之一                  → 中华人民共和国刑法|133-1
    《中华人民共和国刑法》第133条之一第一款   → 中华人民共和国刑法|133-1  (paragraph 1)
    刑法第185條之3第1項 / 第 185-3 條        → 中華民國刑法|185-3        (paragraph 1)

Numbering differs across the strait: in PRC law an article (条) has paragraphs (款) with items
(项); in Taiwan law an article (條) has paragraphs (項) with items (款). A bare 第X款 after a cited
paragraph continues that article (第七十三条第二款、第三款 is §73 ¶2 and ¶3), it is never a new
article. A citation without a law name takes the last named law, or the jurisdiction's criminal law.
"""

from __future__ import annotations

import re

from lawfactory.parse.numerals import NUM, to_int
from lawfactory.records import PRC_CRIMINAL_LAW, TW_CRIMINAL_CODE, article_key

CRIMINAL_LAW = {"cn": PRC_CRIMINAL_LAW, "tw": TW_CRIMINAL_CODE}

# Short names judgments use → the full name the statute index carries.
ALIASES = {
    "cn": {"刑法": PRC_CRIMINAL_LAW, "刑事诉讼法": "中华人民共和国刑事诉讼法", "刑诉法": "中华人民共和国刑事诉讼法"},
    "tw": {"刑法": TW_CRIMINAL_CODE, "中華民國刑法": TW_CRIMINAL_CODE, "中华民国刑法": TW_CRIMINAL_CODE,
           "刑诉法": "刑事訴訟法", "刑事诉讼法": "刑事訴訟法"},
}

# Laws whose names end with an alias above but are other laws (Taiwan's military criminal code).
OTHER_LAWS = ("陸海空軍刑法", "陆海空军刑法")

_N = rf"(?:{NUM})"
_SP = r"[ 　]*"
# 第 X 条(之Y) or Taiwan's 第 X-Y 條
# (a source that drops the 条 before a paragraph, 第三十六第一款, still cites article 36)
_ARTICLE = (rf"第{_SP}(?P<num>{_N})(?:{_SP}[-－—]{_SP}(?P<dash>{_N}))?{_SP}"
            rf"(?:[条條](?:之(?P<suf>{_N}))?|(?=第{_SP}{_N}{_SP}[款项項]))")
# 项 numbers are often written in parentheses, as the statute prints them: 第一款第（一）项
_SUB = rf"第{_SP}[（(]?(?P<{{name}}>{_N})[）)]?{_SP}(?P<{{name}}u>[款项項])"
_CITE = re.compile(_ARTICLE + rf"(?:{_SUB.format(name='p1')})?(?:{_SUB.format(name='p2')})?")
# a bare 第X款/项/項 that continues the previous article
_CONT = re.compile(rf"第{_SP}[（(]?(?P<n>{_N})[）)]?{_SP}(?P<u>[款项項])")
# a law's name right before a citation: 《…》 (judicial interpretations run to ~70 characters)
# or a run of CJK ending in 法 / 条例 / 條例 / 规定 / 規則
_LAW = re.compile(r"《(?P<q>[^《》]{2,100})》|(?P<bare>[\u4e00-\u9fff]{1,20}?(?:法|条例|條例|通则|通則))$")
# words that lead into a law's name without being part of it (應依刑事訴訟法, 并依照《刑法》)
# (係犯刑法第320條: what a Taiwan judgment writes before the charge; 犯 alone is not stripped,
# 犯罪被害人保護法 starts with it)
_LEAD = re.compile(r"^(?:据上论断|據上論斷|应依|應依|依照|依据|依據|根据|根據|适用|適用|援引|违反|違反|係犯|系犯|触犯|"
                   r"觸犯|所犯|依|并|並|及|和|与|與|暨|另)+")
PARAGRAPH_UNIT = {"cn": "款", "tw": "項"}


def law_name(name: str, jurisdiction: str) -> str:
    name = _LEAD.sub("", name.strip().strip("《》")) or name
    aliases = ALIASES[jurisdiction]
    if name not in aliases:
        # a bare name takes the words before it (請完整背誦中華民國刑法, 我国刑法, 按照刑法, 核其所為係犯刑法):
        # cut it down to the longest known name it ends with, a short alias such as 刑法 included;
        # another law whose name ends the same way is known too, so it stays whole (陸海空軍刑法)
        known = [k for k in (*aliases, *aliases.values(), *OTHER_LAWS) if name.endswith(k)]
        name = max(known, key=len) if known else name
    return aliases.get(name, name)


def _sub_units(m: re.Match, jurisdiction: str) -> tuple[int | None, int | None]:
    """(paragraph, item) of a match, by each jurisdiction's unit names."""
    para = item = None
    for g in ("p1", "p2"):
        if m.group(g) is None:
            continue
        unit, n = m.group(g + "u"), to_int(m.group(g))
        if unit == PARAGRAPH_UNIT[jurisdiction] and para is None:
            para = n
        else:
            item = n
    return para, item


def _cite(law: str, number: int, suffix: int, para: int | None, item: int | None, text: str) -> dict:
    return {"law": law, "number": number, "suffix": suffix, "paragraph": para, "item": item,
            "key": article_key(law, number, suffix), "text": text}


def _continuations(prev: dict, text: str, jurisdiction: str) -> list[dict]:
    """Bare 第X款 in text after a citation, up to the sentence's end: more paragraphs of it.
    A number that is no numeral (第十十款, as model answers write) is skipped."""
    text = re.split(r"[。\n]", text, maxsplit=1)[0]
    out = []
    for c in _CONT.finditer(text):
        if c.group("u") != PARAGRAPH_UNIT[jurisdiction]:
            continue
        try:
            out.append(_cite(prev["law"], prev["number"], prev["suffix"], to_int(c.group("n")), None, c.group()))
        except ValueError:
            continue
    return out


def parse_citations(text: str, jurisdiction: str = "cn", default_law: str | None = None) -> list[dict]:
    """Every article citation in the text, in order: {law, number, suffix, paragraph, item, key, text}.

    Repeated citations are all returned (a basis paragraph may cite one article for two paragraphs).
    """
    if jurisdiction not in CRIMINAL_LAW:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}")
    law = default_law or CRIMINAL_LAW[jurisdiction]
    out: list[dict] = []
    pos = 0
    for m in _CITE.finditer(text):
        between = text[pos:m.start()]
        names = list(_LAW.finditer(between))
        named = names[-1] if names else None  # the name nearest the citation is the one it cites
        if out:  # bare 第三款 between two citations: another paragraph of the previous article
            out += _continuations(out[-1], between[:names[0].start()] if names else between, jurisdiction)
        if named:
            law = law_name(named.group("q") or named.group("bare"), jurisdiction)
        elif "。" in between:  # a new sentence without a law name: back to the default
            law = default_law or CRIMINAL_LAW[jurisdiction]
        try:
            number = to_int(m.group("num"))
            suffix = to_int(m.group("suf") or m.group("dash") or "0")
            para, item = _sub_units(m, jurisdiction)
        except ValueError:
            pos = m.end()
            continue
        out.append(_cite(law, number, suffix, para, item, m.group()))
        pos = m.end()
    if out:  # …第七十三条第二款、第三款之规定: the last citation's bare paragraphs
        out += _continuations(out[-1], text[pos:], jurisdiction)
    return out


def citation_keys(text: str, jurisdiction: str = "cn") -> list[str]:
    """The distinct article keys a text cites, in first-citation order."""
    return list(dict.fromkeys(c["key"] for c in parse_citations(text, jurisdiction)))


def parse_key(key: str) -> tuple[str, int, int]:
    """'中华人民共和国刑法|133-1' → ('中华人民共和国刑法', 133, 1)."""
    law, _, art = key.rpartition("|")
    number, _, suffix = art.partition("-")
    return law, int(number), int(suffix or 0)
