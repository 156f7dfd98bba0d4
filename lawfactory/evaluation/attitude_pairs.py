"""Attitude sensitivity on `criminal_attitude_pairs_eval`: does the model's term move the way
the law moves it when only the defendant's attitude changes?

Pairs: two rows sharing `pair_id` (`pair_role` source | variant); without pair_id, a variant row
is linked to its source by `variant_of` = the source's `case_id`. `variant` is refusal, unclear
or confession. Refusing to confess removes the confession-type discounts (the term should not
fall), an unclear attitude removes part of them (likewise), a confession adds one (the term
should not rise).

- direction violations: refusal / unclear variants predicted shorter than their source,
  confession variants predicted longer (terms ordered months < life < death); pairs where either
  answer states no penalty are counted apart, not as violations.
- unchanged: both answers state the same term (the attitude change was ignored).
- log ratio: ln(variant months / source months) of the predictions, next to the ratio the gold
  labels imply (`implied_log_ratio`, else ln of the gold months); month terms > 0 only.
- probation kept on refusal: refusal variants whose answer still grants 缓刑 (刑法 §72 requires
  悔罪表现), out of the refusal variants whose answer states a penalty.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

GROWS = ("refusal", "unclear")  # the variant's term should be ≥ the source's
SHRINKS = ("confession",)


def severity(s: dict) -> tuple[int, int]:
    return {"life": (1, 0), "death": (2, 0)}.get(s["kind"], (0, s["months"]))


def _log_ratio(a: int, b: int) -> float | None:
    return math.log(b / a) if a > 0 and b > 0 else None


def link_pairs(rows: list[dict], where: str = "pairs gold") -> list[tuple[int, int]]:
    """(source index, variant index) for every pair, in file order of the variants."""
    pairs = []
    if any("pair_id" in r for r in rows):
        by = defaultdict(dict)
        for i, r in enumerate(rows):
            role = r.get("pair_role") or ("variant" if r.get("variant_of") else "source")
            by[r.get("pair_id")][role] = i
        for pid, roles in by.items():
            if set(roles) != {"source", "variant"}:
                raise ValueError(f"{where}: pair {pid!r} lacks a source or a variant row (roles {sorted(roles)})")
            pairs.append((roles["source"], roles["variant"]))
    else:
        ids = {r.get("case_id"): i for i, r in enumerate(rows)}
        for i, r in enumerate(rows):
            if r.get("variant_of"):
                if r["variant_of"] not in ids:
                    raise ValueError(f"{where}: line {i + 1}: variant_of {r['variant_of']!r} names no row in the file")
                pairs.append((ids[r["variant_of"]], i))
    return sorted(pairs, key=lambda p: p[1])


def pair_rows(rows: list[dict], preds: list[dict | None], where: str = "pairs gold") -> list[dict]:
    """One record per pair: variant type, both predicted sentences, gold and predicted ratios."""
    out = []
    for si, vi in link_pairs(rows, where):
        src, var = rows[si], rows[vi]
        implied = var.get("implied_log_ratio")
        if implied is None:
            implied = _log_ratio(src.get("gold_months", 0), var.get("gold_months", 0))
        ps, pv = preds[si], preds[vi]
        pred_ratio = None
        if ps and pv and ps["kind"] == pv["kind"] == "fixed":
            pred_ratio = _log_ratio(ps["months"], pv["months"])
        out.append({
            "pair_id": var.get("pair_id", var.get("case_id")), "variant": var.get("variant", ""),
            "source_pred": ps, "variant_pred": pv, "source_line": si + 1, "variant_line": vi + 1,
            "implied_log_ratio": implied, "pred_log_ratio": pred_ratio,
            "source_gold_months": src.get("gold_months"), "variant_gold_months": var.get("gold_months"),
        })
    return out


def _violates(p: dict) -> bool:
    s, v = severity(p["source_pred"]), severity(p["variant_pred"])
    return v < s if p["variant"] in GROWS else v > s if p["variant"] in SHRINKS else False


def sensitivity(pairs: list[dict]) -> dict:
    """The metrics over all pairs and per variant type."""
    def block(ps: list[dict]) -> dict:
        answered = [p for p in ps if p["source_pred"] and p["variant_pred"]]
        viol = sum(_violates(p) for p in answered)
        same = sum(severity(p["source_pred"]) == severity(p["variant_pred"]) for p in answered)
        ratios = [p for p in ps if p["pred_log_ratio"] is not None]
        gaps = [p["pred_log_ratio"] - p["implied_log_ratio"] for p in ratios if p["implied_log_ratio"] is not None]
        return {
            "n_pairs": len(ps),
            "abstained_pairs": len(ps) - len(answered),
            "direction_violation_rate": viol / len(answered) if answered else None,
            "direction_violations": viol,
            "unchanged_rate": same / len(answered) if answered else None,
            "median_pred_log_ratio": statistics.median(p["pred_log_ratio"] for p in ratios) if ratios else None,
            "median_implied_log_ratio": (statistics.median(x for p in ps if (x := p["implied_log_ratio"]) is not None)
                                         if any(p["implied_log_ratio"] is not None for p in ps) else None),
            "median_log_ratio_gap": statistics.median(gaps) if gaps else None,
            "n_log_ratio": len(ratios),
        }

    out = block(pairs)
    out["by_variant"] = {v: block([p for p in pairs if p["variant"] == v])
                         for v in sorted({p["variant"] for p in pairs})}
    refusals = [p for p in pairs if p["variant"] == "refusal" and p["variant_pred"]]
    kept = sum(1 for p in refusals if p["variant_pred"]["probation_months"] > 0)
    out["refusal_probation_kept"] = kept / len(refusals) if refusals else None
    out["refusal_probation_kept_n"] = kept
    out["refusal_answered"] = len(refusals)
    return out
