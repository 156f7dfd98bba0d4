"""LawBench 3-4 / 3-5 term score, as open-compass/LawBench evaluation_functions/ljp_imprison.py
computes it, on the whole answer text.

Gold death / life items are skipped. The answer goes through cn2an.transform; its months are the
first `\\d+个月` match, else the first `\\d+月` match (the two lists are concatenated in that
order), else the first `\\d+年` × 12; an answer without any is an abstention and costs ln 216.
score = (ln 216 − mean distance) / ln 216, distance = |ln(gold+1) − ln(pred+1)|.
abstention_rate divides by every item, the skipped death/life ones included, as LawBench does.

Quirk kept on purpose: "1年6个月" reads as 6 (the first N个月), and a judgment-style answer
"有期徒刑一年六个月 … 刑期:18个月" reads as 6 too. Our own parser (terms.parse_sentence) reads 18.
"""

from __future__ import annotations

import math
import re
import warnings

import cn2an

ABSTAIN = math.log(216)


def lawbench_months(prediction: str) -> int | None:
    """The months LawBench reads from an answer, or None (an abstention)."""
    try:
        with warnings.catch_warnings():  # cn2an warns on every numeral run it cannot read
            warnings.simplefilter("ignore")
            text = cn2an.transform(prediction, "cn2an")
    except Exception:  # cn2an gives up on some odd numeral runs; LawBench would crash, we read the raw text
        text = prediction
    months = [int(d[:-2]) for d in re.findall(r"\d+个月", text)]
    months += [int(d[:-1]) for d in re.findall(r"\d+月", text)]
    years = [int(d[:-1]) for d in re.findall(r"\d+年", text)]
    if months:
        return months[0]
    if years:
        return years[0] * 12
    return None


def distance(gold_months: int, prediction: str) -> tuple[float, bool]:
    """(log distance, abstained) of one item."""
    p = lawbench_months(prediction)
    if p is None:
        return ABSTAIN, True
    return abs(math.log(gold_months + 1) - math.log(p + 1)), False


def normalize(mean_distance: float) -> float:
    return (ABSTAIN - mean_distance) / ABSTAIN


def lawbench_score(gold: list[dict], predictions: list[str]) -> dict:
    """gold rows carry `kind` and `months`; death / life rows are skipped (LawBench's TODO)."""
    dists, abstained = [], 0
    for g, pred in zip(gold, predictions):
        if g["kind"] in ("death", "life"):
            continue
        d, a = distance(g["months"], pred)
        dists.append(d)
        abstained += a
    return {
        "score": normalize(sum(dists) / len(dists)) if dists else None,
        "abstention_rate": abstained / len(gold) if gold else None,
        "n_scored": len(dists),
        "skipped_death_life": len(gold) - len(dists),
        "n": len(gold),
    }
