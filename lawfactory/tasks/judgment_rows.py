"""Full-text judgment cases → judgment-style sentencing samples.

Input: the facts the court found (with the attitude statements it recorded); output: the court's
own 本院认为 / 理由 text and its verdict for this defendant, then the `刑期:` line. Mainland cases
go to `criminal_sentencing(_eval)` beside CAIL's; Taiwan cases to `tw_judgments(_eval)`, in
Traditional Chinese unless `--to-simplified`. Samples over the recipe's cutoff_len (tokens, see
lawfactory/lengths.py) are dropped and counted, never truncated.
"""

from __future__ import annotations

import functools
from typing import Iterable

from lawfactory import lengths
from lawfactory.splits import EVAL
from lawfactory.tasks.sentencing import sentencing_sample

JUDGMENT_FORMATS = ("cjo", "judicial_yuan")  # meta.format of converters/judgments_cn.py, _tw.py
DATASETS = {"cn": "criminal_sentencing", "tw": "tw_judgments"}
# Several defendants share the facts: the prompt says whose verdict is asked for.
_FOCUS = {
    "cn": "（本案被告人：{all}。请就被告人{one}写出本院认为部分和判决主文。）",
    "tw": "（本案被告：{all}。請就被告{one}寫出理由要旨與主文。）",
}


def is_judgment(case: dict) -> bool:
    return (case.get("meta") or {}).get("format") in JUDGMENT_FORMATS


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def judgment_sample(case: dict, eval_row: bool = False, to_simplified: bool = False) -> dict:
    j = case["jurisdiction"]
    row = sentencing_sample(case, eval_row=eval_row)
    defendants = (case.get("meta") or {}).get("defendants") or []
    if len(defendants) > 1:
        row["input"] += "\n" + _FOCUS[j].format(all="、".join(defendants), one=case["defendant"])
    if j == "tw" and to_simplified:
        conv = _t2s()
        for k in ("system", "instruction", "input", "output"):
            row[k] = conv.convert(row[k])
        if eval_row:
            row["charges"] = [conv.convert(c) for c in row["charges"]]
    return row


def judgment_task(case: dict, split: str, ctx) -> Iterable[tuple[str, dict]]:
    if not is_judgment(case):
        return
    cfg = ctx.config
    name = DATASETS[case["jurisdiction"]] + ("_eval" if split == EVAL else "")
    row = judgment_sample(case, eval_row=split == EVAL, to_simplified=cfg.judgments.to_simplified)
    if lengths.over_cutoff(row, cfg.lengths):
        ctx.stats[f"judgment samples over cutoff_len {cfg.lengths.cutoff_len} dropped: {name}"] += 1
        return
    yield name, row
