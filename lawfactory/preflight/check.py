"""`lawfactory check RECIPE.yaml`: will this recipe work, and will it fit, before a GPU is rented.

1. Parse with LLaMA-Factory's own parser (lawfactory/preflight/llamafactory_args.py): unknown keys, bad combinations.
2. Datasets: registered in dataset_dir/dataset_info.json, file present, declared columns present,
   row counts, rows LLaMA-Factory would skip, ranking (chosen/rejected) datasets for stage dpo and
   only there, and no case group on both the train and eval side.
3. Token lengths (the recipe's tokenizer when it is on disk, else --tokenizer, else 1.37 characters
   a token; a model folder not exported yet uses its base's, recipe.traced_model): p50/p95/p99/max,
   rows over cutoff_len (a pair: its longer sequence), and over-long rows whose attitude phrase
   (lawfactory.parse.attitude.find_spans) lies beyond LLaMA-Factory's truncation point.
4. Memory per GPU (lawfactory/preflight/memory.py) against the card: fits / tight / does not fit, and knobs.
5. Tokens per epoch and wall time at the stated throughput assumption.
6. Padding and packing: the expected padding share at the micro-batch, and what packing /
   neat_packing would change in steps, tokens per step and memory.

Exit status 1 when the recipe cannot work (parse error, dataset error, does not fit), else 0.
A recipe's comment line `lawfactory check RECIPE --gpu G --gpus N → VERDICT` supplies the
default --gpu/--gpus and states the verdict (fits, tight, does not fit, cpu) the tests hold it to.

One module a section: recipe.py (1, the recipe and its preflight line), datasets.py (2),
token_lengths.py (3), memory_fit.py and deepspeed_config.py (4), timing.py (5), batching.py (6), report.py (the
printed report). This module runs them in order and is what the CLI calls.
"""

from __future__ import annotations

from pathlib import Path

from lawfactory.errors import UsageError
from lawfactory.preflight import memory
from lawfactory.preflight.batching import batching_section
from lawfactory.preflight.datasets import leaks, load_datasets
from lawfactory.preflight.memory_fit import memory_section
from lawfactory.preflight.recipe import (
    add_recipe_arguments,
    load_recipe,
    preflight_line,
    recipe_overrides,
    traced_model,
)
from lawfactory.preflight.report import Report, table
from lawfactory.preflight.timing import time_section, trained_rows
from lawfactory.preflight.token_lengths import drop_over_cutoff, length_section, token_counter

__all__ = ["Report", "add_parser", "load_datasets", "load_recipe", "main", "preflight_line", "run"]


def run(recipe: Path, gpu: str | None = None, gpus: int | None = None, drop_over: Path | None = None,
        overrides: list[str] | None = None, tokenizer: str | None = None, cwd: Path = Path(".")) -> Report:
    from lawfactory.preflight.llamafactory_args import parse

    report = Report()
    if not recipe.is_file():
        raise UsageError(f"recipe {recipe} does not exist" if not recipe.exists() else f"recipe {recipe} is not a file")
    if gpus is not None and gpus < 1:
        raise UsageError(f"--gpus must be ≥ 1, got {gpus}")
    text = recipe.read_text(encoding="utf-8")
    stated = preflight_line(text)
    gpu_key = gpu or stated.get("gpu", "a10-24g")
    if gpu_key not in memory.GPUS:
        raise UsageError(f"--gpu {gpu_key}: one of {', '.join(memory.GPUS)}")
    card, n = memory.GPUS[gpu_key], gpus or stated.get("gpus", 1)
    args = load_recipe(recipe, overrides or [])
    parsed = parse(args, cwd=cwd)
    if not parsed["ok"]:
        report.add("Recipe", [f"{recipe}: LLaMA-Factory's parser refuses it", f"  {parsed['error']}"])
        report.errors.append(f"{recipe}: {parsed['error']}")
        return report
    facts = parsed["facts"]
    if facts.get("data", {}).get("packing"):  # LLaMA-Factory's DataArguments lowered it by 1; a pack is this long
        facts["data"]["cutoff_len"] += 1
    kind = "export" if facts["model"].get("export_dir") else "serve" if "infer_backend" in args else \
        "train" if facts["training"].get("do_train") else "predict"
    stage = facts["finetuning"].get("stage", "sft")
    model = facts["model"]["model_name_or_path"]
    base, via = traced_model(model, recipe.parent)
    report.add("Recipe", [f"{recipe}: parsed by LLaMA-Factory ({kind}{', stage ' + stage if kind == 'train' else ''}); "
                          f"model {model}, template {facts['data'].get('template')}"]
                         + ([f"  {model} does not exist yet: written by {' → '.join(via)} from {base} "
                             "(its architecture and tokenizer)"] if via else [])
                         + [f"  note: {x}" for x in parsed["notes"]])
    dataset_dir = (cwd / facts["data"]["dataset_dir"]).resolve()
    datasets = load_datasets(parsed, dataset_dir)
    lengths = {}
    if datasets:
        rows = [[ds.name, ds.split, ds.attr.get("formatting", "?"), ds.path, ds.rows, ds.skipped,
                 "ok" if not ds.problems else "; ".join(ds.problems)] for ds in datasets]
        lines = [f"dataset_dir: {dataset_dir}"] + table(["dataset", "split", "format", "file", "rows",
                                                         "skipped", "check"], rows)
        for ds in datasets:
            report.errors += [f"{ds.name}: {p}" for p in ds.problems if "not inspected" not in p]
            report.warnings += [f"{ds.name}: {p}" for p in ds.problems if "not inspected" in p]
            if ds.skipped:
                report.warnings.append(f"{ds.name}: {ds.skipped} rows lack a prompt or "
                                       + ("a chosen or rejected answer" if ds.ranking else "a response")
                                       + "; LLaMA-Factory skips them")
            if ds.same_pair:
                report.warnings.append(f"{ds.name}: {ds.same_pair} pairs have the same chosen and rejected text "
                                       "(no preference to learn: DPO's gradient is zero on them)")
        shared = leaks(datasets) if any(ds.rows for ds in datasets if ds.split == "eval") else {}
        if shared:
            lines.append("train/eval case groups: "
                         + ", ".join(f"{k} shares {v} rows with training" if v else f"{k} disjoint"
                                                                for k, v in shared.items()))
            report.errors += [f"{k}: {v} eval rows share a case group (group_id, variant_of or the prompt) "
                              "with training"
                              for k, v in shared.items() if v]
        report.add("Datasets", lines)
        if any(ds.rows for ds in datasets):
            counter, used = token_counter(base, tokenizer, bool(args.get("trust_remote_code")))
            lengths = length_section(report, datasets, counter, used, int(facts["data"]["cutoff_len"]))
            if drop_over is not None:
                report.add("Filtered copies (--drop-over-cutoff)",
                           drop_over_cutoff(drop_over, datasets, lengths, dataset_dir))
    try:
        e = memory_section(report, facts, recipe, card, n)
    except ValueError as err:
        report.errors.append(str(err))
        e = None
    if e is not None and kind == "train":
        time_section(report, facts, datasets, lengths, e, card, n)
        batching_section(report, facts, datasets, lengths, e, card, n, trained_rows(datasets, facts))
    return report


def main(args) -> int:
    overrides = recipe_overrides(args)
    report = run(Path(args.recipe), args.gpu, args.gpus, Path(args.drop_over_cutoff) if args.drop_over_cutoff else None,
                 overrides, args.tokenizer)
    print(report.text())
    return 1 if report.errors else 0


def _options(c) -> None:
    c.add_argument("--gpu", choices=sorted(memory.GPUS),
                   help="card (default: the recipe's preflight line, else a10-24g)")
    c.add_argument("--gpus", type=int, help="data-parallel GPUs (default: the recipe's preflight line, else 1)")
    c.add_argument("--drop-over-cutoff", metavar="OUT",
                   help="write copies of the datasets without rows over cutoff_len")
    c.add_argument("--tokenizer",
                   help="tokenizer folder when the recipe's is not on disk (default: 1.37 characters a token)")


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="preflight a recipe: LLaMA-Factory parse, datasets, token lengths, memory, time")
    add_recipe_arguments(c, _options)
    c.set_defaults(func=main)
