"""Split a full-text criminal judgment into its sections.

Mainland judgments (China Judgments Online 全文) run 首部 (court, title, case number),
当事人 (公诉机关, 被告人, 辩护人), 审理经过 (…起诉书指控…提起公诉…现已审理终结), 公诉机关指控
(with the defendant's response), 经审理查明 (the facts the court found), 本院认为 (legal
characterization and sentencing reasons, ending "…之规定，判决如下："), the verdict, and 尾部
(appeal notice, judges, date, clerk). Dumps differ in layout: paragraphs on their own lines or
run together, full- or half-width punctuation, 本院查明 / 经审理查明 / 审理查明 / 经公开审理查明.
The markers are therefore found in the text, not by line.

Taiwan judgments (司法院 JFULL) are split by converters/sections_tw.py (split_tw, re-exported
here): their layouts, private-use characters and hard wraps are read there.

split_cn / split_tw return {section name: text}; a required section that cannot be found raises
RecordError naming it.
"""

from __future__ import annotations

import re

from converters.sections_tw import TW_SECTIONS, split_tw  # noqa: F401 (Taiwan: re-exported)
from lawfactory.records import RecordError

CN_SECTIONS = ("首部", "当事人", "审理经过", "公诉机关指控", "经审理查明", "本院认为", "判决如下", "尾部")

# The prosecution and defence parties open the 当事人 block (at a line or sentence start).
_CN_PARTIES = re.compile(r"(?:^|(?<=[\n。\s]))(?:公诉机关|公诉人|自诉人|被告人|被告单位)", re.M)
# 审理经过: the sentence "X人民检察院以…起诉书指控被告人…犯…罪，于…向本院提起公诉".
_CN_PROCEDURE = re.compile(r"[^。\n]*?(?:起诉书指控|提起公诉|以[^。\n]{0,60}?起诉书|自诉人[^。\n]{0,40}?向本院)")
# 公诉机关指控 opens a sentence: "公诉机关指控，…", "杭州市西湖区人民检察院指控：…", "起诉书指控，…".
_CN_ALLEGATION = re.compile(r"(?:^|(?<=[\n。]))[ \t\u3000]*[^。\n，,：:]{0,30}?"
                            r"(?:公诉机关|检察院|公诉人|起诉书)(?:起诉)?指控", re.M)
# the found facts: 经审理查明 / 本院查明 / 审理查明, and the 认定 wording of summary judgments
# (经审理认定, 本院经审理认定事实如下)
_CN_FACTS = re.compile(r"(?:经(?:公开)?(?:开庭)?审(?:理|查)[，,]?(?:本院)?(?:查明|认定)"
                       r"|本院(?:经审理|审理)?(?:依法)?(?:查明|认定(?=事实|[，,：:]))"
                       r"|审理查明|经?庭审查明)(?:事实如下)?[，,：:]?")
# 本院认为 (本合议庭认为) opening a paragraph or sentence; "与本院查明的事实相符" inside it is no marker
_CN_REASONING = re.compile(r"本(?:院|合议庭|庭)认为[，,：:]?")
_CN_REASONING_START = re.compile(r"(?:^|(?<=[\n。]))[ \t\u3000]*本(?:院|合议庭|庭)认为[，,：:]?", re.M)
_CN_VERDICT = re.compile(r"(?:判决如下|作出如下判决)\s*[：:]?")
# 尾部: the appeal notice, else the signature block (审判长/审判员/人民陪审员 on a new paragraph).
_CN_TAIL = re.compile(r"如不服[^，,。\n]{0,6}?判决|(?:^|\n)\s*(?:审\s*判\s*长|审\s*判\s*员|人民陪审员|代理审判员)")


def _norm(text: str) -> str:
    """Unify line ends and strip the no-break and zero-width characters HTML dumps carry."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return re.sub(r"[\u200b\ufeff]", "", text)


def split_cn(text: str) -> dict[str, str]:
    """全文 → the eight sections (公诉机关指控 and 审理经过 may be empty; the found facts, 本院认为
    and the verdict are required)."""
    text = _norm(text)
    reasoning = _CN_REASONING_START.search(text) or _CN_REASONING.search(text)
    facts = _CN_FACTS.search(text, 0, reasoning.start()) if reasoning else _CN_FACTS.search(text)
    if not reasoning:
        raise RecordError("no 本院认为 section after the found facts" if facts else
                          "no 经审理查明 / 本院查明 section (the facts the court found)")
    verdict = _CN_VERDICT.search(text, reasoning.end())
    if not verdict:
        raise RecordError("no 判决如下 after 本院认为 (not a judgment, or the verdict is missing)")
    tail = _CN_TAIL.search(text, verdict.end())
    tail_at = tail.start() if tail else len(text)

    head_end = facts.start() if facts else reasoning.start()
    proc = _CN_PROCEDURE.search(text, 0, head_end)
    proc_at = proc.start() if proc else None
    after_proc = 0
    if proc:  # the allegation starts after the sentence that names the indictment
        stop = text.find("。", proc.end(), head_end)
        after_proc = stop + 1 if stop >= 0 else proc.end()
    alleg = _CN_ALLEGATION.search(text, after_proc, head_end)
    alleg_at = alleg.start() if alleg else None
    if not facts:
        # summary and fast-track judgments (简易 / 速裁) find no facts of their own: the court adopts the
        # allegation (…指控：… 上述事实，被告人…无异议，并有…证据证实), which then is the found facts
        # (指控的事实清楚 assesses an allegation the text does not give: no facts)
        if alleg_at is None or text.startswith("的", alleg.end()):
            raise RecordError("no 经审理查明 / 本院查明 section (the facts the court found)")
        head_end, alleg_at = alleg_at, None
    parties = _CN_PARTIES.search(text, 0, proc_at if proc_at is not None else head_end)
    parties_at = parties.start() if parties else (proc_at if proc_at is not None else head_end)

    def cut(a: int | None, b: int) -> str:
        return text[a:b].strip() if a is not None and a < b else ""

    proc_end = alleg_at if alleg_at is not None else head_end
    return {
        "首部": text[:parties_at].strip(),
        "当事人": cut(parties_at, proc_at if proc_at is not None else head_end),
        "审理经过": cut(proc_at, proc_end),
        "公诉机关指控": cut(alleg_at, head_end),
        "经审理查明": text[head_end:reasoning.start()].strip(),
        "本院认为": text[reasoning.start():verdict.end()].strip(),
        "判决如下": text[verdict.end():tail_at].strip(),
        "尾部": text[tail_at:].strip(),
    }
