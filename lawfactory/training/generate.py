"""Greedy answers from the model being trained, for the live metrics (lawfactory/training/live_metrics.py).

Prompts are encoded with LLaMA-Factory's own chat template for the recipe's `template`, as its alpaca
converter builds them for training and for `predict_with_generate`: the row's instruction and input
joined by a newline as the user turn, its system as the system prompt, then the assistant header.

Under torchrun or DeepSpeed every rank generates its share of the rows (row i on rank i mod world
size) and the answers are gathered on every rank. Every rank runs the same number of generate calls
(a short share is padded with a repeat of one of its rows, whose answer is dropped), and under
ZeRO-3 generate runs with `synced_gpus`, so a rank whose answers end early keeps taking part in the
parameter gathers of the others.
"""

from __future__ import annotations

import torch


def prompt_ids(rows: list[dict], template, tokenizer, cutoff_len: int | None = None) -> list[list[int]]:
    """The token ids LLaMA-Factory would feed the model for each alpaca row, up to the answer.

    With `cutoff_len`, the ids are cut as LLaMA-Factory's predict cuts them (its unsupervised processor,
    data/processor/unsupervised.py): prompt and answer (the row's `output`, plus the eos token for an
    efficient_eos template) share the cutoff by infer_seqlen, and the prompt keeps its first tokens."""
    from llamafactory.data.processor.processor_utils import infer_seqlen

    out = []
    for r in rows:
        query = "\n".join(x for x in (r.get("instruction"), r.get("input")) if x)
        answer = r.get("output") if cutoff_len and isinstance(r.get("output"), str) else ""
        messages = [{"role": "user", "content": query}, {"role": "assistant", "content": answer}]
        ids, answer_ids = template.encode_oneturn(tokenizer, messages, r.get("system") or None)
        if cutoff_len:
            if template.efficient_eos:
                answer_ids = [*answer_ids, tokenizer.eos_token_id]
            ids = ids[:infer_seqlen(len(ids), len(answer_ids), cutoff_len)[0]]
        out.append(ids)
    return out


@torch.no_grad()
def generate(model, tokenizer, prompts: list[list[int]], *, stop_ids: list[int], batch_size: int,
             max_new_tokens: int, synced_gpus: bool = False, skip_special_tokens: bool = True) -> list[str]:
    """Greedy answers, left-padded batches; the model is put back in the mode it was in."""
    from transformers import GenerationConfig

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop_ids[0]
    config = GenerationConfig(do_sample=False, max_new_tokens=max_new_tokens, eos_token_id=stop_ids,
                              pad_token_id=pad, use_cache=True)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    texts = []
    try:
        for start in range(0, len(prompts), batch_size):
            batch = prompts[start:start + batch_size]
            width = max(map(len, batch))
            ids = torch.tensor([[pad] * (width - len(p)) + p for p in batch], device=device)
            mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in batch], device=device)
            out = model.generate(input_ids=ids, attention_mask=mask, generation_config=config, synced_gpus=synced_gpus)
            texts += tokenizer.batch_decode(out[:, width:], skip_special_tokens=skip_special_tokens)
    finally:
        model.train(was_training)
    return texts


def generate_sharded(model, tokenizer, prompts: list[list[int]], **kw) -> list[str]:
    """generate() with the rows shared out over the ranks of a process group; every rank gets all answers."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1 or not prompts:
        return generate(model, tokenizer, prompts, **kw)
    rank, world = dist.get_rank(), dist.get_world_size()
    mine = list(range(rank, len(prompts), world))
    share = -(-len(prompts) // world)
    padded = mine + [mine[0] if mine else 0] * (share - len(mine))
    texts = generate(model, tokenizer, [prompts[i] for i in padded], **kw)[:len(mine)]
    parts: list = [None] * world
    dist.all_gather_object(parts, list(zip(mine, texts)))
    out = [""] * len(prompts)
    for part in parts:
        for i, text in part:
            out[i] = text
    return out
