"""Who a Taiwan 主文 convicts, of what, and to which penalty, defendant by defendant.

Header. The parties stand one per line: a label with its letters spread (被　　　告, 選任辯護人,
公　訴　人, 自訴人, 輔佐人, 上　一　人 …) and a name; a line holding only a name continues the
label above it (several defendants under one 被告, several lawyers under one 辯護人). Only the
names under 被告 / 被告人 are defendants; the first word after the label is the name (`丙○○　男
四十歲` → 丙○○). Masked names (甲○○, 乙○) are names like any other. A name the header writes
with an unknown private-use character (□) takes the spelling the 主文 gives it.

主文. Sentences (。；, line ends) that open with one or more defendants' names (`一、`, `被告`
allowed before them; `丁○○、己○○共同…各處…` names two) start those defendants' clauses; a
sentence that names nobody first (`緩刑參年。`, `又連續公然侮辱人，處拘役肆拾日`) continues the
clause before it. A defendant is convicted when his clause carries a penalty (處 / 科 …, 免刑),
acquitted when it says 無罪, otherwise left out with the reason.

Penalty. lawfactory.parse.terms.parse_sentence reads the clause after three Taiwan readings:
- `如易科罰金，以參佰元折算壹日` / `易服勞役…折算壹日` are conversion rates, and `向公庫（國庫）
  支付新臺幣…元` a condition of probation: neither is a fine, both are dropped before reading;
- `處有期徒刑肆月，減為有期徒刑貳月` (減刑條例): the reduced term is the one served;
- two sentences executed separately (`處有期徒刑參月；又…處拘役肆拾日`, no 應執行): the first.

Charges. Each 犯…罪 of the clause (`犯公職人員選舉罷免法第九十九條第一項之交付賄賂罪` → 交付賄賂).
A clause that describes the conduct instead (`對於有投票權之人，交付賄賂，而約其投票權為一定之
行使，處…`) takes the offences the 理由 finds for this defendant (`核被告甲○○所為，係犯…之投票
行賄罪`; a finding naming no defendant counts for all); failing that, the conduct itself.
"""

from __future__ import annotations

import re

from converters.tw_text import SP, indent, spread, width
from converters.verdict import Defendant
from lawfactory.parse.charges import parse_charges
from lawfactory.parse.clauses import SENTENCE, SENTENCE_MARKS
from lawfactory.parse.terms import PERIOD, parse_sentence
from lawfactory.records import RecordError

_DEFENDANT_LABELS = ("被告人", "被告")
_OTHER_LABELS = ("公訴人", "自訴人", "聲請人", "選任辯護人", "指定辯護人", "辯護人", "輔佐人", "自訴代理人",
                 "代理人", "複代理人", "上訴人", "被上訴人", "原告", "通譯", "法官", "書記官", "檢察官")
# 上一人 / 上二人共同 / 右一人 / 共同: a remark on the lines above, not a party
_REMARK = re.compile(rf"^{SP}(?:[上右]{SP}[\d一二三四五六七八九十０-９]+{SP}人|共{SP}同|即{SP}被{SP}告)")
_LABEL = re.compile(rf"^{SP}(?:(?P<def>{'|'.join(spread(w) for w in _DEFENDANT_LABELS)})"
                    rf"|(?P<other>{'|'.join(spread(w) for w in sorted(_OTHER_LABELS, key=len, reverse=True))}))"
                    r"(?=[ \t\u3000]|$)")
_HEAD_END = re.compile(rf"^{SP}(?:上|右)(?:{SP}列)?{SP}(?:被告|被上訴人|上訴人|自訴人)|^{SP}(?:上|右)列|案件")
_NAME = re.compile(r"[^\s\u3000，,。（(：:、]{1,16}")
_NOT_A_NAME = re.compile(r"律師$|電話|地址|編號|身分證|住所|居所|^(?:男|女|民國|住|身分證|國民|送達|居|籍設|即)$|"
                         r"^(?:民國|住|身分證|國民|送達|籍設)|\d")


def header_defendants(head: str) -> list[str]:
    """Defendants named in the header, in order. A line continues the label above it when its
    name starts in the label's name column (address lines wrapped further right are not names)."""
    names: list[str] = []
    current, column = None, 0  # the label the next name-only line continues, its name column
    for line in head.split("\n"):
        if not line.strip(" \t\u3000"):
            continue
        if _HEAD_END.search(line) and not _LABEL.match(line):
            break
        m = _LABEL.match(line)
        if m:
            current = "def" if m.group("def") else "other"
            rest = line[m.end():]
            column = width(line[:m.end()]) + indent(rest)
        elif _REMARK.match(line):
            current = "other" if "即" not in _REMARK.match(line).group() else "def"
            continue
        elif line[:1] in " \t\u3000" and current and abs(indent(line) - column) <= 1:
            rest = line
        else:
            continue
        rest = re.sub(r"^([ \t\u3000]*[\u4e00-\u9fff])\u3000([\u4e00-\u9fff])(?=[ \t\u3000]|$)", r"\1\2", rest)
        name = _NAME.search(rest)
        if (current == "def" and name and not _NOT_A_NAME.search(name.group())
                and rest[name.end():name.end() + 1] not in ("：", ":")):
            n = re.split(r"即|\(|（", name.group())[0] or name.group()  # 甲○○即鍾宋秀玉: an alias
            masked = re.match(r"^[^○Ｏ〇]{1,3}[○Ｏ〇]+", n)  # Ｌ○○起訴書誤植…: a remark after the name
            names.append(masked.group() if masked else n)
    return list(dict.fromkeys(names))


def resolve_names(names: list[str], verdict: str) -> list[str]:
    """A name with □ (a character the source could not encode) takes the 主文's spelling."""
    out = []
    for n in names:
        if "□" in n:
            pat = "".join("[\u4e00-\u9fff]" if c == "□" else re.escape(c) for c in n)
            m = re.search(pat, verdict)
            n = m.group() if m else n
        out.append(n)
    return out


# a masked name opening a 主文 sentence: 甲○○, 乙○, Ｊ○○, 巳○○○
_MASKED_SUBJECT = re.compile(rf"(?:^|(?<=[{SENTENCE_MARKS}]))[ \t\u3000]*(?:[一二三四五六七八九十]+、|"
                             r"[（(][一二三四五六七八九十\d]+[）)])?"
                             r"(?:被告人?)?【?(?P<n>[\u4e00-\u9fffＡ-Ｚ][○Ｏ〇]{1,3})(?![○Ｏ〇])")


# a real name opening a 主文 sentence, before what a conviction or acquittal clause says next
_NAMED_SUBJECT = re.compile(rf"(?:^|(?<=[{SENTENCE_MARKS}]))[ \t\u3000]*(?:[一二三四五六七八九十]+、)?(?:被告人?)?【?"
                            r"(?![又並均各其另如扣未緩褫應所前上本若])(?P<n>[\u4e00-\u9fff]{2,4}?)】?(?=共同|連續|犯|"
                            r"意圖|有投票權|對於|無罪|被訴|預備|公訴)")


def verdict_names(header: list[str], verdict: str) -> tuple[list[str], list[str]]:
    """(the defendants, header names dropped). Masking is not always consistent: a header can
    keep real names the body masks (header 詹日新, 主文 乙○○), or mask names the 主文 writes out
    (header 丁○○, 主文 邱廷銘). When header names are missing from the 主文 and the 主文 opens
    sentences with names the header lacks, those are the defendants (a case is named as its
    clause names him), and the header names the 主文 never writes are dropped."""
    missing = [n for n in header if n not in verdict]
    subjects = [m.group("n") for m in _MASKED_SUBJECT.finditer(verdict)]
    if missing:
        subjects += [m.group("n") for m in _NAMED_SUBJECT.finditer(verdict)]
    extra = [n for n in dict.fromkeys(subjects) if n not in header and not any(n in h or h in n for h in header)]
    if not extra:
        return header, []
    return [n for n in header if n in verdict] + extra, missing


_LEAD = re.compile(rf"^{SP}(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])?{SP}(?:被告人?)?【?")


def _subjects(segment: str, longest: list[str]) -> list[str]:
    """The defendants a sentence opens with: 甲○○ / 甲○○、乙○○ / 甲○○及乙○○."""
    rest = _LEAD.sub("", segment, count=1)
    found = []
    while True:
        n = next((n for n in longest if rest.startswith(n)), None)
        if not n:
            return found
        found.append(n)
        rest = rest[len(n):].lstrip("】")
        sep = re.match(r"^(?:、|，|及|與|暨)(?:被告)?【?", rest)
        if not sep or not any(rest[sep.end():].startswith(m) for m in longest):
            return found
        rest = rest[sep.end():]


def _joint(seg: str, subjects: list[str], longest: list[str]) -> dict[str, str]:
    """A sentence shared by several defendants gives each the whole sentence, unless it names
    them again before their own penalty (`辛○○、Ｅ○○共同…，辛○○處有期徒刑壹年拾月，Ｅ○○處
    有期徒刑壹年`): then each gets the shared conduct and his own penalty part."""
    if len(subjects) < 2:
        return {n: seg for n in subjects}
    alt = "|".join(map(re.escape, longest))
    own = list(re.finditer(rf"(?:{alt})(?:[、及與](?:{alt}))*(?=(?:均|各)?[處科免])", seg))
    own = [m for m in own if m.start() > 0]
    if not own:
        return {n: seg for n in subjects}
    shared = seg[:own[0].start()]
    out = {}
    for m, nxt in zip(own, own[1:] + [None]):
        part = seg[m.start():nxt.start() if nxt else len(seg)]
        for n in _subjects(m.group(), longest):
            out[n] = shared + part
    return {n: out.get(n, seg) for n in subjects}


def clauses(verdict: str, names: list[str]) -> dict[str, str]:
    """{name: every 主文 sentence about him} (a shared sentence goes to each of its subjects). A
    sentence opening with a name that is not a defendant's starts a clause that goes to no one."""
    longest = sorted(names, key=len, reverse=True)
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for seg in SENTENCE.findall(verdict):
        if not seg.strip():
            continue
        subjects = _subjects(seg, longest)
        if subjects:
            current = subjects
        elif _MASKED_SUBJECT.match(seg) or _NAMED_SUBJECT.match(seg):
            current = []  # someone the header does not name: never another defendant's text
        for n, text in _joint(seg.strip(), current, longest).items():
            out.setdefault(n, []).append(text)
    return {n: "".join(parts) for n, parts in out.items()}


# conversion rates and probation conditions that name money without being a fine
_RATE = re.compile(r"[，,]?[^，,。；]{0,6}易(?:科罰金|服勞役)[^。；]*?折算[壹一1]日")
_PAYMENT = re.compile(r"向(?:公庫|國庫|[^，,。；]{0,20}?)支付[^，,。；]*?元")
_TERM = re.compile(rf"(?:有期徒刑|拘役)(?:{PERIOD})")
_PENALTY = re.compile(r"處[^。；]{0,6}?(?:有期徒刑|拘役|罰金|無期徒刑|死刑)|科[^。；]{0,4}罰金|免刑|免除其刑|應執行")


def penalty_text(clause: str) -> str:
    """The clause with rates, probation payments and pre-reduction terms taken out."""
    text = _RATE.sub("", clause)
    text = _PAYMENT.sub("", text)
    # each 減為 replaces the last term stated before it (since the previous 減為)
    out, done = "", 0
    for m in re.finditer("減為", text):
        before = text[done:m.start()]
        terms = [t for t in _TERM.finditer(before) if t.group(1) or t.group(2) or t.group(3)]
        if terms:
            before = before[:terms[-1].start()] + before[terms[-1].end():]
        out += before + "減為"
        done = m.end()
    return out + text[done:]


def read_sentence(clause: str) -> dict | None:
    if not _PENALTY.search(clause):
        return None
    return parse_sentence(penalty_text(clause))


_NOT_CHARGE = re.compile(r"附表|所示|如主文|各罪|數罪|本罪|其罪|此罪|前開|上開|同罪")
# the conduct a 主文 describes: after the subject's name and its 共同 / 連續, up to the penalty
_CONDUCT = re.compile(r"^(?:共同|連續|又)*(?P<c>.+?)[，,](?:各|均)?(?:處|科|免刑)")


_CHARGE_LEAD = re.compile(r"^(?:所犯|犯|同條|同法|同項|本條|前項|第[\d一二三四五六七八九十]+項|之)+")


def _charges(text: str) -> list[str]:
    """犯…罪 names, with what a citation left in front (同條第2項之, 所犯) or behind (之) taken off."""
    out = []
    # 預備犯…交付賄賂罪: the preparation is the offence (選罷法 §99 II)
    text = re.sub(r"預備犯([^，。；]*?)之?([^，。；之]*?罪)", r"犯\1之預備\2", text)
    for c in parse_charges(text):
        c = _CHARGE_LEAD.sub("", c).removesuffix("之")
        if c and not _NOT_CHARGE.search(c):
            out.append(c)
    return list(dict.fromkeys(out))


def finding_sentences(reasons: str) -> list[str]:
    """The 理由's sentences (up to 。 or a line end) that find an offence: `核被告所為，係犯刑法第
    320條第1項之竊盜罪`. A split, not a regex with a lazy lead (`[^。\n]*?係犯`), which retries
    from every character of a long sentence and was the converter's main cost."""
    return [s for s in reasons.replace("\n", "。").split("。") if "係犯" in s]


def findings(reasons: str, name: str, names: list[str]) -> list[str]:
    """Offences the 理由 finds for this defendant: 係犯 sentences naming him; with one defendant,
    those about 被告 too (`核被告所為，係犯…`; not `收受者係犯…`, about someone else)."""
    others = [n for n in names if n != name]
    mine, general = [], []
    for s in finding_sentences(reasons):
        if name in s:
            mine += _charges(s)
        elif len(names) == 1 and "被告" in s and not any(n in s for n in others):
            general += _charges(s)
    return list(dict.fromkeys(mine or general))


def conduct(clause: str, names: list[str]) -> str:
    """The conduct a 主文 clause describes: its comma parts before the penalty, names left out."""
    parts = []
    for part in re.split(r"[，,]", _LEAD.sub("", clause, count=1)):
        if re.search(r"處|科|免刑|[。；]", part):
            break
        for n in sorted(names, key=len, reverse=True):
            part = part.replace(n, "")
        part = re.sub(r"^[、及與]*(?:共同|連續|又)*", "", part)
        if part and part not in ("累犯", "未遂"):
            parts.append(part)
    # the act itself: without whom it is done to (對於有投票權之人) and what for (而約其投票權…)
    acts = [x for x in parts if not re.match(r"^(?:預備)?(?:對於?)?有(?:投票|選舉)權(?:之)?人$|^而", x)]
    if len(parts) > 1 and len(acts) == 1:
        prepared = "預備" if parts[0].startswith("預備") and not acts[0].startswith("預備") else ""
        return prepared + acts[0]
    text = "，".join(parts)
    return text if len(text) <= 60 else ""


def clause_charges(clause: str, name: str, names: list[str], reasons: str) -> list[str]:
    """The clause's 犯…罪; else the 理由's findings for him; else the conduct it describes."""
    found = _charges(clause) or findings(reasons, name, names)
    if found:
        return found
    # one conduct per count: a count after the first opens with 又 (又有投票權之人，收受賄賂，…處…)
    counts = re.split(r"[；;。]\s*又|，又(?=[^，。；]*[，,])", clause)
    described = [c for c in (conduct(x, names) for x in counts) if c]
    return list(dict.fromkeys(described))


def not_convicted(clause: str) -> str:
    """Why a 主文 clause convicts no one, when it says: 無罪, or 免訴 / 不受理 ("" otherwise)."""
    if "無罪" in clause:
        return "acquitted (無罪)"
    if re.search(r"免訴|不受理", clause):
        return "not convicted (免訴 / 不受理)"
    return ""


def extract_tw(verdict: str, names: list[str], reasons: str) -> tuple[list[Defendant], dict[str, str]]:
    """(convicted defendants with charges and penalty, {name: why another one yields no case})."""
    if not names:
        raise RecordError("no defendant named (被告…) in the header")
    parts = clauses(verdict, names)
    out, other = [], {}
    for name in names:
        clause = parts.get(name, "")
        sentence = read_sentence(clause)
        if sentence is None:
            if not_convicted(clause):
                other[name] = not_convicted(clause)
            elif not clause:
                other[name] = "not named in the 主文"
            elif "附表" in clause:
                other[name] = "penalty only in an attached table (附表)"
            else:
                other[name] = "no penalty could be read from the 主文"
            continue
        found = clause_charges(clause, name, names, reasons)
        if not found:
            other[name] = "no charge could be read from the 主文 or the 理由"
            continue
        out.append(Defendant(name, clause, found, sentence))
    return out, other
