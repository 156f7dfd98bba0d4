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


def item_distances(gold: list[dict], predictions: list[str]) -> list[tuple[float, bool] | None]:
    """(distance, abstained) per item; None for gold death / life rows, which LawBench skips (its TODO)."""
    return [None if g["kind"] in ("death", "life") else distance(g["months"], pred)
            for g, pred in zip(gold, predictions)]


def summarize(items: list[tuple[float, bool] | None]) -> dict:
    """The score of item_distances' output."""
    scored = [x for x in items if x is not None]
    dists, abstained = [d for d, _ in scored], sum(a for _, a in scored)
    return {
        "score": normalize(sum(dists) / len(dists)) if dists else None,
        "abstention_rate": abstained / len(items) if items else None,  # skipped items count here too
        "n_scored": len(dists),
        "skipped_death_life": len(items) - len(dists),
        "n": len(items),
    }


def lawbench_score(gold: list[dict], predictions: list[str]) -> dict:
    """gold rows carry `kind` and `months`; death / life rows are skipped."""
    return summarize(item_distances(gold, predictions))
