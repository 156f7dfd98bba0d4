"""Hybrid retrieval: BM25 and a dense model searched together, their lists fused.

Two fusions, each a retriever spec:

- `hybrid:DIR` (the default to use): a convex combination of each retriever's scores, min-max
  normalised over its own top DEPTH list (CombSUM with equal weights):
      score(article) = Σ over retrievers  w · (s − min) / (max − min),   w = 1/2, absent = 0
  The normalisation is per query, so a retriever whose scores are flat for that query (BM25 on a long
  narrative of facts, where every article shares a few words) moves the fused order little, and one
  with a clear winner moves it a lot. Comparisons of fusion functions for hybrid retrieval find such a
  normalised convex combination at least as good as RRF; measured here in BENCHMARKS.md.
- `rrf:DIR`: reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009), ranks only:
      score(article) = Σ over the lists it appears in  1 / (K + rank),   rank 1 = best, K = 60

Each list is searched DEPTH deep (or k, if deeper). Both are written here (a formula each) rather
than with ranx, which would pull numba in. The weights are equal, never fitted to a query set."""

from __future__ import annotations

K = 60
DEPTH = 100


def rrf(rankings: list[list[str]], k: int, constant: int = K) -> list[tuple[str, float]]:
    """The fused top k of several best-first key lists, as (key, fused score); ties keep the order in
    which the keys were first met (first list first)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, 1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (constant + rank)
    return _top(fused, k)


def minmax_sum(scored: list[list[tuple[str, float]]], k: int) -> list[tuple[str, float]]:
    """The fused top k of several best-first (key, score) lists: the mean of each list's min-max
    normalised scores (a key missing from a list counts 0 there; a list whose scores are all equal
    gives each of its keys 1). Ties keep the order in which the keys were first met."""
    fused: dict[str, float] = {}
    weight = 1.0 / len(scored) if scored else 0.0
    for ranking in scored:
        if not ranking:
            continue
        scores = [s for _, s in ranking]
        lo, span = min(scores), max(scores) - min(scores)
        for key, s in ranking:
            fused[key] = fused.get(key, 0.0) + weight * ((s - lo) / span if span > 0 else 1.0)
    return _top(fused, k)


def _top(fused: dict[str, float], k: int) -> list[tuple[str, float]]:
    order = sorted(fused, key=fused.__getitem__, reverse=True)  # sorted is stable
    return [(key, fused[key]) for key in order[:k]]


class HybridRetriever:
    """Several retrievers' lists fused: fusion "minmax" (hybrid:DIR) or "rrf" (rrf:DIR)."""

    def __init__(self, retrievers: list, name: str, depth: int = DEPTH, fusion: str = "minmax"):
        if fusion not in ("minmax", "rrf"):
            raise ValueError(f"unknown fusion {fusion!r}")
        self.name = name
        self.retrievers = retrievers
        self.depth = depth
        self.fusion = fusion

    def search(self, queries: list[str], k: int, jurisdiction: str | None = None) -> list[list[tuple[str, float]]]:
        depth = max(k, self.depth)
        results = [r.search(queries, depth, jurisdiction=jurisdiction) for r in self.retrievers]
        per_query = [[per_retriever[i] for per_retriever in results] for i in range(len(queries))]
        if self.fusion == "rrf":
            return [rrf([[key for key, _ in lst] for lst in lists], k) for lists in per_query]
        return [minmax_sum(lists, k) for lists in per_query]
