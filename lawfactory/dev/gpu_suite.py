"""The r16r17 suite of lawfactory.dev.gpu_bench: one model of the criminal QLoRA recipe
(recipes/criminal_qlora.yaml: Qwen3-4B shape with random weights, NF4, LoRA r64, micro-batch 2,
cutoff_len 2048), built once and measured five ways:

- `sft`: an SFT step on 2 × 2048 random tokens (as gpu_bench's `qwen3-qlora-r64-b2`).
- `dpo`: a DPO step as LLaMA-Factory runs it with LoRA and no ref_model: the policy forward on
  the concatenated batch (2 chosen + 2 rejected, prompt 1536 + answer 512 tokens), its logits cast
  to fp32 and the answers' log-probs summed; then the reference log-probs from the same model with
  the adapter disabled, under no_grad (while the policy's graph is alive); sigmoid loss, beta 0.1;
  backward through the policy only.
- `padded` / `packed`: the same samples, drawn (seeded) from the real length distribution of the
  criminal_sentencing rows (`--lengths`, see lawfactory.dev.packing), trained padded to each
  micro-batch's longest vs neat-packed into 2 × 2049 (×8) block-diagonal sequences. Useful tokens/s
  counts only the samples' tokens. `packed-liger`: the packed batches with liger-kernel's fused
  linear cross-entropy (GPU only).
- `generate`: greedy `generate` of a fixed number of new tokens for prompts drawn from the real
  prompt lengths, left-padded, at several batch sizes: rows/s (predict_with_generate's loop).

Without bitsandbytes the model is bf16 LoRA instead (the rows say which). `--tiny` runs every case
on a tiny config on the CPU (no quantization) in seconds: a check of the code, not a measurement.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace

from lawfactory.dev import packing
from lawfactory.preflight.memory import QWEN3_4B, Arch, Setup

WARMUP = 1
CRIMINAL_QLORA = Setup(method="lora", quant_bits=4, lora_rank=64, lora_dropout=0.05, micro_batch=2)
TINY_ARCH = Arch("tiny-qwen3", hidden=64, layers=2, heads=4, kv_heads=2, head_dim=16, intermediate=128, vocab=512,
                 tied=True, qk_norm=True)
CASES = ("sft", "dpo", "padded", "packed", "packed-liger", "generate")


@dataclass(frozen=True)
class Shape:
    """The suite's sizes: the recipe's, or the tiny CPU check's."""

    cutoff: int = 2048
    dpo_prompt: int = 1536
    dpo_answer: int = 512
    beta: float = 0.1
    steps: int = 3              # timed SFT and DPO steps, after WARMUP
    samples: int = 192          # drawn from the real lengths, measured padded and packed
    new_tokens: int = 64
    gen_batches: tuple[int, ...] = (1, 2, 16, 64)   # 2 = the recipe's per_device_eval_batch_size
    gen_rows: int = 4           # rows generated per batch size (at least one batch)


RECIPE = Shape()
TINY = Shape(cutoff=128, dpo_prompt=96, dpo_answer=32, steps=1, samples=12, new_tokens=4,
             gen_batches=(1, 4), gen_rows=2)


@dataclass
class Bench:
    model: object
    arch: Arch
    setup: Setup
    shape: Shape
    device: str
    deadline: float
    lengths: list[int] | None = None    # sample lengths (clipped at the cutoff)
    prompts: list[int] | None = None    # prompt lengths
    seed: int = 0

    def generator(self):
        import torch

        return torch.Generator(device=self.device).manual_seed(self.seed)

    def late(self) -> bool:
        return time.monotonic() > self.deadline

    def autocast(self):
        """bf16 autocast on the GPU; the CPU check runs in fp32 (bf16 matmuls are slow on most CPUs)."""
        import torch

        return torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.device == "cuda")

    @property
    def mask_dtype(self):
        import torch

        return torch.bfloat16 if self.device == "cuda" else torch.float32


# ---- timing and memory -----------------------------------------------------------------------------

def sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def reset_peak(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def peaks(device: str) -> dict:
    import torch

    if device != "cuda":
        return {"peak_allocated_gb": None, "peak_reserved_gb": None}
    return {"peak_allocated_gb": torch.cuda.max_memory_allocated() / 1e9,
            "peak_reserved_gb": torch.cuda.max_memory_reserved() / 1e9}


def timed(device: str, fn):
    sync(device)
    t0 = time.perf_counter()
    out = fn()
    sync(device)
    return time.perf_counter() - t0, out


def train_step(b: Bench, opt, loss_fn, inputs) -> float:
    with b.autocast():
        loss = loss_fn(b.model, inputs)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    return float(loss.detach())


def train(b: Bench, batches, loss_fn) -> dict:
    """One optimizer step per batch (the first WARMUP untimed), as gpu_bench.run_case steps; stops
    early past the deadline ("incomplete"). A fresh AdamW per case: its states are part of the peak."""
    import torch

    b.model.train()
    params = [p for p in b.model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5, fused=b.device == "cuda")
    reset_peak(b.device)
    times, losses, incomplete = [], [], False
    for i, inputs in enumerate(batches):
        if i > WARMUP and b.late():
            incomplete = True
            break
        seconds, loss = timed(b.device, lambda: train_step(b, opt, loss_fn, inputs))
        losses.append(loss)
        if i >= WARMUP:
            times.append(seconds)
    return {"steps": len(times), "step_s": times, "loss": losses, "incomplete": incomplete, **peaks(b.device)}


# ---- the cases ---------------------------------------------------------------------------------------

def sft_loss(model, inputs):
    return model(**inputs).loss


def answer_logps(model, inputs):
    """LLaMA-Factory's concatenated_forward: (summed log-probs of the labelled tokens, fp32 logits)."""
    import torch

    logits = model(input_ids=inputs["input_ids"], use_cache=False).logits.to(torch.float32)
    labels = inputs["labels"][:, 1:]
    mask = labels != -100
    logps = torch.gather(logits[:, :-1].log_softmax(-1), 2, labels.clamp(min=0).unsqueeze(2)).squeeze(2)
    return (logps * mask).sum(-1), logits


def dpo_loss(model, inputs, beta: float):
    import torch
    import torch.nn.functional as F

    policy, logits = answer_logps(model, inputs)  # LLaMA-Factory keeps the fp32 logits for its metrics
    with torch.no_grad(), model.disable_adapter():  # LoRA without ref_model: the base is the reference
        reference, _ = answer_logps(model, inputs)
    chosen, rejected = policy.chunk(2)
    ref_chosen, ref_rejected = reference.chunk(2)
    float(logits.mean())  # the logits/chosen, logits/rejected metrics
    return -F.logsigmoid(beta * ((chosen - ref_chosen) - (rejected - ref_rejected))).mean()


def full_batch(b: Bench, gen) -> dict:
    ids = packing.random_ids(b.setup.micro_batch * b.shape.cutoff, b.arch.vocab, gen, b.device)
    ids = ids.view(b.setup.micro_batch, b.shape.cutoff)
    return {"input_ids": ids, "labels": ids}


def pair_batch(b: Bench, gen) -> dict:
    """micro_batch pairs, chosen then rejected (LLaMA-Factory's pairwise collator): each pair shares
    its prompt, the answers differ; only the answers are labelled."""
    import torch

    n, p, a = b.setup.micro_batch, b.shape.dpo_prompt, b.shape.dpo_answer
    prompt = packing.random_ids(n * p, b.arch.vocab, gen, b.device).view(n, p)
    answers = packing.random_ids(2 * n * a, b.arch.vocab, gen, b.device).view(2 * n, a)
    ids = torch.cat([prompt.repeat(2, 1), answers], dim=1)
    labels = ids.clone()
    labels[:, :p] = -100
    return {"input_ids": ids, "labels": labels}


def case_sft(b: Bench) -> dict:
    gen = b.generator()
    r = train(b, (full_batch(b, gen) for _ in range(WARMUP + b.shape.steps)), sft_loss)
    tokens = b.setup.micro_batch * b.shape.cutoff
    return {**r, "tokens_per_step": tokens, "tokens_per_s": rate(tokens * r["steps"], r["step_s"])}


def case_dpo(b: Bench) -> dict:
    gen = b.generator()
    beta = b.shape.beta
    r = train(b, (pair_batch(b, gen) for _ in range(WARMUP + b.shape.steps)), lambda m, x: dpo_loss(m, x, beta))
    tokens = 2 * b.setup.micro_batch * (b.shape.dpo_prompt + b.shape.dpo_answer)
    return {**r, "pairs_per_step": b.setup.micro_batch, "prompt": b.shape.dpo_prompt, "answer": b.shape.dpo_answer,
            "beta": beta, "tokens_per_step": tokens, "tokens_per_s": rate(tokens * r["steps"], r["step_s"]),
            "pairs_per_s": rate(b.setup.micro_batch * r["steps"], r["step_s"])}


def drawn(b: Bench) -> list[int]:
    return packing.draw(b.lengths, b.shape.samples, b.seed)


def case_padded(b: Bench) -> dict:
    batches = packing.padded_batches(drawn(b), b.setup.micro_batch)
    return batched_case(b, batches, lambda batch, gen: packing.padded_inputs(batch, b.arch.vocab, 0, gen, b.device),
                        packing.computed_tokens_padded)


def case_packed(b: Bench, loss_fn=sft_loss) -> dict:
    batches = packing.packed_batches(drawn(b), b.setup.micro_batch, b.shape.cutoff)
    cutoff = b.shape.cutoff
    r = batched_case(b, batches, lambda batch, gen: packing.packed_inputs(batch, cutoff, b.arch.vocab, 0, gen, b.device,
                                                                          b.mask_dtype),
                     lambda done: packing.computed_tokens_packed(done, cutoff), loss_fn)
    return {**r, "samples_per_sequence": b.shape.samples / sum(len(batch) for batch in batches)}


def liger_sft_loss(model, inputs):
    """`enable_liger_kernel`'s fused linear cross-entropy: the head and the loss in chunks, so the
    b·s·V logits never exist whole (gpu_bench.liger_loss, with the packed mask and labels)."""
    from liger_kernel.transformers.fused_linear_cross_entropy import LigerFusedLinearCrossEntropyLoss

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    labels = inputs["labels"]
    hidden = base.model(**{k: v for k, v in inputs.items() if k != "labels"}).last_hidden_state
    h = hidden[:, :-1].reshape(-1, hidden.shape[-1])
    return LigerFusedLinearCrossEntropyLoss()(base.lm_head.weight, h, labels[:, 1:].reshape(-1))


def case_packed_liger(b: Bench) -> dict:
    if b.device != "cuda":
        return {"skipped": "liger-kernel needs a GPU (Triton)"}
    return case_packed(b, liger_sft_loss)


def batched_case(b: Bench, batches, make_inputs, computed_tokens, loss_fn=sft_loss) -> dict:
    """Train on `batches` (the first once more as warm-up); useful tokens/s over the timed steps."""
    gen = b.generator()
    r = train(b, (make_inputs(batch, gen) for batch in [batches[0], *batches]), loss_fn)
    done = batches[: r["steps"]]
    useful, computed = packing.useful_tokens(done), computed_tokens(done)
    return {**r, "samples": len(packing.sample_lengths(done)),
            "micro_batches": len(done), "useful_tokens": useful, "computed_tokens": computed,
            "padding_share": 1 - useful / computed, "useful_tokens_per_s": rate(useful, r["step_s"]),
            "seconds": sum(r["step_s"])}


def left_padded(prompts: list[int], vocab: int, gen, device) -> dict:
    import torch

    width = max(prompts)
    ids = torch.zeros((len(prompts), width), dtype=torch.long, device=device)
    mask = torch.zeros_like(ids)
    for row, n in enumerate(prompts):
        ids[row, width - n:] = packing.random_ids(n, vocab, gen, device)
        mask[row, width - n:] = 1
    return {"input_ids": ids, "attention_mask": mask}


def case_generate(b: Bench) -> dict:
    import torch

    model, gen, n_new = b.model, b.generator(), b.shape.new_tokens
    model.eval()
    prompts = packing.draw(b.prompts, b.shape.gen_rows + max(b.shape.gen_batches), b.seed)

    def generate(batch: list[int], new: int) -> None:
        inputs = left_padded(batch, b.arch.vocab, gen, b.device)
        with torch.no_grad(), b.autocast():
            model.generate(**inputs, do_sample=False, max_new_tokens=new, min_new_tokens=new, use_cache=True,
                           pad_token_id=0, eos_token_id=None)

    generate(prompts[:1], 2)  # warm-up
    reset_peak(b.device)
    by_batch = {}
    for size in b.shape.gen_batches:
        if b.late():
            break
        rows = prompts[: max(size, b.shape.gen_rows)]
        seconds = sum(timed(b.device, lambda: generate(rows[i:i + size], n_new))[0] for i in range(0, len(rows), size))
        by_batch[size] = {"rows": len(rows), "mean_prompt": sum(rows) / len(rows), "seconds": seconds,
                          "rows_per_s": len(rows) / seconds,
                          "new_tokens_per_s": len(rows) * n_new / seconds}
    return {"new_tokens": n_new, "by_batch": by_batch,
            "incomplete": len(by_batch) < len(b.shape.gen_batches), **peaks(b.device)}


CASE_FUNCS = {"sft": case_sft, "dpo": case_dpo, "padded": case_padded, "packed": case_packed,
              "packed-liger": case_packed_liger, "generate": case_generate}
NEEDS_LENGTHS = {"padded", "packed", "packed-liger", "generate"}


def rate(amount: float, times: list[float]) -> float | None:
    return amount / sum(times) if times else None


# ---- running -----------------------------------------------------------------------------------------

def build_model(arch: Arch, setup: Setup, device: str):
    """gpu_bench.build, falling back to bf16 LoRA where bitsandbytes is missing: (model, setup, note)."""
    from lawfactory.dev.gpu_bench import build

    note = None
    if setup.quant_bits:
        try:
            import bitsandbytes  # noqa: F401
        except ImportError as err:
            setup, note = replace(setup, quant_bits=None), f"bf16 LoRA instead of QLoRA: {err}"
    return build(arch, setup, device, "bfloat16" if device == "cuda" else "float32"), setup, note


def run(out, cases=CASES, lengths_path=None, tiny: bool = False, max_seconds: float = 330.0,
        seed: int = 0) -> list[dict]:
    """Run the suite's `cases`, writing one JSON line per case to the open file `out` as it goes."""
    import gc

    import torch

    start = time.monotonic()
    device = "cpu" if tiny else "cuda"
    arch, shape = (TINY_ARCH, TINY) if tiny else (QWEN3_4B, RECIPE)
    setup = replace(CRIMINAL_QLORA, quant_bits=None) if tiny else CRIMINAL_QLORA
    setup = replace(setup, seq=shape.cutoff)
    lengths = prompts = None
    if lengths_path:
        lengths, prompts = packing.read_lengths(lengths_path, shape.cutoff, scale=shape.cutoff / RECIPE.cutoff)
    torch.manual_seed(seed)
    model, setup, note = build_model(arch, setup, device)
    print(f"suite: {arch.name} built in {time.monotonic() - start:.0f} s", flush=True)
    bench = Bench(model, arch, setup, shape, device, start + max_seconds, lengths, prompts, seed)
    common = {"arch": arch.name, "setup": asdict(setup), "note": note, "device": torch.cuda.get_device_name()
              if device == "cuda" else "cpu", "torch": torch.__version__}
    rows = []
    for name in cases:
        if bench.late():
            row = {"skipped": f"past --max-seconds {max_seconds:g}"}
        elif name in NEEDS_LENGTHS and lengths is None:
            row = {"skipped": "no --lengths file"}
        else:
            t0 = time.monotonic()
            try:
                row = CASE_FUNCS[name](bench)
            except Exception as err:  # record and go on: one failing case must not lose the others
                row = {"error": f"{type(err).__name__}: {err}"}
            row["case_seconds"] = time.monotonic() - t0
        row = {"case": f"r16r17-{name}", **row, **common}
        rows.append(row)
        gc.collect()
        if device == "cuda":
            torch.cuda.empty_cache()
        line = json.dumps(row, ensure_ascii=False)
        print(line, flush=True)
        out.write(line + "\n")
        out.flush()
    return rows
