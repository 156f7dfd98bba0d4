"""Statute retrieval (docs/retrieval.md): retrievers over the articles in force of a statute index.

    corpus = load_corpus("DATA/statutes_index.jsonl")        # or corpus_from_articles(ctx.index)
    retriever = load_retriever("bm25", corpus)                # bm25 | dense:DIR | hybrid:DIR
    retriever.search(["入户盗窃他人财物"], k=10)              # [[(article key, score), …], …]

DIR is a sentence-transformers model folder or Hub id (a trained `lawfactory train-embedder` output).
Heavy libraries (bm25s, jieba, sentence-transformers) load when a retriever is built.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .corpus import Corpus, corpus_from_articles, load_corpus

__all__ = ["Corpus", "Retriever", "corpus_from_articles", "load_corpus", "load_retriever", "SPECS"]

SPECS = "bm25 | dense:DIR | hybrid:DIR | rrf:DIR"


@runtime_checkable
class Retriever(Protocol):
    name: str  # "bm25", "dense:DIR", "hybrid:DIR", "rrf:DIR"

    def search(self, queries: list[str], k: int) -> list[list[tuple[str, float]]]:
        """For each query: up to k (article key, score), best first. The retrievers here also take
        jurisdiction="cn" / "tw" / "fr" to search one jurisdiction's articles only."""
        ...


def load_retriever(spec: str, corpus: Corpus, query_prompt: str | None = None, cache: dict | None = None) -> Retriever:
    """The retriever a spec names: bm25, dense:DIR, hybrid:DIR (BM25 and dense, scores fused) or rrf:DIR
    (the same, reciprocal-rank fused; lawfactory/retrieval/hybrid.py) (DIR: a sentence-transformers model
    folder or Hub id). query_prompt: a text put before every query by dense models (default: the
    model's own "query" prompt, if its config has one). cache (spec → retriever, for this corpus):
    retrievers to reuse, e.g. the BM25 and dense parts of a hybrid; what is built is added. A bad
    spec is a UsageError."""
    from lawfactory.errors import UsageError

    cache = {} if cache is None else cache
    if spec in cache:
        return cache[spec]
    kind, _, model = spec.partition(":")
    if kind == "bm25" and not model:
        from .bm25 import BM25Retriever

        retriever = BM25Retriever(corpus)
    elif kind == "dense" and model:
        from .dense import DenseRetriever

        retriever = DenseRetriever(model, corpus, query_prompt=query_prompt)
    elif kind in ("hybrid", "rrf") and model:
        from .hybrid import HybridRetriever

        parts = [load_retriever(part, corpus, query_prompt, cache) for part in ("bm25", f"dense:{model}")]
        retriever = HybridRetriever(parts, name=spec, fusion="rrf" if kind == "rrf" else "minmax")
    else:
        raise UsageError(f"unknown retriever {spec!r}: expected {SPECS}")
    cache[spec] = retriever
    return retriever
