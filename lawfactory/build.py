"""`make data`: RAW → DATA.

    sources (converters) ─→ DATA/cases.jsonl (+ rejects.jsonl)
    cases ─ split by group ─→ tasks ─→ DATA/<dataset>.jsonl
    everything counted ─→ DATA/manifest.json, DATA/dataset_info.json

Sources and tasks are registered in SOURCES and TASKS; a new converter or dataset adds an
entry there and nothing else changes. Every output is written atomically.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from tqdm import tqdm

from converters import cail
from lawfactory import io
from lawfactory.records import RecordError, Skip
from lawfactory.splits import EVAL, TRAIN, assign_split
from lawfactory.tasks.sentencing import sentencing_sample

REPO = Path(__file__).resolve().parents[1]
DATASET_INFO = REPO / "dataset_info.json"

Reader = Callable[[Path], Iterator[tuple[int, Any, "str | None"]]]
Converter = Callable[[Any, str, int, Counter], list]


@dataclass(frozen=True)
class Source:
    """A raw input format: files matching `patterns` under RAW, read record by record."""

    name: str
    patterns: tuple[str, ...]
    read: Reader
    convert: Converter


SOURCES: list[Source] = [
    Source("cail", ("cail/*.jsonl", "cail/*.json"), io.iter_jsonl, cail.convert_record),
]


@dataclass
class Options:
    raw: Path
    out: Path
    seed: int = 42
    eval_ratio: float = 0.1
    extra: dict = field(default_factory=dict)  # options later stages read (recorded in the manifest)

    def as_manifest(self) -> dict:
        return {"seed": self.seed, "eval_ratio": self.eval_ratio, **self.extra}


@dataclass
class Context:
    """What task builders may read and count into."""

    options: Options
    stats: Counter = field(default_factory=Counter)
    index: dict = field(default_factory=dict)  # statute index by article key, when built


# A task turns one case (with its split) into rows of named datasets.
Task = Callable[[dict, str, Context], Iterable[tuple[str, dict]]]


def sentencing_task(case: dict, split: str, ctx: Context) -> Iterable[tuple[str, dict]]:
    if case["jurisdiction"] != "cn":
        return
    if split == TRAIN:
        yield "criminal_sentencing", sentencing_sample(case)
    else:
        yield "criminal_sentencing_eval", sentencing_sample(case, eval_row=True)


TASKS: list[tuple[tuple[str, ...], Task]] = [
    (("criminal_sentencing", "criminal_sentencing_eval"), sentencing_task),
]


def _relpath(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def input_files(raw: Path) -> list[tuple[Source, Path]]:
    found = []
    for src in SOURCES:
        paths = sorted({p for pat in src.patterns for p in raw.glob(pat) if p.is_file()})
        found.extend((src, p) for p in paths)
    return found


def convert_sources(opts: Options, manifest: dict, stats: Counter) -> int:
    """Every input record → cases.jsonl, or rejects.jsonl with file, line and reason."""
    n_cases = 0
    files = input_files(opts.raw)
    with io.atomic_open(opts.out / "cases.jsonl") as cases_f, io.atomic_open(opts.out / "rejects.jsonl") as rej_f:
        for src, path in files:
            rel = _relpath(path, opts.raw)
            counts = Counter(read=0, converted=0, rejected=0, skipped=0, cases=0)
            bar = tqdm(src.read(path), desc=f"convert {rel}", unit=" rec", leave=False, mininterval=1.0)
            for line, obj, reason in bar:
                counts["read"] += 1
                if reason is None:
                    try:
                        cases = src.convert(obj, rel, line, stats)
                    except RecordError as e:
                        reason = str(e)
                    except Skip as e:
                        counts["skipped"] += 1
                        stats[f"skipped: {e}"] += 1
                        continue
                if reason is not None:
                    counts["rejected"] += 1
                    rej_f.write(io.dumps({"file": rel, "line": line, "reason": reason}) + "\n")
                    continue
                counts["converted"] += 1
                for c in cases:
                    cases_f.write(io.dumps(c) + "\n")
                counts["cases"] += len(cases)
            assert counts["read"] == counts["converted"] + counts["rejected"] + counts["skipped"]
            manifest["inputs"][rel] = {"format": src.name, **counts, "sha256": io.file_sha256(path)}
            n_cases += counts["cases"]
    return n_cases


def build_tasks(opts: Options, ctx: Context, manifest: dict, n_cases: int) -> None:
    names = [n for names, _ in TASKS for n in names]
    rows = Counter({n: 0 for n in names})
    groups = {TRAIN: set(), EVAL: set()}
    with contextlib.ExitStack() as stack:
        writers = {n: stack.enter_context(io.atomic_open(opts.out / f"{n}.jsonl")) for n in names}
        cases = (obj for _, obj, _ in io.iter_jsonl(opts.out / "cases.jsonl"))
        for case in tqdm(cases, total=n_cases, desc="tasks", unit=" case", mininterval=1.0):
            split = assign_split(case["group_id"], opts.seed, opts.eval_ratio)
            groups[split].add(case["group_id"])
            for _, task in TASKS:
                for name, row in task(case, split, ctx):
                    writers[name].write(io.dumps(row) + "\n")
                    rows[name] += 1
    manifest["splits"] = {"train_groups": len(groups[TRAIN]), "eval_groups": len(groups[EVAL])}
    manifest["datasets"] = {n: {"file": f"{n}.jsonl", "rows": rows[n]} for n in names}


def write_dataset_info(out: Path, datasets: Iterable[str]) -> None:
    """DATA/dataset_info.json: the repository's entries, with file names relative to DATA, for
    runs that point `dataset_dir` at a DATA other than ./data."""
    info = io.loads(DATASET_INFO.read_bytes())
    local = {}
    for name in datasets:
        if name in info:
            local[name] = {**info[name], "file_name": Path(info[name]["file_name"]).name}
    io.write_json(out / "dataset_info.json", local)


def build(opts: Options) -> dict:
    opts.out.mkdir(parents=True, exist_ok=True)
    if not opts.raw.is_dir():
        raise SystemExit(f"RAW folder {opts.raw} does not exist")
    manifest: dict = {"options": opts.as_manifest(), "inputs": {}, "datasets": {}, "stats": {}}
    ctx = Context(opts)
    n_cases = convert_sources(opts, manifest, ctx.stats)
    build_tasks(opts, ctx, manifest, n_cases)
    manifest["cases"] = n_cases
    manifest["stats"] = dict(sorted(ctx.stats.items()))
    write_dataset_info(opts.out, manifest["datasets"])
    io.write_json(opts.out / "manifest.json", manifest)
    return manifest


def summary(manifest: dict) -> str:
    lines = ["input                                   read  conv  rej  skip"]
    for rel, c in manifest["inputs"].items():
        lines.append(f"{rel:<38}{c['read']:>6}{c['converted']:>6}{c['rejected']:>5}{c['skipped']:>6}")
    lines.append("dataset                                 rows")
    for name, d in manifest["datasets"].items():
        lines.append(f"{name:<38}{d['rows']:>6}")
    return "\n".join(lines)


def default_workers() -> int:
    return os.cpu_count() or 1
