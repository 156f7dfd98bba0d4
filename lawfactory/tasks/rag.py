"""Mainland eval case → `criminal_sentencing_rag_eval`: its `criminal_sentencing_eval` row (same
cases, same order, same gold columns) with the top-k articles a retriever finds from the facts
quoted in the input, as the grounded rows quote the cited ones (lawfactory/tasks/grounded.py
`with_articles`). At prediction time nobody knows which articles the judgment will cite; these
rows ask what grounding a model can actually get.

The retriever (`--rag-retriever`: bm25, dense:DIR, hybrid:DIR) searches the 分则 articles in force
of the case's jurisdiction in the statute index the build holds (ctx.index): the articles that
define offences and their penalty ranges, the same part the grounded rows quote (their docstring
says why 总则 articles are left out). Each row records the keys it quotes (`retrieved`, best first)
and the cited 分则 articles the grounded row would quote (`cited_articles`), so `lawfactory eval`
can report how often retrieval finds the cited articles; the manifest's `rag` block records the
retriever and k.

The queries are searched in batches: `prepare` runs every eval case's facts through the retriever
at once (a dense model embeds a batch far faster than one query at a time), `rows` looks them up.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator

from lawfactory import lengths
from lawfactory.errors import BuildError, LawfactoryError
from lawfactory.splits import EVAL
from lawfactory.tasks.base import BaseTask
from lawfactory.tasks.grounded import with_articles
from lawfactory.tasks.judgment_rows import too_long
from lawfactory.tasks.samples import sample
from lawfactory.tasks.statute_articles import special_part
from lawfactory.tasks.statute_evidence import cited_special_part

NAME = "criminal_sentencing_rag_eval"
BATCH = 512  # queries a search call takes at once (bounds the memory of a dense model's scores)


def special_part_corpus(index: dict, jurisdiction: str):
    """The retrieval corpus of the rows: the 分则 articles in force of one jurisdiction."""
    from lawfactory.retrieval import corpus_from_articles

    return corpus_from_articles([a for a in index.values() if special_part(a)], jurisdiction)


def _key(case: dict) -> tuple:
    """A case within one build (its id, and its facts should two cases ever share an id): the same
    in every process (the task stage's workers: not hash(), which spawned processes salt apart)."""
    return case["case_id"], hashlib.blake2b(case["facts"].encode("utf-8", "surrogatepass"), digest_size=8).digest()


def keeps(case: dict, split: str, config) -> bool:
    """Whether `criminal_sentencing_eval` holds this case's row (the sentencing and judgment tasks'
    rule: mainland eval cases, less the judgments over cutoff_len), so this dataset holds it too."""
    return split == EVAL and case["jurisdiction"] == "cn" and not too_long(case, config)


class RagTask(BaseTask):
    """`criminal_sentencing_rag_eval`: every `criminal_sentencing_eval` row with the articles
    retrieved from its facts (docstring of lawfactory/tasks/rag.py)."""

    datasets = (NAME,)

    def __init__(self) -> None:
        self.kept: set[tuple] = set()  # _key of every case keeps() takes (decided once, in prepare)
        self.found: dict[tuple, list[str]] = {}  # _key(case) → retrieved keys, best first
        self.retriever = ""
        self.corpus_size = 0

    def prepare(self, ctx) -> None:
        with ctx.timer("rag retrieval"):  # printed with the build's stages
            self._retrieve(ctx)

    def _retrieve(self, ctx) -> None:
        cfg = ctx.config.rag
        eval_cases = self._eval_cases(ctx)
        batch = list(itertools.islice(eval_cases, BATCH))
        if not batch:
            return
        corpus = special_part_corpus(ctx.index, "cn")
        self.corpus_size = len(corpus.keys)
        if not corpus.keys:
            for _ in eval_cases:  # nothing to retrieve from: the rows still need to know which cases
                pass
            return
        from lawfactory.retrieval import load_retriever

        try:
            retriever = load_retriever(cfg.retriever, corpus)
            self.retriever = retriever.name
            while batch:
                hits = retriever.search([facts for _, facts in batch], cfg.k)
                self.found.update({key: [k for k, _ in h] for (key, _), h in zip(batch, hits)})
                batch = list(itertools.islice(eval_cases, BATCH))
        except LawfactoryError:
            raise
        except Exception as e:  # a retriever that fails fails for every case: the build stops, naming it
            raise BuildError(f"--rag-retriever {cfg.retriever}: retrieval failed: {type(e).__name__}: {e}") from e

    def _eval_cases(self, ctx) -> Iterator[tuple[tuple, str]]:
        """(key, facts) of the cases keeps() takes, recorded in self.kept as they stream by."""
        for c, split in ctx.cases():
            if keeps(c, split, ctx.config):
                self.kept.add(_key(c))
                yield _key(c), c["facts"]

    def rows(self, case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
        if _key(case) not in self.kept:  # the length check tokenizes the whole sample: not twice
            return
        k, keys = ctx.config.rag.k, self.found.get(_key(case), [])
        row = with_articles(sample(case, eval_row=True), [ctx.index[key] for key in keys])
        row["retrieved"] = keys
        row["cited_articles"] = [a["key"] for a in cited_special_part(case, ctx.index)[0]]
        if len(keys) < k:
            ctx.stats[f"rag: rows with fewer than {k} articles retrieved (bm25: fewer 分则 articles share a word)"] += 1
        if lengths.over_cutoff(row, ctx.config.lengths):  # kept: the arms compare the same cases
            ctx.stats[f"rag: rows over cutoff_len {ctx.config.lengths.cutoff_len} (kept; predict truncates them)"] += 1
        yield NAME, row

    def report(self, ctx) -> dict:
        cfg = ctx.config.rag
        return {"rag": {"dataset": NAME, "retriever": self.retriever or cfg.retriever, "k": cfg.k,
                        "corpus": "分则 articles in force (cn)", "corpus_articles": self.corpus_size,
                        "cases_searched": len(self.found)}}
