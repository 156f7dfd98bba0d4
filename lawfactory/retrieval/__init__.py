"""Statute retrieval (docs/retrieval.md): retrievers over the articles in force of a statute index.

    corpus = load_corpus("DATA/statutes_index.jsonl")        # or corpus_from_articles(ctx.index)
    retriever = load_retriever("bm25", corpus)                # bm25 | dense:DIR | hybrid:DIR
    retriever.search(["入户盗窃他人财物"], k=10)              # [[(article key, score), …], …]

DIR is a sentence-transformers model folder or Hub id (a trained `lawfactory train-embedder` output).
Heavy libraries (bm25s, jieba, sentence-transformers) load when a retriever is built.
"""

from __future__ import annotations

from typing import Protocol

from .corpus import Corpus, corpus_from_articles, load_corpus

__all__ = ["Corpus", "Retriever", "corpus_from_articles", "load_corpus", "load_retriever", "SPECS"]

SPECS = "bm25 | dense:DIR | hybrid:DIR"


class Retriever(Protocol):
    name: str  # "bm25", "dense:DIR", "hybrid:DIR"

    def search(self, queries: list[str], k: int) -> list[list[tuple[str, float]]]:
        """For each query: up to k (article key, score), best first. The retrievers here also take
        jurisdiction="cn" / "tw" to search that side's articles only."""
        ...


def load_retriever(spec: str, corpus: Corpus, query_prompt: str | None = None) -> Retriever:
    """The retriever a spec names: bm25, dense:DIR or hybrid:DIR (DIR: a sentence-transformers model
    folder or Hub id). query_prompt: a text put before every query by dense models (default: the
    model's own "query" prompt, if its config has one). A bad spec is a UsageError."""
    from lawfactory.errors import UsageError

    kind, _, model = spec.partition(":")
    if kind == "bm25" and not model:
        from .bm25 import BM25Retriever

        return BM25Retriever(corpus)
    if kind in ("dense", "hybrid") and model:
        from .dense import DenseRetriever

        dense = DenseRetriever(model, corpus, query_prompt=query_prompt)
        if kind == "dense":
            return dense
        from .bm25 import BM25Retriever
        from .hybrid import HybridRetriever

        return HybridRetriever([BM25Retriever(corpus), dense], name=spec)
    raise UsageError(f"unknown retriever {spec!r}: expected {SPECS}")
