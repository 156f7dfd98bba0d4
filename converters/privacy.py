"""Personal data in case text: scrubbed always, defendant names optionally pseudonymized.

Published judgments are meant to be anonymized but often are not completely, and CAIL facts are cut
from the same documents: ID numbers, phones, bank accounts, e-mail addresses, plates, chat accounts,
passport numbers, house numbers and the names of victims and witnesses survive in 当事人 paragraphs,
in the facts (转账至其银行卡…) and in the evidence lists. `scrub` replaces each with a bracketed
placeholder in the jurisdiction's script and counts what it replaced by kind (the counts go to the
manifest's stats); `scrub_case` applies it to every text field of a finished case, which the
conversion stage does before a case is written anywhere (docs/privacy.md lists every rule).

Numbers are matched on a copy of the text with full-width digits, letters and signs folded to ASCII
(same length, so positions carry over), and the original characters are replaced. Each kind's
rules run in KINDS order; a match overlapping an earlier one is left alone. Legal numbers are kept:
article numbers, amounts (…元), dates, case and document numbers (（2018）鄂0106刑初98号,
苏公交罚决字〔2019〕第320000123456789号, 府社合字第0940130322號) and weights: a long digit run with a
bracketed year, 字第 or a unit around it is none of the personal kinds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from converters import person_names
from lawfactory.records import RecordError, Skip

# Full-width digits, letters and the signs numbers are written with (＋８６　１３８－…) → ASCII.
FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                       **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
                       "＋": "+", "－": "-", "＠": "@", "．": ".", "（": "(", "）": ")", "\u3000": " ",
                       "＿": "_"})

_WIDE = re.compile("[" + "".join(re.escape(c) for c in map(chr, FOLD)) + "]+")

# Taiwan document numbers: 府社合字第0940130322號函, …字第⏎  0940025367號在卷 (never a phone or account)
_DOC_BEFORE = r"(?<!字第)(?<!字第 )"
_DOC_AFTER = r"(?!\s*[號号](?:函|令|公告|卷|警|偵|侦|他|解釋|判決|裁定|在卷|附卷|書|文))"
# Mainland document and case numbers: a year in brackets, a short office or case-type code, maybe 第,
# the number and 号 (苏公交罚决字〔2019〕第320000123456789号, （2018）鄂0106刑初98号, 〔2021〕100号).
# Their spans are reserved before any rule runs: however long the number, it is not an account.
_DOC_NUMBER = re.compile(r"[〔\[(【](?:19|20)\d{2}[〕\])】](?:(?![号號])[\u4e00-\u9fff0-9]){0,12}?第?\d+ ?[号號]")
_NOT_AMOUNT = r"(?![0-9.]*(?:\.[0-9]|元|万|萬|余|餘|多|圆|圓|块|塊|克|斤|吨|噸|米|公|股|次|件|个|個|人|名))"
_SEP = r"[ -]?"  # one space or hyphen between digit groups (138-1234-5603, 330106 19850302 1234)
_DATE8 = rf"(?:18|19|20)\d{{2}}{_SEP}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_LEAD = r"(?:为|為|是|系|係|：|:|\s|“|\"|「|『|（|\()*"  # between a context word and its value

# id_number — mainland resident ID (GB 11643): 6-digit area, birth date, 3-digit sequence, check
# digit (X); the 15-digit first generation has a 2-digit year and no check digit. Taiwan 統一編號: a
# letter, 1/2 (sex) and eight digits; resident certificates: the 2021 form has 8/9 as the second
# character, the old form a second letter. A value after 身份证/身分證/統一編號 is taken whatever its form.
_ID = [
    rf"(?<![0-9A-Za-z])[1-9]\d{{5}}{_SEP}{_DATE8}{_SEP}\d{{3}}[\dXx](?![0-9A-Za-z])",
    r"(?<![0-9A-Za-z])[1-9]\d{5}[ -]?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}(?![0-9A-Za-z])",
    r"(?<![0-9A-Za-z_])[A-Za-z][1289]\d{8}(?![0-9A-Za-z])",
    r"(?<![0-9A-Za-z_])[A-Z][A-D]\d{8}(?![0-9A-Za-z])",
    (r"(?:身份证|身份證|身分證|公民身份|居民身份|统一编号|統一編號|居留证|居留證|居留證號)"
     rf"(?:号码|號碼|号|號|字号|字號)?{_LEAD}"
    r"(?P<v>[A-Za-z0-9]{8,20})(?![0-9A-Za-z])"),
]
# passport — mainland E/G + 8 digits or E + letter + 7 digits; any form after 护照/通行证.
_PASSPORT = [
    r"(?<![0-9A-Za-z_])(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7})(?![0-9A-Za-z])",
    r"(?:护照|護照|通行证|通行證|旅行证|旅行證)(?:号码|號碼|号|號)?"
    rf"{_LEAD}(?P<v>[A-Za-z]{{0,2}}\d{{7,10}})(?![0-9A-Za-z])",
]
# phone — mainland mobiles 1[3-9]x (3-4-4, with +86/0086/86), Taiwan mobiles 09xx (4-3-3, with
# +886), landlines with an area code (0571-87654321, (02)2345-6789, 02-23456789), and any number
# after 手机/电话/門號. Taiwan document numbers (府社合字第0940130322號) are not phones.
_PHONE = [
    rf"(?<![0-9A-Za-z]){_DOC_BEFORE}(?:(?:\+|00)?86[ -]?)?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}"
    rf"(?![0-9A-Za-z]){_DOC_AFTER}",
    rf"(?<![0-9]){_DOC_BEFORE}(?:(?:\+|00)?886[ -]?0?|0)9\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}}(?![0-9]){_DOC_AFTER}",
    rf"(?<![0-9]){_DOC_BEFORE}(?:0\d{{2,3}}-\d{{7,8}}|\(0\d{{1,3}}\) ?\d{{3,4}}[ -]?\d{{4}}|"
    rf"0\d-\d{{4}}-?\d{{4}})(?:(?:转|轉|分机|分機|#|-)\d{{1,5}})?(?![0-9]){_DOC_AFTER}",
    r"(?:手机|手機|电话|電話|门号|門號|联系方式|聯絡方式|行动电话|行動電話)(?:号码|號碼|号|號)?"
    rf"{_LEAD}(?P<v>\+?\d(?:[ -]?\d){{6,14}})(?![0-9]){_NOT_AMOUNT}",
]
# bank_card — cards and accounts: 12 or more digits run together (shorter runs are amounts, dates
# or document numbers; evidence tables run a card and its account together: 38 digits), 4-4-4-4(-x)
# and 4-6-5 groups, hyphenated groups of 11+ digits (012-345-678901),
# and any 6+ digit number after 卡号/账号/帳號/账户/存摺. 字第…號 numbers are Taiwan documents.
_CARD = [
    rf"(?<![0-9A-Za-z]){_DOC_BEFORE}\d{{12,40}}(?![0-9A-Za-z]){_DOC_AFTER}{_NOT_AMOUNT}",
    r"(?<![0-9])\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9])",
    r"(?<![0-9])\d{4}[ -]\d{6}[ -]\d{5}(?![0-9])",
    r"(?<![0-9-])(?=(?:\d-?){11})\d{3,6}(?:-\d{2,8}){2,3}(?![0-9-])",
    (r"(?:卡号|卡號|账号|帐号|帳號|账户|帐户|帳戶|户号|戶號|存折|存摺|银行卡|銀行卡|储蓄卡|儲蓄卡|信用卡|借记卡|"
     r"提款卡)"
    rf"(?:号码|號碼|号|號)?{_LEAD}(?P<v>\d(?:[ -]?\d){{5,29}})(?![0-9]){_NOT_AMOUNT}"),
]
# device_id — a phone's IMEI/MEID (手机串号为862470039376332): 15 digits, not a card.
_DEVICE = [r"(?:串号|串码|串號|串碼|IMEI|imei|MEID|meid)(?:号|码|號|碼)?"
           rf"{_LEAD}(?P<v>[0-9A-Fa-f]{{14,17}})(?![0-9A-Za-z])"]
# vin — a vehicle identification number (车架号 LSVAM4187C2184847): 17 letters and digits, or
# whatever follows 车架号/車身號碼/VIN.
_VIN = [
    r"(?<![0-9A-Za-z])(?=[0-9]*[A-Z])(?=[A-Z]*[0-9])[A-HJ-NPR-Z0-9]{17}(?![0-9A-Za-z])",
    r"(?:车架号|車架號|车辆识别代号|車輛識別號|車身號碼|车身号码|VIN)(?:码|碼)?"
    rf"{_LEAD}(?P<v>[A-Za-z0-9]{{10,17}})(?![0-9A-Za-z])",
]
_EMAIL = [r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"]
# im_account — QQ numbers and WeChat IDs (wxid_…, or what follows 微信号).
_IM = [
    rf"(?:QQ|qq)(?:号码|號碼|号|號|账号|帳號|帐号)?{_LEAD}(?P<v>[1-9]\d{{4,11}})(?![0-9])",
    r"(?<![0-9])(?P<v>[1-9]\d{4,11})的?(?:QQ|qq)(?:号|號|账号|帳號)",
    r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]+",
    rf"(?:微信|WeChat|wechat)(?:号|號|账号|帳號|ID|id)?{_LEAD}(?P<v>[A-Za-z][A-Za-z0-9_-]{{5,19}})(?![A-Za-z0-9_-])",
]
# plate — mainland: province character, issuing-office letter, 5 characters (6 for new-energy
# plates) with at least one digit; Taiwan: ABC-1234, AB-1234, 1234-AB, 123-ABC.
_PROVINCES = "京津沪滬渝冀豫云雲辽遼黑湘皖鲁魯新苏蘇浙赣贛鄂桂甘晋晉蒙陕陝吉闽閩贵貴粤粵青藏川宁寧琼瓊"
_PLATE = [
    rf"[{_PROVINCES}][A-HJ-NP-Z][·• ]?(?=[A-HJ-NP-Z]*\d)[A-HJ-NP-Z0-9]{{5,6}}(?![A-Za-z0-9])[挂掛学學]?",
    r"(?<![A-Za-z0-9-])(?:[A-Z]{3}-\d{3,4}|[A-Z]{2}-\d{4}|\d{4}-[A-Z]{2}|\d{3}-[A-Z]{3})(?![A-Za-z0-9-])",
]
# address — the house number after a road, lane, village or estate word: …路123号5幢2单元301室,
# …路一段122號之1 3樓, …村3组12号; or a building-unit-room number on its own (5幢2单元301室,
# 华星时代广场A座1201室: a block, unit or room may be lettered, A座, B单元, B1201室).
_LETTERED = r"[A-WYZa-wyz]{1,2}[0-9]{0,5}"  # A座, B1201室; not X (the court's mask: X幢X单元XXX室)
_UNIT = (rf"(?:(?:{_LETTERED}|[0-9一二三四五六七八九十]+)"
         r"(?:幢|栋|棟|座|号楼|號樓|楼|樓|层|層|单元|單元|门|門|室|户|戶|F|f))")
_HOUSE = (r"\d+ ?(?:[-之]\d+)? ?(?:号楼|號樓|号院|號院|[号號](?![线綫文令函卷字]))(?:之\d+)?"
          rf"(?:{_UNIT}+(?:\d{{2,4}}(?:室|房)?)?)?")
_ADDRESS = [
    # (道's lookbehind stands after it: a pattern that opens with literals is scanned for them quickly)
    (r"(?:路|街|道(?<![知说說问問叫喊答骂罵写寫报報味轨軌管渠频頻赛賽航隧通]道)|巷|弄|胡同|村|组|組|鄰|邻|小区|小區|"
     r"社区|社區|花园|花園|公寓|大厦|大廈|苑|园|園|广场|廣場|段)"
    rf"(?P<v>(?:[0-9一二三四五六七八九十]+ ?段)?(?:\d+ ?[巷弄])*{_HOUSE})"),
    rf"(?<![0-9A-Za-z])(?:{_LETTERED}|\d+)(?:幢|栋|棟|号楼|號樓|座)(?:{_UNIT}+|\d{{2,4}}(?:室|房))",
    r"(?<![0-9A-Za-z])[A-WYZa-wyz]{1,2}\d{2,5}(?:室|房)",  # a lettered room on its own: 怡景花园A233室
]

KINDS = ("email", "id_number", "passport", "phone", "device_id", "bank_card", "im_account", "plate", "vin", "address",
         "name")
# A rule that opens with a lookbehind is tried at every position; the lookahead on the characters
# a number can start with lets the scan skip Chinese text quickly (4× faster, same matches).
_RULES = {kind: [re.compile(("(?=[0-9A-Za-z+(])" if r.startswith("(?<") else "") + r) for r in rules]
          for kind, rules in (("email", _EMAIL), ("id_number", _ID), ("passport", _PASSPORT), ("phone", _PHONE),
                              ("device_id", _DEVICE), ("bank_card", _CARD), ("im_account", _IM), ("plate", _PLATE),
                              ("vin", _VIN), ("address", _ADDRESS))}

# Gates: a rule that opens with a lookbehind still costs a scan of the whole text, so each such rule
# is skipped where the text lacks what every one of its matches contains (same matches, ~3× faster).
# _RUN7: seven digits in one run with at most one space or hyphen between two (each ID, passport,
# phone and card rule needs one: 8-digit passports, 7+ digits after a landline's (area code)).
_RUN7 = re.compile(r"\d(?:[ -]?\d){6}")
_VIN17 = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_GATES = {("email", 0): "@", ("im_account", 1): ("QQ", "qq"), ("im_account", 2): "wxid_",
          ("plate", 1): "-", ("vin", 0): _VIN17, ("address", 1): tuple("幢栋棟座楼樓"), ("address", 2): ("室", "房"),
          **{(kind, i): _RUN7 for kind, rules in (("id_number", range(4)), ("passport", [0]), ("phone", range(3)),
                                                    ("bank_card", range(4))) for i in rules}}


# Every rule (names aside) needs an ASCII letter or digit in the folded text, house numbers too (路12号,
# 3幢, A座…): a text without one (a name, a Chinese-only field) skips them all.
_ANY = re.compile(r"[0-9A-Za-z]")


def _may_match(gate, folded: str) -> bool:
    """Whether `folded` holds the gate's need: a substring, one of several, or a regex's match."""
    if isinstance(gate, str):
        return gate in folded
    if isinstance(gate, tuple):
        return any(g in folded for g in gate)
    return gate.search(folded) is not None


# (kind, rule, gate or None, the group to replace: the value after a context word, or the whole match)
_PLAN = [(kind, rx, _GATES.get((kind, i)), "v" if "v" in rx.groupindex else 0)
         for kind in KINDS[:-1] for i, rx in enumerate(_RULES[kind])]


PLACEHOLDER = {
    "cn": {"email": "[电子邮箱]", "id_number": "[身份证号码]", "passport": "[证件号码]", "phone": "[电话号码]",
           "device_id": "[手机串号]", "bank_card": "[银行卡号]", "im_account": "[社交账号]", "plate": "[车牌号]",
           "vin": "[车架号]", "address": "[门牌号]", "name": "[姓名]"},
    "tw": {"email": "[電子郵件]", "id_number": "[身分證號碼]", "passport": "[證件號碼]", "phone": "[電話號碼]",
           "device_id": "[手機序號]", "bank_card": "[銀行帳號]", "im_account": "[通訊帳號]", "plate": "[車牌號碼]",
           "vin": "[車身號碼]", "address": "[門牌號碼]", "name": "[姓名]"},
}

_DIGITS, _MASKED = re.compile(r"[^0-9]"), re.compile(r"0+")


def _spans(text: str, names: set[str]) -> list[tuple[int, int, str]]:
    # runs of full-width characters folded one by one: translating the whole text costs 5× more
    folded = _WIDE.sub(lambda m: m.group().translate(FOLD), text)
    taken = bytearray(len(text))
    spans = []

    def claim(s: int, e: int, kind: str) -> None:
        if kind != "name" and _MASKED.fullmatch(_DIGITS.sub("", folded[s:e])):  # 0000000000, Ｚ000000000号: masked
            return
        if e > s and taken.find(1, s, e) < 0:
            taken[s:e] = b"\x01" * (e - s)
            spans.append((s, e, kind))

    if _ANY.search(folded) is None:  # no rule but the names' can match: skip them all
        plan = []
    else:
        plan = _PLAN
        for m in _DOC_NUMBER.finditer(folded):
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    seen: dict = {}  # gate → whether the text passes it
    for kind, rx, gate, value in plan:
        if gate is not None:
            ok = seen.get(gate)
            if ok is None:
                ok = seen[gate] = _may_match(gate, folded)
            if not ok:
                continue
        for m in rx.finditer(folded):
            claim(*m.span(value), kind)
    # a number found once (QQ号码295047017) is personal wherever else it stands (号码为295047017)
    found = {folded[s:e]: kind for s, e, kind in spans if kind != "address" and e - s >= 6}
    if found:
        first = "".join(sorted({re.escape(v[0]) for v in found}))
        rx = re.compile(rf"(?=[{first}])(?<![0-9A-Za-z]){_DOC_BEFORE}(?:"
                        + "|".join(re.escape(v) for v in sorted(found, key=len, reverse=True))
                        + rf")(?![0-9A-Za-z]){_DOC_AFTER}")
        for m in rx.finditer(folded):
            claim(*m.span(), found[m.group()])
    if names:
        rx = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
        for m in rx.finditer(text):
            claim(*m.span(), "name")
    return sorted(spans)


def scrub(text: str, jurisdiction: str = "cn", names: set[str] | None = None) -> tuple[str, Counter]:
    """Replace personal data; returns the new text and counts by kind. `names`: the victims' and
    witnesses' names to replace (default: those the text itself introduces)."""
    counts = Counter()
    if not text:
        return text, counts
    if names is None:
        names = person_names.find(text)
    out, at = [], 0
    for s, e, kind in _spans(text, names):
        out.append(text[at:s])
        out.append(PLACEHOLDER[jurisdiction][kind])
        counts[kind] += 1
        at = e
    if not out:
        return text, counts
    out.append(text[at:])
    return "".join(out), counts


# Fields (at any depth) that are identifiers or labels, not text: never rewritten. A hex document
# id (LeCaRD writId 03369511a0c1e8d7…) can hold a run of 12 digits that is not an account.
IDENTIFIERS = {"case_id", "group_id", "source", "jurisdiction", "charges", "articles", "sentence", "attitude",
               "format", "date", "case_number", "jid", "doc_id", "citations"}


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (dict, list)):
        for k, v in value.items() if isinstance(value, dict) else enumerate(value):
            if k not in IDENTIFIERS:
                yield from _strings(v)


def scrub_case(case: dict, stats: Counter, memo: dict | None = None) -> dict:
    """Every text field of a case scrubbed (facts, reasoning, verdict, defendant, meta, and any field
    a converter adds): a victim's name found in one field is replaced in all of them, the case's own
    defendants never. Counts go to stats as 'privacy: <kind> scrubbed'. `memo` keeps the results for
    the texts the cases of one judgment share (its facts and reasoning), so each is read once."""
    memo = {} if memo is None else memo

    def cached(key, compute):
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    j = case.get("jurisdiction") if case.get("jurisdiction") in PLACEHOLDER else "cn"
    defendants = [d for d in (case.get("defendant"), *((case.get("meta") or {}).get("defendants") or ())) if d]
    found = {n for s in _strings(case) for n in cached(("find", s), lambda s=s: person_names.find(s))}
    names = frozenset(n for n in found if not any(n in str(d) for d in defendants))

    def walk(value, key=None):
        if key in IDENTIFIERS:
            return value
        if isinstance(value, str):
            out, counts = cached(("scrub", value, j, names), lambda: scrub(value, j, names))
            for kind, n in counts.items():
                stats[f"privacy: {kind} scrubbed"] += n
            return out
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(case)


def converted(convert, obj, source: str, line: int, stats: Counter, *settings) -> list[dict]:
    """`convert(obj, source, line, stats, *settings)` with every case it returns scrubbed, and the message of a
    reject or skip too (a reason may quote the record: bad charge name '…'). The conversion stage
    calls every converter through this, so nothing unscrubbed reaches any file, DATA/.work included."""
    try:
        cases = convert(obj, source, line, stats, *settings)
    except (RecordError, Skip) as e:
        raise type(e)(scrub(str(e))[0]) from None
    memo: dict = {}  # one judgment's cases share their facts and reasoning
    return [scrub_case(c, stats, memo) for c in cases]


# Pseudonyms in the order defendants are listed: the ten heavenly stems, as courts do (被告人甲).
STEMS = "甲乙丙丁戊己庚辛壬癸"


def pseudonyms(names: list[str]) -> dict[str, str]:
    """Defendant names (in order of listing) → 甲, 乙, … (then 甲1, 乙1, … past ten)."""
    out = {}
    for i, name in enumerate(dict.fromkeys(names)):
        q, r = divmod(i, len(STEMS))
        out[name] = STEMS[r] + (str(q) if q else "")
    return out


def pseudonymize(text: str, mapping: dict[str, str]) -> tuple[str, int]:
    """Replace every occurrence of each name (longest first, so 张某某 wins over 张某)."""
    if not text or not mapping:
        return text, 0
    rx = re.compile("|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True)))
    return rx.subn(lambda m: mapping[m.group()], text)
