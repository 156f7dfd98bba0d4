"""Parse a recipe with LLaMA-Factory's own argument parser, in a child process, without loading weights.

`get_train_args` / `get_infer_args` reject unknown keys ("Some keys are not used by the
HfArgumentParser") and bad combinations (quantization with full tuning, predict_with_generate
under ZeRO-3, interleave_probs not matching the datasets…). A child process keeps LLaMA-Factory's
global state (logging, a DeepSpeed process group) out of the caller.

- DeepSpeed recipes refuse to parse outside torchrun ("Please use FORCE_TORCHRUN=1"): the child
  runs as a one-rank distributed job (RANK=0, WORLD_SIZE=1, loopback master), which is what
  torchrun sets, so DeepSpeed's own config checks run too. DeepSpeed compiles its shm op on the
  first such parse on a machine (~1-2 min), then it is cached.
- `bf16`/`fp16` need a GPU ("You need to assign use_cpu…"): without one they are parsed as false.
- Datasets are resolved by LLaMA-Factory's `get_dataset_list` (dataset_info.json attributes with
  its defaults), one name at a time, so an unregistered name is reported, not fatal.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

MARK = "@@lawfactory-parse@@"
FACT_KEYS = {
    "model": ("model_name_or_path", "adapter_name_or_path", "quantization_bit",
              "quantization_method", "quantization_type",
              "double_quantization", "enable_liger_kernel", "disable_gradient_checkpointing", "infer_backend",
              "export_dir", "export_device", "trust_remote_code", "flash_attn"),
    "data": ("dataset", "eval_dataset", "dataset_dir", "template", "cutoff_len", "mix_strategy", "interleave_probs",
             "packing", "neat_packing", "preprocessing_batch_size", "max_samples", "val_size", "streaming"),
    "training": ("do_train", "do_eval", "do_predict", "per_device_train_batch_size", "per_device_eval_batch_size",
                 "gradient_accumulation_steps", "num_train_epochs", "max_steps", "learning_rate", "lr_scheduler_type",
                 "warmup_steps", "optim", "bf16", "fp16", "deepspeed", "output_dir", "predict_with_generate", "seed",
                 "eval_strategy", "eval_steps"),
    "finetuning": ("stage", "finetuning_type", "lora_rank", "lora_alpha", "lora_dropout", "lora_target", "use_rslora",
                   "use_dora", "pure_bf16", "pref_beta", "pref_loss", "use_ref_model", "ref_model",
                   "ref_model_quantization_bit"),
    "generating": ("do_sample", "max_new_tokens", "temperature"),
}


def is_infer(args: dict) -> bool:
    """LLaMA-Factory's `export` and `api`/`chat` read infer arguments; everything else is a train run."""
    return "export_dir" in args or "infer_backend" in args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse(args: dict, cwd: str | Path = ".", timeout: int = 900) -> dict:
    """{"ok", "error", "facts": {group: {key: value}}, "datasets": {"train"|"eval": [attr or {"name","error"}]},
    "notes"}."""
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")}
    if args.get("deepspeed") and not is_infer(args):
        env.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", LOCAL_WORLD_SIZE="1",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()))
    proc = subprocess.run([sys.executable, "-m", "lawfactory.preflight.llamafactory_args"],
                          input=json.dumps(args), text=True,
                          capture_output=True, cwd=str(cwd), env=env, timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
    return {"ok": False, "error": f"the parser process exited with {proc.returncode}: {tail}", "facts": {},
            "datasets": {}, "notes": []}


def _plain(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return str(v)


def _child() -> None:
    args = json.loads(sys.stdin.read())
    notes = []
    try:
        import torch

        if not torch.cuda.is_available():
            for key in ("bf16", "fp16", "pure_bf16"):
                if args.get(key):
                    args[key] = False
                    notes.append(f"{key}: true parsed as false (no GPU on this machine)")
        from llamafactory.hparams import get_infer_args, get_train_args

        if is_infer(args):
            model, data, finetuning, generating = get_infer_args(args)
            groups = {"model": model, "data": data, "finetuning": finetuning, "generating": generating}
        else:
            model, data, training, finetuning, generating = get_train_args(args)
            groups = {"model": model, "data": data, "training": training, "finetuning": finetuning,
                      "generating": generating}
        facts = {g: {k: _plain(getattr(obj, k)) for k in FACT_KEYS[g] if hasattr(obj, k)} for g, obj in groups.items()}
        out = {"ok": True, "error": "", "facts": facts, "datasets": _datasets(data), "notes": notes}
    except Exception as err:  # the parser's message is the user's answer
        out = {"ok": False, "error": f"{type(err).__name__}: {err}", "facts": {}, "datasets": {}, "notes": notes}
    print(MARK + json.dumps(out, ensure_ascii=False), flush=True)


def _datasets(data) -> dict:
    from llamafactory.data.parser import get_dataset_list

    out = {}
    for split, names in (("train", data.dataset), ("eval", data.eval_dataset)):
        out[split] = []
        for name in names or []:
            try:
                (attr,) = get_dataset_list([name], data.dataset_dir)
                out[split].append({"name": name, **{k: _plain(v) for k, v in vars(attr).items()}})
            except Exception as err:
                out[split].append({"name": name, "error": str(err)})
    return out


if __name__ == "__main__":
    _child()
