"""Percentile bootstrap confidence intervals over eval rows (seeded, reproducible).

Every metric is resampled with the same seed, so the i-th resample draws the same rows for all
metrics (paired intervals). A statistic gets the row-draw counts (weights) of one resample.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

RESAMPLES = 1000
SEED = 0


def weighted_mean(values: np.ndarray) -> Callable[[np.ndarray], float]:
    """Mean of per-row values under draw weights; NaN rows (not applicable) are left out."""
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values)
    v = np.where(ok, values, 0.0)

    def stat(w: np.ndarray) -> float:
        total = w @ ok
        return float(w @ v / total) if total else float("nan")

    return stat


def ci(stat: Callable[[np.ndarray], float], n: int, resamples: int = RESAMPLES, seed: int = SEED,
       level: float = 0.95) -> list[float] | None:
    """[low, high] percentile interval of stat over resamples of n rows; None if n == 0."""
    if n == 0:
        return None
    rng = np.random.default_rng(seed)
    values = np.empty(resamples)
    for i in range(resamples):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        values[i] = stat(w)
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    alpha = (1 - level) / 2
    lo, hi = np.quantile(values, [alpha, 1 - alpha])
    return [float(lo), float(hi)]
