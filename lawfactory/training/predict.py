"""`lawfactory predict RECIPE [key=value …]`: greedy predictions on a recipe's eval set, in LLaMA-Factory's format.

`llamafactory-cli train recipes/criminal_predict.yaml` (do_predict + predict_with_generate) writes
OUTPUT_DIR/generated_predictions.jsonl through the trainer's prediction loop: Hugging Face generate
one padded batch at a time, in dataset order. This command writes the same file from the same recipe
and overrides, faster:

- with vLLM importable and a CUDA device present, through `vllm.LLM` (continuous batching over the
  whole eval set; the recipe's `vllm_maxlen`, `vllm_gpu_util`, `vllm_enforce_eager`, `vllm_config`);
- else by batched Hugging Face generation (`--batch-size`, default the recipe's
  per_device_eval_batch_size), the rows sorted by prompt length so that a batch pads little, the
  answers put back in row order.

What it reads from the recipe, as LLaMA-Factory does: model_name_or_path (+ adapter_name_or_path),
template, dataset_dir / eval_dataset (alpaca datasets registered in dataset_info.json; several
comma-separated, each cut to max_samples), cutoff_len (the prompt is cut with the answer as
LLaMA-Factory's predict cuts it: lawfactory/training/generate.py prompt_ids), max_new_tokens,
skip_special_tokens, bf16 / fp16, output_dir. Decoding is greedy whatever the recipe says about
sampling (the predictions are for evaluation), and stops at the tokens LLaMA-Factory's predict stops
at: the tokenizer's eos and additional special tokens, which include the template's stop words.

Each line is {"prompt", "predict", "label"} as LLaMA-Factory writes it: the prompt ids decoded with
the special tokens, the answer decoded without them. The label is the row's `output` itself, where
LLaMA-Factory writes its tokens decoded back (with the template's text after the answer, a newline
for Qwen, and cut at cutoff_len); `lawfactory eval` reads both. The file is written atomically: a
killed run leaves no generated_predictions.jsonl to load.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from lawfactory import jsonl
from lawfactory.config import _number
from lawfactory.errors import InputError, UsageError
from lawfactory.preflight.recipe import add_recipe_arguments, dataset_names, recipe_overrides

PREDICTIONS = "generated_predictions.jsonl"
# LLaMA-Factory's defaults (hparams/data_args.py, generating_args.py)
DEFAULTS = {"dataset_dir": "data", "cutoff_len": 2048, "max_new_tokens": 1024, "skip_special_tokens": True}
# LLaMA-Factory's alpaca column defaults (data/parser.py DatasetAttr)
ALPACA_COLUMNS = {"prompt": "instruction", "query": "input", "response": "output"}
# Hugging Face generation's rows per batch unless --batch-size says otherwise (at least the recipe's
# per_device_eval_batch_size). Generation is launch-bound: on an H200 with the criminal QLoRA model,
# 16 rows at once gave 8.7× the rows/s of predict_with_generate's 2, 64 rows 28× (BENCHMARKS.md).
# 16 keeps the KV cache of a Qwen3-4B (147 KB a token) at ≤ 6 GB for 2,560-token rows: fits an A10.
HF_BATCH = 16


def eval_rows(args: dict, recipe: str) -> list[dict]:
    """The eval rows in LLaMA-Factory's order, as {instruction, input, output, system} (its alpaca columns)."""
    from lawfactory.preflight.datasets import read_rows, registered

    names = dataset_names(args.get("eval_dataset"))
    if not names:
        raise UsageError(f"{recipe}: no eval_dataset to predict on (eval_dataset=NAME)")
    rows: list[dict] = []
    for name in names:
        entry = registered(args, name)
        if entry is None:
            raise InputError(f"{Path(args['dataset_dir']) / 'dataset_info.json'}: {name} is not registered")
        attr, files, info_path = entry
        if attr.get("formatting", "alpaca") != "alpaca" or attr.get("ranking"):
            raise InputError(f"{info_path}: {name}: lawfactory predict reads local alpaca datasets "
                             "(file_name, formatting alpaca, not ranking); use llamafactory-cli train for others")
        columns = {**ALPACA_COLUMNS, **attr.get("columns", {})}
        problems: list[str] = []
        these = [{"instruction": row.get(columns["prompt"]) or "", "input": row.get(columns["query"]) or "",
                  "output": row.get(columns["response"]),
                  "system": (row.get(columns["system"]) or "") if columns.get("system") else ""}
                 for f in files for _, row in read_rows(f, problems)]
        if problems:
            raise InputError(problems[0])
        rows += these[:args["max_samples"]] if args.get("max_samples") is not None else these
    return rows


def _model_args(args: dict):
    """LLaMA-Factory's model, data and finetuning arguments from the recipe, post-processed as its
    train command does for a predict run (compute dtype from bf16 / fp16, the current device)."""
    import torch
    from llamafactory.extras.misc import get_current_device
    from llamafactory.hparams import DataArguments, FinetuningArguments, ModelArguments
    from transformers import HfArgumentParser

    parser = HfArgumentParser((ModelArguments, DataArguments, FinetuningArguments))
    model_args, data_args, finetuning_args = parser.parse_dict(args, allow_extra_keys=True)
    if args.get("bf16") or finetuning_args.pure_bf16:
        model_args.compute_dtype = torch.bfloat16
    elif args.get("fp16"):
        model_args.compute_dtype = torch.float16
    model_args.device_map = {"": get_current_device()}
    model_args.model_max_length = data_args.cutoff_len
    return model_args, data_args, finetuning_args


def stop_token_ids(tokenizer) -> list[int]:
    """What LLaMA-Factory's predict passes as eos_token_id (train/sft/workflow.py): the eos token and
    the additional special tokens (the template's stop words are added to them)."""
    extra = getattr(tokenizer, "additional_special_tokens_ids", None)
    if not isinstance(extra, list):
        extra = tokenizer.convert_tokens_to_ids([str(t) for t in getattr(tokenizer, "_extra_special_tokens", [])])
    return list(dict.fromkeys([tokenizer.eos_token_id, *(i for i in extra if i is not None and i != -1)]))


def engine_available() -> str:
    """'vllm' when vLLM is importable and a CUDA device is present, else 'hf'."""
    import importlib.util

    import torch

    return "vllm" if importlib.util.find_spec("vllm") and torch.cuda.is_available() else "hf"


def hf_generate(model, tokenizer, prompts: list[list[int]], *, stop_ids: list[int], batch_size: int,
                max_new_tokens: int, skip_special_tokens: bool, progress) -> list[str]:
    """Greedy answers by batched generate, longest prompts first (a batch pads little, and memory peaks
    at once), answers in prompt order."""
    from lawfactory.training.generate import generate

    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    texts: list[str] = [""] * len(prompts)
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        answers = generate(model, tokenizer, [prompts[i] for i in batch], stop_ids=stop_ids, batch_size=len(batch),
                           max_new_tokens=max_new_tokens, skip_special_tokens=skip_special_tokens)
        for i, text in zip(batch, answers):
            texts[i] = text
        progress.update(len(batch))
    return texts


def vllm_generate(model_args, prompts: list[list[int]], *, stop_ids: list[int], max_new_tokens: int,
                  skip_special_tokens: bool) -> list[str]:
    """Greedy answers through vLLM from the prompt ids (the template's encoding, not vLLM's chat template)."""
    import torch
    from vllm import LLM, SamplingParams

    adapters = model_args.adapter_name_or_path or []
    if len(adapters) > 1:
        raise UsageError("vLLM takes one adapter: merge them first (llamafactory-cli export), or --engine hf")
    engine = {"model": model_args.model_name_or_path, "trust_remote_code": model_args.trust_remote_code,
              "dtype": {torch.bfloat16: "bfloat16", torch.float16: "float16"}.get(model_args.compute_dtype, "auto"),
              "max_model_len": max(model_args.vllm_maxlen, max(map(len, prompts)) + max_new_tokens),
              "tensor_parallel_size": torch.cuda.device_count(), "gpu_memory_utilization": model_args.vllm_gpu_util,
              "enforce_eager": model_args.vllm_enforce_eager, "disable_log_stats": True}
    if adapters:
        engine.update(enable_lora=True, max_lora_rank=model_args.vllm_max_lora_rank)
    engine.update(model_args.vllm_config or {})
    llm = LLM(**engine)
    params = SamplingParams(temperature=0, max_tokens=max_new_tokens, stop_token_ids=stop_ids,
                            skip_special_tokens=skip_special_tokens)
    lora = None
    if adapters:
        from vllm.lora.request import LoRARequest

        lora = LoRARequest("adapter", 1, adapters[0])
    outputs = llm.generate([{"prompt_token_ids": p} for p in prompts], params, lora_request=lora, use_tqdm=True)
    return [o.outputs[0].text for o in outputs]


def predict(recipe: Path, overrides: list[str], *, batch_size: int | None = None, engine: str = "auto") -> Path:
    """Write OUTPUT_DIR/generated_predictions.jsonl for the recipe's eval set; return its path."""
    from llamafactory.data import get_template_and_fix_tokenizer
    from llamafactory.model import load_model, load_tokenizer
    from tqdm import tqdm

    from lawfactory.preflight.recipe import load_recipe
    from lawfactory.training.generate import prompt_ids

    args = {**DEFAULTS, **load_recipe(recipe, overrides)}
    if not args.get("output_dir"):
        raise UsageError(f"{recipe}: no output_dir to write {PREDICTIONS} to")
    if args.get("stage", "sft") != "sft":
        raise UsageError(f"{recipe}: stage {args['stage']}: predictions come from an sft-style recipe")
    rows = eval_rows(args, str(recipe))
    engine = engine_available() if engine == "auto" else engine
    model_args, data_args, finetuning_args = _model_args(args)
    tokenizer = load_tokenizer(model_args)["tokenizer"]
    template = get_template_and_fix_tokenizer(tokenizer, data_args)
    prompts = prompt_ids(rows, template, tokenizer, cutoff_len=int(args["cutoff_len"]))
    stops = stop_token_ids(tokenizer)
    max_new, skip = int(args["max_new_tokens"]), bool(args["skip_special_tokens"])
    if engine == "vllm":
        start = time.time()  # vLLM's engine start-up counted: it compiles and profiles at first use
        texts = vllm_generate(model_args, prompts, stop_ids=stops, max_new_tokens=max_new,
                              skip_special_tokens=skip)
    else:
        model = load_model(tokenizer, model_args, finetuning_args, is_trainable=False)
        batch = batch_size or max(HF_BATCH, int(args.get("per_device_eval_batch_size") or 8))
        start = time.time()
        with tqdm(total=len(prompts), desc="predict", unit="row", file=sys.stderr) as bar:
            texts = hf_generate(model, tokenizer, prompts, stop_ids=stops, batch_size=batch, max_new_tokens=max_new,
                                skip_special_tokens=skip, progress=bar)
    decoded = tokenizer.batch_decode(prompts, skip_special_tokens=False)
    out = Path(args["output_dir"]) / PREDICTIONS
    with jsonl.atomic_open(out) as f:
        for prompt, text, row in zip(decoded, texts, rows):
            f.write(json.dumps({"prompt": prompt, "predict": text, "label": row["output"] or ""},
                               ensure_ascii=False) + "\n")
    seconds = time.time() - start
    print(f"{out}: {len(rows)} predictions ({engine}, {len(rows) / max(seconds, 1e-9):.2f} rows/s "
          "generating)", file=sys.stderr)
    return out


def _add_options(p) -> None:
    p.add_argument("--batch-size", type=_number(int, 1), default=None,
                   help=f"rows generated at once by Hugging Face generate (default: {HF_BATCH}, or the recipe's "
                        "per_device_eval_batch_size if larger); vLLM batches by itself")
    p.add_argument("--engine", choices=("auto", "vllm", "hf"), default="auto",
                   help="auto (default): vLLM when importable and a CUDA GPU is present, else hf")


def cmd_predict(args) -> int:
    overrides = recipe_overrides(args)
    if args.engine == "vllm" and engine_available() != "vllm":
        raise UsageError("lawfactory predict --engine vllm: needs vLLM installed (pip install 'lawfactory[vllm]') "
                         "and a CUDA GPU")
    predict(Path(args.recipe), overrides, batch_size=args.batch_size, engine=args.engine)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="greedy predictions on a recipe's eval set (vLLM on a GPU, else batched "
                                       "Hugging Face), written as LLaMA-Factory's generated_predictions.jsonl",
                       description=__doc__.split("\n\n")[0])
    add_recipe_arguments(p, _add_options)
    p.set_defaults(func=cmd_predict)
