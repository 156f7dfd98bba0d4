"""Mainland case → `criminal_sentencing_grounded(_eval)`: its sentencing sample with the text of the
分则 articles it cites, from the statute index, appended to the input (参考法条)."""

from __future__ import annotations

from collections.abc import Iterable

from lawfactory import lengths
from lawfactory.splits import EVAL
from lawfactory.tasks.base import BaseTask
from lawfactory.tasks.samples import sample
from lawfactory.tasks.sentencing import INSTRUCTION
from lawfactory.tasks.statute_articles import document
from lawfactory.tasks.statute_evidence import cited_special_part
from lawfactory.tasks.statute_qa import PHRASINGS

NO_GROUNDING = "grounded: cases with no cited 分则 article in the statute index (no grounded row)"
GROUNDED_INSTRUCTION = INSTRUCTION["cn"].replace("以下案件事实", "以下案件事实和所附参考法条", 1)
assert GROUNDED_INSTRUCTION != INSTRUCTION["cn"]


def with_articles(row: dict, arts: list[dict]) -> dict:
    """A mainland sentencing row grounded on `arts`: the grounded instruction, and the articles'
    citation and text appended to its input under 参考法条 (the retrieval-grounded rows,
    lawfactory/tasks/rag.py, quote their retrieved articles the same way)."""
    row["instruction"] = GROUNDED_INSTRUCTION
    row["input"] += "\n\n" + PHRASINGS["cn"]["refs"] + "\n" + "\n".join(document(a) for a in arts)
    return row


class GroundedTask(BaseTask):
    """`criminal_sentencing_grounded(_eval)`: the sentencing sample of a mainland case with the
    text of the 分则 articles it cites appended to the input (LawBench 3-5 gives the charge's
    articles). Only 分则 articles: they define the offence and its penalty range. The 总则
    articles a judgment cites are the court's conclusions — §67 (自首/坦白), §72/§73 (缓刑),
    §52/§53 (罚金), §65 (累犯) — and quoting them would hand the model the answer."""

    datasets = ("criminal_sentencing_grounded", "criminal_sentencing_grounded_eval")

    def rows(self, case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
        if case["jurisdiction"] != "cn":
            return
        arts, found, missing = cited_special_part(case, ctx.index)
        if missing:
            ctx.stats["grounded: cited articles missing from the statute index (left out)"] += missing
        if len(arts) < len(found):
            ctx.stats["grounded: cited 总则/附则 articles "
                      "(left out, they reveal the outcome)"] += len(found) - len(arts)
        if not arts:
            ctx.stats[NO_GROUNDING] += 1
            return
        eval_row = split == EVAL
        row = with_articles(sample(case, eval_row=eval_row), arts)
        if eval_row:
            row["grounded_articles"] = [a["key"] for a in arts]
        name = self.datasets[eval_row]
        cfg = ctx.config.lengths
        if lengths.over_cutoff(row, cfg):
            ctx.stats[f"grounded samples over cutoff_len {cfg.cutoff_len} dropped: {name}"] += 1
            return
        yield name, row
