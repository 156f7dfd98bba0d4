"""Counterfactual cases: the same facts with another attitude after the offence (synthetic).

    refusal     the defendant denies or stays silent; the conviction rests on the evidence
                (刑诉法 §55: 证据确实、充分); confession-type discounts removed; no probation (刑法 §72)
    unclear     the statements contradict each other (供述前后不一); half the discount kept; no probation
    confession  the reverse: a source without any confession gains 如实供述 and the 坦白 discount

A variant is a new case dict made by records.variant: the source plus `variant_of`, `variant`,
`synthetic: true` and `changes` (spans edited, discounts, ratio, months), with the source's
group_id (so it never crosses the split) and case_id = stable_id(source id, variant). make_variant
returns (variant, None) or (None, reason); a variant is returned only when every self-check holds.
"""

from __future__ import annotations

import hashlib
import math
import re

from adversarial import checks
from adversarial.discounts import (
    CONFESSION_FLAGS,
    DISCOUNTS,
    applied_discounts,
    confession_ratio,
    refusal_ratio,
    round_months,
    total_discount,
    unclear_ratio,
)
from adversarial.spans import Entangled, HoldsNumber, apply, insertion, removal_edits
from adversarial.statutory import PRINCIPAL_RANGE, principal_limits, statutory_cap
from lawfactory import records
from lawfactory.parse.attitude import ATTITUDE_REASONS, detect_flags, find_spans
from lawfactory.parse.terms import principal_for
from lawfactory.records import (
    PRC_CRIMINAL_LAW,
    VARIANT_KINDS,
    RecordError,
    article_ref,
    attitude,
    is_judgment,
    sentence,
)

VARIANTS = VARIANT_KINDS

# Several phrasings per type, picked by a seeded hash of the case id. Each states the attitude and
# that the conviction rests on the evidence, and none names a number (the facts' numbers stay theirs).
PHRASINGS = {
    "refusal": (
        "被告人{d}到案后拒不供述自己的犯罪事实。上述事实，有经庭审质证的证据证实，证据确实、充分，足以认定。",
        "庭审中，被告人{d}当庭翻供，否认实施了上述行为。经审查，其翻供理由不能成立，在案其他证据能够相互印证，证据确实、充分。",
        "被告人{d}辩称其未实施上述行为。经查，其辩解与在案证据不符，不予采纳；现有证据确实、充分，足以认定。",
        "被告人{d}到案后保持沉默，拒不交代犯罪事实，本案系零口供案件，但在案证据确实、充分，已形成完整的证据链。",
    ),
    "unclear": (
        "被告人{d}到案后供述前后不一，对部分犯罪事实时供时翻。在案证据确实、充分，足以认定上述事实。",
        "被告人{d}在侦查阶段和庭审中的供述不稳定，对主要犯罪事实的供述反复。上述事实有在案证据证实，证据确实、充分。",
        "被告人{d}对指控的犯罪事实供述前后不一，态度不明。但现有证据确实、充分，足以认定。",
    ),
    "confession": (
        "被告人{d}到案后如实供述了自己的犯罪事实。",
        "归案后，被告人{d}对上述犯罪事实供认不讳。",
        "被告人{d}到案后如实交代了全部犯罪事实。",
    ),
}
# The reasoning clause a composed answer gives (lawfactory/parse/attitude.py ATTITUDE_REASONS) is
# reused for the court's own reasoning text of full-text judgments.
REASONING = {"refusal": ATTITUDE_REASONS["refusal"], "unclear": ATTITUDE_REASONS["unclear"],
             "confession": "到案后如实供述自己的罪行，系坦白，依法可以从轻处罚"}
ATTITUDE_ARTICLE = 67  # 刑法 §67: 自首 (¶1, ¶2) and 坦白 (¶3)
EVIDENCE_STATEMENT = re.compile(r"(?:被告人|被告)[^，。；、]{0,6}?的供述(?![和与及]辩解)")
PROBATION_ARTICLES = (72, 73)  # 刑法 §72 (conditions), §73 (probation periods)


def seeded(seed: int, *parts: str) -> int:
    """A 64-bit hash of the seed and parts: the same everywhere (no Python hash randomization)."""
    return int.from_bytes(hashlib.blake2b(":".join((str(seed), *parts)).encode(), digest_size=8).digest(), "big")


def text_flags(case: dict) -> set[str]:
    return detect_flags(case["facts"], case.get("reasoning") or "")


def record_flags(case: dict) -> set[str]:
    """The attitude flags the converter recorded (cheap: no text scan)."""
    return {f for f, on in (case.get("attitude") or {}).items() if on}


def ineligible(case: dict, variant: str, flags: set[str] | None = None) -> str | None:
    """Why this case cannot have this variant (a counted reason), or None. flags: the source's
    attitude flags (default: found in its facts and reasoning, which the edits work on)."""
    if case["jurisdiction"] != "cn":
        return "not a PRC case (the rules are 法发〔2021〕21号)"
    if case.get("variant_of"):
        return "already a variant"
    if len((case.get("meta") or {}).get("defendants") or []) > 1:
        return "several defendants share the facts"
    if case["sentence"]["kind"] == "none":
        return "no custodial term (kind none)"
    flags = text_flags(case) if flags is None else flags
    if flags & {"refusal", "unclear"}:
        return "source already states refusal or an unclear attitude"
    has = flags & set(CONFESSION_FLAGS)
    if variant == "confession":
        return "source already confesses" if has else None
    return None if has else "no confession-type factor in the source"


def _articles(case: dict, drop: tuple[int, ...], add: int | None) -> tuple[list, list]:
    """Full-text judgments cite the general-part articles they apply; a variant drops §67 (no
    自首/坦白 left) or §72/§73 (no probation) and the reverse variant adds §67 ¶3. CAIL cases list
    only the charge articles and are left as they are."""
    arts = list(case["articles"])
    if not is_judgment(case):
        return arts, []
    removed = [a for a in arts if a["law"] == PRC_CRIMINAL_LAW and a["number"] in drop]
    arts = [a for a in arts if a not in removed]
    if add and not any(a["law"] == PRC_CRIMINAL_LAW and a["number"] == add for a in arts):
        arts.append(article_ref(PRC_CRIMINAL_LAW, add, 0, 3))
    return arts, [f"{a['number']}" for a in removed]


def evidence_edits(text: str, edits: list[dict]) -> list[dict]:
    """A defendant's statement listed as evidence (被告人X的供述) becomes the neutral statutory term
    供述和辩解 (刑诉法 §50): a denial is a 辩解. Matches inside removed spans are left alone."""
    out = list(edits)
    for m in EVIDENCE_STATEMENT.finditer(text):
        if not any(e["start"] < m.end() and e["end"] > m.start() or e["start"] == e["end"] == m.end() for e in edits):
            out.append({"start": m.end(), "end": m.end(), "before": "", "after": "和辩解"})
    return sorted(out, key=lambda e: (e["start"], e["end"]))


def _term(case: dict, ratio: float, index: dict | None, changes: dict) -> dict:
    """The variant's sentence: death and life unchanged; a fixed term times the ratio, rounded,
    kept inside the statutory cap and its principal penalty's limits. The principal becomes
    有期徒刑 only when the case's own article text (the cap) states a 有期徒刑 range that long;
    otherwise the term stays at the principal's upper limit (拘役 ≤ 6 months: 危险驾驶 stays 拘役)."""
    s = dict(case["sentence"])
    if s["kind"] != "fixed":
        changes["note"] = f"{s['kind']} sentence unchanged"
        return s
    months = round_months(s["months"] * ratio)
    cap = statutory_cap(case, index)
    changes["cap"] = cap
    if months > cap["months"]:
        months = cap["months"]
        changes["capped"] = True
    # CAIL names no principal: the article's band says it when it allows only 拘役/管制, else the months
    light = cap["principal"] if cap["stated"] and cap["principal"] != "有期徒刑" else None
    principal = s["principal"] or light or principal_for(s)
    if principal in PRINCIPAL_RANGE:
        lo, hi = principal_limits(principal, len(case["charges"]) > 1)
        if months > hi and cap["stated"] and cap["principal"] == "有期徒刑":
            changes["principal"] = f"{principal} → 有期徒刑 (the article's range)"
            principal = "有期徒刑"
        elif months > hi:
            months = hi
            changes["clamped"] = f"{principal} at most {hi} months"
        elif months < lo:
            months = lo
            changes["floor"] = f"{principal} at least {lo} months"
    # a source without a named principal keeps none, unless the months alone would now read otherwise
    named = s["principal"] or principal_for({**s, "months": months}) != principal
    s["months"], s["principal"] = months, principal if named else ""
    return s


def make_variant(case: dict, variant: str, seed: int, index: dict | None = None) -> tuple[dict | None, str | None]:
    src_flags = text_flags(case)
    why = ineligible(case, variant, src_flags)
    if why:
        return None, why
    if variant == "confession" and any(s["flag"] == "confession" and s["negated"]
                                       for t in (case["facts"], case.get("reasoning") or "") for s in find_spans(t)):
        return None, "source says the defendant did not confess (未如实供述)"
    d = (case["defendant"] or "").split("、")[0]  # CAIL's noisy `criminals` may list several names
    h = seeded(seed, "phrasing", variant, case["case_id"])
    removed = sorted(src_flags & set(CONFESSION_FLAGS), key=CONFESSION_FLAGS.index)
    loses_probation = variant in ("refusal", "unclear")
    reasoning = case.get("reasoning") or ""
    try:
        if variant == "confession":
            pick = h % len(PHRASINGS[variant])
            statement = PHRASINGS[variant][pick].format(d=d)
            fact_edits = [insertion(case["facts"], len(case["facts"]), statement)]
            at = reasoning.find("依照")
            reason_edits = [insertion(reasoning, at if at >= 0 else len(reasoning),
                                      f"被告人{d}{REASONING[variant]}。")] \
                if reasoning else []
        else:
            fact_edits, pos = removal_edits(case["facts"], d)
            fact_edits = evidence_edits(case["facts"], fact_edits)
            remaining = apply(case["facts"], fact_edits)
            # a 零口供 statement cannot stand beside a defendant's statement listed as evidence
            choices = [i for i, p in enumerate(PHRASINGS[variant]) if not ("零口供" in p and "供述" in remaining)]
            pick = choices[h % len(choices)]
            statement = PHRASINGS[variant][pick].format(d=d)
            fact_edits.append(insertion(case["facts"], len(case["facts"]) if pos is None else pos, statement))
            reason_edits = []
            if reasoning:
                reason_edits, rpos = removal_edits(reasoning, d, probation=loses_probation)
                rpos = rpos if rpos is not None else max(reasoning.find("依照"), 0)
                reason_edits.append(insertion(reasoning, rpos, f"被告人{d}{REASONING[variant]}。"))
    except HoldsNumber:
        return None, "entangled: admission phrase holds a number (date, amount, count)"
    except Entangled:
        return None, "entangled: admission and a kept factor in one phrase"

    if variant == "confession":
        k = DISCOUNTS["confession"]
        discounts = [{"factor": k.factor, "band": k.band, "point": k.point, "law": k.law, "note": "added"}]
        total, ratio = discounts[0]["point"], confession_ratio()
        flags = (src_flags - {"refusal", "unclear"}) | {"confession"}
    else:
        discounts = applied_discounts(removed)
        total = total_discount(discounts)
        ratio = refusal_ratio(total) if variant == "refusal" else unclear_ratio(total)
        flags = (src_flags - set(CONFESSION_FLAGS)) | {variant}
    # keep the record's kept factors even where the text detection misses them
    flags |= {f for f in ("restitution", "forgiveness") if case["attitude"].get(f)}

    changes: dict = {"spans": [], "discounts": discounts, "discount_total": total}
    new_sentence = _term(case, ratio, index, changes)
    if loses_probation and new_sentence["probation_months"]:
        changes["probation_removed_months"] = new_sentence["probation_months"]
        new_sentence["probation_months"] = 0
    src = case["sentence"]
    if src["kind"] == "fixed" and src["months"] > changes["cap"]["months"]:
        return None, "source term above the statutory maximum"
    try:
        new_sentence = sentence(**{k: new_sentence[k] for k in ("kind", "months", "probation_months", "fine",
                                                                   "principal", "political_rights")})
    except RecordError as e:
        return None, f"invalid sentence: {e}"

    drop = ((ATTITUDE_ARTICLE,) if variant != "confession" else ()) + (PROBATION_ARTICLES if changes.get(
        "probation_removed_months") else ())
    articles, arts_removed = _articles(case, drop, ATTITUDE_ARTICLE if variant == "confession" else None)

    replaced = {"facts": apply(case["facts"], fact_edits),
                "reasoning": apply(reasoning, reason_edits) if reasoning else ""}
    if case.get("verdict"):
        replaced["verdict"] = ""  # the court's verdict no longer matches: the answer is composed from the labels
        changes["answer"] = "composed from labels (the court's verdict no longer matches)"
    replaced.update(articles=articles, sentence=new_sentence, attitude=attitude(flags))
    changes["spans"] = ([{"field": "facts", **e} for e in fact_edits]
                        + [{"field": "reasoning", **e} for e in reason_edits])
    changes["factors_removed"] = removed if variant != "confession" else []
    changes["articles_removed"] = arts_removed
    changes["ratio"] = round(ratio, 6)
    changes["source_months"] = src["months"]
    changes["new_months"] = new_sentence["months"]
    changes["phrasing"] = pick
    if src["kind"] == "fixed" and src["months"]:
        changes["implied_log_ratio"] = round(math.log(new_sentence["months"] / src["months"]), 6)
    else:
        changes["implied_log_ratio"] = 0.0
    try:
        v = records.variant(case, variant, changes, **replaced)
    except RecordError as e:
        return None, f"invalid variant: {e}"
    failed = checks.failures(case, v, src_flags)
    if failed:
        return None, f"self-check failed: {failed[0]}"  # check names only: reasons are counted
    return v, None
