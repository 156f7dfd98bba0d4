"""The adversarial stage of `make data`: which cases get a synthetic variant, and the variants.

It runs between the split and the tasks, case → case: plan() selects the sources over the whole
corpus, then variants(case, split) gives each case's variants (records.variant) as the task stage
streams cases.jsonl; each variant reaches the tasks beside its source (lawfactory/tasks/variant_rows.py
makes their rows), and the variant records are written beside cases.jsonl, to DATA/variants.jsonl
(one line per variant, in the order of their sources; a case the task stage rejects has none there).

Selection (deterministic, independent of workers and of input order):
- quota per split: `--adversarial-count N` gives N training variants (and eval pairs in the eval
  split's proportion, N × eval_ratio / (1 − eval_ratio)); otherwise `--adversarial-ratio r`
  (default 0.06: the reference mix of ~3,000 synthetic per 50,000 real cases) gives r × the
  split's cases, and at least 1 when the split has an eligible case and r > 0, so a small input
  (samples/) still yields a non-empty `criminal_adversarial` for LLaMA-Factory to load;
- the quota is shared out over the types by TYPE_SHARES (largest remainder; a type short of
  eligible cases passes its remainder on);
- within a type, the variants with the smallest seeded hashes of (seed, type, case_id) among the
  cases whose variant passes every self-check. A first pass over cases.jsonl counts the splits
  and keeps, per split and type, a bounded heap of the smallest hashes of the eligible cases
  (eligibility read from the recorded attitude flags; memory grows with the quota, not the
  corpus); a second pass builds those candidates in hash order as far as the quota needs (plus a
  little slack), and a further pass runs only when more of them fail than the slack covered (it
  builds as many as should yield the missing ones at the share of candidates that passed so far). Both
  kinds of pass run in the task stage's ranges on the build's engine; the later passes read only
  the candidates' lines.
  make_variant re-reads the text; what it refuses is counted as dropped. When fewer valid
  variants exist than the quota asks for, all of them are taken.

Rows: lawfactory/tasks/variant_rows.py (criminal_adversarial, criminal_attitude_pairs_eval).
A full-text judgment variant whose row would be over the recipe's cutoff_len is dropped like a
failed self-check; the stage gets that check as a predicate (`too_long`), so it knows nothing of
the row formats.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from adversarial.variants import (
    VARIANTS,
    ineligible,
    make_variant,
    record_flags,
    seeded,
)
from lawfactory.splits import EVAL, TRAIN

VARIANT_FILE = "variants.jsonl"  # the variant records, beside cases.jsonl in DATA

# Refusal is what real corpora lack (refusal wording in ≤0.5% of CAIL facts, 如实供述 in ~18%:
# docs/adversarial.md); unclear and the reverse direction keep the
# model from learning "any attitude change → longer term".
TYPE_SHARES = {"refusal": 0.6, "unclear": 0.2, "confession": 0.2}


def quota(n_split: int, eligible: bool, ratio: float, count: int, split: str, eval_ratio: float) -> int:
    if count:
        if split == TRAIN:
            return count
        return max(1, round(count * eval_ratio / (1 - eval_ratio))) if eligible and eval_ratio < 1 else 0
    if ratio <= 0 or not eligible:
        return 0
    return max(1, round(ratio * n_split))


def share_out(total: int, available: dict[str, int]) -> dict[str, int]:
    """total over the types by TYPE_SHARES (largest remainder), no type above what it has."""
    want = {t: total * TYPE_SHARES[t] for t in VARIANTS}
    got = {t: min(int(want[t]), available.get(t, 0)) for t in VARIANTS}
    for t in sorted(VARIANTS, key=lambda t: (-(want[t] - int(want[t])), VARIANTS.index(t))):
        if sum(got.values()) < total and got[t] < available.get(t, 0):
            got[t] += 1
    for t in VARIANTS:  # a type short of cases passes its remainder on, in VARIANTS order
        extra = min(total - sum(got.values()), available.get(t, 0) - got[t])
        got[t] += max(extra, 0)
    return got


@dataclass
class Candidates:
    """What a shard of the first pass reads (shards.state()): the cases, the seed, the heaps' bound."""

    cases: Callable[..., Iterable[tuple]]
    seed: int
    cap: int


def _keep(heap: list, neg_h: int, cid: str, cap: int) -> bool:
    """Push (−hash, case id) on a max-heap of the cap smallest hashes; whether it stayed."""
    if len(heap) < cap:
        heapq.heappush(heap, (neg_h, cid))
    elif heap[0][0] < neg_h:
        heapq.heapreplace(heap, (neg_h, cid))
    else:
        return False
    return True


def candidates(p: Candidates, where: dict) -> dict:
    """One range of cases.jsonl (`where`: split_cases' start / end / first_line; {} = all of it):
    its split sizes, eligibility counts and, per (split, type), the hashes, case ids and line
    indexes of the cap smallest hashes among its eligible cases (numpy arrays: 32 bytes a
    candidate in the build process, where tuples took ~150)."""
    counts = {"cases": Counter(), "eligible": Counter(), "skipped": Counter()}
    heaps: dict = defaultdict(list)
    lines = {}
    for i, case, split in p.cases(**where, numbered=True):
        counts["cases"][split] += 1
        flags = record_flags(case)
        for t in VARIANTS:
            why = ineligible(case, t, flags)
            if why:
                counts["skipped"][f"{t}: {why}"] += 1
                continue
            counts["eligible"][f"{split} {t}"] += 1
            if _keep(heaps[(split, t)], -seeded(p.seed, t, case["case_id"]), case["case_id"], p.cap):
                lines[case["case_id"]] = i
    return {**counts, "heaps": {k: {"hash": np.array([-neg_h for neg_h, _ in heap], np.uint64),
                                    "cid": np.array([cid.encode() for _, cid in heap], bytes),
                                    "line": np.array([lines[cid] for _, cid in heap], np.int64)}
                                for k, heap in heaps.items()}}


def smallest(parts: list[dict], cap: int) -> tuple[list[str], dict]:
    """The case ids of the cap smallest hashes over every shard's candidates of one (split, type),
    smallest first (equal hashes by case id), and each one's line index."""
    h, cid, line = (np.concatenate([part[f] for part in parts]) for f in ("hash", "cid", "line"))
    order = np.lexsort((cid, h))[:cap]
    ranked = [c.decode() for c in cid[order]]
    return ranked, dict(zip(ranked, line[order].tolist()))


def _in_range(job: Callable[[object, dict], dict], r) -> dict:
    """job(the shard state, where) over one task-stage Range, in a worker (shards.state(): the
    Candidates or the Later of the pass)."""
    from lawfactory.build import shards

    return job(shards.state(), {"start": r.start, "end": r.end, "first_line": r.first_line})


def candidates_shard(r) -> dict:
    """candidates() of one task-stage Range, in a worker."""
    return _in_range(candidates, r)


@dataclass
class Later:
    """What a shard of a later pass reads: the cases, the candidates to build (case id → its
    (split, type) keys) and their line indexes, and what make_variant and the length check need."""

    cases: Callable[..., Iterable[tuple]]
    want: dict
    lines: set
    seed: int
    index: dict
    too_long: Callable[[dict], bool]


def build(p: Later, where: dict) -> dict:
    """The candidates among one range's lines (`where` as in candidates()), built: (case id, key) →
    None when the variant is valid, else why not."""
    results = {}
    for case, _ in p.cases(**where, only=p.lines):
        for key in p.want.get(case["case_id"], ()):
            v, why = make_variant(case, key[1], p.seed, p.index)
            if v is not None and p.too_long(v):
                v, why = None, "sample over cutoff_len"
            results[(case["case_id"], key)] = why
    return results


def build_shard(r) -> dict:
    """build() of one task-stage Range, in a worker."""
    return _in_range(build, r)


class AdversarialStage:
    """plan() is the pre-pass over the cases, variants() the per-case step, report() the manifest block.
    opts: the BuildConfig (lawfactory/config.py); index: the statute index (statutory caps);
    too_long(variant): its row would be over cutoff_len."""

    def __init__(self, opts, index: dict, too_long: Callable[[dict], bool]):
        self.opts, self.index, self.too_long = opts, index, too_long
        self.st: dict = {}

    def plan(self, cases: Callable[..., Iterable[tuple]], n_cases: int,
             map_shards: Callable[[Callable, object, str], list] | None = None) -> None:
        """cases(numbered=True): (line index, case, split) of every case; cases(only=indexes): (case, split)
        of the cases at those indexes (task_stage.split_cases). map_shards(job, state, what): job(range) for
        every range of cases.jsonl, in order, on the build's engine (candidates_shard, build_shard;
        `what` names it in the progress bar); default: in this process, over the whole file."""
        opts = self.opts
        ratio, count, seed = opts.adversarial.ratio, opts.adversarial.count, opts.adversarial.seed
        cap = max(count, round(count * opts.eval_ratio / max(1e-9, 1 - opts.eval_ratio)) + 1,
                  round(ratio * n_cases) + 1, 1)
        st = {"seed": seed, "ratio": ratio, "count": count, "cases": Counter(), "eligible": Counter(),
              "skipped": Counter(), "dropped": Counter(), "attempted": 0, "passes": 1}
        # pass 1, in shards: split sizes, eligibility (from the recorded flags) and the candidates' hashes
        pass1 = Candidates(cases, seed, cap)
        parts = map_shards(candidates_shard, pass1, "adversarial candidates") if map_shards else [candidates(pass1, {})]
        for part in parts:
            for k in ("cases", "eligible", "skipped"):
                st[k].update(part[k])
        # each shard's cap smallest, together: the cap smallest of all, whatever the shards
        ranked: dict = {}  # (split, type) → case ids, smallest hash first
        line_of = {}  # case id → its line index in cases.jsonl: the later passes read only those lines
        for key in dict.fromkeys(k for part in parts for k in part["heaps"]):
            ranked[key], lines = smallest([part["heaps"][key] for part in parts if key in part["heaps"]], cap)
            line_of.update(lines)
        del parts
        quotas = {}
        for split in (TRAIN, EVAL):
            eligible = any(st["eligible"][f"{split} {t}"] for t in VARIANTS)
            quotas[split] = quota(st["cases"][split], eligible, ratio, count, split, opts.eval_ratio)
        # later passes: build the candidates in hash order, as far as the quotas need valid variants
        # (usually one pass; another only when more variants failed than the slack allowed for)
        valid: dict = defaultdict(list)  # (split, type) → valid case ids, smallest hash first
        failed: Counter = Counter()
        built: Counter = Counter()  # (split, type) → how many of its ranked candidates were built
        while True:
            want: dict = defaultdict(list)  # case id → the (split, type) to build for it
            spans = {}
            for split, q in quotas.items():
                per_type = share_out(q, {t: len(ranked.get((split, t), ())) - failed[(split, t)] for t in VARIANTS})
                for t, k in per_type.items():
                    key = (split, t)
                    missing = k - len(valid[key])
                    if missing > 0 and built[key] < len(ranked.get(key, ())):
                        # as many as should yield the missing ones at the share that passed so far, plus a little slack
                        passed = len(valid[key]) / built[key] if built[key] else 1.0
                        need = math.ceil(missing / max(passed, 0.1))
                        upto = min(len(ranked[key]), built[key] + need + max(2, need // 50))
                        spans[key] = (built[key], upto)
                        for cid in ranked[key][built[key]:upto]:
                            want[cid].append(key)
                        built[key] = upto
            if not want:
                break
            st["passes"] += 1
            later = Later(cases, dict(want), {line_of[cid] for cid in want}, seed, self.index, self.too_long)
            results = {}
            for part in map_shards(build_shard, later, "adversarial variants") if map_shards else [build(later, {})]:
                results.update(part)
            st["attempted"] += len(results)
            for key, (a, b) in spans.items():
                for cid in ranked[key][a:b]:
                    why = results[(cid, key)]
                    if why is None:
                        valid[key].append(cid)
                    else:
                        failed[key] += 1
                        st["dropped"][f"{key[1]}: {why}"] += 1
        selected, st["quota"], st["selected"] = {}, quotas, Counter()
        for split, q in quotas.items():
            per_type = share_out(q, {t: len(ranked.get((split, t), ())) - failed[(split, t)] for t in VARIANTS})
            for t, k in per_type.items():
                for cid in valid[(split, t)][:k]:
                    selected.setdefault(cid, []).append(t)
                    st["selected"][f"{split} {t}"] += 1
        st["selected_ids"] = selected
        st["generated"] = Counter()
        self.st = st

    def variants(self, case: dict, split: str) -> list[dict]:
        """The variants plan() selected this case for (none for most cases)."""
        st, out = self.st, []
        for t in st["selected_ids"].get(case["case_id"], ()):
            v, why = make_variant(case, t, st["seed"], self.index)
            if v is None:  # cannot happen: the pre-pass built the same variant
                raise RuntimeError(f"variant {t} of {case['case_id']} failed on the second pass: {why}")
            st["generated"][f"{split} {t}"] += 1
            out.append(v)
        return out

    def report(self) -> dict:
        st = self.st
        if not st:
            return {}
        return {"adversarial": {
            "synthetic": True,
            "seed": st["seed"], "ratio": st["ratio"], "count": st["count"], "quota": st["quota"],
            "eligible": dict(sorted(st["eligible"].items())),
            "selected": dict(sorted(st["selected"].items())),
            "generated": dict(sorted(st["generated"].items())),
            "variants_built_in_pre_pass": st["attempted"], "passes_over_cases": st["passes"],
            "dropped_by_self_checks": dict(sorted(st["dropped"].items())),
            "skipped": dict(sorted(st["skipped"].items())),
        }}
