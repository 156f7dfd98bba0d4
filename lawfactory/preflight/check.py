"""`lawfactory check RECIPE.yaml`: will this recipe work, and will it fit, before a GPU is rented.

1. Parse with LLaMA-Factory's own parser (lawfactory/preflight/llamafactory_args.py): unknown keys, bad combinations.
2. Datasets: registered in dataset_dir/dataset_info.json, file present, declared columns present,
   row counts, rows LLaMA-Factory would skip, and no case group on both the train and eval side.
3. Token lengths (the recipe's tokenizer when it is on disk, else --tokenizer, else 1.37 characters
   a token): p50/p95/p99/max, rows over cutoff_len, and over-long rows whose attitude phrase
   (lawfactory.parse.attitude.find_spans) lies beyond LLaMA-Factory's truncation point.
4. Memory per GPU (lawfactory/preflight/memory.py) against the card: fits / tight / does not fit, and knobs.
5. Tokens per epoch and wall time at the stated throughput assumption.

Exit status 1 when the recipe cannot work (parse error, dataset error, does not fit), else 0.
A recipe's comment line `lawfactory check RECIPE --gpu G --gpus N → VERDICT` supplies the
default --gpu/--gpus and states the verdict (fits, tight, does not fit, cpu) the tests hold it to.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import yaml
from tqdm import tqdm

from lawfactory import jsonl
from lawfactory.build import generation
from lawfactory.errors import InputError, UsageError
from lawfactory.hygiene import dedup
from lawfactory.lengths import CHARS_PER_TOKEN, TEMPLATE_TOKENS, TokenCounter
from lawfactory.parse import attitude
from lawfactory.preflight import memory

PREFLIGHT = re.compile(r"^#.*?lawfactory check\s+\S+(?P<args>[^→\n]*)→\s*(?P<verdict>[^\n(]+)", re.M)
GB = memory.GB


@dataclass
class Report:
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verdict: str = "not estimated"

    def add(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))

    def text(self) -> str:
        out = []
        for title, lines in self.sections:
            out += [f"== {title} ==", *lines, ""]
        out += [f"warning: {w}" for w in self.warnings]
        out += [f"error: {e}" for e in self.errors]
        out.append(f"memory: {self.verdict}" + (f"; {len(self.errors)} error(s): the recipe cannot work as it is" if self.errors else "; no errors"))
        return "\n".join(out)


def table(header: list[str], rows: list[list]) -> list[str]:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    num = re.compile(r"^-?[\d,.]+%?$")
    fmt = lambda r: "  ".join(c.rjust(w) if num.match(c) else c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]]


def preflight_line(text: str) -> dict:
    """{'gpu', 'gpus', 'verdict'} from a recipe's `# preflight:` comment ({} without one)."""
    m = PREFLIGHT.search(text)
    if not m:
        return {}
    args = m.group("args").split()
    out = {"verdict": m.group("verdict").strip()}
    for flag, key, cast in (("--gpu", "gpu", str), ("--gpus", "gpus", int)):
        if flag in args:
            out[key] = cast(args[args.index(flag) + 1])
    return out


def load_recipe(path: Path, overrides: list[str]) -> dict:
    """The YAML plus `key=value` overrides, read as llamafactory-cli reads them."""
    try:
        args = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"{path}: cannot read the recipe: {err}")
    if not isinstance(args, dict):
        raise InputError(f"{path}: a recipe is a YAML mapping of LLaMA-Factory arguments")
    for item in overrides:
        if "=" not in item:
            raise UsageError(f"override {item!r}: expected key=value")
    from omegaconf import OmegaConf  # what llamafactory-cli reads its overrides with ("no" stays a string)

    args = {**args, **OmegaConf.to_container(OmegaConf.from_cli(list(overrides)))}
    for key, kind in NUMERIC_ARGS.items():
        value = args.get(key)
        if value is not None and not _is_number(value, kind):
            raise InputError(f"{path}: {key} must be {'an integer' if kind is int else 'a number'}, got {value!r}")
    return args


# Arguments the preflight computes with: a non-number here is named, not a traceback later.
NUMERIC_ARGS = {"cutoff_len": int, "per_device_train_batch_size": int, "per_device_eval_batch_size": int,
                "gradient_accumulation_steps": int, "lora_rank": int, "max_steps": int, "max_new_tokens": int,
                "quantization_bit": int, "num_train_epochs": float, "learning_rate": float, "lora_dropout": float,
                "max_samples": int}


def _is_number(value, kind) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = kind(value)
        except ValueError:
            return False
    return isinstance(value, int) if kind is int else isinstance(value, (int, float))


# --- datasets -------------------------------------------------------------------------------


@dataclass
class Dataset:
    name: str
    split: str
    attr: dict
    files: list[Path] = field(default_factory=list)
    rows: int = 0                                     # readable rows
    problems: list[str] = field(default_factory=list)
    skipped: int = 0                                  # rows LLaMA-Factory would drop as invalid

    @property
    def path(self) -> str:
        return self.attr.get("dataset_name", "")

    def iter_rows(self) -> Iterator[tuple[str, dict]]:
        """('file:line', row) for every readable row, streamed file by file (datasets can be large)."""
        for f in self.files:
            yield from read_rows(f, [])


def dataset_files(dataset_dir: Path, attr: dict) -> list[Path]:
    """LLaMA-Factory's local layout: dataset_dir/file_name, a file or a folder of files."""
    p = Path(attr["dataset_name"])
    p = p if p.is_absolute() else dataset_dir / p
    if p.is_dir():
        return sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
    return [p] if p.is_file() else []


def read_rows(path: Path, problems: list[str]) -> Iterator[tuple[str, dict]]:
    """('file:line', row) of a .jsonl (streamed) or .json file; unreadable lines go to `problems`."""
    if path.suffix == ".jsonl":
        for lineno, obj, reason in jsonl.iter_jsonl(path):
            if reason or not isinstance(obj, dict):
                problems.append(f"{path}:{lineno}: {reason or 'not a JSON object'}")
                continue
            yield f"{path}:{lineno}", obj
    elif path.suffix == ".json":
        try:
            data = jsonl.loads(path.read_bytes())
        except Exception as err:
            problems.append(f"{path}: invalid JSON: {err}")
            return
        for i, obj in enumerate(data if isinstance(data, list) else []):
            if isinstance(obj, dict):
                yield f"{path}[{i}]", obj
    else:
        problems.append(f"{path}: {path.suffix or 'no extension'} files are not inspected (json/jsonl only)")


def declared_columns(attr: dict) -> list[str]:
    keys = ("prompt", "query", "response", "history", "system") if attr["formatting"] == "alpaca" else ("messages", "system", "tools")
    return [attr[k] for k in keys if attr.get(k)]


def source_target(row: dict, attr: dict) -> tuple[str, str, str]:
    """(system, prompt, response) text of a row as LLaMA-Factory's aligner reads it."""
    system = row.get(attr.get("system") or "", "") or ""
    if attr["formatting"] == "alpaca":
        prompt = "\n".join(x for x in (row.get(attr["prompt"]) or "", row.get(attr.get("query") or "") or "") if x)
        return system, prompt, row.get(attr["response"]) or ""
    user, assistant = [], []
    for m in row.get(attr["messages"]) or []:
        role, text = m.get(attr["role_tag"]), m.get(attr["content_tag"]) or ""
        if role == attr["assistant_tag"]:
            assistant.append(text)
        elif role == attr.get("system_tag") and not system:
            system = text
        else:
            user.append(text)
    return system, "\n".join(user), "\n".join(assistant)


def check_rows(ds: Dataset) -> None:
    """One pass: rows, unreadable lines, declared columns seen, rows LLaMA-Factory would skip."""
    attr, seen = ds.attr, set()
    for f in ds.files:
        for _, row in read_rows(f, ds.problems):
            ds.rows += 1
            seen.update(row)
            _, prompt, response = source_target(row, attr)
            if not prompt or not response:
                ds.skipped += 1
    for col in declared_columns(attr):
        if ds.rows and col not in seen:
            ds.problems.append(f"column {col!r} declared in dataset_info.json is in none of its rows "
                               f"(LLaMA-Factory fails with KeyError / 'Cannot find valid samples')")
    if ds.rows and ds.skipped == ds.rows:
        ds.problems.append("no row has both a prompt and a response: LLaMA-Factory finds no valid samples")


def load_datasets(parsed: dict, dataset_dir: Path) -> list[Dataset]:
    out = []
    for split in ("train", "eval"):
        for attr in parsed["datasets"].get(split, []):
            ds = Dataset(attr["name"], split, attr)
            out.append(ds)
            if "error" in attr:
                ds.problems.append(attr["error"])
                continue
            if attr["load_from"] != "file":
                ds.problems.append(f"loaded from {attr['load_from']} ({attr['dataset_name']}): not inspected offline")
                continue
            ds.files = dataset_files(dataset_dir, attr)
            if not ds.files:
                ds.problems.append(f"file {dataset_dir / attr['dataset_name']} is missing (run `make data`?)")
                continue
            ds.problems += generation.file_problems(ds.files)  # a half-switched or edited `lawfactory data` build
            check_rows(ds)
    return out


def group_keys(row: dict, attr: dict) -> set[str]:
    """What ties a row to a judgment: its group_id, the case it is a variant of, and its prompt text."""
    keys = {f"group:{row[k]}" for k in ("group_id",) if row.get(k)}
    keys |= {f"case:{row[k]}" for k in ("case_id", "variant_of") if row.get(k)}
    _, prompt, _ = source_target(row, attr)
    if prompt:  # a 16-byte digest, not the text: the train side is held in memory
        keys.add("prompt:" + hashlib.blake2b(dedup.normalize(prompt).encode(), digest_size=16).hexdigest())
    return keys


def leaks(datasets: list[Dataset]) -> dict[str, int]:
    """Eval rows sharing a group id, a case id (variant_of) or the very prompt with a train row, per eval dataset."""
    train = set()
    for ds in datasets:
        if ds.split == "train":
            for _, row in ds.iter_rows():
                train |= group_keys(row, ds.attr)
    return {ds.name: sum(1 for _, row in ds.iter_rows() if group_keys(row, ds.attr) & train)
            for ds in datasets if ds.split == "eval"}


# --- token lengths --------------------------------------------------------------------------


def token_counter(model: str, tokenizer: str | None, trust_remote_code: bool = False) -> tuple[TokenCounter, str]:
    """The recipe's tokenizer when it is on disk (a local folder or the Hugging Face cache), else
    --tokenizer, else the characters-per-token estimate. Returns (counter, what was used)."""
    if tokenizer:
        return TokenCounter(tokenizer), f"--tokenizer {tokenizer}"
    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(model, local_files_only=True, trust_remote_code=trust_remote_code)
        counter = TokenCounter(None)
        counter.tokenizer = tok
        return counter, f"the recipe's tokenizer ({model})"
    except Exception:
        return TokenCounter(None), (f"estimate: {CHARS_PER_TOKEN} characters a token (CAIL facts with Qwen's tokenizer, docs/preflight.md; "
                                    f"{model}'s tokenizer is not on disk: pass --tokenizer DIR for exact counts)")


@dataclass
class Lengths:
    total: np.ndarray                  # tokens per row (int32: 4 bytes a row)
    over: list[int]                    # row indices over cutoff
    lost: list[tuple[str, int, str]]   # ('file:line', tokens, attitude flag) cut away by truncation


def infer_seqlen(source_len: int, target_len: int, cutoff_len: int) -> tuple[int, int]:
    from llamafactory.data.processor.processor_utils import infer_seqlen as lf_infer_seqlen

    return lf_infer_seqlen(source_len, target_len, cutoff_len)


def measure(ds: Dataset, counter: TokenCounter, cutoff: int) -> Lengths:
    totals, over, lost = np.zeros(ds.rows, dtype=np.int32), [], []
    rows = tqdm(ds.iter_rows(), total=ds.rows, desc=f"tokens {ds.name}", unit="row", leave=False, disable=ds.rows < 2000)
    for i, (label, row) in enumerate(rows):
        system, prompt, response = source_target(row, ds.attr)
        prefix = counter.count(system) + TEMPLATE_TOKENS
        source, target = prefix + counter.count(prompt), counter.count(response)
        totals[i] = source + target
        if source + target <= cutoff:
            continue
        over.append(i)
        kept, _ = infer_seqlen(source, target, cutoff)  # LLaMA-Factory keeps the start of the prompt
        for span in attitude.find_spans(prompt):
            if prefix + counter.count(prompt[: span["end"]]) > kept:
                lost.append((label, source + target, span["flag"]))
                break
    return Lengths(totals if ds.rows else np.zeros(1, dtype=np.int32), over, lost)


def length_section(report: Report, datasets: list[Dataset], counter: TokenCounter, used: str, cutoff: int) -> dict[str, Lengths]:
    out, rows = {}, []
    for ds in datasets:
        if not ds.rows:
            continue
        m = out[ds.name] = measure(ds, counter, cutoff)
        p50, p95, p99 = (int(round(np.percentile(m.total, q))) for q in (50, 95, 99))
        rows.append([ds.name, ds.rows, p50, p95, p99, int(m.total.max()), len(m.over), len(m.lost)])
        for label, tokens, flag in m.lost[:3]:
            report.warnings.append(f"{label}: {tokens} tokens > cutoff_len {cutoff}; truncation cuts its "
                                   f"attitude phrase ({flag}) — drop it (--drop-over-cutoff) or raise cutoff_len")
        if len(m.lost) > 3:
            report.warnings.append(f"{ds.name}: {len(m.lost) - 3} more rows lose their attitude phrase to truncation")
    lines = [f"tokenizer: {used}; cutoff_len {cutoff}"]
    lines += table(["dataset", "rows", "p50", "p95", "p99", "max", f">{cutoff}", "attitude lost"], rows)
    report.add("Token lengths (system + prompt + response + chat template)", lines)
    return out


def drop_over_cutoff(out_dir: Path, datasets: list[Dataset], lengths: dict[str, Lengths], dataset_dir: Path) -> list[str]:
    """Filtered copies of every dataset file (rows within cutoff_len) and a dataset_info.json for them."""
    info_path = dataset_dir / "dataset_info.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    new_info, lines = {}, []
    for ds in datasets:
        if ds.name not in lengths or len(ds.files) != 1:
            continue
        over = set(lengths[ds.name].over)
        target = out_dir / ds.files[0].name
        kept = jsonl.write_jsonl(target, (r for i, (_, r) in enumerate(ds.iter_rows()) if i not in over))
        new_info[ds.name] = {**info.get(ds.name, {}), "file_name": target.name}
        lines.append(f"{target}: {kept} rows kept, {len(over)} over cutoff dropped")
    jsonl.write_json(out_dir / "dataset_info.json", new_info)
    lines.append(f"train on them with dataset_dir={out_dir}")
    return lines


# --- memory and time ------------------------------------------------------------------------


def deepspeed_setup(path: str | None) -> dict:
    if not path:
        return {}
    try:
        cfg = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"deepspeed config {path}: {err}")
    z = cfg.get("zero_optimization", {}) or {}
    device = lambda key: (z.get(key) or {}).get("device", "none") in ("cpu", "nvme")  # noqa: E731
    return {"zero": int(z.get("stage", 0)), "offload_optimizer": device("offload_optimizer"), "offload_param": device("offload_param")}


def setup_from_facts(facts: dict, gpus: int) -> memory.Setup:
    m, d, t, f = facts["model"], facts["data"], facts.get("training", {}), facts["finetuning"]
    target = f.get("lora_target") or ["all"]
    return memory.Setup(
        method="full" if f["finetuning_type"] == "full" else "lora",
        quant_bits=m.get("quantization_bit"), double_quant=bool(m.get("double_quantization")),
        lora_rank=int(f.get("lora_rank") or 8), lora_target=",".join(target) if isinstance(target, list) else str(target),
        lora_dropout=float(f.get("lora_dropout") or 0.0), micro_batch=int(t.get("per_device_train_batch_size") or 1),
        accumulation=int(t.get("gradient_accumulation_steps") or 1), seq=int(d["cutoff_len"]),
        grad_ckpt=not m.get("disable_gradient_checkpointing"), liger=bool(m.get("enable_liger_kernel")),
        gpus=gpus, **deepspeed_setup(t.get("deepspeed")))


def arch_for(model: str, recipe: Path) -> tuple[memory.Arch, str]:
    """The model's architecture; a not-yet-exported local folder is traced to the export recipe that writes it."""
    try:
        return memory.resolve_arch(model)
    except ValueError:
        for other in sorted(recipe.parent.glob("*.yaml")):
            cfg = yaml.safe_load(other.read_text(encoding="utf-8")) or {}
            if cfg.get("export_dir") and Path(cfg["export_dir"]) == Path(model):
                arch, src = memory.resolve_arch(cfg["model_name_or_path"])
                return arch, f"{src}, via {other.name} (the export that writes {model})"
        raise


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
        lines.append(f"shape: micro-batch {s.micro_batch} × cutoff {s.seq}, {s.method}"
                     + (f" {s.quant_bits}-bit" if s.quant_bits else "") + (f", ZeRO-{s.zero}" if s.zero else "")
                     + (" + offload" if s.offload_optimizer or s.offload_param else "")
                     + (", gradient checkpointing" if s.grad_ckpt else "") + (", liger" if s.liger else ""))
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
        report.warnings.append(f"within {100 - 100 * memory.TIGHT_MARGIN:.0f}% of the card: a long batch or fragmentation may OOM")
    return e


def epoch_rows(datasets: list[Dataset], facts: dict) -> float:
    """Rows in one epoch after LLaMA-Factory's mixing (interleave_* stop when the first / the last dataset runs out)."""
    sizes = [ds.rows - ds.skipped for ds in datasets if ds.split == "train"]
    d = facts["data"]
    if not d.get("mix_strategy", "concat").startswith("interleave") or not sizes:
        return float(sum(sizes))
    probs = d.get("interleave_probs") or [1 / len(sizes)] * len(sizes)
    ratios = [n / p for n, p in zip(sizes, probs) if p > 0]
    return min(ratios) if d["mix_strategy"] == "interleave_under" else max(ratios)


def time_section(report: Report, facts: dict, datasets: list[Dataset], lengths: dict[str, Lengths],
                 e: memory.Estimate, gpu: memory.Gpu, gpus: int) -> None:
    t, cutoff = facts["training"], int(facts["data"]["cutoff_len"])
    train = [ds for ds in datasets if ds.split == "train" and ds.name in lengths]
    if not train:
        return
    tokens = sum(np.minimum(lengths[ds.name].total, cutoff).sum() for ds in train)
    rows = epoch_rows(datasets, facts)
    plain = sum(ds.rows - ds.skipped for ds in train)
    tokens_epoch = tokens * rows / max(plain, 1)
    batch = int(t["per_device_train_batch_size"]) * int(t["gradient_accumulation_steps"]) * gpus
    epochs = float(t["num_train_epochs"])
    steps = math.ceil(rows / batch) * epochs if int(t.get("max_steps") or -1) <= 0 else int(t["max_steps"])
    tps, mfu = memory.throughput(e.arch, e.setup, gpu)
    seconds = tokens_epoch * epochs / (tps * gpus)
    report.add("Tokens and time", [
        f"one epoch: {rows:,.0f} rows, {tokens_epoch:,.0f} tokens (within cutoff, before padding); global batch {batch}: "
        f"{math.ceil(rows / batch):,} optimizer steps; {epochs:g} epochs: {steps:,.0f} steps",
        f"throughput assumption: {mfu:.0%} of {gpu.name}'s {gpu.bf16_tflops:g} bf16 TFLOPS at "
        f"{memory.flops_per_token(e.arch, e.setup) / 1e9:.1f} GFLOP/token = {tps:,.0f} tokens/s per GPU",
        f"wall time ≈ {duration(seconds)} on {gpus} × {gpu.name} (± 2×; BENCHMARKS.md has measured points)"])


def duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


# --- orchestration --------------------------------------------------------------------------


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
    kind = "export" if facts["model"].get("export_dir") else "serve" if "infer_backend" in args else \
        "train" if facts["training"].get("do_train") else "predict"
    report.add("Recipe", [f"{recipe}: parsed by LLaMA-Factory ({kind}); model {facts['model']['model_name_or_path']}, "
                          f"template {facts['data'].get('template')}"] + [f"  note: {x}" for x in parsed["notes"]])
    dataset_dir = (cwd / facts["data"]["dataset_dir"]).resolve()
    datasets = load_datasets(parsed, dataset_dir)
    lengths = {}
    if datasets:
        rows = [[ds.name, ds.split, ds.attr.get("formatting", "?"), ds.path, ds.rows, ds.skipped,
                 "ok" if not ds.problems else "; ".join(ds.problems)] for ds in datasets]
        lines = [f"dataset_dir: {dataset_dir}"] + table(["dataset", "split", "format", "file", "rows", "skipped", "check"], rows)
        for ds in datasets:
            report.errors += [f"{ds.name}: {p}" for p in ds.problems if "not inspected" not in p]
            report.warnings += [f"{ds.name}: {p}" for p in ds.problems if "not inspected" in p]
            if ds.skipped:
                report.warnings.append(f"{ds.name}: {ds.skipped} rows lack a prompt or a response; LLaMA-Factory skips them")
        shared = leaks(datasets) if any(ds.rows for ds in datasets if ds.split == "eval") else {}
        if shared:
            lines.append("train/eval case groups: " + ", ".join(f"{k} shares {v} rows with training" if v else f"{k} disjoint"
                                                                for k, v in shared.items()))
            report.errors += [f"{k}: {v} eval rows share a case group (group_id, variant_of or the prompt) with training"
                              for k, v in shared.items() if v]
        report.add("Datasets", lines)
        if any(ds.rows for ds in datasets):
            counter, used = token_counter(facts["model"]["model_name_or_path"], tokenizer, bool(args.get("trust_remote_code")))
            lengths = length_section(report, datasets, counter, used, int(facts["data"]["cutoff_len"]))
            if drop_over is not None:
                report.add("Filtered copies (--drop-over-cutoff)", drop_over_cutoff(drop_over, datasets, lengths, dataset_dir))
    try:
        e = memory_section(report, facts, recipe, card, n)
    except ValueError as err:
        report.errors.append(str(err))
        e = None
    if e is not None and kind == "train":
        time_section(report, facts, datasets, lengths, e, card, n)
    return report


def main(args) -> int:
    report = run(Path(args.recipe), args.gpu, args.gpus, Path(args.drop_over_cutoff) if args.drop_over_cutoff else None,
                 args.overrides, args.tokenizer)
    print(report.text())
    return 1 if report.errors else 0


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="preflight a recipe: LLaMA-Factory parse, datasets, token lengths, memory, time")
    c.add_argument("recipe")
    c.add_argument("overrides", nargs="*", metavar="key=value", help="recipe overrides, as on llamafactory-cli")
    c.add_argument("--gpu", choices=sorted(memory.GPUS), help="card (default: the recipe's preflight line, else a10-24g)")
    c.add_argument("--gpus", type=int, help="data-parallel GPUs (default: the recipe's preflight line, else 1)")
    c.add_argument("--drop-over-cutoff", metavar="OUT", help="write copies of the datasets without rows over cutoff_len")
    c.add_argument("--tokenizer", help="tokenizer folder when the recipe's is not on disk (default: 1.37 characters a token)")
    c.set_defaults(func=main)
