"""GPU memory per device for a LLaMA-Factory SFT or DPO recipe, term by term, before a GPU is rented.

Bytes, decimal GB (1e9) in reports. The terms (Ψ = parameters of what they apply to, N = data-
parallel GPUs, b = per-device micro-batch, s = cutoff_len, every sample assumed at the cutoff):

- base weights at their bit width: bf16 2 B; bnb NF4 0.5 B + block absmax (fp32 per 64 weights,
  or with double quantization 8 bit per 64 + fp32 per 64·256); embeddings and norms stay bf16.
  Under ZeRO-3 frozen weights are partitioned too (2Ψ/N).
- trainable parameters (LoRA matrices, or the whole model in full fine-tuning): LLaMA-Factory
  upcasts them to fp32 (model/adapter.py), so fp32 weight + fp32 gradient + Adam m and v = 16 B.
  DeepSpeed keeps bf16 weights/gradients and fp32 master+m+v (12 B) in the optimizer:
  ZeRO-1 4Ψ + 12Ψ/N, ZeRO-2 2Ψ + 14Ψ/N, ZeRO-3 16Ψ/N (the ZeRO paper's accounting; docs/preflight.md "Anchors");
  an offloaded optimizer moves its partition (and ZeRO-2's fp32 gradients) to host memory; offloaded parameters too.
- activations with gradient checkpointing (LLaMA-Factory's default): each layer's input is kept
  (L·b·s·h·2 B), and backward recomputes one layer at a time. Without checkpointing every layer
  keeps its working set.
- logits: b·s·V·(2 + 4 + 4) B (bf16 logits, their fp32 upcast for the loss, the fp32 gradient):
  3.1 GB at 1×2048 and 12.4 GB at 4×2048 for Qwen's 151,936 vocabulary; measured peaks add the
  gradient's bf16 cast (b·s·V·2 B). They are freed before backward recomputes the layers, so a
  recomputed layer only counts where it is larger. `enable_liger_kernel` fuses the head with the
  loss and computes the logits in chunks.
- DPO (stage dpo, `pairs`): a micro-batch of b pairs is 2b sequences, chosen and rejected
  concatenated (LLaMA-Factory's pairwise collator), so the layer inputs and the policy's logits are
  those of 2b·s tokens. With a reference (sigmoid, hinge, ipo, kto_pair) a no_grad forward of the
  same 2b sequences runs after the policy's forward, while the policy's fp32 logits (kept for the
  logits/chosen metrics) and its saved fp32 log-softmax are alive (2b·s·V·8 B): its own fp32
  logits and log-softmax add 2b·s·V·8 B, a peak of 2b·s·V·16 B against the backward's 12 B; the
  excess 2b·s·V·4 B is a term of its own. LoRA without `ref_model` disables the adapter for that
  forward (no second copy of the weights); `ref_model` loads a second copy. orpo/simpo have no
  reference. Liger's fused cross-entropy is off for DPO (LLaMA-Factory needs the logits).
- the estimate keeps every state live at the peak (conservative for full fine-tuning without
  DeepSpeed, where the gradients only build up after the logits are gone: BENCHMARKS.md).
- allocator overhead: the CUDA context and the caching allocator's fragmentation.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

GB = 1e9
MIB = 2**20

# CUDA context + cuBLAS workspace (outside torch's allocator), and the caching allocator's
# reserved-but-unused share of the peak (fragmentation): measured reserved/allocated on an H100
# was 1.10-1.19 at the recipes' shapes (the large logits blocks fragment most; BENCHMARKS.md).
CONTEXT_BYTES = 0.5 * GB
FRAGMENTATION = 0.15
TIGHT_MARGIN = 0.90  # above 90% of the card is "tight": one long batch or a fragmentation spike away from OOM


@dataclass(frozen=True)
class Arch:
    """What the estimate needs from a transformers config.json (decoder-only, gated MLP)."""

    name: str
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    tied: bool
    qk_norm: bool = False  # Qwen3: RMSNorm on q and k per head

    @property
    def q_dim(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    def linears(self) -> dict[str, tuple[int, int]]:
        """One decoder layer's linear layers as (in, out): LLaMA-Factory's `lora_target: all`."""
        h, i = self.hidden, self.intermediate
        return {"q_proj": (h, self.q_dim), "k_proj": (h, self.kv_dim), "v_proj": (h, self.kv_dim),
                "o_proj": (self.q_dim, h), "gate_proj": (h, i), "up_proj": (h, i), "down_proj": (i, h)}

    def linear_params(self) -> int:
        """Parameters in all decoder linear layers (what bnb quantizes)."""
        return self.layers * sum(a * b for a, b in self.linears().values())

    def other_params(self) -> int:
        """Embeddings (and an untied head), RMSNorms: kept in bf16 under quantization."""
        norms = self.layers * (2 * self.hidden + (2 * self.head_dim if self.qk_norm else 0)) + self.hidden
        return self.vocab * self.hidden * (1 if self.tied else 2) + norms

    def params(self) -> int:
        return self.linear_params() + self.other_params()

    def lora_params(self, rank: int, targets: str = "all") -> int:
        names = self.linears() if targets.strip() == "all" else [t.strip() for t in targets.split(",")]
        dims = self.linears()
        return self.layers * sum(rank * sum(dims[n]) for n in names if n in dims)


# Bundled configs (from the models' config.json on the Hub); a local model folder's config.json wins.
LLAMA_3_2_3B = Arch("Llama-3.2-3B", hidden=3072, layers=28, heads=24, kv_heads=8, head_dim=128,
                    intermediate=8192, vocab=128256, tied=True)
QWEN3_4B = Arch("Qwen3-4B", hidden=2560, layers=36, heads=32, kv_heads=8, head_dim=128,
                intermediate=9728, vocab=151936, tied=True, qk_norm=True)
KNOWN: dict[str, Arch] = {
    "Qwen/Qwen3-4B-Instruct-2507": QWEN3_4B,
    "Qwen/Qwen3-4B": QWEN3_4B,
    "lianghsun/Llama-3.2-Taiwan-3B": LLAMA_3_2_3B,
    "meta-llama/Llama-3.2-3B": LLAMA_3_2_3B,
    "meta-llama/Llama-3.2-3B-Instruct": LLAMA_3_2_3B,
}


def arch_from_config(cfg: dict, name: str) -> Arch:
    cfg = cfg.get("text_config", cfg)
    heads = cfg["num_attention_heads"]
    return Arch(name, hidden=cfg["hidden_size"], layers=cfg["num_hidden_layers"], heads=heads,
                kv_heads=cfg.get("num_key_value_heads") or heads,
                head_dim=cfg.get("head_dim") or cfg["hidden_size"] // heads,
                intermediate=cfg["intermediate_size"], vocab=cfg["vocab_size"],
                tied=bool(cfg.get("tie_word_embeddings", False)),
                qk_norm=str(cfg.get("model_type", "")).startswith("qwen3"))


def resolve_arch(model: str) -> tuple[Arch, str]:
    """(architecture, where it came from): a local folder's config.json, else the bundled table."""
    cfg = Path(model) / "config.json"
    if cfg.is_file():
        return arch_from_config(json.loads(cfg.read_text(encoding="utf-8")), Path(model).name), str(cfg)
    if model in KNOWN:
        return KNOWN[model], "bundled table (lawfactory/preflight/memory.py)"
    raise ValueError(f"unknown model {model!r}: not a local folder with config.json and not in the bundled table "
                     f"({', '.join(sorted(KNOWN))}); pass a local path to the model")


@dataclass(frozen=True)
class Gpu:
    name: str
    memory: int           # bytes, as nvidia-smi reports the card's total
    bf16_tflops: float    # dense bf16 tensor-core peak
    note: str


# nvidia-smi totals in MiB; dense bf16 peaks from the vendors' data sheets (no sparsity).
GPUS: dict[str, Gpu] = {
    "a10-24g": Gpu("NVIDIA A10 24 GB", 23028 * MIB, 125.0, "PCIe, 600 GB/s"),
    "rtx4090-24g": Gpu("NVIDIA RTX 4090 24 GB", 24564 * MIB, 165.0, "fp32 accumulate, 1 TB/s"),
    "a100-40g": Gpu("NVIDIA A100 40 GB", 40960 * MIB, 312.0, "SXM4, 1.6 TB/s"),
    "a100-80g": Gpu("NVIDIA A100 80 GB", 81920 * MIB, 312.0, "SXM4, 2.0 TB/s"),
    "h100-80g": Gpu("NVIDIA H100 80 GB", 81559 * MIB, 989.0, "SXM5 HBM3, 3.35 TB/s"),
}

# Throughput assumption: model FLOPs utilisation of the dense bf16 peak. Measured on an H100 at the
# recipes' shapes (BENCHMARKS.md): full 0.36 (b=4), LoRA 0.18-0.21 and QLoRA 0.14 (b=2; bnb
# dequantizes every weight on every matmul, and small LoRA matmuls are launch-bound on a fast card).
MFU = {"full": 0.35, "lora": 0.25, "qlora": 0.15}


@dataclass(frozen=True)
class Setup:
    """The recipe facts the estimate reads (see `setup_from_recipe`)."""

    method: str = "lora"            # full | lora (freeze is estimated as lora-like: frozen bf16 base)
    quant_bits: int | None = None   # 4 or 8 (bnb), LoRA only
    double_quant: bool = True
    lora_rank: int = 8
    lora_target: str = "all"
    lora_dropout: float = 0.0
    micro_batch: int = 1
    accumulation: int = 1
    seq: int = 2048
    grad_ckpt: bool = True
    liger: bool = False
    zero: int = 0                   # 0 = plain DDP / one GPU
    offload_optimizer: bool = False
    offload_param: bool = False
    gpus: int = 1
    pairs: bool = False             # stage dpo: b pairs = 2b sequences (chosen + rejected) a micro-batch
    reference: str = ""             # dpo's reference forward: "adapter" (LoRA disabled), "model" (ref_model), "" none
    ref_quant_bits: int | None = None  # ref_model_quantization_bit

    @property
    def sequences(self) -> int:
        """Sequences in one micro-batch: b, or 2b for pairs."""
        return self.micro_batch * (2 if self.pairs else 1)


@dataclass
class Estimate:
    arch: Arch
    setup: Setup | None  # None for inference
    terms: dict[str, float] = field(default_factory=dict)   # bytes on each GPU
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.terms.values())

    def as_dict(self) -> dict:
        return {"arch": asdict(self.arch), "setup": asdict(self.setup), "terms": self.terms, "total": self.total}


def quantized_bytes_per_param(bits: int, double_quant: bool) -> float:
    """bnb storage per quantized weight: 4-bit NF4 with block absmax (blocksize 64), or int8 with row scales."""
    if bits == 4:
        absmax = (1 / 64 + 4 / (64 * 256)) if double_quant else 4 / 64
        return 0.5 + absmax
    if bits == 8:
        return 1.0
    raise ValueError(f"quantization_bit {bits}: only 4 and 8 (bnb) are modelled")


def model_state_bytes(trainable: int, zero: int, gpus: int, offload_optimizer: bool, offload_param: bool) -> float:
    """Weights + gradients + Adam states of the trainable parameters on one GPU (16 B/param unsharded)."""
    n = max(gpus, 1)
    if zero == 0:
        return 16.0 * trainable
    optimizer = 0.0 if offload_optimizer else 12.0 * trainable / n
    if zero == 1:
        return 4.0 * trainable + optimizer
    if zero == 2:
        # offloaded ZeRO-2 keeps only the bf16 weights and the bf16 gradient partition on the GPU
        return 2.0 * trainable + (2.0 * trainable / n if offload_optimizer else 14.0 * trainable / n)
    if zero == 3:
        params = 0.0 if offload_param else 2.0 * trainable / n
        grads = 2.0 * trainable / n if not offload_optimizer else 0.0
        return params + grads + optimizer
    raise ValueError(f"ZeRO stage {zero} is not 0-3")


def layer_working_elements(arch: Arch, lora_dropout: bool) -> int:
    """Per token, the bf16 tensors one decoder layer keeps for backward (SDPA attention, no s² term):
    RMSNorm inputs/outputs and residual sums (6h); q after projection and RoPE, attention output (3q);
    k after projection and RoPE, v, and the kernel's copy (4kv); SwiGLU gate, up, act(gate), act·up
    (4I); while it backpropagates, the gradients of gate/up and of the input/residual (2I + 2h).
    LoRA dropout adds a copy of each target's input."""
    h, q, kv, i = arch.hidden, arch.q_dim, arch.kv_dim, arch.intermediate
    elems = 6 * h + 3 * q + 4 * kv + 4 * i
    elems += 2 * i + 2 * h  # backward: gradients of gate/up outputs and of the layer's input/residual
    if lora_dropout:
        elems += 3 * h + q + 2 * h + i  # inputs of q,k,v (3×h), o (q), gate,up (2×h), down (I)
    return elems


def logits_bytes(arch: Arch, tokens: int, liger: bool) -> float:
    if not liger:
        return tokens * arch.vocab * (2 + 4 + 4)
    # Liger's fused linear cross-entropy: logits for ~tokens/(V/h) rows at a time, fp32, plus gradient
    chunks = math.ceil(arch.vocab / arch.hidden)
    rows = 2 ** math.ceil(math.log2(max(1, math.ceil(tokens / chunks))))
    return min(rows, tokens) * arch.vocab * (4 + 4)


def logits_grad_cast_bytes(arch: Arch, tokens: int, liger: bool) -> float:
    """The bf16 copy of the logits' gradient, live beside the fp32 one while the head backpropagates
    (measured on an H100: the peak exceeds b·s·V·10 B by b·s·V·2 B; BENCHMARKS.md)."""
    return 0.0 if liger else tokens * arch.vocab * 2.0


def reference_excess_bytes(arch: Arch, tokens: int) -> float:
    """DPO's reference forward over the backward's logits peak: the policy's fp32 logits and saved
    log-softmax (8 B) are alive while the reference makes its fp32 logits, a contiguous fp32 copy of
    `logits[:, :-1]` for log_softmax, and the log-softmax (12 B): tokens·V·20 B live, against
    tokens·V·(10 + 2) B while the policy backpropagates: tokens·V·8 B more. Calibrated on an H200
    (BENCHMARKS.md): with 4 B for the copy left out, the estimate was one tokens·V·4 B under."""
    return tokens * arch.vocab * (20.0 - 12.0)


def weights_bytes(arch: Arch, quant_bits: int | None) -> float:
    """A frozen copy of the model: quantized linears + bf16 rest, or all bf16."""
    if quant_bits:
        return arch.linear_params() * quantized_bytes_per_param(quant_bits, True) + arch.other_params() * 2.0
    return arch.params() * 2.0


def estimate(arch: Arch, s: Setup) -> Estimate:
    e = Estimate(arch, s)
    t = e.terms
    n = max(s.gpus, 1)
    tokens = s.sequences * s.seq
    bs = "2b·s" if s.pairs else "b·s"
    if s.pairs and s.liger:
        e.notes.append("enable_liger_kernel: LLaMA-Factory keeps the whole logits for DPO (no fused cross-entropy)")
        s = replace(s, liger=False)
    if s.method == "full":
        trainable = arch.params()
        if s.quant_bits:
            raise ValueError("quantization is only compatible with LoRA/OFT "
                             "(LLaMA-Factory refuses full + quantization_bit)")
        t["model states (16 B/param, ZeRO)"] = model_state_bytes(trainable, s.zero, n,
                                                                 s.offload_optimizer, s.offload_param)
    else:
        if s.quant_bits:
            if s.zero == 3:
                e.notes.append("bnb quantization under ZeRO-3 is not supported: use ZeRO-2 or plain DDP")
            t[f"base weights ({s.quant_bits}-bit linears)"] = arch.linear_params() * quantized_bytes_per_param(
                s.quant_bits, s.double_quant)
            t["base weights (bf16 embeddings, norms)"] = arch.other_params() * 2.0
        else:
            base = arch.params() * 2.0
            t["base weights (bf16)"] = 0.0 if (s.zero == 3 and s.offload_param) else base / n if s.zero == 3 else base
        trainable = arch.lora_params(s.lora_rank, s.lora_target)
        t[f"LoRA r{s.lora_rank} (16 B/param, ZeRO)"] = model_state_bytes(trainable, s.zero, n,
                                                                         s.offload_optimizer, s.offload_param)
    if s.reference == "model":
        t["reference model (ref_model, frozen)"] = weights_bytes(arch, s.ref_quant_bits)
    if s.zero == 3:
        # the gathered bf16 weights of the layer being computed and the one prefetched
        t["ZeRO-3 gathered layers"] = 2 * (arch.linear_params() / arch.layers) * 2.0
    work = tokens * layer_working_elements(arch, s.method != "full" and s.lora_dropout > 0) * 2.0
    if s.grad_ckpt:
        t["activations: layer inputs (checkpointing)"] = arch.layers * tokens * arch.hidden * 2.0
    else:
        t["activations: all layers (no checkpointing)"] = arch.layers * work
    logits, cast = logits_bytes(arch, tokens, s.liger), logits_grad_cast_bytes(arch, tokens, s.liger)
    t[f"logits ({bs}·V·10 B)" if not s.liger else "logits (liger chunks)"] = logits
    if not s.liger:
        t[f"logits gradient, bf16 cast ({bs}·V·2 B)"] = cast
    recomputed = max(0.0, work - logits - cast) if s.grad_ckpt else 0.0
    if s.grad_ckpt:
        # backward frees the logits before it recomputes a layer: only the excess of one layer counts
        t["recomputed layer (beyond the logits)"] = recomputed
    if s.pairs and s.reference:
        # the reference forward's peak is another moment than the backward's: only its excess counts
        t[f"reference forward, no_grad ({bs}·V·8 B over the backward)"] = max(
            0.0, reference_excess_bytes(arch, tokens) - recomputed)
    if s.quant_bits:
        t["dequantized weight (one matmul)"] = max(a * b for a, b in arch.linears().values()) * 2.0
    allocated = sum(t.values())
    t["allocator overhead (context + fragmentation)"] = CONTEXT_BYTES + FRAGMENTATION * allocated
    return e


@dataclass
class Verdict:
    status: str        # fits | tight | does not fit
    used: float
    card: float
    knobs: list[str]


def verdict(e: Estimate, gpu: Gpu) -> Verdict:
    used, card = e.total, float(gpu.memory)
    status = "fits" if used <= TIGHT_MARGIN * card else "tight" if used <= card else "does not fit"
    fixes = knobs(e, card) if status != "fits" and e.setup is not None else []
    if status != "fits" and e.setup is None:
        fixes = ["a smaller per_device_eval_batch_size or max_new_tokens, or a larger card"]
    return Verdict(status, used, card, fixes)


def inference_estimate(arch: Arch, quant_bits: int | None, batch: int, tokens: int) -> Estimate:
    """Generation with the huggingface backend: weights, the KV cache of `batch` sequences of
    `tokens`, one step's fp32 logits, allocator overhead."""
    e = Estimate(arch, None)
    t = e.terms
    if quant_bits:
        t[f"weights ({quant_bits}-bit linears + bf16 rest)"] = (arch.linear_params()
                                                                * quantized_bytes_per_param(quant_bits, True)
                                                                + arch.other_params() * 2.0)
    else:
        t["weights (bf16)"] = arch.params() * 2.0
    t["KV cache (bf16)"] = 2 * arch.layers * arch.kv_dim * 2.0 * batch * tokens
    t["logits (one step, fp32)"] = batch * arch.vocab * 4.0
    t["allocator overhead (context + fragmentation)"] = CONTEXT_BYTES + FRAGMENTATION * sum(t.values())
    return e


def knobs(e: Estimate, card: float) -> list[str]:
    """Single changes that bring the estimate under the tight margin, the cheapest first."""
    s, out = e.setup, []
    target = TIGHT_MARGIN * card
    def total(**kw) -> float:
        return estimate(e.arch, replace(s, **kw)).total

    per_gpu = s.micro_batch * s.accumulation
    for b in range(s.micro_batch - 1, 0, -1):  # keep the global batch: b must divide micro-batch × accumulation
        if per_gpu % b == 0 and total(micro_batch=b) <= target:
            out.append(f"per_device_train_batch_size: {b}, gradient_accumulation_steps: {per_gpu // b} "
                       "(same global batch)")
            break
    if not s.liger and total(liger=True) <= target:
        out.append("enable_liger_kernel: true (fused linear cross-entropy: the logits are never materialised whole)")
    if not s.grad_ckpt and total(grad_ckpt=True) <= target:
        out.append("disable_gradient_checkpointing: false (checkpoint the layers)")
    for zero in (2, 3):
        if s.zero < zero and s.gpus > 1 and total(zero=zero) <= target:
            out.append(f"deepspeed: recipes/deepspeed/ds_z{zero}.json (ZeRO-{zero} over {s.gpus} GPUs)")
            break
    if s.zero >= 2 and not s.offload_optimizer and total(zero=3, offload_optimizer=True, offload_param=True) <= target:
        out.append("deepspeed: recipes/deepspeed/ds_z3_offload.json (optimizer and parameters in host memory; slower)")
    for cut in (s.seq // 2, s.seq // 4):
        if cut >= 256 and total(seq=cut) <= target:
            out.append(f"cutoff_len: {cut} (drops or truncates longer samples: check the token-length table)")
            break
    if s.pairs and s.reference and total(reference="", ref_quant_bits=None) <= target:
        out.append("pref_loss: simpo or orpo (reference-free: no reference forward, no reference weights)")
    if s.method == "full" and total(method="lora", lora_rank=64) <= target:
        out.append("finetuning_type: lora")
    if not out:
        out.append("a larger card or more GPUs")
    return out


def flops_per_token(arch: Arch, s: Setup) -> float:
    """Training FLOPs per token: forward 2Ψ, recompute 2Ψ with checkpointing, backward 2Ψ for input
    gradients and another 2Ψ for weight gradients in full fine-tuning, DPO's reference forward 2Ψ;
    attention adds 2·L·s·q_dim per pass (causal half of QKᵀ and AV)."""
    passes = 2 + (2 if s.grad_ckpt else 0) + 2 + (2 if s.method == "full" else 0) + (2 if s.reference else 0)
    attention = 2 * arch.layers * s.seq * arch.q_dim * passes / 2
    return passes * arch.params() + attention


def throughput(arch: Arch, s: Setup, gpu: Gpu) -> tuple[float, float]:
    """(tokens/s on one GPU, MFU assumed) at the stated utilisation."""
    kind = "qlora" if s.quant_bits else s.method if s.method == "full" else "lora"
    mfu = MFU[kind]
    return mfu * gpu.bf16_tflops * 1e12 / flops_per_token(arch, s), mfu
