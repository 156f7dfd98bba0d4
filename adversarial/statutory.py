"""The statutory maximum of a fixed term, read from the cited articles' text in the statute index.

The index (DATA/statutes_index.jsonl, records.article) maps an article key to a record whose
`paragraphs` hold the text. An article states its ranges (bands) as 处三年以下有期徒刑、拘役或者管制 /
处三年以上十年以下有期徒刑 / 处十年以上有期徒刑、无期徒刑或者死刑 / 处拘役. A band's ceiling is its upper
limit; an open band (十年以上) or one reaching 无期徒刑/死刑 is bounded only by the general limit of
有期徒刑, 15 years (刑法 §45). The cap of one charge is the smallest ceiling at or above the source
term: the facts put the case in that band (盗窃 of 20 months: 三年以下, so 36, not 15 years), and a
variant never crosses into a band its facts do not support. Several charges are sentenced
together (数罪并罚, 刑法 §69): each charge's term is at most the joint term, so its band is at most
the smallest ceiling at or above the joint term (or the article's highest); the cap is the sum of
the 有期徒刑 ceilings (with 有期徒刑, a 拘役 is not executed and 管制 is served apart: §69 ¶2),
never more than 20 years when that sum is under 35 years, 25 years otherwise; 拘役 alone adds up to
at most 1 year, 管制 alone to 3 years.

CAIL2018 labels articles by whole number, so a charge defined in an 之一 article (危险驾驶: 第一百三十三条
之一, 处拘役) is listed under the base article (§133, 交通肇事, up to 15 years): CAIL_SUFFIXED maps it.
"""

from __future__ import annotations

import re

from lawfactory.parse.numerals import NUM
from lawfactory.parse.terms import period_months
from lawfactory.records import PRC_CRIMINAL_LAW, article_key

# Lower and upper limits of the principal penalties: 有期徒刑 6 months–15 years (刑法 §45),
# 拘役 1–6 months (§42), 管制 3 months–2 years (§38).
PRINCIPAL_RANGE = {"有期徒刑": (6, 180), "拘役": (1, 6), "管制": (3, 24)}
SINGLE_MAX = PRINCIPAL_RANGE["有期徒刑"][1]  # 刑法 §45
JOINT_MAX, JOINT_MAX_LONG, JOINT_LONG_SUM = 20 * 12, 25 * 12, 35 * 12  # 刑法 §69
JOINT_LIGHT_MAX = {"拘役": 12, "管制": 36}  # 刑法 §69: 拘役 at most 1 year, 管制 at most 3 years
SPECIAL_PART = 102  # 分则 (the articles that define offences) starts at 第一百零二条

# charge → (number, suffix, the charge the base article itself defines: None when it defines none)
CAIL_SUFFIXED = {
    "危险驾驶": (133, 1, "交通肇事"),
    "拒不支付劳动报酬": (276, 1, "破坏生产经营"),
    "妨害信用卡管理": (177, 1, "伪造、变造金融票证"),
    "窃取、收买、非法提供信用卡信息": (177, 1, "伪造、变造金融票证"),
    "骗取贷款、票据承兑、金融票证": (175, 1, "高利转贷"),
    "组织、领导传销活动": (224, 1, "合同诈骗"),
    "虚开发票": (205, 1, "虚开增值税专用发票、用于骗取出口退税、抵扣税款发票"),
    "持有伪造的发票": (210, 1, None),
    "利用影响力受贿": (388, 1, "受贿"),
}

_N = rf"(?:{NUM})"
_SPAN = rf"(?:{_N}年(?:{_N}个月)?|{_N}个月)"
_FIXED = re.compile(rf"(?:(?P<lo>{_SPAN})以上)?(?:(?P<hi>{_SPAN})以下)?有期徒刑")


def principal_limits(principal: str, joint: bool) -> tuple[int, int]:
    """(lowest, highest) months of a principal penalty; several counts of 拘役 / 管制 add up to §69's limits."""
    lo, hi = PRINCIPAL_RANGE[principal]
    return (lo, JOINT_LIGHT_MAX[principal]) if joint and principal in JOINT_LIGHT_MAX else (lo, hi)


def bands(text: str) -> list[tuple[int, str]]:
    """(ceiling in months, principal penalty) of every range an article's penalty clauses state."""
    out = [(min(period_months(m.group("hi")), SINGLE_MAX) if m.group("hi") else SINGLE_MAX, "有期徒刑")
           for m in _FIXED.finditer(text)]
    if re.search(r"无期徒刑|死刑", text):
        out.append((SINGLE_MAX, "有期徒刑"))
    out += [(PRINCIPAL_RANGE[word][1], word) for word in ("拘役", "管制") if re.search(rf"处{word}", text)]
    return sorted(set(out))


def article_ceiling(text: str) -> int | None:
    """The highest fixed term (months) an article's penalty clauses allow; None if it states none."""
    found = bands(text)
    return max(c for c, _ in found) if found else None


def band_for(text: str, months: int) -> tuple[int, str] | None:
    """The band a term of `months` lies in: the smallest ceiling at or above it, else the highest."""
    found = bands(text)
    if not found:
        return None
    return next(((c, p) for c, p in found if c >= months), max(found))


def _text(record: dict) -> str:
    p = record.get("paragraphs") or []
    return p if isinstance(p, str) else "\n".join(p)


def charge_keys(case: dict) -> list[str]:
    """The 分则 article keys of the case, a CAIL base article replaced by its 之一 (CAIL_SUFFIXED)."""
    refs = [(a["number"], a["suffix"]) for a in case["articles"]
            if a["law"] == PRC_CRIMINAL_LAW and a["number"] >= SPECIAL_PART]
    for charge in case["charges"]:
        number, suffix, base_charge = CAIL_SUFFIXED.get(charge, (0, 0, None))
        if (number, 0) in refs and (number, suffix) not in refs:
            refs.append((number, suffix))
            if base_charge not in case["charges"]:
                refs.remove((number, 0))
    return list(dict.fromkeys(article_key(PRC_CRIMINAL_LAW, n, s) for n, s in refs))


def statutory_cap(case: dict, index: dict | None) -> dict:
    """{months, principal, stated, basis}: the most a fixed term for this case may be. stated: the cap
    comes from the text of the case's own articles, and principal is the penalty of that band.
    Without the index (or when it does not know every charge article) only the general limits of
    §45 / §69 apply (stated False, principal None)."""
    joint = len(case["charges"]) > 1
    general = {"months": JOINT_MAX_LONG if joint else SINGLE_MAX, "principal": None, "stated": False,
               "basis": "刑法§69 (25年)" if joint else "刑法§45 (15年)"}
    keys = charge_keys(case)
    if not index or not keys:
        return general
    term = case["sentence"]["months"]
    chosen = {}
    for k in keys:
        rec = index.get(k)
        band = band_for(_text(rec), term) if rec and not rec.get("deleted") else None
        if band is None:
            return general  # an article the index does not know (or states no range): no tighter cap
        chosen[k] = band
    basis = "、".join(f"{k} ({p} ≤{c})" for k, (c, p) in chosen.items())
    if not joint:
        months, principal = max(chosen.values())
        return {"months": months, "principal": principal, "stated": True,
                "basis": f"{basis}: the range of the source's {term} months (刑法§45)"}
    if len(chosen) < len(case["charges"]):
        return general  # which article governs which charge is unknown: no sum to cap at
    for principal in ("有期徒刑", "拘役", "管制"):  # the heaviest principal present is the one summed
        ceilings = [c for c, p in chosen.values() if p == principal]
        if ceilings:
            break
    total = sum(ceilings)
    if principal == "有期徒刑":
        limit = JOINT_MAX if total < JOINT_LONG_SUM else JOINT_MAX_LONG
    else:
        limit = JOINT_LIGHT_MAX[principal]
    return {"months": min(total, limit), "principal": principal, "stated": True,
            "basis": f"{basis}: 数罪并罚, 刑法§69"}
