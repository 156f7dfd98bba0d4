"""The term an LLM's answer states: what models actually write, read without ever raising.

LawBench 3-4 / 3-5 ask for `[刑期]N月<eoa>`; models write that, `刑期：1年6个月`, `判处有期徒刑
三年，缓刑三年`, `36 months`, a whole judgment, the statute, an echo of the prompt, or noise.
`read_answer(text)` returns {sentence, code, range, rule, reason}: `sentence` is a
records.sentence (None = an abstention), `rule` the reading that decided, `reason` why an
abstention is one. The rules, in order (docs/answers.md says why):

1. Only this question's answer is read: the text is cut at 请你回答 / 请回答 / 回答:; leading
   blocks that only echo the prompt (the one-shot demonstration, a restated question) are
   dropped, the first block left is the answer, later ones are continuations. The instruction's
   example 例如[刑期]12月<eoa> is removed.
2. Cues, in this order: the requested slot `[刑期]…`; the executed term (决定执行); answer cues
   (刑期: / 刑期为 / 答案: / 判决: / sentence: …); verdict verbs (判处 / 判决 / 改判), a cue in a
   conclusion (因此 / 综上) before earlier reasoning. Each is read up to the end of its clause;
   the first that states a term, a range or a refusal (无法判断 → abstain) decides. A statute
   band or an unreadable number does not decide (a chosen term may follow). Skipped: cues
   qualified by 最高 / 最低 / 法定, English statute prose (Whoever … shall be sentenced to), past
   sentences (曾…), statute classes
   (判处无期徒刑的罪犯), recommendations (建议判处…) the answer does not adopt.
3. Otherwise the verdict, read by terms.parse_sentence on the text with statute language
   masked (_STATUTE_CLAUSE).
4. Otherwise a short answer that is nothing but a term (`18个月`, `3 years`).

A statute-style band (三年以下有期徒刑, 三年以上七年以下) states no prediction: an abstention.
Markdown is read as text (tables as `label: value`, ** and __ dropped). Half a month rounds up
(10个半月 → 11). A range the model chose (3至5年, 3-5年, 三到五年, 有期徒刑八个月至一年) is scored at its log-midpoint
sqrt((lo+1)(hi+1)) − 1, the point whose CAIL / LawBench distance |ln(g+1) − ln(p+1)| to the
farther end of the range is smallest. Probation (缓刑), dates, amounts and article numbers are
never the term. Numerals longer than 6 characters, digit runs over 4 and terms over 50 years
are unreadable (degenerate repetition): an abstention.
"""

from __future__ import annotations

import math
import re
import unicodedata

from lawfactory.parse.clauses import IN_CLAUSE
from lawfactory.parse.numerals import to_int
from lawfactory.parse.terms import parse_sentence
from lawfactory.records import sentence, sentence_code

MAX_CHARS = 20000  # answers are read up to here (max_new_tokens-sized answers are far shorter)
MAX_MONTHS = 600  # 50 years: no sentence is longer (PRC 数罪并罚 caps fixed terms at 25 years)

_CN = "零〇一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾佰仟"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"
_MONTH = r"(?:个|個)?\s*(?:月|months?\b)"
_YEAR = r"(?:年|years?\b)"
# one period: 1年6个月, 一年又六个月, 3年半, 半年, 18个月, 10个半月, 18月, 40天, 3 years and 6 months
# (上半年 / 下半年 are halves of a calendar year: dates)
_PERIOD = re.compile(
    rf"(?P<y>{_NUM})\s*{_YEAR}(?:\s*(?:又|零|and|,)?\s*(?P<ym>{_NUM})\s*{_MONTH}|(?P<half>半))?"
    rf"|(?<![上下前后本今去明当])(?P<hy>半)\s*年"
    rf"|(?P<m>{_NUM})\s*(?:(?:个|個)\s*(?P<mh>半)\s*月|{_MONTH})|(?P<d>{_NUM})\s*(?:天|日|days?\b)", re.IGNORECASE)
_LINK = r"\s*(?:至|到|-|~|～|—|－|–|to)\s*"
_OPEN_AFTER = re.compile(r"\s*(?:以下|以上|以内|之下|之上|左右以下|or (?:less|more))", re.IGNORECASE)
_OPEN_BEFORE = re.compile(r"(?:不满|不超过|不少于|不低于|不高于|最多|最少|最高|最低|至少|至多|up to|at least|"
                          r"not (?:more|less) than|no (?:more|less) than|more than|less than|over|under)\s*$",
                          re.IGNORECASE)
_PROBATION = re.compile(r"(?:缓刑|緩刑|缓期|考验期|probation)", re.IGNORECASE)
_REFUSAL = re.compile(r"无法|不能确定|不确定|难以|未知|不清楚|cannot|unable|无期限")
_LIFE = re.compile(r"无期|無期|life imprisonment", re.IGNORECASE)
_DEATH_STAY = re.compile(r"死缓|死緩|死刑[，,]?\s*缓期|死刑[，,]?\s*緩期")
_DEATH = re.compile(r"死刑|death", re.IGNORECASE)
_EXEMPT = re.compile(r"免予刑事处罚|免于刑事处罚|免除刑事处罚|免予刑事處罰|不予刑事处罚|免予处罚|免于处罚|免刑|无罪|"
                     r"無罪|not guilty", re.IGNORECASE)
_PRINCIPAL = re.compile(r"有期徒刑|拘役|管制")
_PENALTY_WORD = r"(?:有期徒刑|徒刑|拘役|管制|无期|死刑|罚金|life imprisonment|imprisonment|detention|death)"
_ALTERNATIVES = re.compile(rf"{_PENALTY_WORD}[^，,。;；]{{0,12}}(?:或者|或|\bor\b)"
                           rf"|(?:或者|或|\bor\b)\s*{_PENALTY_WORD}", re.IGNORECASE)

# the requested slot, then cues that introduce a stated term
_SLOT = re.compile(r"[\[【]\s*刑期\s*[\]】]")
_EXECUTED = re.compile(r"决定执行|合并执行|應執行|应执行|决定合并执行")  # 数罪并罚: the merged term
# 刑期 may carry its unit (刑期（月）：24, the bare number then being months) or markdown left over
_CUE = re.compile(r"(?:判决|判處|判处|预测|宣告|执行|應|应当?)?刑期(?:[*|\s]|\((?:单位:)?个?月\))*(?:应当?|应该|可能|"
                  r"大概|约)?\s*(?:[:>=]|为|是|為|在)"
                  r"|答案?\s*(?:[:]|为|是)|量刑\s*[:为]|判决(?:结果)?\s*[:为是]|(?:主刑|刑罚)\s*:"
                  r"|sentence\s*(?:[:]|is|of)|sentenced to|\b(?:answer|prediction)\s*:|imprisonment of"
                  r"|\bsentence (?:him|her|them|the \w+)(?: \w+)? to", re.IGNORECASE)
_VERB = re.compile(r"判处|判决(?!如下|书)|改判|处以")  # a verdict verb before the penalty (判处六个月的有期徒刑)
# (tier, regex): the slot, the executed term, answer cues, verdict verbs
_TIERS = ((0, _SLOT), (1, _EXECUTED), (2, _CUE), (3, _VERB))
_CONCLUSION = re.compile(r"(?:因此|综上|所以|故|最终|总之)[^。\n]{0,30}$")
_PAST = re.compile(r"曾|前科")  # a past sentence (曾因…被判处; …刑满释放 in its sentence), not this answer's
# 判处无期徒刑的罪犯 / 判处死刑的除外: a class in the statute (判处六个月的有期徒刑 is a term)
_RELATIVE = re.compile(r"^(?:有期徒刑|无期徒刑|死刑缓期执行|死刑|拘役|管制|[、和及或者\s])+"
                       r"的(?!有期徒刑|徒刑|拘役|管制)")
_PROSECUTION_ADVICE = re.compile(r"量刑建议|(?:公诉|检察|控方)[^。\n]*建议")
_RECOMMENDED = re.compile(r"建议")  # a prosecutor's recommendation, unless the answer adopts it (采纳)
_QUALIFIED = re.compile(r"(?:最高|最低|法定|起刑|基准|幅度|范围|上限|下限)\S{0,2}$", re.IGNORECASE)
# English statute prose names its subject (Whoever steals…, shall be sentenced to…); a modal alone
# (the defendant should be sentenced to 2 years) is the answer's prediction, and a statute band
# after it (not more than three years) reads as a band anyway
_ENGLISH_STATUTE = re.compile(r"\b(?:whoever|any(?:one| person) who|those who)\b[^.\n]*$"
                              r"|\b(?:if|where)\b[^.\n]*\bshall\b[^.\n]*$", re.IGNORECASE)
# a cue is read to the end of its clause; a comma ends it too unless what follows belongs to the
# same sentence (缓刑…, 并处…, 剥夺政治权利…, 免予处罚); a parenthesis is a remark (刑期自…起计算)
_SHORT_WORDS = re.compile(r"刑期|判处|有期徒刑|徒刑|拘役|管制|无期|無期|死刑|死缓|缓期二年执行|免予刑事处罚|免刑|以下|"
                          r"以上|至|到|约|为|是|应|左右|[:>\-~]|imprisonment|in prison|of|and|life|death|sentence|to",
                          re.IGNORECASE)
_WINDOW_END = re.compile(r"<|\n|[\[【(（]|。|；|;|#|[,，](?!\s*(?:缓刑|緩刑|缓期|緩期|并处|並處|剥夺|褫奪|考验期|免予|"
                         r"免于|免除刑事|probation))")
_POLITICAL_SPAN = re.compile(rf"(?:剥夺政治权利|褫奪公權)\s*(?:终身|終身|{_NUM}\s*年)?")
# spaces, colons, tags such as <eoa> and an opening bracket (刑期为【36个月】) before the value
_LEAD = re.compile(r"^(?:[ \t]|[:>【\[]|<[a-z]{2,4}>)*")
_EXAMPLE = re.compile(r"(?:例如|比如|例：|例:|如：)\s*$")
_INSTRUCTION_EXAMPLE = re.compile(r"(?:例如|比如)\s*[\[【]\s*刑期\s*[\]】][^<\n]{0,12}(?:<eoa>)?")
_QUESTION = re.compile(r"请你回答|请回答|回答\s*[:：]")
_RESTATED = re.compile(r"事实\s*[:：]|罪名\s*[:：]|### 问题")

# statute language masked before the verdict reading
_CLAUSE = re.compile(f"{IN_CLAUSE}+")
# (a past sentence: 曾…, 因…罪被判处…, 刑满释放; 被告人被判处… alone is the answer's verdict;
# 建议判处: a prosecutor's recommendation; 可以…: the statute's discretion; …的罪犯 / 犯罪分子: a class of offenders)
_STATUTE_CLAUSE = re.compile(r"以上|以下|不满|以内|或者|或|曾|因[^，,。]*被判|刑满|释放|建议|可以|罪犯|犯罪分子|期间|"
                             r"不能|不得|除外|最高|最低|法定|减为|期满|假释|减刑|的$|^\s*处")


_TABLE_ROW = re.compile(r"^\s*\|(.*?)\|?\s*$")
_TABLE_RULE = re.compile(r"^[\s|:\-]*-[\s|:\-]*$")  # |---|:---:|
_TERM_HEADER = re.compile(r"刑期|刑罚|量刑|判决|sentence|term", re.IGNORECASE)


def normalize(text: str) -> str:
    """Full-width forms to ASCII (：→:, １→1), CRLF to LF, at most MAX_CHARS; markdown read as
    text: tables as `label: value` lines, emphasis (**, __) dropped."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).replace("\r\n", "\n").replace("\r", "\n")
    if "|" in text:
        text = _tables(text)
    # **刑期**：24个月 (masks such as 1995年**月 lose nothing readable); between digits a separator (3_10月)
    return re.sub(r"[*_]+", lambda m: " " if text[m.start() - 1:m.start()].isdigit()
                  and text[m.end():m.end() + 1].isdigit() else "", text)


def _tables(text: str) -> str:
    """Markdown table rows as text. A row of cells reads `a: b: c` (| 刑期 | 24个月 | → 刑期: 24个月);
    under a header that names the term (| 罪名 | 刑期 |), each cell is paired with its header
    (罪名: 盗窃罪；刑期: 24个月), so the value follows its label in both layouts."""
    out, header = [], None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        row = _TABLE_ROW.match(line)
        if not row:
            out.append(line)
            header = None
            continue
        if _TABLE_RULE.match(line):
            continue
        cells = [c.strip() for c in row.group(1).split("|")]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if header is None and _TABLE_RULE.match(nxt) and _TERM_HEADER.search(row.group(1)):
            header = cells
            continue
        if header is not None and len(cells) == len(header):
            out.append("；".join(f"{h}: {c}" for h, c in zip(header, cells)))
        else:
            out.append(": ".join(c for c in cells if c))
    return "\n".join(out)


def _int(token: str) -> int | None:
    """A numeral token as an int, None when unreadable or degenerate (一千一千…, 25 digits)."""
    token = token.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        whole = token.split(".")[0]
        return None if len(whole) > 4 else int(whole)
    if len(token) > 6:
        return None
    try:
        return to_int(token)
    except (ValueError, OverflowError):
        return None


def _whole(x: float) -> int:
    """A term in whole months, a half rounding up: 10个半月 and 10.5个月 are 11, 75天 is 3."""
    return math.floor(x + 0.5)


def _number(token: str) -> float | None:
    token = token.strip()
    return float(token) if re.fullmatch(r"\d{1,3}\.\d+", token) else _int(token)


def _months(m: re.Match) -> int | None:
    """Months of a _PERIOD match; None when unreadable or implausible."""
    g = m.groupdict()
    if g["hy"]:
        return 6
    if g["y"]:
        years = _number(g["y"])
        if years is None or years > 1000:  # a year like 2014 is a date, not a term
            return None
        total = _whole(years * 12)
        if g["ym"]:
            extra = _int(g["ym"])
            if extra is None:
                return None
            total += extra
        if g["half"]:
            total += 6
    elif g["m"]:
        months = _number(g["m"])
        total = None if months is None else _whole(months + (0.5 if g["mh"] else 0))
    else:
        d = _int(g["d"])
        total = None if d is None else max(1, _whole(d / 30))
    if total is None or total > MAX_MONTHS:
        return None
    return total


def _is_date(text: str, m: re.Match) -> bool:
    """2014年1月, 6月15日, 1月份: a date, not a term."""
    after = text[m.end():m.end() + 3]
    if m.group("d") and re.search(r"(?:月|号)\s*$", text[:m.start()]):
        return True
    if m.group("y") and re.fullmatch(r"\d{4}", m.group("y").strip()):
        return True
    return bool(m.group("m") and not re.search(r"(?:个|個)", m.group(0))
                and re.match(r"\s*(?:\d+|[一二三四五六七八九十]+)\s*日|份|初|底|中旬|下旬|上旬", after))


def _periods(text: str) -> list[tuple[re.Match, int | None]]:
    return [(m, _months(m)) for m in _PERIOD.finditer(text) if not _is_date(text, m)]


class Reading(dict):
    """What one cue's text states: kind point / range / open / special / refusal, or nothing."""


def read_value(text: str) -> Reading | None:
    """Read the term a cue's text states; None when it states nothing term-like."""
    t = _POLITICAL_SPAN.sub(" ", text).strip()  # 剥夺政治权利三年 is no term
    if "=" in t:  # a sum written out (2年+1年=3年): the total
        t = t.rsplit("=", 1)[1]
    if re.match(r"\s*多少|\s*几", t) or not t:
        return None
    if re.match(r"[×xX*＊]{2}", t):  # 判处××: the term is masked
        return Reading(kind="unreadable")
    if _ALTERNATIVES.search(t):  # 拘役、有期徒刑或者无期徒刑: the statute's list of penalties, no choice made
        return Reading(kind="open")
    stay = _DEATH_STAY.search(t)
    specials = [(m.start(), k) for m, k in ((_LIFE.search(t), "life"), (stay or _DEATH.search(t), "death"),
                                            (_EXEMPT.search(t), "exempt")) if m]
    periods = _periods(t)
    first_period = periods[0][0].start() if periods else len(t)
    if specials and min(specials)[0] < first_period:
        kind = min(specials)[1]
        if kind == "death":
            return Reading(kind="special", sentence=sentence("death", principal="死缓" if stay else "死刑"))
        if kind == "life":
            return Reading(kind="special", sentence=sentence("life", principal="无期徒刑"))
        return Reading(kind="special", sentence=sentence("none"))
    if not periods:
        if re.fullmatch(r"\d+", t):  # a bare number in the slot: the prompt asks for months
            months = _int(t)
            if months is None or months > MAX_MONTHS:
                return Reading(kind="unreadable")
            return Reading(kind="point", months=months, probation=0, principal="")
        if _REFUSAL.search(t):
            return Reading(kind="refusal")
        return None
    m, months = periods[0]
    if months is None:
        return Reading(kind="unreadable")
    probation = next((mo for p, mo in periods[1:] if mo is not None and _PROBATION.search(t[m.end():p.start()])), 0)
    if _PROBATION.search(t[max(0, m.start() - 4):m.start()]):  # 缓刑2年 alone: no principal term stated
        return Reading(kind="probation_only")
    before, after = t[:m.start()], t[m.end():]
    if _OPEN_BEFORE.search(before) or _OPEN_AFTER.match(after):
        # 三年以上七年以下 (the statute's band) and 三年以下 alike: no prediction
        return Reading(kind="open")
    if re.search(r"[×xX*＊]" + _LINK + "$", before):  # ××至九个月: the low end is masked
        return Reading(kind="unreadable")
    lo_bare = re.search(rf"(?P<lo>{_NUM})" + _LINK + "$", before, re.IGNORECASE)
    if lo_bare:  # 3-5年 / 三至五年: the low end carries the high end's unit
        lo = _int(lo_bare.group("lo")) if "." not in lo_bare.group("lo") else float(lo_bare.group("lo"))
        if lo is None:
            return Reading(kind="unreadable")
        return _range(_whole(lo * (12 if m.group("y") else 1)), months)
    rng = re.match(_LINK, after, re.IGNORECASE)
    hi = rng and _PERIOD.match(after, rng.end())
    if hi:  # 1年至1年6个月
        hi_months = _months(hi)
        return Reading(kind="unreadable") if hi_months is None else _range(months, hi_months)
    principal = next((p.group() for p in _PRINCIPAL.finditer(t) if abs(p.end() - m.start()) <= 2
                      or abs(m.end() - p.start()) <= 2), "")
    days = (_int(m.group("d")) or 0) if m.group("d") else 0  # 拘役四十天: the days as stated too
    return Reading(kind="point", months=months, probation=probation, principal=principal, days=days)


def _range(lo: int, hi: int) -> Reading:
    lo, hi = min(lo, hi), max(lo, hi)
    if hi > MAX_MONTHS:
        return Reading(kind="unreadable")
    mid = round(math.sqrt((lo + 1) * (hi + 1)) - 1)
    return Reading(kind="range", lo=lo, hi=hi, months=mid, probation=0, principal="")


def _first_block(text: str) -> str:
    """The block that answers this question. Text is cut at 请你回答 / 请回答 / 回答: (the prompt's
    cue for a question or an answer). Leading blocks that are only an echo are dropped: empty ones,
    and a restated question (事实… / ### 问题) that ends in an answer slot (the one-shot
    demonstration) or is followed by 回答:. The first block left is the model's answer; what
    follows it is a continuation (a new question the model invents) and is not read."""
    pieces = _QUESTION.split(text)
    cues = [m.group() for m in _QUESTION.finditer(text)]
    for i, block in enumerate(pieces):
        nxt = cues[i] if i < len(cues) else ""
        if i < len(cues) and (not re.search(r"[\w\u4e00-\u9fff]", block) or (
                _RESTATED.search(block) and (_SLOT.search(block) or "回答" in nxt and "请" not in nxt))):
            continue
        return block
    return ""


def _sentence_around(text: str, start: int, end: int) -> str:
    a = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    b = min([i for i in (text.find("。", end), text.find("\n", end)) if i >= 0] or [len(text)])
    return text[a:b]


def _cues(text: str):
    """(tier, not a conclusion, position, window) of every usable answer cue, in reading order:
    tier first, within a tier a cue after 因此 / 综上 first, then text order."""
    out = []
    for tier, regex in _TIERS:
        for m in regex.finditer(text):
            before = text[max(0, m.start() - 10):m.start()]
            if _EXAMPLE.search(before[-4:]) or (tier >= 2 and _QUALIFIED.search(before)) or (
                    re.match(r"[a-z]", m.group(), re.IGNORECASE)
                    and _ENGLISH_STATUTE.search(text[max(0, m.start() - 200):m.start()])):
                continue
            window = _window(text, m.end())
            if tier == 3:
                start = max(text.rfind(c, 0, m.start()) for c in "，,。；;：:\n") + 1
                sent = _sentence_around(text, m.start(), m.end())
                if (_PAST.search(text[start:m.start()]) or re.search(r"刑满|释放", sent) or _RELATIVE.search(window)
                        or _after_condition(text, m.start())
                        or (_RECOMMENDED.search(sent) and "采纳" not in sent)):
                    continue
            conclusion = tier >= 2 and bool(_CONCLUSION.search(text[max(0, m.start() - 40):m.start()]))
            out.append((tier, not conclusion, m.start(), window))
    return sorted(out)


def _window(text: str, pos: int) -> str:
    """The value a cue at pos introduces, up to the end of its clause (答案：<eoa>12月<eod> → 12月)."""
    window = _LEAD.sub("", text[pos:pos + 80])
    end = _WINDOW_END.search(window)
    return window[:end.start()] if end else window


def _after_condition(text: str, pos: int) -> bool:
    """The clause at pos follows a condition ending in 的 (…情节特别严重的，处死刑): the statute."""
    start = max(text.rfind(c, 0, pos) for c in "，,。；;：:\n")
    return start > 0 and text[:start].rstrip().endswith("的")


def _mask_statute(text: str) -> str:
    """Blank the clauses that quote the statute or past sentences (same length, positions kept)."""
    return _CLAUSE.sub(lambda c: " " * len(c.group())
                       if _STATUTE_CLAUSE.search(c.group()) or _after_condition(text, c.start())
                       or _recommended(text, c.start(), c.end()) else c.group(), text)


def _recommended(text: str, start: int, end: int) -> bool:
    """The clause is part of the prosecution's recommendation (量刑建议：有期徒刑六个月至一年；公诉机关
    建议…判处…，…判处…) that the sentence does not adopt (采纳). A model's own 建议…判处 is its answer."""
    sent = _sentence_around(text, start, end)
    return bool(_PROSECUTION_ADVICE.search(sent)) and "采纳" not in sent


def _result(s: dict | None, rule: str, reason: str = "", rng: list[int] | None = None) -> dict:
    return {"sentence": s, "code": sentence_code(s) if s else None, "range": rng, "rule": rule,
            "reason": reason if s is None else ""}


def _from_reading(r: Reading, rule: str) -> dict:
    if r["kind"] == "special":
        return _result(r["sentence"], rule)
    if r["kind"] in ("point", "range"):
        months = r["months"]
        principal = r["principal"] if r["principal"] in ("有期徒刑", "拘役", "管制") else ""
        s = sentence("fixed" if months else "none", months, r["probation"], principal=principal if months else "",
                     days=r.get("days", 0) if months else 0)
        return _result(s, rule, rng=[r["lo"], r["hi"]] if r["kind"] == "range" else None)
    reason = {"open": "statute range", "refusal": "declined", "unreadable": "unreadable number",
              "probation_only": "probation only"}[r["kind"]]
    return _result(None, rule, reason)


def _verdict(text: str) -> dict | None:
    masked = _mask_statute(text)
    try:
        s = parse_sentence(masked)
    except (ValueError, OverflowError):  # a degenerate numeral inside a penalty phrase
        return _result(None, "verdict", "unreadable number")
    if s is None:
        return None
    if s["kind"] == "fixed" and s["months"] > MAX_MONTHS:
        return _result(None, "verdict", "unreadable number")
    if s["kind"] == "fixed":  # 有期徒刑八个月至一年 is read as its low end there: a chosen range, as after a cue
        r = _first_stated(masked)
        if r is not None and r["kind"] == "range" and r["lo"] == s["months"]:
            return _from_reading(r, "verdict")
    if s["kind"] == "none" and not re.search(r"免予|免于|免除|免刑|单处|單處", masked):  # a fine alone is no verdict
        return None
    if s["probation_months"] > MAX_MONTHS or s["fine"] >= 2 ** 53:
        s = {**s, "probation_months": min(s["probation_months"], MAX_MONTHS), "fine": 0}
    return _result(s, "verdict")


def _first_stated(text: str) -> Reading | None:
    """What follows the first principal penalty (有期徒刑 / 拘役 / 管制) that states a term."""
    for p in _PRINCIPAL.finditer(text):
        r = read_value(_window(text, p.end()))
        if r is not None and r["kind"] in ("point", "range"):
            return r
    return None


def _short(text: str) -> dict | None:
    """An answer that is nothing but a term (18个月, 3 years, 无期徒刑)."""
    # a full stop ends the answer; a dot between digits is a decimal point (1.5年 is 18 months)
    core = re.sub(r"<[^>]{0,8}>|[\s,，!！\"'“”]|[。.](?!\d)|(?<!\d)[。.]", "", text)
    if not core or len(core) > 24:
        return None
    rest = _SHORT_WORDS.sub("", _PERIOD.sub("", core))  # what is left besides the term and its words
    if len(rest) > 2:
        return None
    r = read_value(core)
    if r is None or r["kind"] in ("unreadable",):
        return None
    return _from_reading(r, "short answer")


def read_answer(text) -> dict:
    """The term one answer states; never raises (an unreadable answer is an abstention)."""
    if not isinstance(text, str) or not text.strip():
        return _result(None, "", "empty")
    try:
        return _read(normalize(text))
    except Exception as e:  # noqa: BLE001  the rules above are meant never to get here; if they do, it is counted
        return _result(None, "", f"parser error: {type(e).__name__}")


def _read(text: str) -> dict:
    text = _INSTRUCTION_EXAMPLE.sub(" ", _first_block(text))
    statute = None
    for tier, _, _, window in _cues(text):
        r = read_value(window)
        if r is None:
            continue
        if r["kind"] in ("open", "unreadable"):  # the statute's band, a masked term (判处××): a term may follow
            statute = statute or _from_reading(r, ("slot", "executed", "cue", "verdict")[tier])
            continue
        return _from_reading(r, ("slot", "executed", "cue", "verdict")[tier])
    v = _verdict(text)
    if v is not None:
        return v
    s = _short(text)
    if s is not None:
        return s
    return statute or _result(None, "", "no term stated")
