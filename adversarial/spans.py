"""Attitude spans in facts and reasoning, and the edits that take them out or put one in.

The flag phrases are lawfactory/parse/attitude.py's (find_spans); this module adds, for editing only:
- MARKERS of an admission that are not flags of their own: procedure and plea markers (具结,
  an agreed 量刑建议, 速裁程序 and 简易程序, which need the defendant's admission: 刑诉法 §214,
  §222), and admission context (认罪, 悔罪, 供认, 承认, 对指控无异议);
- LENIENCY clauses granting the matching mitigation (依法可以从轻处罚, 可以从宽处理 …), removed
  only when they follow a removed admission;
- PROBATION clauses (缓刑, 悔罪表现 …: 刑法 §72), removed from the reasoning of variants that lose
  probation;
- KEEP factors that must survive every edit: 退赃退赔 / 赔偿 / 谅解 (flags), 累犯, 前科, 立功, 和解.

Text is cut into sentences (。；！？) and clauses (，：). A clause holding an admission is removed;
one that also holds a kept factor is cut further at 并 / 且 / 、 and only the admission piece goes;
when a piece still holds both, the case is skipped (Entangled) rather than edited by guesswork.
A removed piece that holds a number (a date, an amount, a count: 于2016年4月7日投案自首, 主动交代…
其他3次盗窃事实) would take an objective fact with it: the case is skipped (HoldsNumber).
A short lead-in (归案后，/ 庭审中，) goes with the clause it introduces; a kept clause left without
its subject gets the removed clause's subject (被告人X). Edits are {start, end, before, after} in
the source text's coordinates, so the objective facts can be checked around them.
"""

from __future__ import annotations

import re
from collections import Counter

from adversarial.discounts import CONFESSION_FLAGS
from lawfactory.parse.attitude import find_spans
from lawfactory.parse.clauses import CLAUSE_SEP, SENTENCE_END
from lawfactory.parse.numerals import NUM_RE


class Entangled(ValueError):
    """An admission phrase that cannot be cut out without cutting a kept factor or fact."""


class HoldsNumber(Entangled):
    """An admission phrase that holds a number (date, amount, count) of the objective facts."""


def numbers(text: str, defendant: str = "") -> Counter:
    """The numerals of a text (Arabic or Chinese), the defendant's names left out (郭3某 is a name)."""
    for name in sorted((n for n in defendant.split("、") if n), key=len, reverse=True):
        text = text.replace(name, "\x00")
    return Counter(m.group() for m in NUM_RE.finditer(text))


def lost_numbers(edits: list[dict], defendant: str = "") -> Counter:
    """The numbers the edits take out and do not put back (each edit on its own)."""
    lost: Counter = Counter()
    for e in edits:
        lost += numbers(e["before"], defendant) - numbers(e["after"], defendant)
    return lost


MARKERS = re.compile("|".join((
    r"(?<![拒不])认罪", r"悔罪", r"(?<![拒不])供认", r"(?<![不未])承认", r"具结", r"速裁程序", r"简易程序",
    r"如实(?:供述|交代|交待|供认|陈述)", r"主动交代",
    r"(?:同意|认可|接受|签字确认)[^，。；]{0,6}量刑建议", r"量刑建议[^，。；]{0,4}(?:无异议|没有异议)",
    r"(?:指控|犯罪事实|事实|罪名)[^，。；]{0,8}(?:无异议|没有异议|不持异议)", r"亦无异议",
)))
KEEP = re.compile(r"累犯|前科|立功|和解|退赃|退赔|退缴|退还|赔偿|谅解|犯罪记录|曾因")
LENIENCY = re.compile(r"^(?:故|因此|据此|依法|本院|公诉机关|对其|对被告人[^，。；]{0,6})?[^，。；]{0,10}?"
                      r"(?:从轻|减轻|从宽)[^，。；]{0,8}$")
PROBATION = re.compile(r"缓刑|悔罪表现|再犯罪的危险|重大不良影响")
# a lead-in that only says when: 归案后 / 庭审中 / 在审查起诉阶段
LEAD_IN = re.compile(r"^(?:在|于)?(?:其|被告人[^，。；]{0,5})?"
                     r"(?:归案|到案|案发|被抓获|抓获|庭审|审理|开庭|审查起诉|侦查)(?:阶段|过程)?(?:后|中|时|期间)?$")
_CONJ = re.compile(r"并且|并(?!处)|而且|且|同时")
_LIST_SEP = re.compile(r"并且|并(?!处)|而且|且|同时|以及|、|及|和(?!解)")
# what the first piece of a clause lends the next one: 具有坦白情节和累犯情节 → 具有累犯情节
_LEND = re.compile(r"^(?:(?:被告人)?[^，。；、\d]{0,6}?)?(?:还|又|亦|也)?(?:具有|有|系)")
_LEAD_CONJ = re.compile(r"^(?:并且|并|且|同时|亦|也)")
# a kept clause that starts with a verb has lost its subject
_NO_SUBJECT = re.compile(r"^(?:将|已|积极|主动|退|赔|取得|获得|与|向|自愿|愿意|还|又)")


def _pieces(text: str, start: int, end: int, sep: re.Pattern) -> list[tuple[int, int]]:
    """(start, end) of the pieces of text[start:end] between separators (separators excluded)."""
    out, pos = [], start
    for m in sep.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(s, e) for s, e in out if e > s]


def sentences(text: str) -> list[tuple[int, int, int]]:
    """(start, end of content, end with its terminator) of every sentence."""
    out, pos = [], 0
    for m in SENTENCE_END.finditer(text):
        out.append((pos, m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text), len(text)))
    return [s for s in out if s[1] > s[0]]


def admission_ranges(text: str, probation: bool = False, spans: list[dict] | None = None) -> list[tuple[int, int]]:
    """Where the text asserts an admission (non-negated confession-type flag phrases and MARKERS),
    plus, with probation=True, the probation clauses' keywords. spans: find_spans(text), if known."""
    spans = find_spans(text) if spans is None else spans
    ranges = [(s["start"], s["end"]) for s in spans if s["flag"] in CONFESSION_FLAGS and not s["negated"]]
    ranges += [m.span() for m in MARKERS.finditer(text)]
    if probation:
        ranges += [m.span() for m in PROBATION.finditer(text)]
    return sorted(ranges)


def _keep_ranges(text: str, spans: list[dict]) -> list[tuple[int, int]]:
    found = [(s["start"], s["end"]) for s in spans if s["flag"] in ("restitution", "forgiveness")]
    return sorted(found + [m.span() for m in KEEP.finditer(text)])


def _hits(ranges, s: int, e: int) -> bool:
    return any(a < e and b > s for a, b in ranges)


def _subject(text: str, s: int, e: int, defendant: str) -> str:
    names = "|".join(re.escape(n) for n in defendant.split("、") if n) if defendant else ""
    rx = rf"^(?:被告人|被告)?(?:{names})" if names else r"^被告人"
    m = re.match(rx, text[s:e]) or re.match(r"^被告人", text[s:e])
    return m.group() if m else ""


def _carry(text: str, removed: tuple[int, int], nxt: tuple[int, int], defendant: str) -> str:
    """What the next piece needs from a removed first piece: its subject and verb (具有), or its subject."""
    m = _LEND.match(text[removed[0]:removed[1]])
    if m:
        return "" if _LEND.match(text[nxt[0]:nxt[1]]) else m.group()
    subj = _subject(text, removed[0], removed[1], defendant)
    return subj if subj and _NO_SUBJECT.match(text[nxt[0]:nxt[1]]) else ""


def removal_edits(text: str, defendant: str = "", probation: bool = False) -> tuple[list[dict], int | None]:
    """Edits that remove every admission (and with probation=True, probation clauses) from text,
    and the position after the first edited sentence (where a new statement belongs; None when
    nothing was removed). Raises Entangled."""
    spans = find_spans(text)
    remove, keep = admission_ranges(text, probation, spans), _keep_ranges(text, spans)
    edits: list[dict] = []
    first_end = None
    for s0, s1, s2 in sentences(text):
        if not _hits(remove, s0, s1):
            continue
        units, clause = [], []  # (start, end) of clauses, cut further where an admission sits beside a kept factor
        for n, (cs, ce) in enumerate(_pieces(text, s0, s1, CLAUSE_SEP)):
            parts = (_pieces(text, cs, ce, _LIST_SEP if _hits(keep, cs, ce) else _CONJ) if _hits(remove, cs, ce)
                     else [(cs, ce)])
            units += parts
            clause += [n] * len(parts)
        gone = []
        for us, ue in units:
            r, k = _hits(remove, us, ue), _hits(keep, us, ue)
            if r and k:
                raise Entangled(f"admission and kept factor in one phrase: {text[us:ue]}")
            gone.append(r)
        for i in range(1, len(units)):  # leniency granted for what was just removed
            if not gone[i] and gone[i - 1] and LENIENCY.match(text[units[i][0]:units[i][1]]) \
                    and not _hits(keep, *units[i]):
                gone[i] = True
        for i in range(len(units) - 1):  # a lead-in goes with the clause it introduces
            if not gone[i] and gone[i + 1] and LEAD_IN.match(text[units[i][0]:units[i][1]]):
                gone[i] = True
        first_end = s2 if first_end is None else first_end
        if all(gone):
            edits.append({"start": s0, "end": s2, "before": text[s0:s2], "after": ""})
            continue
        i = 0
        while i < len(units):
            if not gone[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(units) and gone[j + 1]:
                j += 1
            if i > 0 and clause[i - 1] == clause[i]:  # pieces ending a clause: drop the 并/和/、 before them
                a, b = units[i - 1][1], units[j][1]
                edits.append({"start": a, "end": b, "before": text[a:b], "after": ""})
            elif j + 1 < len(units) and clause[j + 1] == clause[i]:  # the first pieces of a clause
                a, b = units[i][0], units[j + 1][0]
                edits.append({"start": a, "end": b, "before": text[a:b],
                              "after": _carry(text, units[i], units[j + 1], defendant)})
            elif j + 1 < len(units):  # the run and the separator after it; the next unit may need fixing
                a, b = units[i][0], units[j + 1][0]
                edits.append({"start": a, "end": b, "before": text[a:b], "after": ""})
                ns, ne = units[j + 1]
                subj = _subject(text, units[i][0], units[i][1], defendant)
                lead = _LEAD_CONJ.match(text[ns:ne])
                rest = text[ns + (lead.end() if lead else 0):ne]
                fix = subj if subj and _NO_SUBJECT.match(rest) and not _subject(text, ns, ne, defendant) else ""
                if lead or fix:
                    cut = lead.end() if lead else 0
                    edits.append({"start": ns, "end": ns + cut, "before": text[ns:ns + cut], "after": fix})
            else:  # the run ends the sentence: drop the separator before it
                a, b = units[i - 1][1], units[j][1]
                edits.append({"start": a, "end": b, "before": text[a:b], "after": ""})
                ps, pe = units[i - 1]
                if text[pe - 1] in "后时" and pe - 1 > ps:  # 被抓获后，如实供述。 → 被抓获。
                    edits.append({"start": pe - 1, "end": pe, "before": text[pe - 1], "after": ""})
            i = j + 1
    edits.sort(key=lambda d: (d["start"], d["end"]))
    lost = lost_numbers(edits, defendant)
    if lost:
        raise HoldsNumber(f"admission phrase holds {', '.join(lost)}")
    return edits, first_end  # apply() rejects overlapping edits


def insertion(text: str, pos: int, statement: str) -> dict:
    """An edit that inserts a sentence at pos (after a terminator, or with one added)."""
    before = text[:pos].rstrip()
    lead = "" if not before or before[-1] in "。；;！？!?\n" else "。"
    return {"start": pos, "end": pos, "before": "", "after": lead + statement}


def apply(text: str, edits: list[dict]) -> str:
    out, pos = [], 0
    for e in sorted(edits, key=lambda d: (d["start"], d["end"])):
        if e["start"] < pos or text[e["start"]:e["end"]] != e["before"]:
            raise ValueError(f"edit does not fit the text: {e}")
        out.append(text[pos:e["start"]])
        out.append(e["after"])
        pos = e["end"]
    out.append(text[pos:])
    return "".join(out)


def outside(text: str, edits: list[dict], side: str) -> str:
    """The text with every edited span blanked: side 'before' on the source, 'after' on the variant
    (positions in the variant recomputed from the edits). The two must be equal."""
    parts, pos, vpos = [], 0, 0
    for e in sorted(edits, key=lambda d: (d["start"], d["end"])):
        keep = e["start"] - pos
        if side == "before":
            if text[e["start"]:e["end"]] != e["before"]:
                raise ValueError(f"source text does not hold the edit {e}")
            parts.append(text[pos:e["start"]])
        else:
            parts.append(text[vpos:vpos + keep])
            if text[vpos + keep:vpos + keep + len(e["after"])] != e["after"]:
                raise ValueError(f"variant text does not hold the edit {e}")
        parts.append("\x00")
        vpos += keep + len(e["after"])
        pos = e["end"]
    parts.append(text[pos:] if side == "before" else text[vpos:])
    return "".join(parts)
