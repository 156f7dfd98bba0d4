"""`lawfactory model-card`: README.md beside the merged weights, written from facts on disk.

Facts and where they come from: the base model, method and hyperparameters from the training
recipe; datasets with row counts, the data fingerprint and the synthetic share from
DATA/manifest.json; the loss curve from the trainer's trainer_log.jsonl (LLaMA-Factory's
LogCallback), the sentencing metrics `lawfactory train` logs there and a DPO run's rewards
(lawfactory/cards/training_metrics.py), and the run's steps from trainer_state.json /
all_results.json; evaluation numbers from EVAL_DIR/metrics.json when `lawfactory eval` has
written one (read generically: every number in it, flattened). Nothing is invented: a missing
source is named as missing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from lawfactory import jsonl
from lawfactory.cards import training_metrics
from lawfactory.cards.plots import pyplot
from lawfactory.errors import UsageError
from lawfactory.preflight.recipe import dataset_names, traced_model

HYPERPARAMETERS = ("finetuning_type", "quantization_bit", "quantization_type", "double_quantization", "lora_rank",
                   "lora_alpha", "lora_dropout", "use_rslora", "lora_target", "deepspeed", "template", "cutoff_len",
                   "per_device_train_batch_size", "gradient_accumulation_steps", "learning_rate", "lr_scheduler_type",
                   "warmup_steps", "num_train_epochs", "optim", "bf16", "seed")
MAX_METRICS = 40
DISCLAIMER = ("**Not legal advice.** This model is a research artefact. Its outputs are not legal advice, are not "
              "a prediction of what any court will decide, and must not be used to decide anyone's case.")


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def loss_log(log: list[dict]) -> list[dict]:
    """trainer_log.jsonl rows with a training loss or an eval loss, in step order."""
    return [r for r in log if "loss" in r or "eval_loss" in r]


def plot_loss(rows: list[dict], out: Path) -> bool:
    train = [(r["current_steps"], r["loss"]) for r in rows if "loss" in r and "current_steps" in r]
    if not train:
        return False
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
    ax.plot(*zip(*train), label="training loss", lw=1.2)
    evals = [(r["current_steps"], r["eval_loss"]) for r in rows if "eval_loss" in r and "current_steps" in r]
    if evals:
        ax.plot(*zip(*evals), "o-", label="eval loss", lw=1.2)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with jsonl.atomic_open(out, "wb") as f:
        fig.savefig(f, format="png")
    plt.close(fig)
    return True


def flatten(obj, prefix: str = "") -> list[tuple[str, float]]:
    """Every number in a JSON object as (dotted.key, value), in file order."""
    if isinstance(obj, bool):
        return []
    if isinstance(obj, (int, float)):
        return [(prefix, obj)]
    if isinstance(obj, dict):
        return [kv for k, v in obj.items() for kv in flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(obj, list) and len(obj) <= 8:
        return [kv for i, v in enumerate(obj) for kv in flatten(v, f"{prefix}[{i}]")]
    return []


def fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def dataset_rows(recipe: dict, manifest: dict | None, manifest_path: Path) -> list[str]:
    names = [("train", n) for n in dataset_names(recipe.get("dataset"))]
    names += [("eval", n) for n in dataset_names(recipe.get("eval_dataset"))]
    known = (manifest or {}).get("datasets", {})
    lines = ["| dataset | split | rows | file |", "|---|---|---|---|"]
    for split, name in names:
        entry = known.get(name)
        rows = entry["rows"] if entry else f"not in {manifest_path}"
        lines.append(f"| `{name}` | {split} | {rows} | {entry['file'] if entry else '—'} |")
    return lines


def provenance(manifest: dict | None) -> list[str]:
    if not manifest:
        return ["No data manifest was found, so the data's provenance cannot be stated."]
    lines = []
    sha = (manifest.get("fingerprint") or {}).get("sha256")
    if sha:
        lines.append(f"- Data fingerprint (manifest sha256): `{sha}`")
    inputs = manifest.get("inputs") or {}
    if inputs:
        read = sum(v.get("read", 0) for v in inputs.values())
        rejected = sum(v.get("rejected", 0) for v in inputs.values())
        lines.append(f"- Inputs: {len(inputs)} files, {read} records read, {rejected} rejected "
                     "(with reasons in rejects.jsonl)")
    adv = manifest.get("adversarial") or {}
    generated = sum((adv.get("generated") or {}).values())
    if adv:
        lines.append(f"- **Synthetic data**: {generated} counterfactual cases (refusal-to-confess / unclear-attitude "
                     f"rewrites of real cases, seed {adv.get('seed')}) are machine-written, not court records; their "
                     "labels are synthetic (sentences recomputed by rule) and every such row is marked `synthetic`.")
    return lines


def hyperparameter_rows(recipe: dict, train_dir: Path) -> list[str]:
    lines = ["| key | value |", "|---|---|"]
    lines += [f"| `{k}` | {recipe[k]} |" for k in HYPERPARAMETERS if k in recipe]
    adapter = read_json(train_dir / "adapter_config.json")
    state = read_json(train_dir / "trainer_state.json") or {}
    results = read_json(train_dir / "all_results.json") or {}
    run = []
    if adapter:
        run.append(f"adapter as trained: r={adapter.get('r')}, alpha={adapter.get('lora_alpha')}, "
                   f"targets {', '.join(sorted(adapter.get('target_modules') or []))}")
    if state.get("global_step"):
        run.append(f"optimizer steps run: {state['global_step']} (max_steps {state.get('max_steps')}, "
                   f"epochs {fmt(state.get('epoch'))})")
    if "train_loss" in results:
        run.append(f"mean training loss: {fmt(results['train_loss'])}; runtime {fmt(results.get('train_runtime'))} s")
    return lines + ([""] + [f"- {r}" for r in run] if run else [])


def metrics_section(eval_dir: Path | None) -> list[str]:
    path = eval_dir / "metrics.json" if eval_dir else None
    metrics = read_json(path) if path else None
    if metrics is None:
        return [f"No evaluation report found ({path or 'no --eval-dir'}): run `make predict && make eval`."]
    pairs = flatten(metrics)
    lines = [f"From `{path}` (every number in it{'; first ' + str(MAX_METRICS) if len(pairs) > MAX_METRICS else ''}):",
             "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {fmt(v)} |" for k, v in pairs[:MAX_METRICS]]
    report = path.parent / "report.md"
    if report.is_file():
        lines += ["", f"Full report: `{report}` (with a constant-answer baseline next to each score)."]
    return lines


def stage_lines(recipe: dict, hub: str, via: list[str]) -> list[str]:
    """The lineage of a model trained on an exported model (DPO on the merged SFT model)."""
    line = (f"`{recipe['model_name_or_path']}` is itself a fine-tune of `{hub}`, merged by "
            + ", ".join(f"`{v}`" for v in via) + " (its own model card lies beside its weights).")
    if recipe.get("stage") == "dpo":
        line += (f" This stage is preference training: DPO (`pref_loss: {recipe.get('pref_loss', 'sigmoid')}`, "
                 f"β = {recipe.get('pref_beta', 0.1)}) on synthetic attitude pairs, with that model itself as the "
                 "reference (the policy with its adapter disabled).")
    return [line]


def write_card(export_dir: Path, recipe_path: Path, manifest_path: Path, train_dir: Path,
               eval_dir: Path | None) -> Path:
    recipe = yaml.safe_load(recipe_path.read_text(encoding="utf-8")) or {}
    manifest = read_json(manifest_path)
    log = training_metrics.read_log(train_dir)
    rows = loss_log(log)
    has_plot = plot_loss(rows, export_dir / "training_loss.png")
    base = recipe.get("model_name_or_path", "unknown")
    hub, via = traced_model(base, recipe_path.parent, present_ok=True)  # DPO: its SFT model, then the Hub base
    method = recipe.get("finetuning_type", "lora")
    if recipe.get("quantization_bit"):
        method = (f"{recipe['quantization_bit']}-bit QLoRA ({recipe.get('quantization_type', 'nf4')}), "
                  "merged onto the unquantized base")
    elif method == "lora":
        method = "LoRA, merged onto the base"
    losses = [r["loss"] for r in rows if "loss" in r]
    loss_lines = (["![training loss](training_loss.png)", "",
                   f"{len(losses)} logged points; first {fmt(losses[0])}, last {fmt(losses[-1])} "
                   f"(`{train_dir}/trainer_log.jsonl`)."]
                  if has_plot else [f"No trainer_log.jsonl with losses in `{train_dir}`."])
    card = [
        "---",
        f"base_model: {hub}",
        "library_name: transformers",
        "tags: [llama-factory, lawfactory, legal, chinese, synthetic-data]",
        "---",
        "",
        f"# {export_dir.name}",
        "",
        DISCLAIMER,
        "",
        f"Fine-tuned from `{base}` with LLaMA-Factory ({method}), recipe `{recipe_path}`, chat template "
        f"`{recipe.get('template', '?')}` (use the same template when serving).",
        *([""] + stage_lines(recipe, hub, via) if via else []),
        "",
        "## Training data",
        "",
        *dataset_rows(recipe, manifest, manifest_path),
        "",
        *provenance(manifest),
        "",
        "## Hyperparameters",
        "",
        *hyperparameter_rows(recipe, train_dir),
        "",
        "## Training loss",
        "",
        *loss_lines,
        "",
        "## Metrics during training",
        "",
        *training_metrics.section(train_dir, log, export_dir / "training_metrics.png"),
        "",
        "## Evaluation",
        "",
        *metrics_section(eval_dir),
        "",
        "## Intended use",
        "",
        "Research on legal-domain language models: studying how a model reads the facts of Chinese (PRC) and "
        "Taiwan criminal judgments, cites statutes and responds to the defendant's attitude (confession, "
        "refusal), and benchmarking against held-out cases. Outputs are for researchers who can check them "
        "against the law and the record.",
        "",
        "## Limitations",
        "",
        "- Not legal advice, not a sentencing tool: the model imitates past judgments, including their biases, "
        "and can produce wrong charges, wrong articles and wrong terms with confidence.",
        "- Training judgments are public court records (CAIL2018-style data, full-text judgments); their "
        "distribution of charges and regions is not that of today's cases, and facts are truncated or masked "
        "(××) in the sources.",
        "- Synthetic counterfactuals are rule-based rewrites: their sentences follow the sentencing guidance's "
        "discounts, not a court's decision.",
        "- Statute text and citations reflect the statute snapshot used at build time; amended or deleted "
        "articles may be cited.",
        "",
    ]
    out = export_dir / "README.md"
    with jsonl.atomic_open(out) as f:
        f.write("\n".join(card))
    return out


def main(args) -> int:
    export_dir = Path(args.export_dir)
    if not export_dir.is_dir():
        raise UsageError(f"--export-dir {export_dir}: no such folder (run the export first)")
    recipe = Path(args.recipe)
    if not recipe.is_file():
        raise UsageError(f"--recipe {recipe}: no such file")
    out = write_card(export_dir, recipe, Path(args.manifest), Path(args.train_dir),
                     Path(args.eval_dir) if args.eval_dir else None)
    print(f"model card written to {out}")
    return 0


def add_parser(sub) -> None:
    m = sub.add_parser("model-card",
                       help="write EXPORT_DIR/README.md from the recipe, manifest, trainer log and eval metrics")
    m.add_argument("--export-dir", required=True, help="the merged model folder (llamafactory-cli export's export_dir)")
    m.add_argument("--recipe", required=True, help="the training recipe")
    m.add_argument("--manifest", default=os.path.join(os.environ.get("DATA", "data"), "manifest.json"))
    m.add_argument("--train-dir", required=True, help="the training output_dir (trainer_log.jsonl)")
    m.add_argument("--eval-dir", help="lawfactory eval's --out folder (metrics.json), if any")
    m.set_defaults(func=main)
