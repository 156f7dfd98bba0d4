"""The record types every converter produces and every later stage reads.

Records are plain dicts (they are written as JSON lines and read back as such); the
functions here build them with a fixed key order so that output files are byte-stable.

case:    one defendant in one judgment (fields: docs/records.md).
variant: a synthetic counterfactual of a case (adversarial/variants.py): the case's fields, some
         replaced, plus variant_of, variant, synthetic and changes.
article: one statute article (built by converters/statutes_*.py).
"""

from __future__ import annotations

import hashlib
from typing import Iterable

JURISDICTIONS = ("cn", "tw")
# Statute articles also come from French codes (converters/statutes_fr.py); cases do not.
STATUTE_JURISDICTIONS = (*JURISDICTIONS, "fr")

# Defendant attitude after the offence: the facts sentencing law discounts for
# (刑法 §67 自首/坦白, 刑诉法 §15 认罪认罚, 量刑指导意见 退赃退赔/谅解) and their absence.
ATTITUDE_FLAGS = (
    "surrender",  # 自首
    "confession",  # 坦白 / 如实供述
    "courtroom_admission",  # 当庭自愿认罪
    "plea_agreement",  # 认罪认罚 (具结书)
    "restitution",  # 退赃退赔 / 赔偿
    "forgiveness",  # 取得谅解
    "refusal",  # 拒不供认 / 辩称 / 否认 / 翻供
    "unclear",  # 供述前后不一, attitude not determinable
)

# kind: fixed = a term in months (有期徒刑, 拘役, 管制), life = 无期徒刑, death = 死刑 (incl. 死缓),
# none = no custodial or restrictive term (fine only, 免予刑事处罚).
SENTENCE_KINDS = ("fixed", "life", "death", "none")

# The principal penalty as judgments name it; "" when the source does not say.
PRINCIPALS = ("有期徒刑", "拘役", "管制", "无期徒刑", "死刑", "死缓", "")


# Plausible values, checked where a record is made: a value outside them is a reject with its reason,
# never a training row (and never a number the numeral formatter, cn2an, cannot write).
# Fixed terms: 刑法 §69 caps merged fixed terms (数罪并罚, 总和刑期三十五年以上) at 25 years = 300 months;
# the Taiwan 刑法 §51(5) caps merged 有期徒刑 at 30 years = 360 months. No single term is longer.
MAX_MONTHS = {"cn": 300, "tw": 360}
# Probation: 刑法 §73 and Taiwan 刑法 §74 allow at most five years.
MAX_PROBATION_MONTHS = 60
# Fines (罚金) have no statutory ceiling; the largest ever imposed are in the billions (3 × 10^9 元
# on a corporate defendant, GSK China 2014). 10^10 (一百亿) is above every real judgment.
MAX_FINE = 10**10


class RecordError(ValueError):
    """A source record that cannot be converted; the message is the reject reason."""


def stable_id(*parts: object) -> str:
    """A short stable hash of the parts (source file, locator…): the same input gives the same id."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:16]


def sentence(
    kind: str,
    months: int = 0,
    probation_months: int = 0,
    fine: int = 0,
    principal: str = "",
    political_rights: str = "",
    days: int = 0,
) -> dict:
    """`days`: the term as the verdict states it when it is given in days only (拘役五十日; Taiwan
    拘役 and short terms), 0 otherwise; `months` then holds it rounded to months (at least 1)."""
    if kind not in SENTENCE_KINDS:
        raise RecordError(f"unknown sentence kind {kind!r}")
    if principal not in PRINCIPALS:
        raise RecordError(f"unknown principal penalty {principal!r}")
    for name, value in (("months", months), ("probation_months", probation_months), ("fine", fine), ("days", days)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RecordError(f"sentence {name} must be a non-negative integer, got {value!r}")
    if kind != "fixed" and (months or days):
        raise RecordError(f"a {kind} sentence carries no term (got {months} months, {days} days)")
    return {
        "kind": kind,
        "principal": principal,
        "months": months,
        "probation_months": probation_months,
        "fine": fine,
        "political_rights": political_rights,  # 剥夺政治权利 term as written ("终身", "三年") or ""
        "days": days,
    }


def article_ref(law: str, number: int, suffix: int = 0, paragraph: int | None = None) -> dict:
    """A cited article. suffix is the 之X / -X number (0 when none); paragraph is the 款/項."""
    return {"law": law, "number": number, "suffix": suffix, "paragraph": paragraph}


def attitude(flags: Iterable[str] = ()) -> dict:
    flags = set(flags)
    unknown = flags - set(ATTITUDE_FLAGS)
    if unknown:
        raise RecordError(f"unknown attitude flags {sorted(unknown)}")
    return {name: name in flags for name in ATTITUDE_FLAGS}


def case(
    *,
    source: str,
    locator: str,
    jurisdiction: str,
    facts: str,
    defendant: str,
    charges: list[str],
    articles: list[dict],
    sentence: dict,
    attitude: dict,
    group_id: str | None = None,
    reasoning: str = "",
    verdict: str = "",
    meta: dict | None = None,
) -> dict:
    """One defendant in one judgment. case_id hashes source + locator (+ defendant)."""
    if jurisdiction not in JURISDICTIONS:
        raise RecordError(f"unknown jurisdiction {jurisdiction!r}")
    if not facts.strip():
        raise RecordError("empty facts")
    if not charges:
        raise RecordError("no charges")
    if not isinstance(defendant, str):
        raise RecordError(f"defendant must be a name, got {defendant!r}")
    check_sentence(sentence, jurisdiction)
    for a in articles:
        check_article(a["law"], a["number"], a.get("suffix") or 0)
    cid = stable_id(source, locator, defendant)
    return {
        "case_id": cid,
        "group_id": group_id or stable_id(source, locator),
        "source": f"{source}:{locator}",
        "jurisdiction": jurisdiction,
        "facts": facts,
        "defendant": defendant,
        "charges": charges,
        "articles": articles,
        "sentence": sentence,
        "attitude": attitude,
        "reasoning": reasoning,
        "verdict": verdict,
        "meta": meta or {},
    }


# meta.format of the full-text judgment converters (converters/judgments_cn.py, _tw.py); CAIL cases
# carry no court text and no such format.
JUDGMENT_FORMATS = ("cjo", "judicial_yuan")
# Counterfactual attitudes a variant states (adversarial/variants.py).
VARIANT_KINDS = ("refusal", "unclear", "confession")


def is_judgment(case: dict) -> bool:
    """A case read from a full-text judgment (it carries the court's own reasoning and verdict)."""
    return (case.get("meta") or {}).get("format") in JUDGMENT_FORMATS


def variant(source: dict, kind: str, changes: dict, **replaced) -> dict:
    """A synthetic counterfactual of `source`: the same case with the `replaced` fields (facts,
    reasoning, sentence, attitude …), a case_id and source of its own, the source's group_id (a
    variant never crosses the split), and variant_of (the source's case_id), variant (the kind),
    synthetic (true) and changes (what was edited, for the rows' provenance)."""
    if kind not in VARIANT_KINDS:
        raise RecordError(f"unknown variant kind {kind!r}")
    if source.get("variant_of"):
        raise RecordError("a variant of a variant")
    unknown = set(replaced) - set(source) | set(replaced) & {"case_id", "group_id", "source"}
    if unknown:
        raise RecordError(f"a variant cannot replace {sorted(unknown)}")
    if not isinstance(changes, dict):
        raise RecordError(f"variant changes must be a dict, got {type(changes).__name__}")
    v = {**source, "case_id": stable_id(source["case_id"], kind), "source": f"{source['source']}#{kind}", **replaced}
    if not v["facts"].strip():
        raise RecordError("empty facts")
    attitude(f for f, on in v["attitude"].items() if on)  # unknown flags are a RecordError
    check_sentence(v["sentence"], v["jurisdiction"])
    for a in v["articles"]:
        check_article(a["law"], a["number"], a.get("suffix") or 0)
    v.update(variant_of=source["case_id"], variant=kind, synthetic=True, changes=changes)
    return v


def check_sentence(s: dict, jurisdiction: str) -> None:
    """A sentence outside the plausible ranges (MAX_MONTHS …) is a RecordError. Checked where a case
    is made, not in sentence(): the evaluator reads models' answers with it, and an absurd answer
    is scored there, not rejected."""
    for name, high, why in (("months", MAX_MONTHS[jurisdiction], "the longest merged fixed term"),
                            ("probation_months", MAX_PROBATION_MONTHS, "the longest probation"),
                            ("fine", MAX_FINE, "above any fine ever imposed")):
        if s[name] > high:
            raise RecordError(f"sentence {name} {s[name]} is out of range (at most {high}: {why})")


def article_exists(law: str, number, suffix=0) -> bool:
    """False for a criminal-law article that does not exist (第九万九千九百九十九条); other laws are
    not bounded here."""
    top = CRIMINAL_LAW_ARTICLES.get(law)
    if top is None:
        return True
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (number, suffix))
    return ints and 1 <= number <= top and 0 <= suffix <= MAX_ARTICLE_SUFFIX


def check_article(law: str, number, suffix=0) -> None:
    if not article_exists(law, number, suffix):
        top = CRIMINAL_LAW_ARTICLES[law]
        raise RecordError(f"{law} has no article {number!r}{f'之{suffix}' if suffix else ''} (articles 1–{top})")


def sentence_code(s: dict) -> int:
    """The CAIL2018 judger's encoding: death −2, life −1, otherwise months."""
    return {"death": -2, "life": -1}.get(s["kind"], s["months"])


class Skip(Exception):
    """A source record a user filter leaves out (not an error); the message says which filter."""


PRC_CRIMINAL_LAW = "中华人民共和国刑法"
TW_CRIMINAL_CODE = "中華民國刑法"
# Criminal-law articles: 中华人民共和国刑法 has 452 articles, 中華民國刑法 363; an inserted article
# is 之一 … 之六 (第一百二十条之六), so a suffix above 10 is no article.
CRIMINAL_LAW_ARTICLES = {PRC_CRIMINAL_LAW: 452, TW_CRIMINAL_CODE: 363}
MAX_ARTICLE_SUFFIX = 10


def article_key(law: str, number: int, suffix: int = 0) -> str:
    """The normalized citation key shared by converters, statute index and evaluator:
    '中华人民共和国刑法|133-1' for 第一百三十三条之一, '中華民國刑法|185-3' for 第185條之3."""
    return f"{law}|{number}-{suffix}" if suffix else f"{law}|{number}"


def split_key(key: str) -> tuple[str, str]:
    """An article key → (law, the article number as the key writes it): '中华人民共和国刑法|133-1' →
    ('中华人民共和国刑法', '133-1'); a French key 'Code …|L100-1' → ('Code …', 'L100-1')."""
    law, _, number = key.rpartition("|")
    return law, number


def article(
    *,
    law: str,
    jurisdiction: str,
    number: int,
    suffix: int = 0,
    path: Iterable[str] = (),
    paragraphs: Iterable[str] = (),
    items: Iterable[dict] = (),
    deleted: bool = False,
    modified_date: str = "",
    source: str = "",
    extra: dict | None = None,
) -> dict:
    """One statute article (docs/records.md).

    paragraphs: the 款 (PRC) / 項 (Taiwan) in order, each with its items on their own lines;
    items: {paragraph, item, text} for every 项 (PRC) / 款 (Taiwan) line, paragraph 1-based;
    path: the 編/章/節 headings the article sits under; deleted: repealed (（删去）/（刪除）),
    kept so that a citation to it is recognised, and then carries no paragraphs.
    extra: fields a jurisdiction adds after the common ones (French codes: `num`, the number as the
    code prints it, which then makes the key, and the legi-data state and dates; docs/statutes_fr.md).
    """
    if jurisdiction not in STATUTE_JURISDICTIONS:
        raise RecordError(f"unknown jurisdiction {jurisdiction!r}")
    if not law:
        raise RecordError("article without a law name")
    for name, value, low in (("number", number, 1), ("suffix", suffix, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise RecordError(f"article {name} must be an integer ≥ {low}, got {value!r}")
    paragraphs, items = list(paragraphs), list(items)
    if deleted and (paragraphs or items):
        raise RecordError("a deleted article carries no text")
    if not deleted and not any(p.strip() for p in paragraphs):
        raise RecordError(f"article {number}{'-' + str(suffix) if suffix else ''} has no text")
    return {
        "law": law,
        "jurisdiction": jurisdiction,
        "number": number,
        "suffix": suffix,
        "path": list(path),
        "paragraphs": paragraphs,
        "items": items,
        "deleted": deleted,
        "modified_date": modified_date,
        "key": f"{law}|{extra['num']}" if extra and "num" in extra else article_key(law, number, suffix),
        "source": source,
        **(extra or {}),
    }
