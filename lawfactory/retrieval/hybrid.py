"""Hybrid retrieval: reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009) of several retrievers.

    score(article) = Σ over the lists it appears in  1 / (K + rank),   rank 1 = best, K = 60

Each list is searched DEPTH deep (or k, if deeper), so an article ranked low by one retriever and
high by the other still meets both terms. RRF uses ranks only: BM25 scores and cosines need no
common scale. Written here (one formula) rather than with ranx, which would pull numba in."""

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
    order = sorted(fused, key=fused.__getitem__, reverse=True)  # sorted is stable
    return [(key, fused[key]) for key in order[:k]]


class HybridRetriever:
    def __init__(self, retrievers: list, name: str, depth: int = DEPTH):
        self.name = name
        self.retrievers = retrievers
        self.depth = depth

    def search(self, queries: list[str], k: int, jurisdiction: str | None = None) -> list[list[tuple[str, float]]]:
        depth = max(k, self.depth)
        results = [r.search(queries, depth, jurisdiction=jurisdiction) for r in self.retrievers]
        return [rrf([[key for key, _ in per_retriever[i]] for per_retriever in results], k)
                for i in range(len(queries))]
