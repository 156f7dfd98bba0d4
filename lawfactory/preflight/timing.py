"""Tokens per epoch after LLaMA-Factory's dataset mixing, optimizer steps, and the wall time at the
stated throughput assumption (lawfactory/preflight/memory.py)."""

from __future__ import annotations

import math

import numpy as np

from lawfactory.preflight import memory
from lawfactory.preflight.datasets import Dataset
from lawfactory.preflight.report import Report
from lawfactory.preflight.token_lengths import Lengths


def epoch_rows(datasets: list[Dataset], facts: dict) -> float:
    """Rows in one epoch after LLaMA-Factory's mixing (interleave_* stop when the first / the last dataset runs out)."""
    sizes = [ds.rows - ds.skipped for ds in datasets if ds.split == "train"]
    d = facts["data"]
    if not d.get("mix_strategy", "concat").startswith("interleave") or not sizes:
        return float(sum(sizes))
    probs = d.get("interleave_probs") or [1 / len(sizes)] * len(sizes)
    ratios = [n / p for n, p in zip(sizes, probs) if p > 0]
    return min(ratios) if d["mix_strategy"] == "interleave_under" else max(ratios)


def trained_rows(datasets: list[Dataset], facts: dict) -> float:
    """Rows in one epoch after mixing, less those LLaMA-Factory's val_size holds out of training."""
    rows = epoch_rows(datasets, facts)
    if facts["data"].get("val_size"):  # held out of training by LLaMA-Factory's split
        v = float(facts["data"]["val_size"])
        rows = rows - (v if v > 1 else math.ceil(v * rows))
    return rows


def time_section(report: Report, facts: dict, datasets: list[Dataset], lengths: dict[str, Lengths],
                 e: memory.Estimate, gpu: memory.Gpu, gpus: int) -> None:
    t, cutoff = facts["training"], int(facts["data"]["cutoff_len"])
    train = [ds for ds in datasets if ds.split == "train" and ds.name in lengths]
    if not train:
        return
    # a pair is two sequences, each padded to the longer in LLaMA-Factory's pairwise collator
    per_row = 2 if e.setup.pairs else 1
    tokens = per_row * sum(np.minimum(lengths[ds.name].total, cutoff).sum() for ds in train)
    rows = trained_rows(datasets, facts)
    plain = sum(ds.rows - ds.skipped for ds in train)
    tokens_epoch = tokens * rows / max(plain, 1)
    batch = int(t["per_device_train_batch_size"]) * int(t["gradient_accumulation_steps"]) * gpus
    epochs = float(t["num_train_epochs"])
    steps = math.ceil(rows / batch) * epochs if int(t.get("max_steps") or -1) <= 0 else int(t["max_steps"])
    tps, mfu = memory.throughput(e.arch, e.setup, gpu)
    seconds = tokens_epoch * epochs / (tps * gpus)
    report.add("Tokens and time", [
        f"one epoch: {rows:,.0f} rows, {tokens_epoch:,.0f} tokens (within cutoff, before padding); global batch "
        f"{batch}: {math.ceil(rows / batch):,} optimizer steps; {epochs:g} epochs: {steps:,.0f} steps",
        f"throughput assumption: {mfu:.0%} of {gpu.name}'s {gpu.bf16_tflops:g} bf16 TFLOPS at "
        f"{memory.flops_per_token(e.arch, e.setup) / 1e9:.1f} GFLOP/token = {tps:,.0f} tokens/s per GPU",
        f"wall time ≈ {duration(seconds)} on {gpus} × {gpu.name} (± 2×; BENCHMARKS.md has measured points)"]
        + (["the recipe packs rows: its steps and time are the `packed` row of Padding and packing below"]
           if facts["data"].get("packing") else []))


def duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"
