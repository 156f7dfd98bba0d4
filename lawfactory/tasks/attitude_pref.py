"""Preference pairs from the adversarial stage's training variants (adversarial/stage.py):
`criminal_attitude_pref` (pairwise: LLaMA-Factory's `ranking` alpaca form, for DPO / RM) and the
same pairs in KTO form, `criminal_attitude_kto` (one row per answer, `kto_tag` true for the chosen).

One pair per train variant. The prompt (system, instruction, input) is the variant's, exactly as
its `criminal_adversarial` row has it; `chosen` is the variant's answer (the rule-derived term);
`rejected` is the same answer with the SOURCE's sentence (its term, principal and probation): a
minimal pair that differs only in the penalty. So a refusal / unclear variant prefers the longer
term without probation to the source's lenient one, and a confession variant prefers the shorter
term to the source's. A pair whose answers state the same term (the `刑期:` line: life and death
stay as they were, a term capped or clamped back to the source's) is not written; it is counted
with its reason. Rows carry their provenance (case_id, variant_of, variant, synthetic: true,
chosen_months, rejected_months); LLaMA-Factory ignores the columns its entry does not map.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from lawfactory.errors import BuildError
from lawfactory.parse.terms import term_line
from lawfactory.splits import TRAIN
from lawfactory.tasks.base import BaseTask
from lawfactory.tasks.samples import sample

PREF, KTO = "criminal_attitude_pref", "criminal_attitude_kto"
LONGER = ("refusal", "unclear")  # variants whose rule-derived term is longer than the source's
PROMPT = ("system", "instruction", "input")
PROVENANCE = ("case_id", "variant_of", "variant", "synthetic")


def same_term_reason(variant: dict) -> str:
    """Why a variant states its source's term (the `changes` of adversarial/variants.py _term)."""
    s, ch = variant["sentence"], variant["changes"]
    if s["kind"] != "fixed":
        return f"{s['kind']} sentence unchanged"
    if ch.get("capped"):
        return "term capped at the statutory maximum"
    if ch.get("clamped"):
        return "term clamped to its principal penalty's limit"
    if ch.get("floor"):
        return "term held at its principal penalty's minimum"
    return "term rounds to the source's"


def check_direction(variant: dict, chosen: int, rejected: int) -> None:
    """refusal / unclear: the chosen term is longer; confession: shorter. The self-checks already
    hold the variant's term on the right side of the source's (adversarial/checks.py), so a pair
    the wrong way round is a bug: it stops the build."""
    longer = variant["variant"] in LONGER
    if (chosen > rejected) != longer or chosen == rejected:
        raise BuildError(f"{PREF}: variant {variant['case_id']} ({variant['variant']} of {variant['variant_of']}) "
                         f"prefers {chosen} months to {rejected}: a {variant['variant']} pair must prefer the "
                         f"{'longer' if longer else 'shorter'} term")


class AttitudePrefTask(BaseTask):
    datasets = (PREF, KTO)

    def __init__(self) -> None:
        self.variants = 0  # train variants seen
        self.written: Counter = Counter()  # variant type → pairs written
        self.skipped: Counter = Counter()  # "type: reason" → pairs not written

    def variant_rows(self, variant: dict, source: dict, split: str, ctx) -> Iterator[tuple[str, dict]]:
        if split != TRAIN:
            return
        simplified = ctx.config.judgments.to_simplified
        kind = variant["variant"]
        if term_line(variant["sentence"]) == term_line(source["sentence"]):
            self.variants += 1
            self.skipped[f"{kind}: {same_term_reason(variant)}"] += 1
            return
        chosen = sample(variant, to_simplified=simplified)
        rejected = sample({**variant, "sentence": source["sentence"]}, to_simplified=simplified)
        months = variant["sentence"]["months"], source["sentence"]["months"]
        check_direction(variant, *months)
        self.variants += 1
        self.written[kind] += 1
        prompt = {k: chosen[k] for k in PROMPT}
        provenance = {**{k: chosen[k] for k in PROVENANCE}, "chosen_months": months[0], "rejected_months": months[1]}
        yield PREF, {**prompt, "chosen": chosen["output"], "rejected": rejected["output"], **provenance}
        for answer, tag in ((chosen, True), (rejected, False)):
            yield KTO, {**prompt, "output": answer["output"], "kto_tag": tag, **provenance}

    def shard(self, ctx) -> tuple:
        part = self.variants, self.written, self.skipped
        self.variants, self.written, self.skipped = 0, Counter(), Counter()
        return part

    def merge(self, part: tuple, ctx) -> None:
        variants, written, skipped = part
        self.variants += variants
        self.written.update(written)
        self.skipped.update(skipped)

    def report(self, ctx) -> dict:
        return {"attitude_pref": {
            "synthetic": True, "datasets": list(self.datasets), "train_variants": self.variants,
            "pairs_written": dict(sorted(self.written.items())), "pairs_skipped": dict(sorted(self.skipped.items())),
        }}
