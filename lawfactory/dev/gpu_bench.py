"""Measure peak GPU memory and tokens/s of the recipes' real architectures (random weights) next to
lawfactory.preflight.memory's estimate. Needs a CUDA GPU; not part of CI.

    python -m lawfactory.dev.gpu_bench --out bench.jsonl [--cases qwen3-qlora-r64-b2,...]
    python -m lawfactory.dev.gpu_bench --out bench.jsonl --suite r16r17 --lengths .gpu/criminal_lengths.json
    python -m lawfactory.dev.gpu_bench --out bench.jsonl --suite r16r17 --lengths FILE --tiny   # CPU check

Builds each model from its config only (no download): Qwen3-4B and Llama-3.2-3B shapes, bf16,
SDPA attention, as LLaMA-Factory trains them: gradient checkpointing (reentrant), trainable
parameters upcast to fp32, bf16 autocast, torch AdamW (fused); QLoRA replaces every decoder linear
with a bnb NF4 Linear4bit (double quantization). Every sample is exactly cutoff_len random tokens
(the worst batch). Peak = torch.cuda.max_memory_allocated over 1 warm-up + STEPS timed steps.

The r16r17 suite builds the criminal QLoRA model once and runs on it (lawfactory.dev.gpu_suite):
SFT beside DPO at the same shape, padded beside neat-packed micro-batches of the real CAIL length
distribution, and batched greedy `generate`. Imports only torch, transformers, peft (and the
carried bitsandbytes / liger-kernel wheels): the GPU machine has none of lawfactory's other needs.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

from lawfactory.preflight.memory import GPUS, LLAMA_3_2_3B, QWEN3_4B, Arch, Setup, estimate, throughput

STEPS = 3
ARCHS = {"qwen3-4b": QWEN3_4B, "llama-3.2-3b": LLAMA_3_2_3B}
# name: (arch, Setup) — the shipped recipes' per-GPU shapes and the QLoRA anchors of docs/preflight.md ("Anchors")
QLORA = Setup(method="lora", quant_bits=4, lora_rank=64, lora_dropout=0.05)
LORA = Setup(method="lora", lora_rank=64, lora_dropout=0.05)
CASES = {
    "qwen3-qlora-r8-b1": ("qwen3-4b", replace(QLORA, lora_rank=8, lora_dropout=0.0, micro_batch=1)),  # §6 anchor
    "qwen3-qlora-r64-b2": ("qwen3-4b", replace(QLORA, micro_batch=2)),   # recipes/criminal_qlora.yaml
    "qwen3-qlora-r64-b4": ("qwen3-4b", replace(QLORA, micro_batch=4)),   # §6 logits anchor 12.4 GB
    "qwen3-lora-r64-b2": ("qwen3-4b", replace(LORA, micro_batch=2)),     # criminal_lora_ds.yaml per GPU (no ZeRO)
    "llama-lora-r64-b2": ("llama-3.2-3b", replace(LORA, micro_batch=2)),  # taiwan_legal_lora.yaml
    "llama-full-b4": ("llama-3.2-3b", Setup(method="full", micro_batch=4)),  # full FT, one GPU, no ZeRO
    "qwen3-qlora-r64-b4-liger": ("qwen3-4b", replace(QLORA, micro_batch=4, liger=True)),  # the knob for the logits
}


def hf_config(arch: Arch):
    from transformers import LlamaConfig, Qwen3Config

    common = dict(hidden_size=arch.hidden, num_hidden_layers=arch.layers, num_attention_heads=arch.heads,
                  num_key_value_heads=arch.kv_heads, head_dim=arch.head_dim, intermediate_size=arch.intermediate,
                  vocab_size=arch.vocab, tie_word_embeddings=arch.tied, max_position_embeddings=4096, use_cache=False)
    return Qwen3Config(**common) if arch.qk_norm else LlamaConfig(**common)


def quantize_nf4(model) -> None:
    import bitsandbytes as bnb
    import torch
    from torch import nn

    for layer in model.model.layers:
        for parent in list(layer.modules()):
            for name, child in list(parent.named_children()):
                if isinstance(child, nn.Linear):
                    q = bnb.nn.Linear4bit(child.in_features, child.out_features, bias=False,
                                          compute_dtype=torch.bfloat16,
                                          compress_statistics=True, quant_type="nf4", device="meta")
                    q.weight = bnb.nn.Params4bit(child.weight.data, requires_grad=False, compress_statistics=True,
                                                 quant_type="nf4", module=q).to("cuda")
                    setattr(parent, name, q)
                    del child


def build(arch: Arch, s: Setup, device: str = "cuda", dtype: str = "bfloat16"):
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device(device):
        model = AutoModelForCausalLM.from_config(hf_config(arch), dtype=getattr(torch, dtype),
                                                 attn_implementation="sdpa")
    if s.quant_bits:
        quantize_nf4(model)
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": True})
    if s.method == "full":
        model.float()  # LLaMA-Factory upcasts trainable params to fp32 (not ZeRO-3, not pure_bf16)
        return model
    from peft import LoraConfig, get_peft_model

    model.enable_input_require_grads()
    for p in model.parameters():
        p.requires_grad_(False)
    cfg = LoraConfig(r=s.lora_rank, lora_alpha=2 * s.lora_rank, lora_dropout=s.lora_dropout, use_rslora=True,
                     target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    model = get_peft_model(model, cfg)
    for p in model.parameters():
        if p.requires_grad:
            p.data = p.data.float()
    return model


def liger_loss(model, ids):
    """Liger's fused linear cross-entropy on the final hidden states (what `enable_liger_kernel`
    patches in): the head and the loss run in chunks, the b·s·V logits never exist whole."""
    from liger_kernel.transformers.fused_linear_cross_entropy import LigerFusedLinearCrossEntropyLoss

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = base.model(input_ids=ids).last_hidden_state
    h = hidden[:, :-1].reshape(-1, hidden.shape[-1])
    return LigerFusedLinearCrossEntropyLoss()(base.lm_head.weight, h, ids[:, 1:].reshape(-1))


def run_case(name: str, arch: Arch, s: Setup) -> dict:
    import torch

    torch.cuda.empty_cache()
    model = build(arch, s)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5, fused=True)
    torch.cuda.empty_cache()  # the bf16 weights freed by quantization are not the training's memory
    gen = torch.Generator(device="cuda").manual_seed(0)
    ids = torch.randint(0, arch.vocab, (s.micro_batch, s.seq), device="cuda", generator=gen)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times, losses = [], []
    for step in range(STEPS + 1):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = liger_loss(model, ids) if s.liger else model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        if step:
            times.append(time.perf_counter() - t0)
        losses.append(float(loss.detach()))
    est = estimate(arch, s)
    gpu = GPUS["h100-80g"]
    tps_est, mfu = throughput(arch, s, gpu)
    row = {"case": name, "arch": arch.name, "setup": s.__dict__, "trainable": sum(p.numel() for p in params),
           "peak_allocated_gb": torch.cuda.max_memory_allocated() / 1e9,
           "peak_reserved_gb": torch.cuda.max_memory_reserved() / 1e9,
           "tokens_per_s": s.micro_batch * s.seq / (sum(times) / len(times)), "step_s": times, "loss": losses,
           "estimate_total_gb": est.total / 1e9, "estimate_terms_gb": {k: v / 1e9 for k, v in est.terms.items()},
           "estimate_tokens_per_s_h100": tps_est, "mfu_assumed": mfu,
           "device": torch.cuda.get_device_name(), "torch": torch.__version__}
    del model, opt, params, loss
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", default=None,
                    help=f"comma-separated, of: {', '.join(CASES)} (default: all, unless --suite)")
    ap.add_argument("--suite", choices=["r16r17"], help="one shared criminal-QLoRA model: SFT vs DPO, padded vs "
                    "neat-packed real lengths, batched generate (lawfactory.dev.gpu_suite)")
    ap.add_argument("--suite-cases", default=None, help="comma-separated subset of the suite's cases")
    ap.add_argument("--lengths", help="sample lengths file for the suite (--write-lengths)")
    ap.add_argument("--tiny", action="store_true", help="the suite on a tiny config on the CPU (a code check)")
    ap.add_argument("--max-seconds", type=float, default=330.0,
                    help="after this many seconds, skip the remaining cases and steps (default 330)")
    ap.add_argument("--write-lengths", metavar="DATA_JSONL",
                    help="write the template token lengths of an alpaca JSONL to --out (needs --tokenizer) and exit")
    ap.add_argument("--tokenizer", help="tokenizer folder for --write-lengths (e.g. `lawfactory tiny-model`'s)")
    ap.add_argument("--cutoff-len", type=int, default=2048)
    args = ap.parse_args(argv)
    if args.write_lengths:
        return write_lengths(args)
    import gc

    import torch
    import transformers

    device = "cpu" if args.tiny else torch.cuda.get_device_name()
    print("torch", torch.__version__, "transformers", transformers.__version__, device, flush=True)
    start = time.monotonic()
    with open(args.out, "w", encoding="utf-8") as f:
        if args.suite or args.tiny:
            from lawfactory.dev import gpu_suite

            cases = args.suite_cases.split(",") if args.suite_cases else gpu_suite.CASES
            gpu_suite.run(f, cases, args.lengths, tiny=args.tiny, max_seconds=args.max_seconds)
        for name in (args.cases.split(",") if args.cases else [] if args.suite or args.tiny else CASES):
            arch_name, s = CASES[name]
            if time.monotonic() - start > args.max_seconds:
                row = {"case": name, "skipped": f"past --max-seconds {args.max_seconds:g}"}
            else:
                try:
                    row = run_case(name, ARCHS[arch_name], s)
                except Exception as err:  # record and go on: one missing package must not lose the others
                    row = {"case": name, "error": f"{type(err).__name__}: {err}"}
            gc.collect()
            torch.cuda.empty_cache()
            print(json.dumps(row, ensure_ascii=False), flush=True)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
    return 0


def write_lengths(args) -> int:
    from pathlib import Path

    from lawfactory.dev.packing import write_lengths as write

    if not args.tokenizer:
        raise SystemExit("--write-lengths needs --tokenizer")
    doc = write(Path(args.write_lengths), Path(args.tokenizer), Path(args.out), args.cutoff_len)
    totals = sorted(p + a for p, a in zip(doc["prompt"], doc["answer"]))
    print(f"{doc['rows']} rows, {doc['over_cutoff']} over cutoff_len {args.cutoff_len}, median "
          f"{totals[len(totals) // 2]}"
          f" tokens, max {totals[-1]}: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
