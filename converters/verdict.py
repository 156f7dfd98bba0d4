"""Labels from a judgment's verdict, per defendant: who, which charges, which penalty.

Mainland verdicts (判决如下：) name each defendant before the conviction — "一、被告人张三犯盗窃罪，
判处有期徒刑…；二、被告人李四犯…"; short Taiwan-style parts read the same way ("王大明犯竊盜罪，
處有期徒刑陸月…"; full 司法院 主文 are read by converters/verdict_tw.py). A defendant's part runs
from his conviction to the next defendant's; the penalty in it is read by
lawfactory.parse.terms.parse_sentence (数罪并罚: the executed term after 决定执行 / 應執行), the charges
are every 犯…罪 in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lawfactory.parse.charges import parse_charges
from lawfactory.parse.clauses import IN_CLAUSE, IN_SENTENCE, SENTENCE_MARKS
from lawfactory.parse.terms import AMOUNT, PERIOD, parse_sentence
from lawfactory.records import RecordError, Skip

_NAME = r"[^\s\u3000，,。；;：:、（()）\d][^\s\u3000，,。；;：:、（()）]{0,11}?"
# 当事人 paragraph: "被告人张三，男，…" / "被告人王某某（绰号…），…" / "被告人：侯某，…" /
# "被告人（附带民事诉讼被告人）郑某，…"; masked names may end in a digit (冶某1)
_CN_DEFENDANT = re.compile(rf"(?:^|(?<=[\n。\s]))被告人[：:]?(?:[（(][^（()）\n]{{1,20}}[）)])?"
                           rf"(?P<name>{_NAME})(?=[，,（(。\s])", re.M)
# Taiwan drug verdicts name the offence without 犯…罪: "蔡文雄施用第二級毒品，累犯，處有期徒刑參月"
_BARE_OFFENCE = r"(?P<c>[\u4e00-\u9fff]{2,20}?)[，,](?=[^。；]{0,20}?(?:處|判处|判處))"
# a corporate defendant's conviction (被告单位某公司犯…罪，判处罚金…): never part of a person's verdict
_UNIT_CONVICTION = re.compile(rf"被告单位(?P<name>{IN_CLAUSE}{{1,60}}?)(?:共同)?犯")
# a numbered verdict item: "一、" at a line or sentence start
_ITEM_START = re.compile(rf"(?:^|(?<=[{SENTENCE_MARKS}]))[ \t\u3000]*[一二三四五六七八九十]+、", re.M)
# numbering left at a part's edge: "二、", "（二）", "(2)"
_ITEM_EDGE = re.compile(r"^[\s\u3000]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])|"
                        r"(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])[\s\u3000]*$")


def defendants_cn(parties: str) -> list[str]:
    """Natural-person defendants named in the 当事人 block, in order (被告单位 are not persons).
    A name the defendant gave himself (被告人自报刘某, 自称…) is the name without 自报."""
    found = list(dict.fromkeys(re.sub(r"^(?:自报|自称)(?=..)", "", m.group("name"))
                               for m in _CN_DEFENDANT.finditer(parties)))
    # "被告人潘某曾因犯…罪，" after "被告人潘某，男，…" is no new defendant: a name that another name
    # begins, continued by what a sentence says of him (曾, 因, 现, 于, 系, 被…), is dropped (张某某 beside 张某 stays)
    return [n for n in found if not any(n != o and n.startswith(o) and re.match(r"[曾因于系被在犯又已涉现]", n[len(o):])
                                        for o in found)]


def shared_names(parties: str, names: list[str]) -> set[str]:
    """Names two defendants carry (masked alike: two 被告人刘某丁，… introductions): their verdict parts
    cannot be told apart."""
    return {n for n in names if len(re.findall(rf"被告人[：:]?{re.escape(n)}[，,（(]", parties)) > 1}


def split_by_defendant(verdict: str, names: list[str]) -> dict[str, str]:
    """{name: that defendant's part of the verdict}, for the defendants it convicts (an acquitted
    one is absent). The verdict is cut into its numbered items (一、二、…; one item when
    unnumbered); within an item each conviction (被告人X犯 / X共同犯 / X犯 / 被告人X、(被告人)Y犯)
    runs to the next one (or to a corporate defendant's: 被告单位Y犯…，判处罚金 is never a person's);
    a conviction naming several defendants is part of each one's.
    An item convicting no one (退赔, 没收) goes to every defendant it names, or to all if it names
    none. One defendant: the whole verdict."""
    return {n: "\n".join(t for t, _ in pieces if t) for n, pieces in _pieces(verdict, names).items()}


def _pieces(verdict: str, names: list[str]) -> dict[str, list[tuple[str, str | None]]]:
    """{name: [(verdict text, the text his penalty is read from)]}: the two differ only where one
    conviction of several defendants gives their penalties 分别 (respectively); the reading is None
    where those penalties cannot be paired with the names."""
    if len(names) == 1 and not _UNIT_CONVICTION.search(verdict):
        return {names[0]: [(verdict.strip(), verdict.strip())]} if _conviction(verdict, names[0]) else {}
    bounds = sorted({0, *(m.start() for m in _ITEM_START.finditer(verdict))})
    items = [verdict[a:b] for a, b in zip(bounds, bounds[1:] + [len(verdict)])]
    parts: dict[str, list[tuple[str, str | None]]] = {}
    general = []
    longest = sorted(names, key=len, reverse=True)
    for item in items:
        # every conviction is a boundary: two defendants masked alike (刘某丁 twice) each end the other's part
        starts = _groups(item, names)
        units = [(m.start(), ()) for m in _UNIT_CONVICTION.finditer(item)]  # a unit's part ends a person's
        if not starts:
            if item.strip() and not units:
                general.append(item)
            continue
        bounds = sorted(starts + units)
        for (start, group), nxt in zip(bounds, bounds[1:] + [(len(item), ())]):
            text = _clean(item[start:nxt[0]])
            for name, reading in _apportion(text, group).items():
                parts.setdefault(name, []).append((text, reading))
    for item in general:
        named = named_in(item, longest)
        for name in parts:
            if not named or name in named:
                parts[name].append((_clean(item), _clean(item)))
    return {n: parts[n] for n in names if n in parts}


def _clean(part: str) -> str:
    return _ITEM_EDGE.sub("", part).strip().rstrip("；;")


def named_in(text: str, longest: list[str]) -> set[str]:
    """The defendants a text names, `longest` sorted longest first (张某 is not named by 张某某)."""
    found = set()
    for n in longest:
        if n in text:
            found.add(n)
            text = text.replace(n, "\x00")
    return found


# what follows a convicted defendant's name: 犯 (共同犯, 又犯), or a bare offence and then the penalty (處…)
_AFTER_NAME = re.compile(rf"(?:共同|又)?犯|{_BARE_OFFENCE}")
_TITLE_BEFORE = ("被告人", "被告")


def _longer(name: str, names: list[str]) -> list[str]:
    """What follows the name where a longer defendant's name begins with it (王某 → ['某'] beside 王某某)."""
    return [n[len(name):] for n in names if n != name and n.startswith(name)]


def _name_re(name: str, names: list[str]) -> str:
    """The name as a pattern that does not match the start of a longer defendant's name."""
    rest = _longer(name, names)
    return re.escape(name) + (f"(?!{'|'.join(map(re.escape, rest))})" if rest else "")


def _occurrences(text: str, name: str, names: list[str]) -> list[int]:
    """Where the name stands in the text, never where it begins a longer defendant's name (王某 in
    王某某). Found with str.find: a pattern per name costs more to compile than to run."""
    out, i, rest = [], text.find(name), _longer(name, names)
    while i >= 0:
        if not any(text.startswith(r, i + len(name)) for r in rest):
            out.append(i)
        i = text.find(name, i + 1)
    return out


# a former judgment quoted by this one: a clause that opens with 撤销 (…刑事判决中对被告人X犯Y罪，判处…
# 缓刑四年的缓刑部分), or 对被告人X犯Y罪…的(缓刑)(执行)部分; the convictions in it are not this verdict's
_REVOKED = re.compile(
    rf"(?:^|(?<=[。；;：:\n、，,]))[ \t\u3000]*(?:依法|并|並)?撤[销銷]{IN_SENTENCE}*?(?:的[^，,。；;\n]{{0,8}}?部分|"
    rf"(?=[{SENTENCE_MARKS}])|$)"
    rf"|对(?:被告人|被告)?[^，,。；;\n]{{1,12}}?犯{IN_SENTENCE}*?的[^，,。；;\n]{{0,8}}?部分", re.M)


def _quoted(text: str) -> list[range]:
    """The spans of the text that quote a former judgment (_REVOKED)."""
    return [range(m.start(), m.end()) for m in _REVOKED.finditer(text)]


# between the names of defendants convicted together: 张三、李四 / 张三、被告人李四
_CHAIN_LINK = re.compile(r"、(?:被告人|被告)?")


def _groups(text: str, names: list[str]) -> list[tuple[int, tuple[str, ...]]]:
    """Each conviction in the text: where it starts (at 被告人 / 被告 when the first name has it) and
    the defendants it convicts: one, or several listed before one 犯 (被告人张三、李四犯…). A former
    judgment the verdict quotes (撤销…对被告人X犯…的缓刑部分) convicts no one here."""
    at_name = {}
    for n in sorted(names, key=len):  # a longer name at a position wins
        for i in _occurrences(text, n, names):
            at_name[i] = n
    out, chained, quoted = [], set(), _quoted(text)
    for i in sorted(at_name):
        if i in chained or any(i in span for span in quoted):
            continue
        group, end = [at_name[i]], i + len(at_name[i])
        while (link := _CHAIN_LINK.match(text, end)) and link.end() in at_name:
            chained.add(link.end())
            group.append(at_name[link.end()])
            end = link.end() + len(at_name[link.end()])
        if _AFTER_NAME.match(text, end):
            start = next((i - len(t) for t in _TITLE_BEFORE if text.startswith(t, i - len(t))), i)
            out.append((start, tuple(dict.fromkeys(group))))
    return out


def _conviction(text: str, name: str, names: list[str] = ()) -> bool:
    return any(name in group for _, group in _groups(text, list(names) or [name]))


# penalties listed for several defendants: 有期徒刑三年和二年 / 有期徒刑三年、拘役六个月 / 罚金人民币五千元、三千元;
# a bare period or amount is of the kind named before it
_LISTED = re.compile(
    rf"(?P<life>无期徒刑|無期徒刑)|(?P<death>死刑[，,]?缓期二年执行|死刑[，,]?緩期二年執行|死缓|死緩|死刑)"
    rf"|(?P<k>有期徒刑|拘役|管制|缓刑|緩刑|剥夺政治权利|褫奪公權|罚金|罰金)?(?:人民币|人民幣|新臺幣|新台币|新台幣)?"
    rf"(?P<v>(?=[0-9０-９零〇○一二三四五六七八九十百千两兩壹贰貳叁參叄肆伍陆陸柒捌玖拾廿])(?:{AMOUNT}(?:万|萬)?元|"
    rf"{PERIOD})|终身|終身)")
_LIST_KIND = {"有期徒刑": "term", "拘役": "term", "管制": "term", "缓刑": "probation", "緩刑": "probation",
              "剥夺政治权利": "political", "褫奪公權": "political", "罚金": "fine", "罰金": "fine"}


def _listed(text: str) -> dict[str, list[str]] | None:
    """The penalties a 分别 clause lists, by kind, in order (each as a penalty phrase); None when
    a value comes before any kind names it."""
    out: dict[str, list[str]] = {"term": [], "probation": [], "political": [], "fine": []}
    kind = ""
    for m in _LISTED.finditer(text):
        if m.group("life") or m.group("death"):
            out["term"].append(m.group(0))
            continue
        if not m.group("v"):
            continue
        kind = m.group("k") or kind
        if not kind:
            return None
        out[_LIST_KIND[kind]].append(("并处罚金" if _LIST_KIND[kind] == "fine" else kind) + m.group("v"))
    return out


def _apportion(text: str, group: tuple[str, ...]) -> dict[str, str | None]:
    """{name: the text his penalty is read from} for a conviction of the group. Several defendants
    get one penalty each when it says so (均 / 各判处…) or names one; with 分别 the n-th penalty of
    each kind is the n-th defendant's (张三、李四…分别判处有期徒刑三年和二年), and when a kind lists
    another number of penalties than defendants nobody's is read (None): never a guess."""
    split = re.search(r"分别|分別", text) if len(group) > 1 else None
    if not split:
        return {n: text for n in group}
    end = re.compile(r"[。\n（(]").search(text, split.end())
    listed = _listed(text[split.end():end.start() if end else len(text)])
    if not listed or len(listed["term"]) != len(group) or any(len(v) not in (0, len(group)) for v in listed.values()):
        return {n: None for n in group}
    head = text[:split.start()]
    return {n: head + "判处" + "，".join(v[i] for v in listed.values() if v) + "。" for i, n in enumerate(group)}


def charges(part: str, name: str = "") -> list[str]:
    """Bare charge names (no 罪, brackets removed), in order, each once. Without any 犯…罪, the
    offence a Taiwan verdict names right after the defendant (施用第二級毒品，…處…). A charge of a
    former judgment the verdict quotes (撤销…对被告人X犯Y罪…的缓刑部分) is not one of them."""
    found = parse_charges(_REVOKED.sub("", part))
    if not found and name:
        m = re.match(rf"(?:被告人|被告)?{re.escape(name)}(?:共同)?{_BARE_OFFENCE}", part)
        if m and not m.group("c").startswith(("犯", "處", "判", "免")):
            found.append(m.group("c"))
    return found


def _acquitted(verdict: str, name: str, names: list[str] = ()) -> str:
    """'acquitted (无罪)' when the verdict declares the defendant not guilty (被告人X无罪 / X無罪),
    'not criminally responsible (不负刑事责任)' for 被告人X不负刑事责任."""
    hit = re.search(rf"{_name_re(name, names)}{IN_SENTENCE}{{0,12}}?(?P<w>无罪|無罪|不负刑事责任|不負刑事責任)",
                    verdict)
    if not hit:
        return ""
    return "acquitted (无罪)" if "罪" in hit.group("w") else "not criminally responsible (不负刑事责任)"


def _uncharged(verdict: str, name: str, names: list[str] = ()) -> str:
    """'sentenced without a charge named' for 被告人X判处有期徒刑… (the court left out 犯…罪)."""
    return ("sentenced without a charge named (犯…罪)"
            if re.search(rf"{_name_re(name, names)}(?:判处|判處|處)", verdict) else "")


@dataclass(frozen=True)
class Defendant:
    name: str
    part: str  # the defendant's verdict text
    charges: list
    sentence: dict


def extract(verdict: str, names: list[str]) -> tuple[list[Defendant], list[str]]:
    """Every convicted defendant with charges and penalty; and why others were left out."""
    if not names:
        raise RecordError("no defendant named (被告人…) in the parties")
    pieces = _pieces(verdict, names)
    parts = {n: "\n".join(t for t, _ in p if t) for n, p in pieces.items()}
    out, left = [], [
        f"{n}: {_acquitted(verdict, n, names) or _uncharged(verdict, n, names) or 'not convicted in the verdict'}"
        for n in names if n not in parts]
    # a corporate defendant is fined, never imprisoned: no sentencing case (counted)
    left += [f"被告单位{m.group('name')}: corporate defendant (被告单位), fine only: no case"
             for m in _UNIT_CONVICTION.finditer(verdict)]
    for name in names:
        if name not in parts:
            continue
        if any(reading is None for _, reading in pieces[name]):
            left.append(f"{name}: penalties given 分别 (respectively) do not pair with the defendants named")
            continue
        part, reading = parts[name], "\n".join(r for _, r in pieces[name] if r)
        found = charges(reading, name)
        sentence = parse_sentence(reading)
        if not found:
            left.append(f"{name}: no charge (犯…罪) in the verdict")
        elif sentence is None:
            left.append(f"{name}: no penalty could be read from the verdict")
        else:
            out.append(Defendant(name, part, found, sentence))
    if not out and not parts and all(_acquitted(verdict, n, names) for n in names):
        raise Skip("all defendants acquitted (无罪 / 不负刑事责任)")
    if (not out and not parts and _UNIT_CONVICTION.search(verdict)
            and not any(_conviction(verdict, n, names) for n in names)):
        raise Skip("only corporate defendants (被告单位) convicted, no natural person")
    if not out:
        raise RecordError("no defendant with charge and penalty in the verdict (" + "; ".join(left) + ")")
    return out, left
