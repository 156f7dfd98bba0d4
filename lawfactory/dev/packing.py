"""Micro-batches of real sample lengths as LLaMA-Factory builds them, for lawfactory.dev.gpu_bench.

Two ways to batch the same samples:

- padded (the recipes' default): micro-batches of `micro_batch` samples in the sampler's order,
  each padded to its longest sample, rounded up to a multiple of 8 (LLaMA-Factory's SFT collator
  sets `pad_to_multiple_of=8` for training).
- neat-packed (`packing: true` + `neat_packing: true`): whole samples are packed into sequences of
  at most cutoff_len by LLaMA-Factory's greedy knapsack (the largest sample that still fits, the
  longest first), each sequence padded to cutoff_len + 1 and the collator's multiple of 8. The
  attention mask holds each token's sample number (1, 2, …; 0 = padding); without flash-attn the
  collator expands it into a block-diagonal causal 4D mask, so packed samples do not attend to
  each other; position ids restart at 0 for every sample.

Token lengths come from the training rows as the `qwen3_nothink` template encodes them
(`template_lengths`). Only plain Python here, plus torch for the tensors: the GPU machine has no
other lawfactory dependencies.
"""

from __future__ import annotations

import bisect
import json
import random
from pathlib import Path

PAD_MULTIPLE = 8


def round_up(n: int, multiple: int = PAD_MULTIPLE) -> int:
    return -(-n // multiple) * multiple


# ---- lengths of the training rows --------------------------------------------------------------

def template_texts(row: dict) -> tuple[str, str]:
    """An alpaca row as `qwen3_nothink` lays it out: (prompt, answer). LLaMA-Factory joins
    instruction and input with a newline and leaves out the system turn when it is empty."""
    user = "\n".join(x for x in (row.get("instruction", ""), row.get("input", "")) if x)
    system = row.get("system", "")
    prompt = (f"<|im_start|>system\n{system}<|im_end|>\n" if system else "") + \
        f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
    return prompt, f"{row.get('output', '')}<|im_end|>\n"


def template_lengths(rows, tokenizer) -> tuple[list[int], list[int]]:
    """(prompt tokens, answer tokens) of each row, encoded as the template would."""
    prompts, answers = [], []
    for row in rows:
        prompt, answer = template_texts(row)
        prompts.append(len(tokenizer(prompt, add_special_tokens=False)["input_ids"]))
        answers.append(len(tokenizer(answer, add_special_tokens=False)["input_ids"]))
    return prompts, answers


def write_lengths(data: Path, tokenizer_dir: Path, out: Path, cutoff: int) -> dict:
    """Measure `data` (an alpaca JSONL file) and write only the integers to `out`."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    with open(data, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    prompts, answers = template_lengths(rows, tok)
    totals = [p + a for p, a in zip(prompts, answers)]
    doc = {"source": Path(data).name, "cutoff_len": cutoff, "rows": len(rows),
           "over_cutoff": sum(t > cutoff for t in totals), "prompt": prompts, "answer": answers}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    return doc


def read_lengths(path: Path, cutoff: int, scale: float = 1.0) -> tuple[list[int], list[int]]:
    """(sample lengths, prompt lengths) from a `write_lengths` file, times `scale` (a tiny check's
    shorter cutoff), clipped at cutoff as LLaMA-Factory truncates them."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))

    def fit(n: int) -> int:
        return max(1, min(round(n * scale), cutoff))

    return [fit(p + a) for p, a in zip(doc["prompt"], doc["answer"])], [fit(p) for p in doc["prompt"]]


def draw(lengths: list[int], n: int, seed: int) -> list[int]:
    """n sample lengths in a shuffled sampler's order (with replacement only past the list's size)."""
    rng = random.Random(seed)
    out: list[int] = []
    while len(out) < n:
        pool = list(lengths)
        rng.shuffle(pool)
        out += pool[: n - len(out)]
    return out


# ---- batching ------------------------------------------------------------------------------------

def padded_batches(lengths: list[int], micro_batch: int) -> list[list[int]]:
    """Consecutive micro-batches of sample lengths (each padded to its longest when built)."""
    return [lengths[i:i + micro_batch] for i in range(0, len(lengths), micro_batch)]


def greedy_knapsack(lengths: list[int], capacity: int) -> list[list[int]]:
    """LLaMA-Factory's packing: fill each sequence with the largest remaining sample that fits."""
    left = sorted(lengths)
    packs = []
    while left:
        pack, room = [], capacity
        while left:
            i = bisect.bisect_right(left, room) - 1
            if i < 0:
                break
            room -= left[i]
            pack.append(left.pop(i))
        if not pack:
            raise ValueError(f"a sample of {left[0]} tokens does not fit in {capacity}")
        packs.append(pack)
    return packs


def packed_batches(lengths: list[int], micro_batch: int, cutoff: int) -> list[list[list[int]]]:
    """Micro-batches of `micro_batch` packed sequences; each sequence a list of sample lengths."""
    packs = greedy_knapsack(lengths, cutoff)
    return [packs[i:i + micro_batch] for i in range(0, len(packs), micro_batch)]


# ---- tensors -------------------------------------------------------------------------------------

def random_ids(n: int, vocab: int, gen, device):
    import torch

    return torch.randint(0, vocab, (n,), generator=gen, device=gen.device).to(device)


def padded_inputs(batch: list[int], vocab: int, pad_id: int, gen, device) -> dict:
    """input_ids / attention_mask / labels for samples padded right to the longest (×8)."""
    import torch

    width = round_up(max(batch))
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long, device=device)
    mask = torch.zeros_like(ids)
    for row, n in enumerate(batch):
        ids[row, :n] = random_ids(n, vocab, gen, device)
        mask[row, :n] = 1
    labels = ids.masked_fill(mask == 0, -100)
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def block_causal_mask(segments, dtype):
    """LLaMA-Factory's prepare_4d_attention_mask: (b, s) sample numbers → (b, 1, s, s) additive
    mask, 0 where a token may attend (same sample, not later, not padding), dtype's min elsewhere."""
    import torch

    same = segments[:, None, :, None] == segments[:, None, None, :]
    real = (segments != 0)[:, None, None, :]
    causal = torch.ones(segments.shape[-1], segments.shape[-1], dtype=torch.bool, device=segments.device).tril()
    zero = torch.zeros((), dtype=dtype, device=segments.device)
    return torch.where(same & real & causal, zero, torch.finfo(dtype).min)


def packed_inputs(batch: list[list[int]], cutoff: int, vocab: int, pad_id: int, gen, device, dtype) -> dict:
    """input_ids / 4D block-diagonal mask / per-sample position_ids / labels for packed sequences."""
    import torch

    width = round_up(cutoff + 1)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long, device=device)
    segments = torch.zeros_like(ids)
    positions = torch.zeros_like(ids)
    for row, pack in enumerate(batch):
        start = 0
        for number, n in enumerate(pack, 1):
            ids[row, start:start + n] = random_ids(n, vocab, gen, device)
            segments[row, start:start + n] = number
            positions[row, start:start + n] = torch.arange(n, device=device)
            start += n
    labels = ids.masked_fill(segments == 0, -100)
    return {"input_ids": ids, "attention_mask": block_causal_mask(segments, dtype), "position_ids": positions,
            "labels": labels}


def sample_lengths(batches) -> list[int]:
    """The samples' lengths in padded (lists of lengths) or packed (lists of packs) micro-batches."""
    return [n for batch in batches for item in batch for n in (item if isinstance(item, list) else [item])]


def useful_tokens(batches) -> int:
    """Non-padding tokens of padded or packed micro-batches."""
    return sum(sample_lengths(batches))


def computed_tokens_padded(batches: list[list[int]]) -> int:
    return sum(len(batch) * round_up(max(batch)) for batch in batches)


def computed_tokens_packed(batches: list[list[list[int]]], cutoff: int) -> int:
    return sum(len(batch) * round_up(cutoff + 1) for batch in batches)
