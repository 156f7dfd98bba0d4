"""LeCaRD / CAIL 类案检索 documents → the China Judgments Online columns judgments_cn reads.

A document is one JSON object: ajId, ajName (案件名称), ajjbqk (案件基本情况: the charge and the
facts), cpfxgc (裁判分析过程: 本院认为 … 判决如下), pjjg (判决结果), qw (全文), writId (document
id), writName (document title). Only `qw` is used: the other text fields are cut from it by the
publisher, sometimes mid-sentence, and writName / ajName may carry a real name the text masks, so
they are never read into a record.

Format facts the reader handles (docs/judgments_cn.md):
- `qw` has no line breaks: paragraphs are joined with single ASCII spaces. They become line breaks
  again, except a stray space inside a word (`第二百一十七 条`, `有期徒刑三 年`, `有期徒刑 1年`), which
  is dropped.
- Some documents start with their title (the writName text, `文书内容`, a case number) before the
  court's heading `…人民法院 刑事判决书`: everything before that heading is dropped.
- 案号, 法院, 案件类型 and 裁判日期 are read from the text: the case number in the heading (刑初 is a
  first instance; 刑终, 刑再 … are skipped by the procedure filter), the title (刑事判决书,
  刑事附带民事判决书; a 裁定书 is not a judgment), the date line above the clerk (二〇一八年二月八日).
"""

from __future__ import annotations

import re

from lawfactory.parse.numerals import to_int
from lawfactory.records import RecordError

FIELDS = ("ajId", "ajName", "ajjbqk", "cpfxgc", "pjjg", "qw", "writId", "writName")

# the court's heading at a paragraph start: 湖北省武汉市武昌区人民法院 刑事判决书 (刑事附带民事判决书,
# 刑事裁定书 …; a few carry markup debris between the two: `人民法院 p t〉刑事判决书`)
_HEADING = re.compile(r"(?:^|(?<=\s))(?P<court>[^\s，。：:、]{2,40}?(?:法院|分院))[^，。；]{0,10}?"
                      r"(?P<title>(?:刑事|民事|行政)[\u4e00-\u9fff]{0,8}?(?:判决书|裁定书|决定书|调解书|通知书))")
# the case number after the heading; OCR'd numbers put l for 1 ((20l4)长刑终字第153号)
_CASE_NUMBER = re.compile(r"[（(]\s*[\dlIO〇]{4}\s*[）)][^\s，。]{1,30}?号")
_DIGIT = "〇零○Ｏ一二三四五六七八九"
# the judgment's date, written out: 二〇一八年二月八日 (the last such date before the clerk)
_CN_DATE = re.compile(rf"(?P<y>[{_DIGIT}]{{4}})\s*年\s*(?P<m>[一二三四五六七八九十]{{1,2}})"
                      rf"\s*月\s*(?P<d>[一二三四五六七八九十]{{1,3}})\s*日")
_NUM = "零〇一二三四五六七八九十百千万两0-9"
# a space inside a numeral and its unit (三 年, 第二百一十七 条, 第 三 款) is not a paragraph break
_STRAY_SPACE = re.compile(rf"(?<=[{_NUM}]) +(?=[年月个条款项元日])|(?<=第) +(?=[{_NUM}])|"
                          rf"(?<=[{_NUM}]) +(?=[{_NUM}]+[条款项])")
# … and between a penalty and its term or amount (有期徒刑 1年6个月, 罚金 2000元, 人民币 5000元)
_PENALTY_SPACE = re.compile(rf"(有期徒刑|拘役|管制|缓刑|罚金|人民币) +(?=[{_NUM}]+[年个月元万千百])")
# a paragraph join: a space between two non-ASCII characters, or before a numbered paragraph (1、)
_PARAGRAPH = re.compile(r"(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f]|\d+[、.．])")


def is_lecard(obj: dict) -> bool:
    return "qw" in obj and "全文" not in obj


def full_text(qw: str) -> str:
    """`qw` with its paragraphs on their own lines and the title before the heading dropped."""
    text = _PENALTY_SPACE.sub(r"\1", _STRAY_SPACE.sub("", qw.strip()))
    head = _HEADING.search(text, 0, 400)
    if head:
        text = text[head.start():]
    return _PARAGRAPH.sub("\n", text)


def _date(text: str) -> str:
    found = list(_CN_DATE.finditer(text))
    if not found:
        return ""
    m = found[-1]
    year = "".join(str(_DIGIT.index(c) - 3 if _DIGIT.index(c) > 3 else 0) for c in m.group("y"))
    return f"{year}-{to_int(m.group('m')):02d}-{to_int(m.group('d')):02d}"


def case_type(title: str) -> str:
    """刑事判决书 / 刑事附带民事判决书 → 刑事案件; other documents name what they are."""
    if "刑事" in title and title.endswith("判决书"):
        return "刑事案件"
    return title or "(no title)"


def fields(text: str) -> dict:
    """The CJO columns a judgment's text states: 案号, 法院, 案件类型, 裁判日期 ("" when not found)."""
    head = _HEADING.search(text, 0, 200)
    number = _CASE_NUMBER.search(text, 0, 400)
    return {
        "案号": re.sub(r"\s", "", number.group()) if number else "",
        "法院": head.group("court") if head else "",
        "案件类型": case_type(head.group("title")) if head else "",
        "裁判日期": _date(text),
    }


def to_cjo(obj: dict) -> dict:
    """The CJO columns judgments_cn.convert_record reads, from a LeCaRD document's text."""
    qw = obj.get("qw")
    if not isinstance(qw, str) or not qw.strip():
        raise RecordError("empty or missing qw (全文)")
    text = full_text(qw)
    out = {"全文": text, **fields(text), "doc_id": str(obj.get("writId") or "")}
    out["案件类型"] = out["案件类型"] or "(no title)"
    return out
