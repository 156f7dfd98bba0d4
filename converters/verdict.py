"""Labels from a judgment's verdict, per defendant: who, which charges, which penalty.

Mainland verdicts (判决如下：) name each defendant before the conviction — "一、被告人张三犯盗窃罪，
判处有期徒刑…；二、被告人李四犯…"; short Taiwan-style parts read the same way ("王大明犯竊盜罪，
處有期徒刑陸月…"; full 司法院 主文 are read by converters/verdict_tw.py). A defendant's part runs
from his conviction to the next defendant's; the penalty in it is read by
lawfactory.terms.parse_sentence (数罪并罚: the executed term after 决定执行 / 應執行), the charges
are every 犯…罪 in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lawfactory.charges import parse_charges
from lawfactory.records import RecordError, Skip
from lawfactory.terms import parse_sentence

_NAME = r"[^\s\u3000，,。；;：:、（()）\d][^\s\u3000，,。；;：:、（()）]{0,11}?"
# 当事人 paragraph: "被告人张三，男，…" / "被告人王某某（绰号…），…" / "被告人：侯某，…" /
# "被告人（附带民事诉讼被告人）郑某，…"; masked names may end in a digit (冶某1)
_CN_DEFENDANT = re.compile(rf"(?:^|(?<=[\n。\s]))被告人[：:]?(?:[（(][^（()）\n]{{1,20}}[）)])?(?P<name>{_NAME})(?=[，,（(。\s])", re.M)
# Taiwan drug verdicts name the offence without 犯…罪: "蔡文雄施用第二級毒品，累犯，處有期徒刑參月"
_BARE_OFFENCE = r"(?P<c>[\u4e00-\u9fff]{2,20}?)[，,](?=[^。；]{0,20}?(?:處|判处|判處))"
# a corporate defendant's conviction (被告单位某公司犯…罪，判处罚金…): never part of a person's verdict
_UNIT_CONVICTION = re.compile(r"被告单位(?P<name>[^，,。；;：:\n]{1,60}?)(?:共同)?犯")
# a numbered verdict item: "一、" at a line or sentence start
_ITEM_START = re.compile(r"(?:^|(?<=[\n。；;]))[ \t\u3000]*[一二三四五六七八九十]+、", re.M)
# numbering left at a part's edge: "二、", "（二）", "(2)"
_ITEM_EDGE = re.compile(r"^[\s\u3000]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])|(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])[\s\u3000]*$")


def defendants_cn(parties: str) -> list[str]:
    """Natural-person defendants named in the 当事人 block, in order (被告单位 are not persons).
    A name the defendant gave himself (被告人自报刘某, 自称…) is the name without 自报."""
    found = list(dict.fromkeys(re.sub(r"^(?:自报|自称)(?=..)", "", m.group("name")) for m in _CN_DEFENDANT.finditer(parties)))
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
    unnumbered); within an item each conviction (被告人X犯 / X共同犯 / X犯) runs to the next one
    (or to a corporate defendant's: 被告单位Y犯…，判处罚金 is never a person's).
    An item convicting no one (退赔, 没收) goes to every defendant it names, or to all if it names
    none. One defendant: the whole verdict."""
    if len(names) == 1 and not _UNIT_CONVICTION.search(verdict):
        return {names[0]: verdict.strip()} if _conviction(verdict, names[0]) else {}
    bounds = sorted({0, *(m.start() for m in _ITEM_START.finditer(verdict))})
    items = [verdict[a:b] for a, b in zip(bounds, bounds[1:] + [len(verdict)])]
    parts: dict[str, list[str]] = {}
    general = []
    longest = sorted(names, key=len, reverse=True)
    for item in items:
        # every conviction is a boundary: two defendants masked alike (刘某丁 twice) each end the other's part
        starts = sorted((at, n) for n in names for at in _convictions(item, n, names))
        units = [(m.start(), "") for m in _UNIT_CONVICTION.finditer(item)]  # a unit's part ends a person's
        if not starts:
            if item.strip() and not units:
                general.append(item)
            continue
        bounds = sorted(starts + units)
        for (start, name), nxt in zip(bounds, bounds[1:] + [(len(item), "")]):
            if name:
                parts.setdefault(name, []).append(_clean(item[start:nxt[0]]))
    for item in general:
        named = named_in(item, longest)
        for name in parts:
            if not named or name in named:
                parts[name].append(_clean(item))
    return {n: "\n".join(p for p in parts[n] if p) for n in names if n in parts}


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


def _convictions(text: str, name: str, names: list[str] = ()) -> list[int]:
    """Where each conviction of the name starts (at 被告人 / 被告 when the name has it); never where
    the name is the start of a longer defendant's (王某 in 王某某犯…). Found with str.find and one
    compiled pattern: a pattern per name costs more to compile than to run."""
    out, i, rest = [], text.find(name), _longer(name, names)
    while i >= 0:
        if not any(text.startswith(r, i + len(name)) for r in rest) and _AFTER_NAME.match(text, i + len(name)):
            out.append(next((i - len(t) for t in _TITLE_BEFORE if text.startswith(t, i - len(t))), i))
        i = text.find(name, i + 1)
    return out


def _conviction(text: str, name: str, names: list[str] = ()) -> bool:
    return bool(_convictions(text, name, names))


def charges(part: str, name: str = "") -> list[str]:
    """Bare charge names (no 罪, brackets removed), in order, each once. Without any 犯…罪, the
    offence a Taiwan verdict names right after the defendant (施用第二級毒品，…處…)."""
    found = parse_charges(part)
    if not found and name:
        m = re.match(rf"(?:被告人|被告)?{re.escape(name)}(?:共同)?{_BARE_OFFENCE}", part)
        if m and not m.group("c").startswith(("犯", "處", "判", "免")):
            found.append(m.group("c"))
    return found


def _acquitted(verdict: str, name: str, names: list[str] = ()) -> str:
    """'acquitted (无罪)' when the verdict declares the defendant not guilty (被告人X无罪 / X無罪),
    'not criminally responsible (不负刑事责任)' for 被告人X不负刑事责任."""
    hit = re.search(rf"{_name_re(name, names)}[^。；;\n]{{0,12}}?(?P<w>无罪|無罪|不负刑事责任|不負刑事責任)", verdict)
    if not hit:
        return ""
    return "acquitted (无罪)" if "罪" in hit.group("w") else "not criminally responsible (不负刑事责任)"


def _uncharged(verdict: str, name: str, names: list[str] = ()) -> str:
    """'sentenced without a charge named' for 被告人X判处有期徒刑… (the court left out 犯…罪)."""
    return "sentenced without a charge named (犯…罪)" if re.search(rf"{_name_re(name, names)}(?:判处|判處|處)", verdict) else ""


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
    parts = split_by_defendant(verdict, names)
    out, left = [], [f"{n}: {_acquitted(verdict, n, names) or _uncharged(verdict, n, names) or 'not convicted in the verdict'}"
                     for n in names if n not in parts]
    # a corporate defendant is fined, never imprisoned: no sentencing case (counted)
    left += [f"被告单位{m.group('name')}: corporate defendant (被告单位), fine only: no case"
             for m in _UNIT_CONVICTION.finditer(verdict)]
    for name in names:
        if name not in parts:
            continue
        part = parts[name]
        found = charges(part, name)
        sentence = parse_sentence(part)
        if not found:
            left.append(f"{name}: no charge (犯…罪) in the verdict")
        elif sentence is None:
            left.append(f"{name}: no penalty could be read from the verdict")
        else:
            out.append(Defendant(name, part, found, sentence))
    if not out and not parts and all(_acquitted(verdict, n, names) for n in names):
        raise Skip("all defendants acquitted (无罪 / 不负刑事责任)")
    if not out and not parts and _UNIT_CONVICTION.search(verdict) and not any(_conviction(verdict, n, names) for n in names):
        raise Skip("only corporate defendants (被告单位) convicted, no natural person")
    if not out:
        raise RecordError("no defendant with charge and penalty in the verdict (" + "; ".join(left) + ")")
    return out, left
