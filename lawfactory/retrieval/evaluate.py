"""`lawfactory retrieval-eval`: retrievers on a query file over a statute index.

    OUT/metrics.json   {"<retriever>": {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "n"}}
    OUT/report.md      the table, the plot, the gold keys that cannot be found, misses per retriever
    OUT/misses.jsonl   every miss: a query with a gold article outside the retriever's top k
    OUT/retrieval.png  the metrics as bars

A query carrying "jurisdiction" is searched among that side's articles only, otherwise among the
whole index. A gold key that cannot be found there (not in the index, a deleted article, an article
of the other jurisdiction) is left out of that query's gold, counted and listed in the report; a
query left with no gold is not scored (n counts the scored queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lawfactory import jsonl

from . import load_retriever
from .corpus import corpus_from_articles, read_index
from .metrics import per_query, summarise
from .queries import Query, read_queries
from .report import write_report

DEPTH = 10  # the metrics look at the top 10


@dataclass(frozen=True)
class Unfindable:
    """A gold key of the query on `line` that no search can return."""

    line: int
    key: str
    reason: str  # "not in the index", "deleted article", "outside the query's jurisdiction"
    searched: str | None = None  # the query's jurisdiction, when the key is outside it


def _unfindable(queries: list[Query], records: list[dict]) -> list[Unfindable]:
    by_key = {a["key"]: a for a in records}
    out = []
    for q in queries:
        for key in q.articles:
            a = by_key.get(key)
            if a is None:
                out.append(Unfindable(q.line, key, "not in the index"))
            elif a["deleted"]:
                out.append(Unfindable(q.line, key, "deleted article"))
            elif q.jurisdiction and a["jurisdiction"] != q.jurisdiction:
                out.append(Unfindable(q.line, key, "outside the query's jurisdiction", q.jurisdiction))
    return out


def rankings(retriever, queries: list[Query], k: int) -> list[list[str]]:
    """Each query's top k keys, searching by jurisdiction where the query names one."""
    out: list[list[str] | None] = [None] * len(queries)
    groups: dict[str | None, list[int]] = {}
    for i, q in enumerate(queries):
        groups.setdefault(q.jurisdiction, []).append(i)
    for jurisdiction, ids in groups.items():
        texts = [queries[i].text for i in ids]
        found = retriever.search(texts, k, jurisdiction=jurisdiction) if jurisdiction else retriever.search(texts, k)
        for i, hits in zip(ids, found):
            out[i] = [key for key, _ in hits]
    return out


def evaluate(index: Path, queries_path: Path, specs: list[str], out: Path, k: int = 10,
             query_prompt: str | None = None) -> dict:
    """Run every retriever on the queries; write OUT/metrics.json, report.md, misses.jsonl and the plot;
    return the metrics."""
    records = read_index(Path(index))
    corpus = corpus_from_articles(records)
    queries = read_queries(queries_path)
    unfindable = _unfindable(queries, records)
    lost = {(u.line, u.key) for u in unfindable}
    gold = [[key for key in q.articles if (q.line, key) not in lost] for q in queries]
    scored = [i for i, g in enumerate(gold) if g]

    metrics, misses, cache = {}, [], {}
    for spec in dict.fromkeys(specs):
        ranked = rankings(load_retriever(spec, corpus, query_prompt, cache), [queries[i] for i in scored],
                          max(k, DEPTH))
        metrics[spec] = summarise([per_query(r, set(gold[i])) for i, r in zip(scored, ranked)])
        for i, r in zip(scored, ranked):
            outside = [key for key in gold[i] if key not in r[:k]]
            if outside:
                misses.append({"retriever": spec, "line": queries[i].line, "query": queries[i].text, "gold": gold[i],
                               "missed": outside, "top": r[:k]})
    out.mkdir(parents=True, exist_ok=True)
    jsonl.write_json(out / "metrics.json", metrics)
    jsonl.write_jsonl(out / "misses.jsonl", misses)
    write_report(out, metrics=metrics, misses=misses, k=k, index=index, corpus_size=len(corpus),
                 queries_path=queries_path, queries=len(queries), unscored=len(queries) - len(scored),
                 unfindable=unfindable)
    return metrics
