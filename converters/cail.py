"""CAIL2018 JSON lines → case records.

Two shapes are read (the thunlp/CAIL2018 release; docs/cail.md): the released one, {"fact", "meta": {...}} in either key
order, and the Hugging Face copy that flattens `meta` (and `term_of_imprisonment`) into columns.
Quirks handled here, each with the reason in a comment where it is handled.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from lawfactory.parse.attitude import detect_flags
from lawfactory.parse.charges import normalize_charge
from lawfactory.parse.leaks import RECOMMENDATION, RECOMMENDATION_MASK
from lawfactory.records import (
    MAX_FINE,
    MAX_MONTHS,
    PRC_CRIMINAL_LAW,
    RecordError,
    article_ref,
    attitude,
    case,
    check_article,
    sentence,
)

# "：王某", " 王某 ", "被告人王某" in `criminals`
_NAME_NOISE = re.compile(r"^[\s:：，,、。;；\"'“”]+|[\s:：，,、。;；\"'“”]+$|^被告人")


def _meta(obj: dict) -> dict:
    """The label block in either shape."""
    if "meta" in obj:
        meta = obj["meta"]
        if not isinstance(meta, dict):
            raise RecordError("`meta` is not an object")
        term = meta.get("term_of_imprisonment")
        if not isinstance(term, dict):
            raise RecordError("`meta.term_of_imprisonment` missing or not an object")
        return {**meta, **term}
    if "accusation" in obj:  # flat Hugging Face columns
        return obj
    raise RecordError("neither `meta` nor flat CAIL columns (accusation, imprisonment, …)")


def _int(meta: dict, key: str, high: int, why: str) -> int:
    """A whole number in 0..high (2.0 reads as 2); NaN, 1e20, 2^64 and the like are rejects."""
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"`{key}` must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0 or value != int(value):
        raise RecordError(f"`{key}` must be a non-negative whole number, got {value!r}")
    if value > high:
        raise RecordError(f"`{key}` {value!r} is out of range (at most {high}: {why})")
    return int(value)


def _bool(meta: dict, key: str) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        raise RecordError(f"`{key}` must be true or false, got {value!r}")
    return value


def _str_list(meta: dict, key: str) -> list:
    value = meta.get(key)
    if not isinstance(value, list) or not value:
        raise RecordError(f"`{key}` must be a non-empty list, got {value!r}")
    return value


# Offences whose only custodial penalty is 拘役 (≤ 6 months): 危险驾驶 (刑法 §133之一). CAIL gives
# months only, and 6 months would otherwise read as 有期徒刑 (the month rule in terms.principal_for).
DETENTION_ONLY = {"危险驾驶"}


def cail_sentence(meta: dict, charges: list[str] = ()) -> dict:
    # Life sentences carry imprisonment 0: read the flags before the months.
    death, life = _bool(meta, "death_penalty"), _bool(meta, "life_imprisonment")
    months = _int(meta, "imprisonment", MAX_MONTHS["cn"], "刑法 §69 caps merged fixed terms at 25 years")
    fine = _int(meta, "punish_of_money", MAX_FINE, "above any fine ever imposed")
    if death and life:
        raise RecordError("both death_penalty and life_imprisonment are true")
    if death:
        return sentence("death", fine=fine)
    if life:
        return sentence("life", fine=fine)
    # 0 months: 管制, fine only or 免予刑事处罚 — CAIL does not say which.
    detention = bool(charges) and set(charges) <= DETENTION_ONLY and 0 < months <= 6
    return sentence("fixed" if months else "none", months, fine=fine, principal="拘役" if detention else "")


def _names(value) -> list[str]:
    """`criminals`: a list of names; a bare string is one name (never its characters: 张三丰)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(n, str) or n is None for n in value):
        raise RecordError(f"`criminals` must be a list of names, got {value!r}")
    return [n for n in value if n is not None]


def convert_record(obj, source: str, line: int, stats: Counter, settings=None) -> list[dict]:
    """One CAIL record → one case (CAIL2018 keeps single-defendant judgments only). `settings`: the
    judgment converters' options, which every converter is given; none applies to CAIL."""
    if not isinstance(obj, dict):
        raise RecordError(f"record is a JSON {type(obj).__name__}, not an object")
    fact = obj.get("fact")
    if not isinstance(fact, str):
        raise RecordError(f"`fact` must be a string, got {type(fact).__name__}")
    if not fact.strip():
        raise RecordError("empty `fact`")
    meta = _meta(obj)

    charges = []
    for c in _str_list(meta, "accusation"):
        if not isinstance(c, str) or not normalize_charge(c):
            raise RecordError(f"bad charge name {c!r}")
        if normalize_charge(c) not in charges:
            charges.append(normalize_charge(c))

    # Duplicate article numbers occur in real releases; keep each once, in number order.
    numbers = set()
    for a in _str_list(meta, "relevant_articles"):
        if isinstance(a, str) and a.strip().isdigit():
            a = int(a)
        if isinstance(a, bool) or not isinstance(a, int) or a <= 0:
            raise RecordError(f"bad article number {a!r} in `relevant_articles`")
        check_article(PRC_CRIMINAL_LAW, a)
        numbers.add(a)
    articles = [article_ref(PRC_CRIMINAL_LAW, n) for n in sorted(numbers)]

    raw_names = _names(meta.get("criminals"))
    names = list(dict.fromkeys(n for n in (_NAME_NOISE.sub("", raw) for raw in raw_names) if n))
    if names != raw_names:
        stats["cail_noisy_criminals"] += 1

    # the prosecutor's sentencing recommendation gives the answer away (lawfactory/parse/leaks.py)
    facts, n_masked = RECOMMENDATION.subn(RECOMMENDATION_MASK, fact.strip())
    if n_masked:
        stats["cail_recommendation_masked"] += 1
    if "××" in facts:
        stats["cail_masked_xx"] += 1

    return [
        case(
            source=source,
            locator=str(line),
            jurisdiction="cn",
            facts=facts,
            defendant="、".join(names),
            charges=charges,
            articles=articles,
            sentence=cail_sentence(meta, charges),
            attitude=attitude(detect_flags(facts)),
            meta={"format": "cail2018"},
        )
    ]
