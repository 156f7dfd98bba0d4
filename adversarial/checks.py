"""Self-checks every variant passes before it is written (a failing one is dropped and counted).

    objective facts   the text outside the edited spans is the source's, and no edit takes out a
                      number (date, amount, count) it does not put back: with the first, every
                      number of the source's field is in the variant's (inserted phrasings add
                      only fixed wording: 零口供, 前后不一)
    direction         refusal / unclear terms ≥ the source's, confession terms ≤ it
    probation         no probation in refusal or unclear variants (刑法 §72: 悔罪表现)
    attitude          the variant's text asserts its own attitude and no admission of the source
                      is left in a refusal or unclear variant; kept factors (退赔, 谅解) survive
    statutory cap     a fixed term never above the cap the statute index gives, inside its principal
                      penalty's limits, and 有期徒刑 in place of a lighter principal only where the
                      cap came from the case's own article text (危险驾驶 stays 拘役)
"""

from __future__ import annotations

from adversarial.discounts import CONFESSION_FLAGS
from adversarial.spans import MARKERS, lost_numbers, numbers, outside
from adversarial.statutory import PRINCIPAL_RANGE, principal_limits
from lawfactory.parse.attitude import detect_flags
from lawfactory.parse.terms import principal_for


def failures(source: dict, v: dict, source_flags: set[str] | None = None) -> list[str]:
    """Names of the checks the variant fails (empty: it passes). source_flags: the flags of the
    source's facts and reasoning when the caller has them already."""
    out = []
    spans = v["changes"]["spans"]
    for field in ("facts", "reasoning"):
        edits = [{k: e[k] for k in ("start", "end", "before", "after")} for e in spans if e["field"] == field]
        try:
            a, b = outside(source.get(field) or "", edits, "before"), outside(v.get(field) or "", edits, "after")
        except ValueError:
            out.append(f"{field} edits do not fit")
            continue
        if a != b or numbers(a) != numbers(b):
            out.append(f"objective {field} changed")
        if lost_numbers(edits, source.get("defendant") or ""):
            out.append(f"numbers lost from {field}")
    s, t = source["sentence"], v["sentence"]
    if t["kind"] != s["kind"]:
        out.append("sentence kind changed")
    elif s["kind"] == "fixed":
        if v["variant"] in ("refusal", "unclear") and t["months"] < s["months"]:
            out.append("term below the source's")
        if v["variant"] == "confession" and t["months"] > s["months"]:
            out.append("term above the source's")
        cap = v["changes"]["cap"]
        if t["months"] > cap["months"]:
            out.append("term above the statutory maximum")
        principal = t["principal"] or principal_for(t)
        lo, hi = (principal_limits(principal, len(v["charges"]) > 1) if principal in PRINCIPAL_RANGE
                  else (0, t["months"]))
        if not lo <= t["months"] <= hi:
            out.append("term outside its principal penalty's limits")
        if principal == "有期徒刑" != (s["principal"] or principal_for(s)) and not cap["stated"]:
            out.append("principal made heavier without the article's range")
    flags = detect_flags(v["facts"], v.get("reasoning") or "")
    if v["variant"] in ("refusal", "unclear"):
        if t["probation_months"]:
            out.append("probation in a variant without 悔罪表现")
        if flags & set(CONFESSION_FLAGS) or MARKERS.search(v["facts"]):
            out.append("admission left in the variant")
        other = "unclear" if v["variant"] == "refusal" else "refusal"
        if v["variant"] not in flags or other in flags:
            out.append("variant attitude not stated")
    else:
        if "confession" not in flags or flags & {"refusal", "unclear"}:
            out.append("variant attitude not stated")
    if source_flags is None:
        source_flags = detect_flags(source["facts"], source.get("reasoning") or "")
    kept = source_flags & {"restitution", "forgiveness"}
    if kept - flags:
        out.append("kept factor lost")
    return out
