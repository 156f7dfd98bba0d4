"""The one citation parser: judgments, statutes, the evaluator and the adversarial generator all
turn citation strings into the same keys here.

    刑法第一百三十三条之一                  → 中华人民共和国刑法|133-1
    《中华人民共和国刑法》第133条之一第一款   → 中华人民共和国刑法|133-1  (paragraph 1)
    刑法第185條之3第1項 / 第 185-3 條        → 中華民國刑法|185-3        (paragraph 1)

Numbering differs across the strait: in PRC law an article (条) has paragraphs (款) with items
(项); in Taiwan law an article (條) has paragraphs (項) with items (款). A bare 第X款 after a cited
paragraph continues that article (第七十三条第二款、第三款 is §73 ¶2 and ¶3), it is never a new
article. A citation without a law name takes the last named law, or the jurisdiction's criminal law;
本法第X条 is the text's own law and 同法第X条 the law named before (parse_citations), and a bare name is cut
after the words it runs into (根据我国治安管理处罚法 → 治安管理处罚法, bare_law_name).
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
# or a run of CJK ending in 法 / 法典 / 条例 / 條例 / 通则 / 通則 (a bare name, cut by bare_law_name;
# 30 characters: 中华人民共和国 and a long title, 全国人民代表大会和地方各级人民代表大会选举法)
_ENDS = r"(?:法典|法|条例|條例|通则|通則)"
_LAW = re.compile(rf"《(?P<q>[^《》]{{2,100}})》|(?P<bare>[\u4e00-\u9fff]{{1,30}}?{_ENDS})$")
# Deictic names right before a citation. 本法 / 本条例 …: the law the text is or is about (not 基本法);
# 同法 / 该法 / 此法 …: the law named before it (see parse_citations).
_SELF = re.compile(r"(?<![基根])本(?:法典|法|条例|條例|规定|規定|办法|辦法|规则|規則)$")
_SAME = re.compile(r"(?:同|该|該|此)(?:法典|法|条例|條例)$")
# Words that end whatever precedes a law's name and occur in no law title (a bare name is cut after
# the last one): verbs and prepositions that lead into a citation (根据, 依照, 违反, 适用, 涉犯, 共同犯
# — not 犯罪 / 罪犯, which titles hold: 犯罪被害人保護法, 罪犯減刑條例), copulas and adverbs (是, 係,
# 又, 而, 应当, 核與), demonstratives (我国, 上開, 前揭), particles (的, 之, 於), and 或 / 以及. 和 / 及 / 与 /
# 與 / 暨 join a law to a citation, a law or a crime before it (第1項及選罷法, 誹謗罪與選罷法); inside a
# title they join its words (兒童及少年性剝削防制條例, 臺灣地區與大陸地區人民關係條例, 中华人民共和国).
# 对 is kept before 外 (对外贸易法), 为 after 行 (行为). A name that starts with 年 / 月 / 日 ends a date
# (96年罪犯減刑條例, 5月1日修正公布之…). Characters that some title holds are left out:
# 有 (国有资产法), 非 (非訟事件法), 核 (核安全法), 然 (天然氣事業法), 自 (自來水法), 再 (可再生能源法), 在.
_CUT = re.compile(
    "据上论断|據上論斷|根据|根據|依照|依据|依據|按照|遵照|参照|參照|参酌|參酌|违反|違反|违背|違背|适用|適用|援引|引用|"
    "触犯|觸犯|构成|構成|符合|核與|核与|该当|該當|涉犯|涉嫌|涉有|所犯|所涉|所為|所为|(?<!罪)犯(?!罪)|出自|引自|规定|規定|"
    "修正前|修正後|修正后|前段|後段|后段|成立|論以|论以|主張|主张|否認|否认|觀諸|揆諸|參以|参以|应当|應當|应受|應受|"
    "可以|不得|上開|上揭|前揭|前開|前述|上述|上列|我国|我國|本国|本國|以及|或者|"
    "[依按的之於于是即乃或但並并且亦又仍則则惟而另雖虽因至屬属]|(?<![关關])[係系]|对(?!外)|對(?!外)|(?<!行)[为為]|"
    "(?:^|(?<=[法例则則典罪]))(?:和|及|与|與|暨)|^[年月日]"
)
# what is left after a cut must still be a name: one character or more before its ending
_NAME = re.compile(rf".+?{_ENDS}")
# a country's name starts a title: 这是中华人民共和国道路交通安全法 → 中华人民共和国道路交通安全法
_COUNTRY = re.compile("中华人民共和国|中華人民共和國|中華民國|中华民国")
PARAGRAPH_UNIT = {"cn": "款", "tw": "項"}


def bare_law_name(name: str) -> str:
    """A bare name as the text runs into it (根据我国治安管理处罚法, 李某共同犯公職人員選舉罷免法) → the
    law's name: from a country name in it, else after the last word no title holds (_CUT), as long as
    a name is left (涉外民事关系法律适用法 is no cut at 适用: 法 alone is no name)."""
    country = [m.start() for m in _COUNTRY.finditer(name)]
    if country:
        return name[country[-1]:]
    cuts = [m.end() for m in _CUT.finditer(name) if _NAME.fullmatch(name, m.end())]
    return name[cuts[-1]:] if cuts else name


def law_name(name: str, jurisdiction: str) -> str:
    """A name as cited (《…》 content, or a bare name already cut by bare_law_name) → the index's name."""
    name = name.strip()
    aliases = ALIASES[jurisdiction]
    if name not in aliases:
        # a bare name may still hold words before a short alias (其行为符合刑法 → 刑法, 本院认为我国刑事诉讼法):
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
    The law of a citation: the name right before it (《…》 or a bare name), else the last law named in
    the sentence, else default_law (the law the text is or is about), else the criminal law. Deictic
    names are no law's name:
    - 本法 / 本条例 / 本法典 / 本规定 (本條例 …) is the text's own law: default_law when given (an
      article of 刑事訴訟法 that cites 刑法第57條 and 本法第X條 means itself); without one, the law
      the text last named explicitly (a model answer quoting 《刑事诉讼法》…本法第X条 quotes that law's
      wording), else the criminal law;
    - 同法 / 该法 / 該法 / 此法 / 同條例 is the law last named explicitly (刑法第339條、同法第30條), else
      as 本法.
    """
    if jurisdiction == "fr":
        return parse_citations_fr(text, default_law)
    if jurisdiction not in CRIMINAL_LAW:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}")
    default = default_law or CRIMINAL_LAW[jurisdiction]
    law, named_last = default, None  # named_last: the last law the text names explicitly
    out: list[dict] = []
    pos = 0
    for m in _CITE.finditer(text):
        between = text[pos:m.start()]
        names = list(_LAW.finditer(between))
        if out:  # bare 第三款 between two citations: another paragraph of the previous article
            out += _continuations(out[-1], between[:names[0].start()] if names else between, jurisdiction)
        deictic = _SELF.search(between) or _SAME.search(between)
        if deictic:  # a bare name ending in 本法 is no name; a 《…》 before it still is
            names = [n for n in names if n.group("q")]
        if names:  # the name nearest the citation is the one it cites
            q, bare = names[-1].group("q", "bare")
            law = named_last = law_name(q or bare_law_name(bare), jurisdiction)
        elif "。" in between:  # a new sentence without a law name: back to the default
            law = default
        if deictic:
            law = (default_law if deictic.re is _SELF and default_law else None) or named_last or default
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
