"""Plain sentencing numbers and the baselines they are read against.

Scope: rows whose gold is a term in months (fixed terms, and 0 for fine-only / 免予刑事处罚);
gold death / life rows are left to the CAIL score, which checks them exactly.
- abs_error: |predicted − gold| months, for rows whose answer states a term in months. An
  abstention or a life/death answer has no month error: it is left out of the MAE (the MAE says
  on how many rows it was computed) but counts as a miss in the within-shares.
- within ±20% / ±50%: |p − g| ≤ 0.2·g (0.5·g); with gold 0 only 0 is within.

Baselines, predicted for every gold row:
- constant median: the median gold term of the training file (or of the gold file when no
  training file is given; the metrics say which), over month terms.
- charge median: per charge, the median term of the training rows with that charge; a row with
  several charges takes the largest of their medians (a combined sentence is at least the
  heaviest count); charges the training file never saw fall back to the constant median.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import numpy as np

MONTH_KINDS = ("fixed", "none")


def is_month_term(kind: str | None) -> bool:
    return kind in MONTH_KINDS


def row_errors(gold_kind: str, gold_months: int, pred: dict | None) -> dict:
    """abs_error (None if not applicable), within_20, within_50 for one row (None off scope)."""
    if not is_month_term(gold_kind):
        return {"abs_error": None, "within_20": None, "within_50": None}
    if pred is None or not is_month_term(pred["kind"]):
        return {"abs_error": None, "within_20": False, "within_50": False}
    err = abs(pred["months"] - gold_months)
    return {"abs_error": err, "within_20": err <= 0.2 * gold_months, "within_50": err <= 0.5 * gold_months}


def nan_array(values: list) -> np.ndarray:
    """Per-row values as floats, None → NaN (what the bootstrap leaves out)."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def summarize(errors: list[dict]) -> dict:
    ae = nan_array([e["abs_error"] for e in errors])
    w20 = nan_array([e["within_20"] for e in errors])
    w50 = nan_array([e["within_50"] for e in errors])
    scoped = int((~np.isnan(w20)).sum())
    return {
        "mae_months": float(np.nanmean(ae)) if (~np.isnan(ae)).any() else None,
        "n_mae": int((~np.isnan(ae)).sum()),
        "within_20": float(np.nanmean(w20)) if scoped else None,
        "within_50": float(np.nanmean(w50)) if scoped else None,
        "n_month_gold": scoped,
    }


def per_charge(charges: list[list[str]], errors: list[dict], baseline_errors: dict[str, list[dict]]) -> dict:
    """The plain metrics per gold charge (a row with two charges counts under both)."""
    rows = defaultdict(list)
    for i, cs in enumerate(charges):
        for c in cs:
            rows[c].append(i)
    out = {}
    for c in sorted(rows, key=lambda c: (-len(rows[c]), c)):
        idx = rows[c]
        entry = {"n": len(idx), **summarize([errors[i] for i in idx])}
        for name, errs in baseline_errors.items():
            entry[f"{name}_mae_months"] = summarize([errs[i] for i in idx])["mae_months"]
        out[c] = entry
    return out


def median_term(terms: list[int]) -> int | None:
    """The median month term, rounded to whole months (what a constant answer would state)."""
    return math.floor(statistics.median(terms) + 0.5) if terms else None  # halves round up, not to even


def charge_medians(rows: list[tuple[list[str], int]]) -> dict[str, int]:
    """charge → median term over (charges, months) rows."""
    by = defaultdict(list)
    for charges, months in rows:
        for c in charges:
            by[c].append(months)
    return {c: median_term(v) for c, v in sorted(by.items())}


def charge_baseline(charges: list[str], medians: dict[str, int], fallback: int) -> int:
    known = [medians[c] for c in charges if c in medians]
    return max(known) if known else fallback
