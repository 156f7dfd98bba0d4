"""Sentences as judgments write them, and back.

format_*: a sentence record → judgment-style Chinese (有期徒刑一年六个月, 拘役三个月, 无期徒刑…)
and the plain answer line `刑期:18个月` that LawBench-style scorers parse.
parse_sentence: judgment-style text (mainland or Taiwan, Arabic, Chinese or formal numerals)
→ a sentence record, or None when no penalty can be read (an abstention).
"""

from __future__ import annotations

import re

from lawfactory.records import sentence

from .clauses import IN_CLAUSE, SENTENCE_END, clause_before, sentence_before
from .numerals import NUM, to_cn, to_int

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

# --- formatting ---------------------------------------------------------------------------


def months_cn(months: int) -> str:
    """18 → 一年六个月, 12 → 一年, 6 → 六个月."""
    years, rest = divmod(months, 12)
    out = f"{to_cn(years)}年" if years else ""
    if rest:
        out += f"{to_cn(rest)}个月"
    return out or "零个月"


def principal_for(s: dict) -> str:
    """The principal penalty when the source does not name it (CAIL gives only months):
    拘役 runs one to six months (刑法 §42), so a term under six months is 拘役."""
    if s["principal"]:
        return s["principal"]
    if s["kind"] == "life":
        return "无期徒刑"
    if s["kind"] == "death":
        return "死刑"
    if s["kind"] == "fixed":
        return "拘役" if s["months"] < 6 else "有期徒刑"
    return ""


def format_penalty(s: dict) -> str:
    """The verdict's penalty clause: 判处有期徒刑一年六个月，缓刑二年，并处罚金人民币二千元."""
    p = principal_for(s)
    if s["kind"] == "death":
        main = "判处死刑，缓期二年执行" if p == "死缓" else "判处死刑"
    elif s["kind"] == "life":
        main = "判处无期徒刑"
    elif s["kind"] == "fixed":
        main = f"判处{p}{months_cn(s['months'])}"
    else:
        main = ""
    parts = [main] if main else []
    if s["probation_months"]:
        parts.append(f"缓刑{months_cn(s['probation_months'])}")
    if s["political_rights"]:
        parts.append(f"剥夺政治权利{s['political_rights']}")
    if s["fine"]:
        fine = f"罚金人民币{to_cn(s['fine'])}元"
        parts.append(f"并处{fine}" if main else f"单处{fine}")
    if not parts:
        parts.append("免予刑事处罚")
    return "，".join(parts)


def term_line(s: dict) -> str:
    """The plain answer line. Terms are stated in months only: LawBench's scorer reads the
    first `N个月`, so `1年6个月` would score as 6."""
    if s["kind"] == "death":
        return "刑期:死刑"
    if s["kind"] == "life":
        return "刑期:无期"
    return f"刑期:{s['months']}个月"


# --- parsing ------------------------------------------------------------------------------

_N = f"(?:{NUM})"
# a period: 一年六个月, 1年6个月, 壹年貳月, 十八個月, 陸月, 3年零6个月
PERIOD = rf"(?:(?P<y>{_N})年(?:零|又)?)?(?:(?P<m>{_N})(?:个|個)?月(?:又|零)?)?(?:(?P<d>{_N})日)?"
_PERIOD_RE = re.compile(PERIOD)

# the answer line: 刑期:18个月 / 刑期:1年6个月 / 刑期:无期 / 刑期:死刑 / 刑期:死缓
_TERM_LINE = re.compile(rf"刑期\s*[:：]\s*(?:(?P<special>无期|無期|死刑|死缓|死緩)"
                        rf"|(?P<period>{_N}\s*(?:年|(?:个|個)?月)[^\n]*))")
_EXECUTE = re.compile(r"(?:决定执行|合并执行|決定執行|應執行|应执行)")
# a death sentence: with a stay (死刑，缓期二年执行 / 死缓) or without (死刑); at each place the stay
# is tried first, and the first death mention competes with the other penalties by position
_DEATH = re.compile(r"(?P<stay>死刑[，,]?\s*缓期\s*(?:二|两|2|貳|兩)\s*年执行"
                    r"|死刑[，,]?\s*緩期\s*(?:二|兩|2|貳)\s*年執行|死缓|死緩)|死刑")
# a death penalty named after a negation in its own clause is not imposed
# (不符合适用死缓的条件，判处有期徒刑十五年 / 判处无期徒刑，不判处死缓 / 对其不适用死刑)
_NEGATION = re.compile(r"不|未|没有|沒有|无须|無須|无需")
_FIXED = re.compile(rf"(?P<p>有期徒刑|拘役|管制)(?P<period>{PERIOD})")
_PROBATION = re.compile(rf"(?:缓刑|緩刑)(?P<period>{PERIOD})")
# an amount as judgments write it: 2000, 2,000 / 2，000 (thousands separators), 1.3万, 二千, 壹仟
_AMOUNT = rf"(?:[0-9０-９]{{1,3}}(?:[,，][0-9]{{3}})+|[0-9０-９]+(?:\.[0-9]+)?|{NUM})"
AMOUNT = _AMOUNT
_FINE = re.compile(rf"(?:罚金|罰金)(?:人民币|人民幣)?(?:新臺幣|新台币|新台幣)?(?P<n>{_AMOUNT})(?P<unit>万|萬)?元")
_POLITICAL = re.compile(rf"剥夺政治权利(?P<t>终身|(?:{_N})年)|褫奪公權(?P<tw>終身|(?:{_N})年)")


def _months(m: re.Match) -> int | None:
    """Months in a PERIOD match; days round to months (拘役伍拾日 → 2), at least 1."""
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    if not (y or mo or d):
        return None
    total = (to_int(y) * 12 if y else 0) + (to_int(mo) if mo else 0)
    if d:
        total += max(1, round(to_int(d) / 30))
    return total


def _days_only(m: re.Match) -> int:
    """The days of a period written in days alone (拘役伍拾日 → 50), else 0."""
    return to_int(m.group("d")) if m.group("d") and not (m.group("y") or m.group("m")) else 0


def _amount(n: str, unit: int) -> int:
    """Yuan in an amount: '2，000' → 2000, '1.3' 万 → 13000, '二千' → 2000."""
    if "." in n:
        return round(float(n.translate(_FULLWIDTH)) * unit)
    return to_int(n) * unit


def period_months(text: str) -> int | None:
    """Months in a period string (三年 → 36, 一年六个月 → 18, 陸月 → 6); None if it is not one."""
    m = _PERIOD_RE.fullmatch(text)
    return _months(m) if m else None


def _period_after(regex: re.Pattern, text: str) -> int | None:
    for m in regex.finditer(text):
        months = period_months(m.group("period"))
        if months is not None:
            return months
    return None


# a fine the sentence imposes: 罚金 right after 并处 / 单处 / 判处 / 处 / 併科 / 科 / 决定执行, at the head of a
# clause of the penalty (判处有期徒刑五年，罚金人民币二万元), or listed after another property penalty
# (并处没收财产三万元、罚金三千元); never one paid or credited (已缴纳的罚金…予以冲抵, 预交罚金, 尚欠罚金)
_IMPOSING = re.compile(rf"(?:^|(?:处|處|科|执行|執行)|(?:处|處|科){IN_CLAUSE}*、)$")


def _imposed_fines(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """The fines (in 元) the text imposes between start and end, in order."""
    out = []
    for m in _FINE.finditer(text, start, len(text) if end is None else end):
        if _IMPOSING.search(clause_before(text, m.start()).strip()):
            out.append(_amount(m.group("n"), 10000 if m.group("unit") else 1))
    return out


def _fine(text: str, ex: re.Match | None) -> int:
    """The fine executed. One count: its fine. 数罪并罚 (决定执行 / 應執行): the fine stated with the
    executed penalty; when it states none, the counts' fines still apply and are added (刑法 §69:
    附加刑仍须执行, 种类相同的合并执行; 最高法《关于适用财产刑若干问题的规定》第三条: 罚金数额相加), except
    beside 没收全部财产, which alone is executed (同条: 并处没收全部财产的，只执行没收财产刑). A 总和 (sum
    of the terms) restating a fine is no count."""
    if not ex:
        return next(iter(_imposed_fines(text)), 0)
    executed = _imposed_fines(text, ex.end())
    if executed:
        return executed[0]
    tail = SENTENCE_END.search(text, ex.end())
    if re.search(r"没收(?:个人|個人)?全部财产|沒收(?:個人)?全部財產",
                 text[ex.end():tail.start() if tail else len(text)]):
        return 0
    bounds = [0, *(m.end() for m in SENTENCE_END.finditer(text, 0, ex.start())), ex.start()]
    return sum(f for a, b in zip(bounds, bounds[1:]) if "总和" not in text[a:b] and "總和" not in text[a:b]
               for f in _imposed_fines(text, a, b))


def parse_sentence(text: str) -> dict | None:
    """Read the penalty of one defendant from judgment-style text; None if there is none.

    Order of authority: an explicit answer line (刑期:N个月) wins; otherwise the executed term
    after 决定执行 / 應執行 (数罪并罚); otherwise the first principal penalty in the text.
    """
    if not text:
        return None
    ex = _EXECUTE.search(text)
    fine = _fine(text, ex)
    # 数罪并罚: the probation stated with the executed term; an earlier 缓刑 belongs to a count or to
    # a former judgment whose suspension is revoked (撤销…缓刑二年…的缓刑执行部分，决定执行…)
    # a 缓刑 in a sentence that revokes one (撤销…宣告缓刑五年的执行部分) is not this sentence's either
    probation = next((months for m in _PROBATION.finditer(text, ex.end() if ex else 0)
                      if (months := period_months(m.group("period"))) is not None
                      and not re.search("撤销|撤銷", sentence_before(text, m.start()))), 0)
    pol = _POLITICAL.search(text)
    political = ""
    if pol:
        political = (pol.group("t") or pol.group("tw")).replace("終身", "终身")

    line = _TERM_LINE.search(text)
    if line and line.group("special"):
        special = line.group("special")
        if special in ("死缓", "死緩"):
            return sentence("death", fine=fine, principal="死缓", political_rights=political)
        kind = "death" if special == "死刑" else "life"
        return sentence(kind, fine=fine, political_rights=political)
    if line:  # the alternative group: a period (刑期:1年6个月 …)
        pm = _PERIOD_RE.match(line.group("period").replace(" ", ""))
        months = _months(pm) if pm else None
        if months is not None:
            return sentence("fixed" if months else "none", months, probation, fine, political_rights=political)

    scope = text[ex.end():] if ex else text
    death = next((m for m in _DEATH.finditer(scope)
                  if not _NEGATION.search(clause_before(scope, m.start()))), None)
    life = re.search(r"无期徒刑|無期徒刑", scope)
    fixed = _FIXED.search(scope)
    fixed_months = _period_after(_FIXED, scope)
    # the first penalty named in the scope is the one that applies
    found = [(m.start(), k) for m, k in ((death, "death"), (life, "life"), (fixed, "fixed")) if m]
    if found:
        kind = min(found)[1]
        if kind == "death":
            return sentence("death", fine=fine, principal="死缓" if death.group("stay") else "死刑",
                            political_rights=political)
        if kind == "life":
            return sentence("life", fine=fine, principal="无期徒刑", political_rights=political)
        if fixed_months is not None:
            first = next(m for m in _FIXED.finditer(scope) if period_months(m.group("period")) is not None)
            days = _days_only(_PERIOD_RE.fullmatch(first.group("period")))
            return sentence("fixed", fixed_months, probation, fine, first.group("p"), political, days)
    if re.search(r"免[予于](?:刑事)?(?:处罚|處罰)|免刑", text):
        return sentence("none", fine=fine, political_rights=political)
    if fine:
        return sentence("none", fine=fine, political_rights=political)
    return None
