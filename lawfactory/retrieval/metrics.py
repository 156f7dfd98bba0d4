"""Retrieval metrics over ranked article keys, binary relevance (an article is cited or it is not).

For one query with gold set G and ranking r₁ r₂ …:
- recall@k  = |G ∩ {r₁…r_k}| / |G|          (the share of its gold articles found in the top k)
- MRR@10    = 1 / (rank of the first gold article) if it is in the top 10, else 0
- nDCG@10   = DCG / ideal DCG, DCG = Σ_{i≤10, rᵢ∈G} 1 / log₂(i + 1), ideal: the min(|G|, 10) gold
              articles at the top
Each is averaged over the queries; n is the number of queries scored.
"""

from __future__ import annotations

import math

CUTOFFS = (1, 5, 10)
NAMES = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "n")


def recall(ranked: list[str], gold: set[str], k: int) -> float:
    return len(gold.intersection(ranked[:k])) / len(gold)


def reciprocal_rank(ranked: list[str], gold: set[str], k: int = 10) -> float:
    return next((1.0 / i for i, key in enumerate(ranked[:k], 1) if key in gold), 0.0)


def ndcg(ranked: list[str], gold: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 1) for i, key in enumerate(ranked[:k], 1) if key in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def per_query(ranked: list[str], gold: set[str]) -> dict[str, float]:
    """The metrics of one query (gold not empty)."""
    out = {f"recall@{k}": recall(ranked, gold, k) for k in CUTOFFS}
    return out | {"mrr@10": reciprocal_rank(ranked, gold), "ndcg@10": ndcg(ranked, gold)}


def summarise(rows: list[dict[str, float]]) -> dict:
    """The mean of each metric over the queries, and n (all 0.0 when there is no query)."""
    n = len(rows)
    means = {name: (sum(r[name] for r in rows) / n if n else 0.0) for name in NAMES[:-1]}
    return means | {"n": n}
