"""The rows of the adversarial stage's variants (adversarial/stage.py): the same sentencing samples
as every other case (lawfactory/tasks/samples.py), routed to their own datasets.

Train variants → `criminal_adversarial`: the variant's sentencing row with its provenance and its
attitude flags. Eval variants → `criminal_attitude_pairs_eval`, two rows per pair, the source row
then the variant row, each with the flat gold columns plus `pair_id` (the variant's case_id),
`pair_role` (source | variant) and `implied_log_ratio` (ln(variant months / source months) of the
gold terms, 0.0 for life and death; the same on both rows). Variant rows of both files carry
`changes` as a JSON string (spans edited with before/after text, discounts removed with band and
point, ratio, source and new months, cap); source rows carry "".
"""

from __future__ import annotations

from collections.abc import Iterator

from lawfactory import jsonl
from lawfactory.splits import TRAIN
from lawfactory.tasks.base import BaseTask
from lawfactory.tasks.samples import sample

TRAIN_SET, PAIRS = "criminal_adversarial", "criminal_attitude_pairs_eval"


class VariantRowsTask(BaseTask):
    datasets = (TRAIN_SET, PAIRS)

    def variant_rows(self, variant: dict, source: dict, split: str, ctx) -> Iterator[tuple[str, dict]]:
        simplified = ctx.config.judgments.to_simplified
        if split == TRAIN:
            row = sample(variant, to_simplified=simplified)
            row["attitude"] = [f for f, on in variant["attitude"].items() if on]  # read by the data card
            row["changes"] = jsonl.dumps(variant["changes"])  # a JSON string: one Arrow type for every row
            yield TRAIN_SET, row
            return
        extra = {"pair_id": variant["case_id"], "implied_log_ratio": variant["changes"]["implied_log_ratio"]}
        for role, c in (("source", source), ("variant", variant)):
            yield PAIRS, {**sample(c, eval_row=True, to_simplified=simplified), "pair_role": role, **extra,
                          "changes": jsonl.dumps(c["changes"]) if role == "variant" else ""}
