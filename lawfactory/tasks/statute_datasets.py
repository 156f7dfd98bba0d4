"""StatuteTask: the statute datasets, written after every case has been seen — the QA
conversations (`cn_statutes_qa`, `tw_statutes_qa`, `fr_statutes_qa` and its article-split
`fr_statutes_qa_eval`: lawfactory/tasks/statute_qa.py) and the
retrieval triplets (DATA/statute_retrieval.jsonl: lawfactory/tasks/statute_evidence.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tqdm import tqdm

from lawfactory import jsonl
from lawfactory.splits import TRAIN
from lawfactory.tasks.base import BaseTask
from lawfactory.tasks.statute_evidence import (
    RETRIEVAL,
    RETRIEVAL_SET,
    StatuteEvidence,
    collect,
    governing_articles,
    question_pairs,
)
from lawfactory.tasks.statute_qa import QA_DATASETS, QA_EVAL_DATASETS, qa_dataset, qa_rows


class StatuteTask(BaseTask):
    """`cn_statutes_qa`, `tw_statutes_qa` and the retrieval triplets (DATA/statute_retrieval.jsonl).
    The cases only feed the evidence (charge → governing articles, case-facts anchors); every row
    is written by finish(): the QA conversations of each article in index order, then the charge
    questions, per jurisdiction; the retrieval pairs with a question anchor, then those with a case."""

    datasets = (*QA_DATASETS.values(), *QA_EVAL_DATASETS.values(), RETRIEVAL_SET)

    def prepare(self, ctx) -> None:
        self.index, self.seed, self.eval_ratio = ctx.index, ctx.config.seed, ctx.config.eval_ratio
        self.to_simplified = ctx.config.judgments.to_simplified
        self.ev = StatuteEvidence(ctx.index, self.seed, ctx.work)
        self.question_anchors = 0

    def rows(self, case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
        if split == TRAIN and self.index:
            collect(self.ev, case, ctx.stats)
        return ()

    def shard(self, ctx) -> tuple:
        return self.ev.take()

    def merge(self, part: tuple, ctx) -> None:
        self.ev.merge(part, ctx.stats)

    def finish(self, ctx) -> Iterator[tuple[str, dict]]:
        ev = self.ev
        ev.close()
        charges = list(governing_articles(ev, self.index))
        for j, name in QA_DATASETS.items():
            rows = qa_rows(self.index, charges, self.seed, j, self.to_simplified)
            yield from ((qa_dataset(j, row, self.seed, self.eval_ratio), row)
                        for row in tqdm(rows, desc=name, unit=" row", mininterval=1.0))
        for row in question_pairs(self.index, self.seed, ev.negatives):
            self.question_anchors += 1
            yield RETRIEVAL_SET, row
        if ev.pairs:
            yield from ((RETRIEVAL_SET, row) for _, row, _ in jsonl.iter_jsonl(ev.pairs_path))
        ev.pairs_path.unlink(missing_ok=True)

    def report(self, ctx) -> dict:
        n, ev = self.question_anchors, self.ev
        return {"statutes": {
            "retrieval": {"file": RETRIEVAL, "rows": n + ev.pairs, "question_anchors": n, "case_anchors": ev.pairs},
            "charges_with_articles": sum(1 for _ in governing_articles(ev, self.index)),
        }}
