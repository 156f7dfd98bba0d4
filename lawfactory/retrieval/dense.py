"""Dense retrieval with a sentence-transformers model: normalised embeddings, cosine top-k.

The corpus is embedded once, when the retriever is built (batched, with a progress bar). Queries go
through the model's `encode_query`, which puts the model's own "query" prompt before them when its
config_sentence_transformers.json has one (BGE-style models want an instruction there); a
`query_prompt` given here replaces it. Documents go through `encode_document` (its "document" prompt,
if any)."""

from __future__ import annotations

import numpy as np

from .corpus import Corpus

BATCH = 64
CHUNK = 1024  # queries scored at once (CHUNK × articles floats)


class DenseRetriever:
    def __init__(self, model: str, corpus: Corpus, query_prompt: str | None = None, batch_size: int = BATCH):
        self.name = f"dense:{model}"
        self.corpus = corpus
        self.model = _load(model)
        self.query_prompt = query_prompt
        self.batch_size = batch_size
        self.embeddings = self.model.encode_document(corpus.texts, batch_size=batch_size, normalize_embeddings=True,
                                                     convert_to_numpy=True, show_progress_bar=len(corpus.texts) > 256)

    def scores(self, queries: list[str]) -> np.ndarray:
        """Cosine similarity of each query to each article (queries × articles)."""
        prompt = {"prompt": self.query_prompt} if self.query_prompt is not None else {}
        q = self.model.encode_query(queries, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=len(queries) > 1000, **prompt)
        return q @ self.embeddings.T

    def search(self, queries: list[str], k: int, jurisdiction: str | None = None) -> list[list[tuple[str, float]]]:
        keep = None
        if jurisdiction is not None:
            keep = np.array([self.corpus.articles[key]["jurisdiction"] == jurisdiction for key in self.corpus.keys])
        out = []
        for start in range(0, len(queries), CHUNK):  # the score matrix of CHUNK queries at a time
            scores = self.scores(queries[start:start + CHUNK])
            if keep is not None:
                scores = np.where(keep, scores, -np.inf)
            for row in scores:
                top = np.argsort(-row, kind="stable")[:k]
                out.append([(self.corpus.keys[i], float(row[i])) for i in top if np.isfinite(row[i])])
        return out


def _load(model: str):
    from sentence_transformers import SentenceTransformer

    from lawfactory.errors import UsageError

    try:
        return SentenceTransformer(model)
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot load the sentence-transformers model {model!r}: {e}") from None
