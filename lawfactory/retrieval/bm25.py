"""BM25 over the corpus (bm25s, Lucene's BM25 variant, k1 1.5, b 0.75) on the tokens of
lawfactory/retrieval/tokenize.py."""

from __future__ import annotations

import numpy as np

from .corpus import Corpus
from .tokenize import tokenize


class BM25Retriever:
    name = "bm25"

    def __init__(self, corpus: Corpus):
        import bm25s

        self.corpus = corpus
        self._model = bm25s.BM25()
        self._model.index([tokenize(t) for t in corpus.texts], show_progress=False)
        self._vocab = self._model.vocab_dict

    def search(self, queries: list[str], k: int, jurisdiction: str | None = None) -> list[list[tuple[str, float]]]:
        """For each query up to k (article key, score), best first; articles of no query token are
        not returned. jurisdiction "cn" / "tw" / "fr" searches its articles only."""
        mask = _mask(self.corpus, jurisdiction)
        out = []
        for q in queries:
            ids = [self._vocab[t] for t in tokenize(q) if t in self._vocab]
            if not ids:
                out.append([])
                continue
            scores = self._model.get_scores(ids)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            top = np.argsort(-scores, kind="stable")[:k]
            out.append([(self.corpus.keys[i], float(scores[i])) for i in top if scores[i] > 0])
        return out


def _mask(corpus: Corpus, jurisdiction: str | None):
    if jurisdiction is None:
        return None
    return np.array([corpus.articles[key]["jurisdiction"] == jurisdiction for key in corpus.keys])
