"""The statutory maximum of a fixed term, read from the cited articles' text in the statute index.

The index (DATA/statutes_index.jsonl, records.article) maps an article key to a record whose
`paragraphs` hold the text. An article states its ranges as 处三年以下有期徒刑 /
处三年以上十年以下有期徒刑 / 处十年以上有期徒刑、无期徒刑或者死刑 / 处拘役. The ceiling of a fixed term
under one article is the highest stated: an open range (十年以上) or one reaching 无期徒刑/死刑 is
bounded only by the general limit of 有期徒刑, 15 years (刑法 §45). Several charges are
sentenced together (数罪并罚, 刑法 §69): at most the sum of the ceilings, and never more than
20 years when that sum is under 35 years, 25 years otherwise.
"""

from __future__ import annotations

import re

from lawfactory.numerals import NUM, to_int
from lawfactory.records import PRC_CRIMINAL_LAW, article_key

SINGLE_MAX = 15 * 12  # 刑法 §45
JOINT_MAX, JOINT_MAX_LONG, JOINT_LONG_SUM = 20 * 12, 25 * 12, 35 * 12  # 刑法 §69
SPECIAL_PART = 102  # 分则 (the articles that define offences) starts at 第一百零二条

_N = rf"(?:{NUM})"
_SPAN = rf"(?:{_N}年(?:{_N}个月)?|{_N}个月)"
_FIXED = re.compile(rf"(?:(?P<lo>{_SPAN})以上)?(?:(?P<hi>{_SPAN})以下)?有期徒刑")
_LIGHT = {"拘役": 6, "管制": 24}  # 刑法 §42, §38
_SPAN_RE = re.compile(rf"(?:(?P<y>{_N})年)?(?:(?P<m>{_N})个月)?")


def _months(span: str) -> int:
    m = _SPAN_RE.fullmatch(span)
    return (to_int(m.group("y")) * 12 if m.group("y") else 0) + (to_int(m.group("m")) if m.group("m") else 0)


def article_ceiling(text: str) -> int | None:
    """The highest fixed term (months) an article's penalty clauses allow; None if it states none."""
    caps = []
    for m in _FIXED.finditer(text):
        caps.append(_months(m.group("hi")) if m.group("hi") else SINGLE_MAX)
    if re.search(r"无期徒刑|死刑", text):
        caps.append(SINGLE_MAX)
    for word, months in _LIGHT.items():
        if re.search(rf"处{word}", text):
            caps.append(months)
    return min(max(caps), SINGLE_MAX) if caps else None


def _text(record: dict) -> str:
    p = record.get("paragraphs") or []
    return p if isinstance(p, str) else "\n".join(p)


def statutory_cap(case: dict, index: dict | None) -> dict:
    """{months, basis}: the most a fixed term for this case may be. Without the index (or when it
    does not know every charge article) only the general limits of §45 / §69 apply."""
    joint = len(case["charges"]) > 1
    general = {"months": JOINT_MAX_LONG if joint else SINGLE_MAX, "basis": "刑法§69 (25年)" if joint else "刑法§45 (15年)"}
    keys = [article_key(a["law"], a["number"], a["suffix"]) for a in case["articles"]
            if a["law"] == PRC_CRIMINAL_LAW and a["number"] >= SPECIAL_PART]
    if not index or not keys:
        return general
    ceilings = {}
    for k in dict.fromkeys(keys):
        rec = index.get(k)
        c = article_ceiling(_text(rec)) if rec and not rec.get("deleted") else None
        if c is None:
            return general  # an article the index does not know (or states no range): no tighter cap
        ceilings[k] = c
    if not joint:
        return {"months": max(ceilings.values()), "basis": "、".join(ceilings) + " (stated ranges; 刑法§45)"}
    if len(ceilings) < len(case["charges"]):
        return general  # which article governs which charge is unknown: no sum to cap at
    total = sum(ceilings.values())
    limit = JOINT_MAX if total < JOINT_LONG_SUM else JOINT_MAX_LONG
    return {"months": min(total, limit), "basis": "、".join(ceilings) + " (数罪并罚, 刑法§69)"}
