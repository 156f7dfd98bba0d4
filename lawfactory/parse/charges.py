"""Charge names in judgment text and model answers: one reader for the converters (verdicts)
and the evaluator (free-form answers)."""

from __future__ import annotations

import re

from lawfactory.parse.clauses import CLAUSE_MARKS
from lawfactory.parse.numerals import NUM


def normalize_charge(name: str) -> str:
    """`[生产、销售]假药` (final release) → `生产、销售假药` (accu.txt); a trailing 罪 is dropped."""
    name = name.strip().replace("[", "").replace("]", "")
    return name[:-1] if name.endswith("罪") else name

# 犯盗窃罪、故意伤害罪 / 已构成走私、贩卖、运输、制造毒品罪 / 係犯刑法第320條第1項之竊盜罪.
# The run stops at the last 罪 before a clause break or a bracket; 犯罪 / 构成犯罪 are not charges.
_CHARGE_RUN = re.compile(rf"(?:犯|构成|構成)(?![犯罪])([^{CLAUSE_MARKS}（）()]*罪)")
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
