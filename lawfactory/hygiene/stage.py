"""Near-duplicate grouping, benchmark decontamination and the cross-split leakage check, run on
the MinHash arrays the conversion shards wrote, before any dataset file is written.

Modes (`--near-dup`): group (default) merges exact and near-duplicate cases into one group before
the split, then checks; check only checks (the build fails if eval leaks into train); off does
neither (for comparison and speed measurements).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

import numpy as np

from lawfactory.errors import BuildError, UsageError
from lawfactory.hygiene import decontam, dedup
from lawfactory.splits import EVAL, assign_split

MODES = ("group", "check", "off")


class LeakageError(BuildError):
    """The build fails: an eval case has a near-duplicate in train."""


class Converted(Protocol):
    """The converted cases as the hygiene stage reads them, in cases.jsonl order (the conversion
    shards provide it: lawfactory/build/shards.py `ShardCases`)."""

    def arrays(self) -> dict:
        """MinHash arrays: bands (n×b), sig (signatures), exact (hashes), active (has facts), gid."""

    def facts(self) -> Iterator[str | None]:
        """Every case's facts (None when absent), streamed."""

    def case_at(self, index: int) -> dict:
        """One case (for messages)."""


@dataclass
class Hygiene:
    regroup: dict = field(default_factory=dict)  # original group id (bytes) → merged group id (str)
    gids: np.ndarray | None = None  # every case's original group id, in cases.jsonl order
    removed: dict = field(default_factory=dict)  # case index → exclude file name (train cases removed)
    report: dict = field(default_factory=dict)  # manifest sections


def run(cases: Converted, mode: str, threshold: float, excludes: list[str], seed: int, eval_ratio: float,
        containment: float) -> Hygiene:
    if mode not in MODES:
        raise UsageError(f"--near-dup must be one of {', '.join(MODES)}, got {mode!r}")
    b, r = dedup.lsh_params(threshold)
    res = Hygiene()
    res.report["near_duplicates"] = {"mode": mode, "threshold": threshold, "shingle_chars": dedup.SHINGLE,
                                     "num_perm": dedup.NUM_PERM, "bands": b, "rows": r}
    if mode == "off" and not excludes:
        return res
    arr = cases.arrays()
    bands, sigs, gids = arr["bands"], arr["sig"], arr["gid"]
    bands.apart = np.flatnonzero(~arr["active"])  # records without facts never match anything
    res.gids = gids

    new_gid: dict = {}
    if mode != "off":
        runs = dedup.candidate_runs(bands)
        if mode == "group":
            groups = dedup.group_near_duplicates(runs, sigs, gids, arr["exact"], threshold)
            res.regroup = {k.encode("utf-8"): v for k, v in groups.merged.items()}
            regrouped = int(np.isin(gids, list(res.regroup)).sum()) if res.regroup else 0
            res.report["near_duplicates"].update(
                candidate_sets=groups.candidates, pairs_merged=groups.pairs, exact_pairs_merged=groups.exact_pairs,
                merged_groups=groups.clusters, cases_regrouped=regrouped)

    def split_of(i: int) -> str:
        g = gids[i]
        if g not in new_gid:
            new_gid[g] = assign_split(res.regroup.get(g) or g.decode("utf-8"), seed, eval_ratio)
        return new_gid[g]

    if excludes:
        containment = decontam.check_containment(containment)
        ex = decontam.load(excludes, threshold)
        hit, by_containment = decontam.find(bands, arr["exact"], sigs, cases.facts(), ex, threshold, containment)
        files = [{**f, "removed_train": 0, "removed_by_containment": 0, "matched_eval": 0} for f in ex.files]
        for i in np.flatnonzero(hit >= 0):
            f = files[hit[i]]
            if split_of(int(i)) == EVAL:
                f["matched_eval"] += 1  # eval cases may come from a benchmark: they stay
            else:
                f["removed_train"] += 1
                f["removed_by_containment"] += int(by_containment[i])
                res.removed[int(i)] = f["file"]
        res.report["decontamination"] = {
            "threshold": threshold, "files": files, "removed_train": len(res.removed),
            "containment": {"threshold": containment, "ngram_chars": decontam.NGRAM, "min_ngrams": decontam.MIN_NGRAMS,
                            "boilerplate_items": ex.index.common_items, "boilerplate_ngrams": len(ex.index.common)}}

    if mode != "off":
        members = np.unique(np.concatenate(runs)) if runs else np.empty(0, np.int64)
        split = np.full(len(gids), -1, np.int8)
        for i in members:
            i = int(i)
            split[i] = -1 if i in res.removed else int(split_of(i) == EVAL)
        n_leak, examples = dedup.cross_split_leaks(runs, sigs, split, threshold)
        res.report["near_duplicates"]["cross_split_leaks"] = n_leak
        if n_leak:
            lines = []
            for e, t, j in examples[:10]:
                ce, ct = cases.case_at(e), cases.case_at(t)
                lines.append(f"  eval {ce.get('source')} (group {ce.get('group_id')}) ~ train {ct.get('source')} "
                             f"(group {ct.get('group_id')}): Jaccard {j:.2f}")
            raise LeakageError(
                f"near-duplicate leakage: {n_leak} eval case(s) have a train neighbour at Jaccard ≥ {threshold} "
                f"(character {dedup.SHINGLE}-gram MinHash), e.g.\n" + "\n".join(lines) +
                "\nGroup them before the split (--near-dup group) or fix the inputs; no dataset was written.")
    return res

