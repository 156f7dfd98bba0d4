"""CAIL2018's official scores, computed as thunlp/CAIL2018 judger/judger.py computes them.

imprisonment_score: term codes death −2, life −1, else months. A true death sentence scores 1
only for a −2 prediction, a true life sentence only for −1; otherwise a negative prediction
scores 0, else v = |ln(t+1) − ln(p+1)| scores 1 / 0.8 / 0.6 / 0.4 / 0.2 for v ≤ 0.2 / 0.4 /
0.6 / 0.8 / 1.0 and 0 beyond. An abstention (no readable penalty) scores 0.

accusation_score / articles_score: per-class TP/FP/FN over a class set; F1 of a class is 1 when
TP = FP = FN = 0 and 0 when TP = 0 otherwise; score = (micro-F1 + macro-F1) / 2. The judger
uses the fixed official lists (202 charges, 183 articles), so classes nobody predicted or needed
count F1 = 1 there. Without such lists we use the union of gold and predicted labels; with them
(`--charges accu.txt --articles law.txt`) labels outside the list cannot be expressed, as in the
judger, and are counted separately instead.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from lawfactory.parse.charges import normalize_charge
from lawfactory.records import PRC_CRIMINAL_LAW, article_key

_BANDS = ((0.2, 1.0), (0.4, 0.8), (0.6, 0.6), (0.8, 0.4), (1.0, 0.2))


def term_score(truth: int, pred: int | None) -> float:
    """One case's imprisonment score; truth and pred are judger codes (pred None = abstained)."""
    if pred is None:
        return 0.0
    if truth == -2:
        return 1.0 if pred == -2 else 0.0
    if truth == -1:
        return 1.0 if pred == -1 else 0.0
    if pred < 0:
        return 0.0
    v = abs(math.log(truth + 1) - math.log(pred + 1))
    for bound, score in _BANDS:
        if v <= bound:
            return score
    return 0.0


def f1(tp: float, fp: float, fn: float) -> float:
    """The judger's get_value: F1 = 1 when TP = FP = FN = 0, 0 when TP = 0 otherwise."""
    if tp == 0:
        return 1.0 if fp == 0 and fn == 0 else 0.0
    p, r = tp / (tp + fp), tp / (tp + fn)
    return 2 * p * r / (p + r)


def label_counts(gold: list[list[str]], pred: list[list[str]], classes: list[str] | None = None):
    """Per-row TP/FP/FN indicator matrices (rows × classes) and the class list.

    Rows stay separate so the bootstrap can resample them. classes None = union of the labels.
    """
    if classes is None:
        classes = sorted({x for row in gold for x in row} | {x for row in pred for x in row})
    index = {c: i for i, c in enumerate(classes)}
    n, k = len(gold), len(classes)
    tp, fp, fn = (np.zeros((n, k), dtype=np.int32) for _ in range(3))
    for i, (g, p) in enumerate(zip(gold, pred)):
        gs = {index[x] for x in g if x in index}
        ps = {index[x] for x in p if x in index}
        for j in gs & ps:
            tp[i, j] = 1
        for j in ps - gs:
            fp[i, j] = 1
        for j in gs - ps:
            fn[i, j] = 1
    return tp, fp, fn, classes


def micro_macro(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, weights: np.ndarray | None = None):
    """(micro-F1, macro-F1) from per-row matrices; weights = how often each row is drawn."""
    if weights is None:
        weights = np.ones(tp.shape[0])
    t, f_p, f_n = weights @ tp, weights @ fp, weights @ fn
    if len(t) == 0:  # no labels anywhere: the judger's TP = FP = FN = 0 rule
        return 1.0, 1.0
    macro = float(np.mean([f1(a, b, c) for a, b, c in zip(t, f_p, f_n)]))
    return f1(t.sum(), f_p.sum(), f_n.sum()), macro


def f1_score(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The judger's score: (micro-F1 + macro-F1) / 2."""
    micro, macro = micro_macro(tp, fp, fn, weights)
    return (micro + macro) / 2


def set_score(gold: list[list[str]], pred: list[list[str]], classes: list[str] | None = None) -> dict:
    """accusation_score / articles_score with the class set it was computed over."""
    outside = 0
    if classes is not None:
        known = set(classes)
        outside = sum(1 for rows in (gold, pred) for row in rows for x in set(row) if x not in known)
    tp, fp, fn, cls = label_counts(gold, pred, classes)
    micro, macro = micro_macro(tp, fp, fn)
    return {
        "score": (micro + macro) / 2,
        "micro_f1": micro,
        "macro_f1": macro,
        "classes": len(cls),
        "class_set": "official list" if classes is not None else "union of gold and predicted labels",
        "labels_outside_list": outside,
        "n": len(gold),
    }


def read_list(path: str | Path, kind: str) -> list[str]:
    """accu.txt (one charge a line) or law.txt (one 刑法 article number a line) → class labels."""
    out = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if kind == "charges":
            out.append(normalize_charge(line))
        else:
            try:
                out.append(article_key(PRC_CRIMINAL_LAW, int(line)))
            except ValueError:
                raise ValueError(f"{path}:{lineno}: not an article number: {line!r}") from None
    return list(dict.fromkeys(out))
