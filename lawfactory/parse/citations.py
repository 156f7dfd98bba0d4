"""The one citation parser: judgments, statutes, the evaluator and the adversarial generator all
turn citation strings into the same keys here.

    刑法第一百三十三条之一                  → 中华人民共和国刑法|133-1
    《中华人民共和国刑法》第133条之一第一款   → 中华人民共和国刑法|133-1  (paragraph 1)
    刑法第185條之3第1項 / 第 185-3 條        → 中華民國刑法|185-3        (paragraph 1)

Numbering differs across the strait: in PRC law an article (条) has paragraphs (款) with items
(项); in Taiwan law an article (條) has paragraphs (項) with items (款). A bare 第X款 after a cited
paragraph continues that article (第七十三条第二款、第三款 is §73 ¶2 and ¶3), it is never a new
article. A citation without a law name takes the last named law, or the jurisdiction's criminal law.
"""

from __future__ import annotations

import re

from lawfactory.parse.numerals import NUM, to_int
from lawfactory.records import PRC_CRIMINAL_LAW, TW_CRIMINAL_CODE, article_key, split_key

CRIMINAL_LAW = {"cn": PRC_CRIMINAL_LAW, "tw": TW_CRIMINAL_CODE}

# Short names judgments use → the full name the statute index carries.
ALIASES = {
    "cn": {"刑法": PRC_CRIMINAL_LAW, "刑事诉讼法": "中华人民共和国刑事诉讼法", "刑诉法": "中华人民共和国刑事诉讼法"},
    "tw": {"刑法": TW_CRIMINAL_CODE, "中華民國刑法": TW_CRIMINAL_CODE, "中华民国刑法": TW_CRIMINAL_CODE,
           "刑诉法": "刑事訴訟法", "刑事诉讼法": "刑事訴訟法"},
}

# Laws whose names end with an alias above but are other laws (Taiwan's military criminal code).
OTHER_LAWS = ("陸海空軍刑法", "陆海空军刑法")

_N = rf"(?:{NUM})"
_SP = r"[ 　]*"
# 第 X 条(之Y) or Taiwan's 第 X-Y 條
# (a source that drops the 条 before a paragraph, 第三十六第一款, still cites article 36)
_ARTICLE = (rf"第{_SP}(?P<num>{_N})(?:{_SP}[-－—]{_SP}(?P<dash>{_N}))?{_SP}"
            rf"(?:[条條](?:之(?P<suf>{_N}))?|(?=第{_SP}{_N}{_SP}[款项項]))")
# 项 numbers are often written in parentheses, as the statute prints them: 第一款第（一）项
_SUB = rf"第{_SP}[（(]?(?P<{{name}}>{_N})[）)]?{_SP}(?P<{{name}}u>[款项項])"
_CITE = re.compile(_ARTICLE + rf"(?:{_SUB.format(name='p1')})?(?:{_SUB.format(name='p2')})?")
# a bare 第X款/项/項 that continues the previous article
_CONT = re.compile(rf"第{_SP}[（(]?(?P<n>{_N})[）)]?{_SP}(?P<u>[款项項])")
# a law's name right before a citation: 《…》 (judicial interpretations run to ~70 characters)
# or a run of CJK ending in 法 / 条例 / 條例 / 规定 / 規則
_LAW = re.compile(r"《(?P<q>[^《》]{2,100})》|(?P<bare>[\u4e00-\u9fff]{1,20}?(?:法|条例|條例|通则|通則))$")
# words that lead into a law's name without being part of it (應依刑事訴訟法, 并依照《刑法》)
# (係犯刑法第320條: what a Taiwan judgment writes before the charge; 犯 alone is not stripped,
# 犯罪被害人保護法 starts with it)
_LEAD = re.compile(r"^(?:据上论断|據上論斷|应依|應依|依照|依据|依據|根据|根據|适用|適用|援引|违反|違反|係犯|系犯|触犯|"
                   r"觸犯|所犯|依|并|並|及|和|与|與|暨|另)+")
PARAGRAPH_UNIT = {"cn": "款", "tw": "項"}


def law_name(name: str, jurisdiction: str) -> str:
    name = _LEAD.sub("", name.strip().strip("《》")) or name
    aliases = ALIASES[jurisdiction]
    if name not in aliases:
        # a bare name takes the words before it (請完整背誦中華民國刑法, 我国刑法, 按照刑法, 核其所為係犯刑法):
        # cut it down to the longest known name it ends with, a short alias such as 刑法 included;
        # another law whose name ends the same way is known too, so it stays whole (陸海空軍刑法)
        known = [k for k in (*aliases, *aliases.values(), *OTHER_LAWS) if name.endswith(k)]
        name = max(known, key=len) if known else name
    return aliases.get(name, name)


def _sub_units(m: re.Match, jurisdiction: str) -> tuple[int | None, int | None]:
    """(paragraph, item) of a match, by each jurisdiction's unit names."""
    para = item = None
    for g in ("p1", "p2"):
        if m.group(g) is None:
            continue
        unit, n = m.group(g + "u"), to_int(m.group(g))
        if unit == PARAGRAPH_UNIT[jurisdiction] and para is None:
            para = n
        else:
            item = n
    return para, item


def _cite(law: str, number: int, suffix: int, para: int | None, item: int | None, text: str) -> dict:
    return {"law": law, "number": number, "suffix": suffix, "paragraph": para, "item": item,
            "key": article_key(law, number, suffix), "text": text}


def _continuations(prev: dict, text: str, jurisdiction: str) -> list[dict]:
    """Bare 第X款 in text after a citation, up to the sentence's end: more paragraphs of it.
    A number that is no numeral (第十十款, as model answers write) is skipped."""
    text = re.split(r"[。\n]", text, maxsplit=1)[0]
    out = []
    for c in _CONT.finditer(text):
        if c.group("u") != PARAGRAPH_UNIT[jurisdiction]:
            continue
        try:
            out.append(_cite(prev["law"], prev["number"], prev["suffix"], to_int(c.group("n")), None, c.group()))
        except ValueError:
            continue
    return out


def parse_citations(text: str, jurisdiction: str = "cn", default_law: str | None = None) -> list[dict]:
    """Every article citation in the text, in order: {law, number, suffix, paragraph, item, key, text}.

    Repeated citations are all returned (a basis paragraph may cite one article for two paragraphs).
    """
    if jurisdiction == "fr":
        return parse_citations_fr(text, default_law)
    if jurisdiction not in CRIMINAL_LAW:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}")
    law = default_law or CRIMINAL_LAW[jurisdiction]
    out: list[dict] = []
    pos = 0
    for m in _CITE.finditer(text):
        between = text[pos:m.start()]
        names = list(_LAW.finditer(between))
        named = names[-1] if names else None  # the name nearest the citation is the one it cites
        if out:  # bare 第三款 between two citations: another paragraph of the previous article
            out += _continuations(out[-1], between[:names[0].start()] if names else between, jurisdiction)
        if named:
            law = law_name(named.group("q") or named.group("bare"), jurisdiction)
        elif "。" in between:  # a new sentence without a law name: back to the default
            law = default_law or CRIMINAL_LAW[jurisdiction]
        try:
            number = to_int(m.group("num"))
            suffix = to_int(m.group("suf") or m.group("dash") or "0")
            para, item = _sub_units(m, jurisdiction)
        except ValueError:
            pos = m.end()
            continue
        out.append(_cite(law, number, suffix, para, item, m.group()))
        pos = m.end()
    if out:  # …第七十三条第二款、第三款之规定: the last citation's bare paragraphs
        out += _continuations(out[-1], text[pos:], jurisdiction)
    return out


def citation_keys(text: str, jurisdiction: str = "cn", default_law: str | None = None) -> list[str]:
    """The distinct article keys a text cites, in first-citation order."""
    return list(dict.fromkeys(c["key"] for c in parse_citations(text, jurisdiction, default_law)))


def parse_key(key: str) -> tuple[str, int | str, int]:
    """'中华人民共和国刑法|133-1' → ('中华人民共和国刑法', 133, 1); a French key keeps the code's
    number whole: 'Code …|L100-1' → ('Code …', 'L100-1', 0)."""
    law, art = split_key(key)
    number, _, suffix = art.partition("-")
    if not number.isdigit() and _FR_KEY_NUM.fullmatch(art):
        return law, art, 0
    return law, int(number), int(suffix or 0)


# French codes (legi-data, converters/statutes_fr.py). An article number keeps its part prefix —
# L (législative), LO (organique), R (décret en Conseil d'État; R* when taken after the Conseil
# des ministres), D (décret simple), A (arrêté) — and its dashes: L100-1, R*123-4, L111-1-2. Texts
# write it `article L. 100-1`, `art. L100-1`, `l'article R.* 123-4 du code …`, lists `articles
# L. 211-2 et L. 211-5`, `articles L. 211-2 à L. 211-5` (a range: both ends are returned; the
# articles between them are not known without the code), and bare numbers for codes without parts
# (`article 28-1 du code de procédure pénale`). The key is `<code title>|<number>`.
# The code cited is the one named after the list (`du code des relations entre le public et
# l'administration`, `du CRPA`, `de la loi n° 78-17 du 6 janvier 1978`); `du même code` is the one named
# before; none named, `du présent code` or `du code` is default_law (the code being read), or ""
# when none is given (a key `|L100-1`, which matches no code's article).
CRPA = "Code des relations entre le public et l'administration"
# Codes by the name a text writes (lower case); a name not listed is kept as written, capitalised.
FR_CODES = {"crpa": CRPA, **{c.lower(): c for c in (
    CRPA, "Code du travail", "Code pénal", "Code de procédure pénale", "Code civil", "Code de procédure civile",
    "Code de la sécurité sociale", "Code général des collectivités territoriales", "Code de justice administrative",
    "Code de l'environnement", "Code de l'urbanisme", "Code de commerce", "Code de la santé publique",
    "Code général des impôts", "Code des postes et des communications électroniques",
    "Code de l'entrée et du séjour des étrangers et du droit d'asile",
    "Livre des procédures fiscales")}}  # a code of Légifrance without the word
# inserted articles: a letter or a Latin ordinal after a space (`L80 A`, `1649 quater-0 B bis`), as
# legi-data writes them in `num`; a letter followed by an apostrophe is the next word (`5 L'autorité`)
_FR_SUFFIX = r"(?:\s(?:[A-Z]|bis|ter|quater|quinquies|sexies|septies|octies|nonies|decies)(?![\w'’])(?:\s?-\s?\d+)*)"
_FR_NUM = (r"(?:(?P<pre>LO|[LRDA])\s?\.?\s?(?P<star>\*)?\s?)?"
           rf"(?P<n>\d+(?:\s?-\s?\d+)*{_FR_SUFFIX}*)(?:er\b)?")
_FR_KEY_NUM = re.compile(rf"(?:LO|[LRDA])?\*?\d+(?:-\d+)*{_FR_SUFFIX}*")
_FR_ONE = re.compile(_FR_NUM)
_FR_LIST = re.compile(rf"(?i:\b(?:articles?|art\.))\s+(?P<list>{_FR_NUM}(?:\s*(?:,|\bet\b|\bà\b|\bou\b)\s*"
                      rf"{_FR_NUM.replace('?P<pre>', '?:').replace('?P<star>', '?:').replace('?P<n>', '?:')})*)")
# what names the code after the list: `du code …`, `du CRPA`, `de la loi n° …`, `du même / présent code`
_FR_LAW = re.compile(r"\s*,?\s*(?:du|de la|de l'|de l’|au|à la|de ce|de cette)\s+(?P<law>"
                     r"(?P<same>même code|présent code|code)\b(?!\s+(?:de|des|du|général|pénal|civil)\b)"
                     r"|(?P<code>code\b[^,;:.()?!«»\"\n]*|CRPA\b|livre des procédures fiscales\b)"
                     r"|(?P<act>(?:loi|ordonnance|décret)(?: organique)? n°\s?[\d-]+"
                     r"(?: du \d{1,2}(?:er)? \w+ \d{4})?))",
                     re.IGNORECASE)


_FR_NEXT = re.compile(r"\s(?:et|ou)\s+(?:(?:l'|les\s|aux?\s|à\s)\s*)?(?:articles?|art\.)")


def fr_code_name(name: str) -> str:
    """A code as a text names it → the code title the index carries (`code du travail` → `Code du
    travail`, `CRPA` → the Code des relations …); the longest known title the name starts with wins,
    so `code du travail et l'article …` is the Code du travail; an unknown name ends before `et / ou`
    + another article (`code de la route et l'article …`), not at any `et` (`… civiles et militaires`)."""
    low = re.sub(r"\s+", " ", name.replace("’", "'")).strip().lower()
    known = [k for k in FR_CODES if low == k or low.startswith(k + " ")]
    if known:
        return FR_CODES[max(known, key=len)]
    low = _FR_NEXT.split(low, maxsplit=1)[0].strip()
    return low[:1].upper() + low[1:]


def fr_article_num(token: str) -> str:
    """`L. 100-1` / `R.* 123-4` / `L100 - 1` / `L. 80 A` → `L100-1` / `R*123-4` / `L100-1` / `L80 A`
    (the index's `num`)."""
    m = _FR_ONE.fullmatch(token.strip())
    if not m:
        raise ValueError(f"not a French article number: {token!r}")
    n = re.sub(r"\s+", " ", re.sub(r"\s*-\s*", "-", m["n"]))
    return (m["pre"] or "") + ("*" if m["star"] else "") + n


_FR_BARE = re.compile(rf"(?<![\w*-]){_FR_NUM}(?![\w-])")


def fr_numbers(text: str) -> list[str]:
    """Every article number the text writes, with or without `article` before it (L. 100-1 in a
    table, 2029 in a date: a bare number is a number too), normalized as fr_article_num."""
    return [fr_article_num(m.group()) for m in _FR_BARE.finditer(text)]


def parse_citations_fr(text: str, default_law: str | None = None) -> list[dict]:
    """Every French article citation, in order: {law, number (the code's number, a string), suffix 0,
    paragraph, item (None), key, text} (see above)."""
    out: list[dict] = []
    last = default_law or ""
    for m in _FR_LIST.finditer(text):
        tail = _FR_LAW.match(text, m.end())
        law = default_law or ""
        if tail and tail["code"]:
            law = last = fr_code_name(tail["code"])
        elif tail and tail["act"]:
            law = last = re.sub(r"\s+", " ", tail["act"]).strip()
        elif tail and tail["same"] and tail["same"].lower() == "même code":
            law = last
        start = m.start("list")
        for one in _FR_ONE.finditer(m["list"]):
            num = fr_article_num(one.group())
            out.append({"law": law, "number": num, "suffix": 0, "paragraph": None, "item": None,
                        "key": f"{law}|{num}", "text": text[m.start():start + one.end()]})
    return out
