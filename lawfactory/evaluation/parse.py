"""Free-form answers → charges, cited articles and the sentence.

Charges come from 犯…罪 / (已)构成…罪 phrases, articles from the shared citation parser
(lawfactory/citations.py), the sentence from lawfactory/terms.py parse_sentence. An answer in
which no penalty can be read is an abstention: it stays in every denominator.
"""

from __future__ import annotations

import re

from converters.cail import normalize_charge
from lawfactory.citations import CRIMINAL_LAW, citation_keys, parse_key
from lawfactory.numerals import NUM
from lawfactory.records import article_key, sentence_code
from lawfactory.terms import parse_sentence

# 犯盗窃罪、故意伤害罪 / 已构成走私、贩卖、运输、制造毒品罪 / 係犯刑法第320條第1項之竊盜罪.
# The run stops at the last 罪 before a clause break; 犯罪 / 构成犯罪 are not charges.
_CHARGE_RUN = re.compile(r"(?:犯|构成|構成)(?![犯罪])([^，。；;：:\n,（）()]*罪)")
# Inside a run a charge ends at a 罪 followed by a list word (、/和/及…) or by the run's end, as
# converters/verdict.py reads verdicts: a 罪 inside a name is followed by more of the name
# (帮助信息网络犯罪活动, 掩饰、隐瞒犯罪所得、犯罪所得收益), and a 、 alone can be part of a name
# (生产、销售假药).
_CHARGE_END = re.compile(r"罪(?:[、和及与與並并]|$)")
# a citation in front of the name (刑法第320條第1項之竊盜, 第339條之4第1項第2款之…): the name is
# what follows it. Only a cited 第…条 counts: 款 / 项 alone are part of names (贷款诈骗, 挪用公款).
_N = rf"(?:{NUM})"
_CITED_PREFIX = re.compile(
    rf"^.*第\s*{_N}\s*[条條](?:之{_N})?(?:第\s*[（(]?{_N}[）)]?\s*[款项項])*之?")
_NOT_A_NAME = re.compile(r"^(?:数|數|一|二|两|其|此|本|该|該|上述|前述|各|何)$")
# the longest official CAIL2018 charge has 32 characters; longer runs are not names
_MAX_NAME = 40


def parse_charges(text: str) -> list[str]:
    """The distinct charge names an answer states, in order, without the trailing 罪."""
    out: list[str] = []
    for m in _CHARGE_RUN.finditer(text or ""):
        for part in _CHARGE_END.split(m.group(1)):
            name = normalize_charge(_CITED_PREFIX.sub("", part))
            if name and len(name) <= _MAX_NAME and not _NOT_A_NAME.match(name):
                out.append(name)
    return list(dict.fromkeys(out))


def criminal_articles(keys: list[str], jurisdiction: str) -> list[str]:
    """The keys that cite the jurisdiction's criminal law (what CAIL `relevant_articles` hold)."""
    law = CRIMINAL_LAW[jurisdiction] + "|"
    return [k for k in keys if k.startswith(law)]


def whole_numbers(gold: list[str], pred: list[str]) -> list[str]:
    """The predicted criminal-law articles as scored against one gold row.

    CAIL2018 labels are whole article numbers and its judger compares integers: its 危险驾驶 rows
    list 133 for 第一百三十三条之一. So against a gold row whose articles carry no 之N suffix, a
    predicted 133-1 counts as 133; a gold row with a suffix anywhere is compared exactly.
    """
    if not gold or any(parse_key(k)[2] for k in gold):
        return pred
    return list(dict.fromkeys(article_key(law, number) for law, number, _ in map(parse_key, pred)))


def parse_answer(text: str, jurisdiction: str = "cn") -> dict:
    """{charges, citations (all cited keys), articles (criminal-law keys), sentence, code, abstained}.

    code is the CAIL2018 judger's term encoding (death −2, life −1, else months), None when the
    answer states no penalty.
    """
    text = text or ""
    keys = citation_keys(text, jurisdiction)
    s = parse_sentence(text)
    return {
        "charges": parse_charges(text),
        "citations": keys,
        "articles": criminal_articles(keys, jurisdiction),
        "sentence": s,
        "code": sentence_code(s) if s else None,
        "abstained": s is None,
    }


def term_line_of(output: str) -> dict | None:
    """The sentence stated on the `刑期:` line of a gold output (train rows carry no gold columns)."""
    lines = [ln for ln in (output or "").splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.strip().startswith("刑期"):
            return parse_sentence(ln)
    return None
