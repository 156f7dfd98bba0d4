"""Padding and packing: how many of the tokens a training step computes are the datasets' own, and
what `packing` / `neat_packing` would change (docs/preflight.md "Padding and packing").

Padded (LLaMA-Factory's default for SFT and the only mode for DPO): the train sampler is random, so
a micro-batch is b rows drawn without replacement; the collator pads every sequence to the longest
in it and rounds that up to a multiple of 8 (`pad_to_multiple_of=8` in the SFT and DPO workflows).
The padding share is the expectation over random micro-batches, computed EXACTLY from the measured
lengths (order statistics, `expected_width`), not simulated: 1 - E[useful] / E[computed], with
E[computed] = sequences · E[round8(longest)].

Packed (`packing: true`, and `neat_packing: true`, which turns packing on): LLaMA-Factory lowers
cutoff_len by 1, truncates each row to it, and packs whole rows into sequences by its greedy
knapsack (largest row that still fits first) within each preprocessing batch of
`preprocessing_batch_size` rows (1000), in dataset order; every sequence is padded to the recipe's
cutoff_len. The packs here are LLaMA-Factory's own `greedy_knapsack` run on the measured lengths
(deterministic, no sampling). A packed micro-batch is always b × cutoff_len tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from lawfactory.preflight import memory
from lawfactory.preflight.datasets import Dataset
from lawfactory.preflight.report import Report, table
from lawfactory.preflight.timing import duration
from lawfactory.preflight.token_lengths import Lengths

PAD_MULTIPLE = 8  # LLaMA-Factory's SFT and DPO collators: pad_to_multiple_of=8 in training


def round_up(n, multiple: int = PAD_MULTIPLE):
    return -(-np.asarray(n) // multiple) * multiple


def max_weights(n: int, b: int) -> np.ndarray:
    """P(the longest of b rows drawn without replacement is the k-th shortest), k = 1..n:
    C(k-1, b-1) / C(n, b), from the ratio C(k, b-1) / C(k-1, b-1) = k / (k - b + 1) in logs."""
    if not 1 <= b <= n:
        raise ValueError(f"micro-batch {b} needs 1..{n} rows")
    w = np.zeros(n)
    j = np.arange(b, n, dtype=np.float64)  # C(j, b-1) from C(j-1, b-1)
    logs = np.concatenate([[0.0], np.cumsum(np.log(j) - np.log(j - b + 1))])
    w[b - 1:] = np.exp(logs - logs.max())
    return w / w.sum()


def expected_width(longest: np.ndarray, b: int) -> float:
    """E[round8(max of b distinct rows)] over uniformly random micro-batches: exact."""
    x = np.sort(np.asarray(longest, dtype=np.int64))
    b = min(b, len(x))
    return float(max_weights(len(x), b) @ round_up(x))


@dataclass
class Padded:
    rows: int
    sequences: int          # per row: 1, or 2 for a pair
    useful: float           # mean useful tokens a row
    width: float            # E[round8(longest)] of a micro-batch

    @property
    def computed(self) -> float:
        """Mean computed tokens a row: each of its sequences padded to the micro-batch's width."""
        return self.sequences * self.width

    @property
    def share(self) -> float:
        return 1 - self.useful / self.computed


def padded(longest: np.ndarray, useful: np.ndarray, b: int, sequences: int) -> Padded:
    return Padded(len(longest), sequences, float(np.mean(useful)), expected_width(longest, b))


def greedy_knapsack(lengths: list[int], capacity: int) -> list[list[int]]:
    from llamafactory.data.processor.processor_utils import greedy_knapsack as lf_greedy_knapsack

    return lf_greedy_knapsack(list(lengths), capacity)


@dataclass
class Packed:
    rows: int
    packs: int
    useful: int             # tokens of the rows, truncated to cutoff_len - 1
    cutoff: int

    @property
    def share(self) -> float:
        return 1 - self.useful / (self.packs * self.cutoff)

    @property
    def rows_per_pack(self) -> float:
        return self.rows / self.packs


def packed(lengths: np.ndarray, cutoff: int, chunk: int = 1000) -> Packed:
    """LLaMA-Factory's packing of rows of `lengths` (dataset order) into sequences of cutoff_len."""
    cut = np.minimum(np.asarray(lengths, dtype=np.int64), cutoff - 1)  # DataArguments: cutoff_len -= 1
    packs = sum(len(greedy_knapsack(cut[i:i + chunk].tolist(), cutoff - 1)) for i in range(0, len(cut), chunk))
    return Packed(len(cut), packs, int(cut.sum()), cutoff)


def epoch_lengths(train: list[Dataset], lengths: dict[str, Lengths], d: dict,
                  cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """(longest sequence, useful tokens) of the rows of one epoch, in the order LLaMA-Factory
    preprocesses them: concat = the datasets one after the other; interleave_* = each dataset
    repeated or cut to its interleave_probs share of the epoch (timing.epoch_rows), shuffled with
    seed 42 (LLaMA-Factory interleaves at random: the mix is exact, the order a stand-in)."""
    longest = [np.minimum(lengths[ds.name].total, cutoff) for ds in train]
    useful = [lengths[ds.name].useful for ds in train]
    if not d.get("mix_strategy", "concat").startswith("interleave"):
        return np.concatenate(longest), np.concatenate(useful)
    sizes = np.array([len(x) for x in longest])
    probs = np.array(d.get("interleave_probs") or [1 / len(train)] * len(train), dtype=float)
    ratios = sizes / np.where(probs > 0, probs, np.nan)
    rows = np.nanmin(ratios) if d["mix_strategy"] == "interleave_under" else np.nanmax(ratios)
    shares = [int(round(p * rows)) for p in probs]
    order = np.random.default_rng(42).permutation(sum(shares))
    return (np.concatenate([np.resize(x, n) for x, n in zip(longest, shares)])[order],
            np.concatenate([np.resize(x, n) for x, n in zip(useful, shares)])[order])


def batching_section(report: Report, facts: dict, datasets: list[Dataset], lengths: dict[str, Lengths],
                     e: memory.Estimate, gpu: memory.Gpu, gpus: int, epoch_rows: float) -> None:
    """Steps, useful and computed tokens per step, padding share, time and memory: padded vs packed.
    The time is the computed tokens (padding included) at the throughput assumption for the sequence
    length actually run: attention's share of the FLOPs grows with it (memory.flops_per_token)."""
    d, m = facts["data"], facts["model"]
    train = [ds for ds in datasets if ds.split == "train" and ds.name in lengths]
    if not train:
        return
    cutoff, s = int(d["cutoff_len"]), e.setup
    b, batch = s.micro_batch, s.micro_batch * s.accumulation * gpus
    longest, useful = epoch_lengths(train, lengths, d, cutoff)
    pad = padded(longest, useful, b, 2 if s.pairs else 1)
    scale = epoch_rows / max(len(longest), 1)  # val_size, as in the time section
    steps = math.ceil(pad.rows * scale / batch)
    typical = memory.estimate(e.arch, _with_seq(s, int(round(pad.width)))).total
    mode = "neat_packing" if d.get("neat_packing") else "packing" if d.get("packing") else "padded"
    lines = [f"micro-batch {b}{' pairs' if s.pairs else ''}, global batch {batch}; the recipe: {mode}",
             f"padded: each micro-batch padded to its longest sequence, rounded up to {PAD_MULTIPLE}; over random "
             f"micro-batches (exact expectation from the measured lengths) the width is {pad.width:,.0f} tokens "
             f"for rows of {pad.useful / pad.sequences:,.0f} on average: {pad.share:.1%} padding"]
    def epoch_time(tokens: float, seq: int) -> str:
        return duration(tokens / (memory.throughput(e.arch, _with_seq(s, seq), gpu)[0] * gpus))

    rows = [["padded", f"{steps:,}", f"{batch * pad.useful:,.0f}", f"{batch * pad.computed:,.0f}",
             f"{pad.share:.1%}", epoch_time(pad.rows * scale * pad.computed, int(round(pad.width))),
             f"{typical / memory.GB:.1f} typical, {e.total / memory.GB:.1f} at cutoff"]]
    if s.pairs or facts["finetuning"].get("stage") != "sft":
        lines.append(f"packing: not available for stage {facts['finetuning'].get('stage')} (LLaMA-Factory packs "
                     "only SFT rows: its pairwise processor ignores `packing`, its parser refuses `neat_packing`)")
    else:
        pk = packed(longest, cutoff, int(d.get("preprocessing_batch_size") or 1000))
        psteps = math.ceil(pk.packs * scale / batch)
        mask = b * cutoff * cutoff * 2.0  # neat_packing without flash-attn: the bf16 4D block-diagonal mask
        rows.append(["packed", f"{psteps:,}", f"{batch * pk.useful / pk.packs:,.0f}", f"{batch * cutoff:,}",
                     f"{pk.share:.1%}", epoch_time(pk.packs * scale * cutoff, cutoff),
                     f"{e.total / memory.GB:.1f} always (+ {mask / 1e6:.0f} MB 4D mask, neat)"])
        chunk = int(d.get("preprocessing_batch_size") or 1000)
        lines += [f"packed: {pk.rows:,} rows into {pk.packs:,} sequences of {cutoff} ({pk.rows_per_pack:.2f} rows a "
                  f"sequence, LLaMA-Factory's greedy knapsack per {chunk} rows): "
                  f"{steps / max(psteps, 1):.2f}× fewer optimizer steps, "
                  f"{(pk.useful / pk.packs) / pad.useful:.2f}× the rows' tokens a step, "
                  f"{(1 - pk.share) / (1 - pad.share):.2f}× the useful share of computed tokens",
                  "  packing: true alone lets a row attend to the rows packed before it (one causal mask over the "
                  "sequence): wrong for SFT; neat_packing: true keeps rows apart (block-diagonal mask with "
                  "sdpa/eager, varlen with fa2, which needs micro-batch 1)"]
        if mode == "neat_packing" and m.get("flash_attn") == "fa2" and b > 1:
            report.errors.append(f"neat_packing with flash_attn fa2 needs per_device_train_batch_size 1, not {b} "
                                 "(LLaMA-Factory's collator asserts it)")
        elif mode == "packing":
            report.warnings.append("packing without neat_packing: packed rows attend to each other; "
                                   "set neat_packing: true")
    lines += table(["mode", "steps/epoch", "useful tokens/step", "computed tokens/step", "padding", "time/epoch",
                    "memory GB/GPU"],
                   rows)
    if not s.liger and not s.pairs:
        liger = memory.estimate(e.arch, _with_seq(s, s.seq, liger=True)).total
        lines.append(f"enable_liger_kernel: true (GPU only, pip install liger-kernel) would take the memory at "
                     f"cutoff from {e.total / memory.GB:.1f} to {liger / memory.GB:.1f} GB (fused loss)")
    report.add("Padding and packing", lines)


def _with_seq(s: memory.Setup, seq: int, **kw) -> memory.Setup:
    return replace(s, seq=seq, **kw)
