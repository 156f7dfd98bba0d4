"""Does the recipe fit the card: the memory estimate per GPU (lawfactory/preflight/memory.py) for
training, inference or export, its verdict (fits / tight / does not fit / cpu) and the knobs to turn."""

from __future__ import annotations

from pathlib import Path

from lawfactory.preflight import memory
from lawfactory.preflight.deepspeed_config import deepspeed_setup
from lawfactory.preflight.recipe import traced_model
from lawfactory.preflight.report import Report, table

GB = memory.GB


def reference_of(facts: dict) -> tuple[str, int | None]:
    """How LLaMA-Factory gets DPO's reference log-probs (train/dpo/workflow.py, trainer_utils.create_ref_model):
    none for orpo/simpo (use_ref_model false); `ref_model` set: a second model, at
    ref_model_quantization_bit; LoRA without ref_model: no second model, the policy with its adapter
    disabled (CustomDPOTrainer.compute_reference_log_probs); full/freeze without ref_model: a second
    copy of the model."""
    m, f = facts["model"], facts["finetuning"]
    if f.get("stage") != "dpo" or not f.get("use_ref_model"):
        return "", None
    if f.get("ref_model"):
        return "model", f.get("ref_model_quantization_bit")
    if f["finetuning_type"] == "lora":
        return "adapter", None
    return "model", m.get("quantization_bit")


def setup_from_facts(facts: dict, gpus: int) -> memory.Setup:
    m, d, t, f = facts["model"], facts["data"], facts.get("training", {}), facts["finetuning"]
    target = f.get("lora_target") or ["all"]
    reference, ref_bits = reference_of(facts)
    return memory.Setup(
        method="full" if f["finetuning_type"] == "full" else "lora",
        quant_bits=m.get("quantization_bit"), double_quant=bool(m.get("double_quantization")),
        lora_rank=int(f.get("lora_rank") or 8),
        lora_target=",".join(target) if isinstance(target, list) else str(target),
        lora_dropout=float(f.get("lora_dropout") or 0.0), micro_batch=int(t.get("per_device_train_batch_size") or 1),
        accumulation=int(t.get("gradient_accumulation_steps") or 1), seq=int(d["cutoff_len"]),
        grad_ckpt=not m.get("disable_gradient_checkpointing"), liger=bool(m.get("enable_liger_kernel")),
        gpus=gpus, pairs=f.get("stage") == "dpo", reference=reference, ref_quant_bits=ref_bits,
        **deepspeed_setup(t.get("deepspeed")))


def arch_for(model: str, recipe: Path) -> tuple[memory.Arch, str]:
    """The model's architecture: its config.json when the folder exists, the bundled table for a Hub
    name, and a not-yet-exported folder (out/criminal_merged before `make export`) traced to the
    base model of the export recipe that writes it (recipe.traced_model)."""
    base, via = traced_model(model, recipe.parent)
    arch, src = memory.resolve_arch(base)
    if via:
        src += f", via {' → '.join(via)} (the export that writes {model})"
    return arch, src


def memory_section(report: Report, facts: dict, recipe: Path, gpu: memory.Gpu, gpus: int) -> memory.Estimate | None:
    model = facts["model"]["model_name_or_path"]
    try:
        arch, source = arch_for(model, recipe)
    except ValueError as err:
        report.warnings.append(f"memory not estimated: {err}")
        return None
    training = facts.get("training", {})
    if facts["model"].get("export_dir"):
        device = facts["model"].get("export_device")
        need = 2 * arch.params() * 2.0
        report.add("Memory", [f"export on {device}: merging holds ~2× the bf16 model = {need / GB:.1f} GB of host RAM"
                              + ("" if device == "cpu" else f" ({gpu.name}: {gpu.memory / GB:.1f} GB)")])
        report.verdict = "cpu" if device == "cpu" else ("fits" if need <= gpu.memory else "does not fit")
        return None
    if not training.get("do_train"):
        batch = int(training.get("per_device_eval_batch_size") or 1)
        tokens = int(facts["data"]["cutoff_len"]) + int(facts["generating"].get("max_new_tokens") or 512)
        e = memory.inference_estimate(arch, facts["model"].get("quantization_bit"), batch, tokens)
        title = f"Memory per GPU (inference: batch {batch} × {tokens} tokens)"
    else:
        e = memory.estimate(arch, setup_from_facts(facts, gpus))
        title = "Memory per GPU"
    v = memory.verdict(e, gpu)
    rows = [[k, f"{b / GB:.2f}"] for k, b in e.terms.items()] + [["total", f"{e.total / GB:.2f}"]]
    lines = [f"model: {arch.name} ({arch.params() / 1e9:.2f}B parameters; architecture from {source})",
             f"card: {gpu.name}, {gpu.memory / GB:.1f} GB" + (f"; {gpus} GPUs" if gpus > 1 else "")]
    if e.setup and training.get("do_train"):
        s = e.setup
        lines.append(f"shape: micro-batch {s.micro_batch}"
                     + (f" pairs = {s.sequences} sequences (chosen + rejected)" if s.pairs else "")
                     + f" × cutoff {s.seq}, {s.method}"
                     + (f" {s.quant_bits}-bit" if s.quant_bits else "") + (f", ZeRO-{s.zero}" if s.zero else "")
                     + (" + offload" if s.offload_optimizer or s.offload_param else "")
                     + (", gradient checkpointing" if s.grad_ckpt else "") + (", liger" if s.liger else ""))
    if e.setup and e.setup.pairs:
        lines.append(f"DPO, pref_loss {facts['finetuning'].get('pref_loss')}: reference "
                     + {"adapter": "= the policy with its LoRA disabled (no second copy of the weights), "
                                   "a no_grad forward of the same sequences",
                        "model": "= a second model in memory (ref_model, or a copy for full/freeze tuning)",
                        "": "none (reference-free loss)"}[e.setup.reference])
    elif training.get("do_train") and facts["finetuning"].get("stage") not in ("sft", "pt", None):
        e.notes.append(f"stage {facts['finetuning']['stage']} is estimated as SFT (only sft, pt and dpo are modelled)")
    lines += table(["term", "GB"], rows)
    lines.append(f"→ {v.status} ({v.used / GB:.1f} of {v.card / GB:.1f} GB, {100 * v.used / v.card:.0f}%)")
    lines += [f"  fix: {k}" for k in v.knobs]
    lines += [f"  note: {n}" for n in e.notes]
    report.add(title, lines)
    report.verdict = v.status
    if v.status == "does not fit":
        report.errors.append(f"the estimate ({v.used / GB:.1f} GB) exceeds the {gpu.name} ({v.card / GB:.1f} GB); "
                             f"try: {v.knobs[0]}")
    elif v.status == "tight":
        report.warnings.append(f"within {100 - 100 * memory.TIGHT_MARGIN:.0f}% of the card: a long batch or "
                               "fragmentation may OOM")
    return e
