"""Token lengths of the datasets' rows against cutoff_len, the attitude phrases truncation would cut
away, and filtered copies without the rows over cutoff (--drop-over-cutoff).

A ranking row is two sequences, prompt + chosen and prompt + rejected; LLaMA-Factory cuts both at
one point (infer_seqlen of the prompt and the LONGER answer, data/processor/pairwise.py), so a row's
length here is that of its longer sequence, and it is over the cutoff when either sequence is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from lawfactory import jsonl
from lawfactory.lengths import CHARS_PER_TOKEN, TEMPLATE_TOKENS, TokenCounter
from lawfactory.parse import attitude
from lawfactory.preflight.datasets import Dataset, source_target
from lawfactory.preflight.report import Report, table


def token_counter(model: str, tokenizer: str | None, trust_remote_code: bool = False) -> tuple[TokenCounter, str]:
    """The recipe's tokenizer when it is on disk (a local folder or the Hugging Face cache), else
    --tokenizer, else the characters-per-token estimate. Returns (counter, what was used)."""
    if tokenizer:
        return TokenCounter(tokenizer), f"--tokenizer {tokenizer}"
    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(model, local_files_only=True, trust_remote_code=trust_remote_code)
        counter = TokenCounter(None)
        counter.tokenizer = tok
        return counter, f"the recipe's tokenizer ({model})"
    except Exception:
        return TokenCounter(None), (f"estimate: {CHARS_PER_TOKEN} characters a token (CAIL facts with Qwen's "
                                    "tokenizer, docs/preflight.md; "
                                    f"{model}'s tokenizer is not on disk: pass --tokenizer DIR for exact counts)")


@dataclass
class Lengths:
    total: np.ndarray                  # tokens per row, its longer sequence for a pair (int32: 4 bytes a row)
    useful: np.ndarray                 # tokens per row within cutoff, both sequences of a pair summed
    over: list[int]                    # row indices over cutoff
    lost: list[tuple[str, int, str]]   # ('file:line', tokens, attitude flag) cut away by truncation


def infer_seqlen(source_len: int, target_len: int, cutoff_len: int) -> tuple[int, int]:
    from llamafactory.data.processor.processor_utils import infer_seqlen as lf_infer_seqlen

    return lf_infer_seqlen(source_len, target_len, cutoff_len)


def measure(ds: Dataset, counter: TokenCounter, cutoff: int) -> Lengths:
    totals, over, lost = np.zeros(ds.rows, dtype=np.int32), [], []
    useful = np.zeros(ds.rows, dtype=np.int32)
    rows = tqdm(ds.iter_rows(), total=ds.rows, desc=f"tokens {ds.name}", unit="row",
                leave=False, disable=ds.rows < 2000)
    for i, (label, row) in enumerate(rows):
        system, prompt, answers = source_target(row, ds.attr)
        prefix = counter.count(system) + TEMPLATE_TOKENS
        source, targets = prefix + counter.count(prompt), [counter.count(a) for a in answers]
        target = max(targets)
        totals[i] = source + target
        useful[i] = sum(min(source + t, cutoff) for t in targets)
        if source + target <= cutoff:
            continue
        over.append(i)
        kept, _ = infer_seqlen(source, target, cutoff)  # LLaMA-Factory keeps the start of the prompt
        for span in attitude.find_spans(prompt):
            if prefix + counter.count(prompt[: span["end"]]) > kept:
                lost.append((label, source + target, span["flag"]))
                break
    empty = np.zeros(1, dtype=np.int32)
    return Lengths(totals if ds.rows else empty, useful if ds.rows else empty, over, lost)


def length_section(report: Report, datasets: list[Dataset], counter: TokenCounter, used: str,
                   cutoff: int) -> dict[str, Lengths]:
    out, rows = {}, []
    for ds in datasets:
        if not ds.rows:
            continue
        m = out[ds.name] = measure(ds, counter, cutoff)
        p50, p95, p99 = (int(round(np.percentile(m.total, q))) for q in (50, 95, 99))
        rows.append([ds.name, ds.rows, p50, p95, p99, int(m.total.max()), len(m.over), len(m.lost)])
        for label, tokens, flag in m.lost[:3]:
            report.warnings.append(f"{label}: {tokens} tokens > cutoff_len {cutoff}; truncation cuts its "
                                   f"attitude phrase ({flag}) — drop it (--drop-over-cutoff) or raise cutoff_len")
        if len(m.lost) > 3:
            report.warnings.append(f"{ds.name}: {len(m.lost) - 3} more rows lose their attitude phrase to truncation")
    lines = [f"tokenizer: {used}; cutoff_len {cutoff}"]
    if any(ds.ranking for ds in datasets if ds.name in out):
        lines.append("ranking rows: the longer of prompt + chosen and prompt + rejected (LLaMA-Factory cuts "
                     "both at one point)")
    lines += table(["dataset", "rows", "p50", "p95", "p99", "max", f">{cutoff}", "attitude lost"], rows)
    report.add("Token lengths (system + prompt + response + chat template)", lines)
    return out


def drop_over_cutoff(out_dir: Path, datasets: list[Dataset], lengths: dict[str, Lengths],
                     dataset_dir: Path) -> list[str]:
    """Filtered copies of every dataset file (rows within cutoff_len) and a dataset_info.json for them."""
    info_path = dataset_dir / "dataset_info.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    new_info, lines = {}, []
    for ds in datasets:
        if ds.name not in lengths or len(ds.files) != 1:
            continue
        over = set(lengths[ds.name].over)
        target = out_dir / ds.files[0].name
        kept = jsonl.write_jsonl(target, (r for i, (_, r) in enumerate(ds.iter_rows()) if i not in over))
        new_info[ds.name] = {**info.get(ds.name, {}), "file_name": target.name}
        lines.append(f"{target}: {kept} rows kept, {len(over)} over cutoff dropped")
    jsonl.write_json(out_dir / "dataset_info.json", new_info)
    lines.append(f"train on them with dataset_dir={out_dir}")
    return lines
