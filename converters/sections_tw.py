"""Split a Taiwan 司法院 judgment (JFULL) into 首部, 主文, 事實, 理由, 尾部, and the law passage.

Layouts in the open data, all handled by one reading:
- headings alone on their lines, letters spread with spaces (主　　文, 犯罪事實 / 事　實, 理　　由);
- one combined heading (事實及理由, 犯罪事實及理由) or only 理由 (acquittals, 簡式審判, older
  judgments that put the facts in 理由 一、): the first numbered paragraph holds the facts, the
  rest is the reasoning;
- a 事實 heading without 理由 (簡易判決: 一、犯罪事實 二、證據名稱 三、論罪科刑): likewise;
- numbered items instead of headings (協商判決, 宣示判決筆錄: 一、主文： 二、犯罪事實要旨：
  三、處罰條文： …; also 壹、主文：);
- facts that only refer to an attachment (`均引用檢察官起訴書之記載（如附件）`): the attachment's
  犯罪事實, after the judges' signatures, is taken when there is one.
The body ends at the first 中華民國…年…月…日 date line after the reasoning. Every text returned is
unwrapped into paragraphs (converters/tw_text.py).
"""

from __future__ import annotations

import re
from collections import Counter

from converters import tw_text
from converters.tw_text import SP, spread
from lawfactory.records import RecordError

TW_SECTIONS = ("首部", "主文", "事實", "理由", "尾部")


def _heading(*words: str) -> re.Pattern:
    """A heading alone on its line, letters optionally spread by (full-width) spaces."""
    alts = "|".join(spread(w) for w in words)
    return re.compile(rf"^{SP}(?:{alts}){SP}[:：]?{SP}$", re.M)


_MAIN = _heading("主文")
# 一、主文： / 壹、主 文： (the numbered layout; the item's text may follow on the same line)
_MAIN_ITEM = re.compile(rf"^{SP}(?P<n>[一壹])[、，]{SP}{spread('主文')}{SP}[:：]?", re.M)
_FACTS = _heading("犯罪事實及理由", "事實及理由", "犯罪事實", "事實")
_REASONS = _heading("理由")
_DATE = re.compile(r"^[ \t\u3000]*中[ \t\u3000]*華[ \t\u3000]*民[ \t\u3000]*國"
                   r"[ \t\u3000\d０-９〇零一二三四五六七八九十百]*年.*日[ \t\u3000]*$", re.M)
# a top-level numbered item at a line start: 一、 二、 … / 壹、 貳、 …
_ITEM = re.compile(r"^[ \t\u3000]*(?P<n>[一二三四五六七八九十]+|[壹貳參肆伍陸柒捌玖拾]+)[、，]", re.M)
_FACT_ITEM = re.compile(r"犯罪事實|事實")
# facts that only point at the indictment attached after the signatures
_BY_REFERENCE = re.compile(r"引用[^。\n]{0,40}?(?:起訴書|處刑書|聲請書)|如附件"
                           r"|如(?:起訴書|聲請書|處刑書)[^。\n]{0,12}?(?:所載|記載)")
_PROSECUTOR = re.compile(r"本案經[^\n。]{0,60}?執行職務。?$", re.M)
_ATTACHED_FACTS = re.compile(rf"^{SP}(?:[一二]、{SP})?{spread('犯罪事實')}{SP}[:：]?{SP}(?:\n|(?=[\u4e00-\u9fff]))",
                             re.M)
_ATTACHED_END = re.compile(rf"^{SP}(?:[二三]、{SP})?(?:證據|{spread('證據並所犯法條')}|所犯法條)", re.M)


def _items(text: str) -> list[tuple[int, str]]:
    """Top-level items (一、 / 壹、) of one numbering style: the style of the first one."""
    found = list(_ITEM.finditer(text))
    if not found:
        return []
    formal = found[0].group("n")[0] in "壹貳參肆伍陸柒捌玖拾"
    return [(m.start(), m.group("n")) for m in found if (m.group("n")[0] in "壹貳參肆伍陸柒捌玖拾") == formal]


def _split_first_item(body: str) -> tuple[str, str]:
    """Facts = the first numbered paragraph, reasoning = the rest (a body without a second item:
    facts and reasons cannot be told apart)."""
    items = _items(body)
    if len(items) < 2:
        raise RecordError("facts and reasons cannot be told apart (no second numbered paragraph)")
    return body[:items[1][0]].strip(), body[items[1][0]:].strip()


def _attached_facts(tail: str) -> str:
    m = _ATTACHED_FACTS.search(tail)
    if not m:
        return ""
    end = _ATTACHED_END.search(tail, m.end())
    return tail[m.end():end.start() if end else len(tail)].strip()


def _verdict(text: str) -> tuple[int, int, int, bool]:
    """(start of 主文's heading, start of its text, its end, numbered layout)."""
    main = _MAIN.search(text)
    numbered = None if main else _MAIN_ITEM.search(text)
    if not (main or numbered):
        raise RecordError("no 主文 heading")
    start = (main or numbered).end()
    if numbered:
        # 一、主文： … 二、犯罪事實要旨： … 三、處罰條文： … (the item numbers of the same style)
        items = [(at, n) for at, n in _items(text[start:]) if n not in ("一", "壹")]
        if not items:
            raise RecordError("numbered 主文 without a following item")
        return numbered.start(), start, start + items[0][0], True
    heads = [h.start() for h in (_FACTS.search(text, start), _REASONS.search(text, start)) if h]
    if not heads:
        raise RecordError("no 事實 / 理由 heading after 主文")
    return main.start(), start, min(heads), False


def split_tw(text: str, stats: Counter | None = None) -> dict[str, str]:
    """JFULL → {首部, 主文, 事實, 理由, 尾部}, unwrapped into paragraphs (首部 keeps its lines)."""
    text = tw_text.clean(text, stats)
    cols = tw_text.wrap_width(text)
    head_at, start, main_end, numbered = _verdict(text)
    facts_h = _FACTS.search(text, main_end)
    reasons_h = _REASONS.search(text, main_end)
    date = _DATE.search(text, main_end)
    end = date.start() if date else len(text)
    head, verdict, tail = text[:head_at], text[start:main_end], text[end:]

    if numbered:
        body = text[main_end:end]
        parts = [(at, n) for at, n in _items(body)]
        bounds = [at for at, _ in parts] + [len(body)]
        chunks = [body[a:b] for a, b in zip(bounds, bounds[1:])]
        fact_chunks = [c for c in chunks if _FACT_ITEM.search(c.split("\n", 1)[0])]
        facts = fact_chunks[0] if fact_chunks else ""
        reasons = "".join(c for c in chunks if c is not facts)
    elif facts_h and reasons_h and reasons_h.start() > facts_h.start():
        facts, reasons = text[facts_h.end():reasons_h.start()], text[reasons_h.end():end]
    else:  # one heading for both (事實及理由), only 事實, or only 理由
        h = facts_h or reasons_h
        facts, reasons = _split_first_item(text[h.end():end])
    if _BY_REFERENCE.search(facts[:300]):
        attached = _attached_facts(tail)
        if attached:
            facts = attached
    facts = tw_text.unwrap(facts, cols)
    # the closing 本案經檢察官…到庭執行職務 names the prosecutor: a header line, not reasoning
    reasons = _PROSECUTOR.sub("", tw_text.unwrap(reasons, cols)).strip()
    if not facts.strip():
        raise RecordError("empty 事實 section")
    return {
        "首部": head.strip(),  # the parties, one per line
        "主文": tw_text.unwrap(verdict, cols),
        "事實": facts,
        "理由": reasons,
        "尾部": tw_text.unwrap(tail, cols),
    }


def split_verdict_only(text: str, stats: Counter | None = None) -> tuple[str, str]:
    """(首部 with its lines, 主文): enough to tell who is convicted, whatever the rest's layout."""
    text = tw_text.clean(text, stats)
    head_at, start, end, _ = _verdict(text)
    return text[:head_at].strip(), tw_text.unwrap(text[start:end], tw_text.wrap_width(text))
