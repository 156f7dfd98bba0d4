"""Full-text judgment cases → judgment-style sentencing samples.

Input: the facts the court found (with the attitude statements it recorded); output: the court's
own 本院认为 / 理由 text and its verdict for this defendant, then the `刑期:` line. Mainland cases
go to `criminal_sentencing(_eval)` beside CAIL's; Taiwan cases to `tw_judgments(_eval)`, in
Traditional Chinese unless `--to-simplified`. Samples over the recipe's cutoff_len (tokens, see
lawfactory/lengths.py) are dropped and counted, never truncated.
"""

from __future__ import annotations

from typing import Iterable

from lawfactory import lengths
from lawfactory.parse.scripts import t2s
from lawfactory.records import is_judgment
from lawfactory.splits import EVAL
from lawfactory.tasks.base import BaseTask
from lawfactory.tasks.sentencing import sentencing_sample

DATASETS = {"cn": "criminal_sentencing", "tw": "tw_judgments"}
# Several defendants share the facts: the prompt says whose verdict is asked for.
_FOCUS = {
    "cn": "（本案被告人：{all}。请就被告人{one}写出本院认为部分和判决主文。）",
    "tw": "（本案被告：{all}。請就被告{one}寫出理由要旨與主文。）",
}


def judgment_sample(case: dict, eval_row: bool = False, to_simplified: bool = False) -> dict:
    j = case["jurisdiction"]
    row = sentencing_sample(case, eval_row=eval_row)
    defendants = (case.get("meta") or {}).get("defendants") or []
    if len(defendants) > 1:
        row["input"] += "\n" + _FOCUS[j].format(all="、".join(defendants), one=case["defendant"])
    if j == "tw" and to_simplified:
        conv = t2s()
        for k in ("system", "instruction", "input", "output"):
            row[k] = conv.convert(row[k])
        if eval_row:
            row["charges"] = [conv.convert(c) for c in row["charges"]]
    return row


class JudgmentTask(BaseTask):
    """Full-text judgments: mainland ones into `criminal_sentencing(_eval)`, Taiwan ones into
    `tw_judgments(_eval)`; a row over the recipe's cutoff_len is dropped and counted."""

    datasets = tuple(name + split for name in DATASETS.values() for split in ("", "_eval"))

    def rows(self, case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
        if not is_judgment(case):
            return
        cfg = ctx.config
        name = DATASETS[case["jurisdiction"]] + ("_eval" if split == EVAL else "")
        row = judgment_sample(case, eval_row=split == EVAL, to_simplified=cfg.judgments.to_simplified)
        if lengths.over_cutoff(row, cfg.lengths):
            ctx.stats[f"judgment samples over cutoff_len {cfg.lengths.cutoff_len} dropped: {name}"] += 1
            return
        yield name, row


def too_long(case: dict, config) -> bool:
    """A full-text judgment whose training row would be over the recipe's cutoff_len (the check
    JudgmentTask drops rows by; the adversarial stage gets it as its length predicate). config: the
    build's BuildConfig (lawfactory/config.py)."""
    if not is_judgment(case):
        return False
    return lengths.over_cutoff(judgment_sample(case, to_simplified=config.judgments.to_simplified), config.lengths)
