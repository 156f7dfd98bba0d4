"""`make data`: RAW → DATA.

    sources (converters) ─→ DATA/cases.jsonl (+ rejects.jsonl)
    RAW/statutes ─→ DATA/statutes_index.jsonl (lawfactory/build/statute_index.py)
    cases ─ split by group ─→ adversarial variants (adversarial/stage.py) ─→ tasks ─→ DATA/<dataset>.jsonl
    everything counted ─→ DATA/manifest.json, DATA/dataset_info.json

Sources are registered in lawfactory/build/sources.py; tasks in TASKS (the Task protocol:
lawfactory/tasks/base.py) and the datasets they write in lawfactory/tasks/registry.py. A new input
format adds a sources entry; a new dataset adds its registry entry and a task, and nothing else
changes. Every output is written into a staging folder and the whole generation is switched into
DATA at the end (lawfactory/build/generation.py); a record that fails anywhere is rejected with
file, line and reason and the build goes on (lawfactory/build/shards.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from adversarial.stage import VARIANT_FILE, AdversarialStage
from lawfactory import jsonl
from lawfactory.build import fingerprint, generation, shards, statute_index, task_stage
from lawfactory.build.sources import CASES, input_files, layouts, sources, unmatched_inputs
from lawfactory.cards import datacard
from lawfactory.config import BuildConfig
from lawfactory.errors import BuildError, UsageError
from lawfactory.hygiene import quality, stage as hygiene
from lawfactory.records import is_judgment
from lawfactory.splits import EVAL, TRAIN
from lawfactory.tasks import Task, registry, sample
from lawfactory.tasks.attitude_pref import AttitudePrefTask
from lawfactory.tasks.grounded import GroundedTask
from lawfactory.tasks.judgment_rows import JudgmentTask, too_long
from lawfactory.tasks.rag import RagTask
from lawfactory.tasks.retrieval_queries import RetrievalQueriesTask
from lawfactory.tasks.sentencing import SentencingTask
from lawfactory.tasks.statute_datasets import StatuteTask
from lawfactory.tasks.variant_rows import VariantRowsTask


@dataclass
class Context:
    """What tasks may read and count into."""

    config: BuildConfig  # the options (lawfactory/config.py)
    stats: Counter = field(default_factory=Counter)
    index: dict = field(default_factory=dict)  # statute index by article key (read-only once built)
    hygiene: hygiene.Hygiene = field(default_factory=hygiene.Hygiene)  # regrouping, decontamination
    card: datacard.Card = field(default_factory=datacard.Card)  # counts for DATA/README.md
    timer: Timer = field(default_factory=lambda: Timer())  # seconds per stage (printed, never in the manifest)
    # every (case, split) the task stage will see, in its order: a fresh pass for a task's prepare
    # (task_stage.split_cases: also numbered, or only some lines)
    cases: Callable[..., Iterable[tuple]] = lambda: iter(())
    # the staged cases.jsonl cut into line ranges (task_stage.ranges): the shards of the adversarial
    # plan's first pass and of the task stage, scanned once
    ranges: list = field(default_factory=list)

    @property
    def work(self) -> Path:
        """The build's scratch folder (never an output)."""
        return self.config.out / generation.WORK


# The tasks, in the order they see each case (and their datasets appear in manifest.json); the
# build makes one of each (a Task class, or any callable returning a Task).
TASKS: list[Callable[[], Task]] = [
    SentencingTask,  # CAIL cases
    JudgmentTask,  # full-text judgments
    GroundedTask,  # mainland cases with the articles they cite
    RagTask,  # mainland eval cases with the articles retrieved from their facts
    VariantRowsTask,  # the adversarial stage's synthetic variants
    AttitudePrefTask,  # their preference pairs (the rule-derived term over the source's)
    StatuteTask,  # statute QA and retrieval (evidence from the TRAIN cases)
    RetrievalQueriesTask,  # retrieval query sets (EVAL case facts, layperson questions)
]


def probe_case(case: dict) -> None:
    """Make what the task stage will make of one case (its sample in both splits, its data-card
    counts), so a value no later stage can handle rejects the record at conversion, where its file
    and line are known (a worker calls this: module level, so it pickles under spawn too)."""
    if is_judgment(case) or case.get("jurisdiction") == "cn":  # eval row: the training row's text + gold columns
        jsonl.dumps(sample(case, eval_row=True))
    _PROBE_CARD.case(case, TRAIN)


_PROBE_CARD = datacard.Card()  # the probe's counts are thrown away: one card per process (keys are few)


class Timer:
    """Seconds per named stage of one build: `with timer("convert"): …`, then `report()`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t

    def report(self) -> str:
        return "stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())


def quality_filters(opts: BuildConfig) -> quality.Quality:
    h = opts.hygiene
    return quality.load(h.min_fact_chars, h.max_fact_chars, h.charges, h.articles)


def plan_inputs(opts: BuildConfig, q: quality.Quality, code: str) -> tuple[shards.Plan, shards.Config]:
    """Hash the inputs and cut them into conversion shards (each with its own fingerprint)."""
    h = opts.hygiene
    minhash = h.near_dup_threshold if (h.near_dup != "off" or h.exclude) else None
    salt = {"code": code, "minhash": minhash, "judgments": dataclasses.asdict(opts.judgments),
            "quality": [q.min_fact_chars, q.max_fact_chars, fingerprint.digest(sorted(q.charges or [])),
                        fingerprint.digest(sorted(q.articles or [])), q.charges is None, q.articles is None],
            "max_record_chars": h.max_record_chars}
    case_sources = sources(CASES)
    files = [(case_sources.index(src), src, path) for src, path in input_files(opts.raw, CASES)]
    plan = shards.plan(files, opts.raw, opts.run.shard_bytes, salt)
    return plan, shards.Config(case_sources, opts.out / generation.WORK / "shards", q, minhash,
                               max_chars=h.max_record_chars, judgments=opts.judgments, probe=probe_case)


def convert_sources(opts: BuildConfig, manifest: dict, ctx: Context, plan: shards.Plan, cfg: shards.Config,
                    engine: shards.Engine) -> int:
    """Every input record → cases.jsonl, or rejects.jsonl with file, line and reason; cases the
    quality filters drop → filtered.jsonl. Shards run on the engine (worker processes, Ray) and resume
    after a kill (lawfactory/build/shards.py); near-duplicates are grouped and benchmark items matched
    (lawfactory/hygiene/stage.py) before cases.jsonl is written."""
    with ctx.timer("convert"):
        done, resumed = shards.run(plan.shards, cfg, engine)
    filtered = Counter()
    for rel, sha in plan.inputs.items():
        manifest["inputs"][rel] = {"format": plan.formats[rel], **Counter(read=0, converted=0, rejected=0, skipped=0,
                                                                          filtered=0, cases=0), "sha256": sha}
    conformance: dict = {}
    for d in done:
        entry = manifest["inputs"][d["rel"]]
        for k, v in d["counts"].items():
            entry[k] += v
        _conformance(conformance.setdefault(plan.formats[d["rel"]], {}), d)
        ctx.stats.update(d["stats"])
        filtered.update(d["filtered"])
    manifest["filtered"] = dict(sorted(filtered.items()))
    manifest["conformance"] = {src: _conformance_summary(c) for src, c in sorted(conformance.items())}
    counts = [d["counts"]["cases"] for d in done]
    h = opts.hygiene
    with ctx.timer("near-dup"):
        ctx.hygiene = hygiene.run(shards.ShardCases(plan.shards, cfg.work, counts), h.near_dup, h.near_dup_threshold,
                                  list(h.exclude), opts.seed, opts.eval_ratio, containment=h.exclude_containment)
    manifest.update(ctx.hygiene.report)
    shards.concat(plan.shards, cfg.work, "cases.jsonl", opts.out / "cases.jsonl", ctx.hygiene.regroup, ctx.hygiene.gids)
    shards.concat(plan.shards, cfg.work, "rejects.jsonl", opts.out / "rejects.jsonl")
    shards.concat(plan.shards, cfg.work, "filtered.jsonl", opts.out / "filtered.jsonl")
    if resumed:
        print(f"resumed: {resumed} of {len(plan.shards)} conversion shards were already done")
    return sum(counts)


def _conformance(acc: dict, done: dict) -> None:
    """Add one shard's outcomes to its source's tally."""
    for k in ("read", "converted", "rejected", "skipped", "cases"):
        acc[k] = acc.get(k, 0) + done["counts"].get(k, 0)
    for k, reasons in done.get("outcomes", {}).items():
        acc.setdefault(k + "_by_reason", Counter()).update(reasons)
    prefix = "judgment defendants left out: "  # acquitted, corporate … (converters/judgments.py)
    acc.setdefault("left_out", Counter()).update({k[len(prefix):]: n for k, n in done["stats"].items()
                                                  if k.startswith(prefix)})


def _conformance_summary(acc: dict) -> dict:
    """Per source: records read; the records left after skips (negatives, filters, all-acquitted
    judgments: every one with its reason) are those that should convert, and `yield` is the share that
    did; rejects by reason; defendants of converted judgments that got no case, by reason."""
    expected = acc["read"] - acc["skipped"]
    return {"read": acc["read"], "expected": expected, "converted": acc["converted"],
            "yield": round(acc["converted"] / expected, 4) if expected else None, "cases": acc["cases"],
            "skipped": dict(acc.get("skipped_by_reason", Counter()).most_common()),
            "rejected": dict(acc.get("rejected_by_reason", Counter()).most_common()),
            "defendants_left_out": dict(acc.get("left_out", Counter()).most_common())}


def adversarial_stage(opts: BuildConfig, ctx: Context, n_cases: int, engine: shards.Engine) -> AdversarialStage:
    """Pick the cases that get a synthetic variant (passes of its own over cases.jsonl, the first in
    the task stage's shards on the engine); the task stage then asks it for each case's variants.
    Its length check is JudgmentTask's."""
    stage = AdversarialStage(opts, ctx.index, functools.partial(too_long, config=opts))
    stage.plan(ctx.cases, n_cases,
               lambda job, state, what: shards.execute(job, ctx.ranges, state, engine, what))
    return stage


def build_tasks(opts: BuildConfig, ctx: Context, manifest: dict, adversarial: AdversarialStage,
                engine: shards.Engine) -> list[str]:
    """Every case and its adversarial variants through every task → DATA/<dataset>.jsonl, and the
    variant records (records.variant) → DATA/variants.jsonl, in shards across the workers
    (lawfactory/build/task_stage.py); returns the files written that are not LLaMA-Factory datasets
    (variants.jsonl, and those reported by their tasks)."""
    tasks = [make() for make in TASKS]
    names = list(dict.fromkeys(n for task in tasks for n in task.datasets))  # tasks may share a dataset
    unregistered = registry.unregistered(names)
    if unregistered:
        raise BuildError(f"datasets written by a task but not registered in lawfactory/tasks/registry.py: "
                         f"{', '.join(unregistered)}")
    listed = [n for n in names if registry.is_llamafactory(n)]  # manifest datasets, data card, dataset_info.json
    for task in tasks:
        task.prepare(ctx)
    rows, rejects, groups = task_stage.run(opts, ctx, tasks, names, listed, adversarial, engine)
    if rejects:
        jsonl.append_jsonl(opts.out / "rejects.jsonl", rejects)
    manifest["task_rejects"] = len(rejects)
    distinct = {k: len(np.unique(np.frombuffer(v, dtype=np.uint64))) if len(v) else 0 for k, v in groups.items()}
    manifest["splits"] = {"train_groups": distinct[TRAIN], "eval_groups": distinct[EVAL]}
    manifest["datasets"] = {n: {"file": registry.DATASETS[n].file, "rows": rows[n]} for n in listed}
    for report in [adversarial.report(), *(task.report(ctx) for task in tasks)]:
        for key, value in report.items():  # a block the manifest holds already (statutes) is extended
            if isinstance(value, dict) and isinstance(manifest.get(key), dict):
                manifest[key].update(value)
            else:
                manifest[key] = value
    return [VARIANT_FILE, *(registry.DATASETS[n].file for n in names if n not in listed)]


def write_dataset_info(out: Path, datasets: Iterable[str]) -> None:
    """DATA/dataset_info.json: the registry's entries of the datasets this build wrote, with file
    names relative to DATA, for runs that point `dataset_dir` at a DATA other than ./data."""
    jsonl.write_json(out / "dataset_info.json", registry.dataset_info(datasets))


def build(opts: BuildConfig) -> dict:
    """Build DATA from RAW; DATA holds the previous generation until this one is complete."""
    generation.check_paths(opts.raw, opts.out)
    if opts.run.engine == "ray":  # Ray workers run in other folders, on other nodes: absolute paths
        opts = dataclasses.replace(opts, raw=opts.raw.resolve(), out=opts.out.resolve())
    with shards.engine(opts.run) as engine:  # Ray starts when a stage first needs it
        opts.out.mkdir(parents=True, exist_ok=True)
        with generation.lock(opts.out):
            return _build(opts, engine)


def _build(opts: BuildConfig, engine: shards.Engine) -> dict:
    """The stages, in order: hash the inputs (and stop if DATA is up to date), convert, hygiene,
    statutes, adversarial variants, tasks, then the outputs switched into DATA."""
    manifest: dict = {"options": opts.manifest_options(), "inputs": {}, "datasets": {}, "stats": {}}
    ctx = Context(opts)
    timer, started = ctx.timer, time.perf_counter()
    shards.remove_partials(opts.out)  # left by a killed run; never loadable, now gone
    generation.drop_stage(opts.out)
    with timer("hash"):
        code = fingerprint.code_version()
        plan, cfg = plan_inputs(opts, quality_filters(opts), code)
        statute_hashes = fingerprint_build(opts, manifest, plan, code)
    previous = fingerprint.up_to_date(opts.out, manifest["fingerprint"])
    if previous is not None:
        print(f"{opts.out}/ is up to date (fingerprint {manifest['fingerprint']['sha256'][:16]}): nothing to do")
        return previous
    manifest["skipped_inputs"] = {**plan.unreadable, **unmatched_inputs(opts.raw, [*plan.inputs, *plan.unreadable,
                                                                                   *statute_hashes])}
    gen = dataclasses.replace(opts, out=generation.new_stage(opts.out))  # every output goes here first
    n_cases = convert_sources(gen, manifest, ctx, plan, cfg, engine)  # convert, near-dup
    ctx.cases = functools.partial(task_stage.split_cases, gen, ctx)  # the staged cases.jsonl, with splits
    ctx.ranges = task_stage.ranges(gen.out / "cases.jsonl", engine.workers, gen.run.shard_bytes)
    ctx.index = statute_index.build_statutes(gen, manifest)  # before the tasks read it
    require_something_converted(manifest, ctx.stats, gen.out)
    with timer("adversarial"):
        adversarial = adversarial_stage(gen, ctx, n_cases, engine)
    with timer("tasks"):
        others = build_tasks(gen, ctx, manifest, adversarial, engine)
    manifest["cases"] = n_cases
    manifest["stats"] = dict(sorted(ctx.stats.items()))
    write_outputs(gen.out, manifest, ctx, others)
    generation.switch(gen.out, opts.out, [n for n in manifest["outputs"] if n != generation.REGISTRY])
    shards.clean(opts.out / generation.WORK / "shards", plan.shards)
    timer.seconds["total"] = time.perf_counter() - started
    print(timer.report(), file=sys.stderr)
    return manifest


def fingerprint_build(opts: BuildConfig, manifest: dict, plan: shards.Plan, code: str) -> dict:
    """manifest["fingerprint"]: the inputs' hashes, with the files options name (eval sets, official
    lists) and RAW/statutes (not sharded) counted as inputs too; returns the statutes' hashes."""
    lists = {}
    h = opts.hygiene
    for k, paths in (("exclude", h.exclude), ("charges", [h.charges]), ("articles", [h.articles])):
        for p in [p for p in paths if p is not None]:
            if not Path(p).is_file():
                raise UsageError(f"--{k} file {p} does not exist")
            lists[f"{k} {p}"] = jsonl.file_sha256(p)
    spec = opts.rag.retriever  # a trained embedder's files are inputs of the retrieval-grounded rows
    if ":" in spec:
        folder = Path(spec.partition(":")[2])
        lists.update({f"rag_retriever {p}": jsonl.file_sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()})
    statute_hashes = statute_index.input_hashes(opts.raw)
    lists.update(statute_hashes)
    manifest["fingerprint"] = fingerprint.build_fingerprint({**plan.inputs, **lists}, manifest["options"], code)
    return statute_hashes


def write_outputs(out: Path, manifest: dict, ctx: Context, others: list[str]) -> None:
    """dataset_info.json, the data card and manifest.json (listing every output with its sha256)
    into the staged generation."""
    write_dataset_info(out, manifest["datasets"])
    card = datacard.write(out, manifest, ctx.card)
    manifest["outputs"] = ["cases.jsonl", "rejects.jsonl", "filtered.jsonl", "dataset_info.json",
                           *card, statute_index.INDEX,
                           *others, *(d["file"] for d in manifest["datasets"].values())]
    manifest["output_sha256"] = generation.output_hashes(out, manifest["outputs"])
    jsonl.write_json(out / "manifest.json", manifest)
    generation.killpoint("staged")


class NothingConverted(BuildError):
    """The build read no usable record: it fails (DATA keeps whatever it held)."""


def require_something_converted(manifest: dict, stats: Counter, stage: Path) -> None:
    inputs = manifest["inputs"]
    if any(c.get("converted", 0) for c in inputs.values()):
        return
    lines = [("nothing converted: no input record could be used, so no dataset was written "
              "(DATA still holds the previous build, if any)")]
    if inputs:
        total = Counter()
        for c in inputs.values():
            total.update({k: c.get(k, 0) for k in ("read", "rejected", "skipped")})
        lines.append(f"  {len(inputs)} input file(s): {total['read']} records read, {total['rejected']} rejected "
                     f"({stage / 'rejects.jsonl'}), {total['skipped']} skipped by filters")
        lines += [f"  skipped {n}: {k.removeprefix('skipped: ')}"
                  for k, n in sorted(stats.items()) if k.startswith("skipped: ")]
    lines += skipped_lines(manifest)
    if not inputs and not manifest.get("skipped_inputs"):
        lines.append("  RAW holds no input file; layouts read (under RAW): " + ", ".join(layouts()))
    raise NothingConverted("\n".join(lines))


def skipped_lines(manifest: dict, show: int = 10) -> list[str]:
    """Console lines for the files under RAW no layout reads, and the layouts that are read."""
    skipped = manifest.get("skipped_inputs") or {}
    if not skipped:
        return []
    lines = [f"skipped {len(skipped)} file(s) under RAW (unreadable, or matching no input layout):"]
    lines += [f"  {rel}: {why}" for rel, why in list(skipped.items())[:show]]
    if len(skipped) > show:
        lines.append(f"  … and {len(skipped) - show} more (manifest.json: skipped_inputs)")
    lines.append("  layouts read (under RAW): " + ", ".join(layouts()))
    return lines


def summary(manifest: dict) -> str:
    lines = ["input                                   read  conv  rej  skip"]
    for rel, c in manifest["inputs"].items():
        lines.append(f"{rel:<38}{c['read']:>6}{c['converted']:>6}{c['rejected']:>5}{c['skipped']:>6}")
    lines.append("dataset                                 rows")
    for name, d in manifest["datasets"].items():
        lines.append(f"{name:<38}{d['rows']:>6}")
    for reason, n in manifest.get("filtered", {}).items():
        lines.append(f"filtered {n}: {reason}")
    for src, c in manifest.get("conformance", {}).items():
        if not src.startswith("judgments"):
            continue
        y = f"{c['yield']:.1%}" if c["yield"] is not None else "n/a"
        lines.append(f"conformance {src}: {c['converted']} of {c['expected']} judgments converted ({y}), "
                     f"{c['cases']} cases; {c['read'] - c['expected']} skipped")
        lines += [f"  skipped {n}: {why}" for why, n in c["skipped"].items()]
        lines += [f"  rejected {n}: {why}" for why, n in c["rejected"].items()]
        lines += [f"  defendant left out {n}: {why}" for why, n in c.get("defendants_left_out", {}).items()]
    nd = manifest.get("near_duplicates", {})
    if "pairs_merged" in nd:
        lines.append(f"near-duplicates (Jaccard ≥ {nd['threshold']}): {nd['pairs_merged']} pairs merged "
                     f"({nd['exact_pairs_merged']} exact), {nd['cross_split_leaks']} eval cases leaking into train")
    for f in manifest.get("decontamination", {}).get("files", []):
        lines.append(f"--exclude {f['file']}: {f['items']} items, {f['unreadable']} unreadable; {f['removed_train']} "
                     f"training cases removed ({f.get('removed_by_containment', 0)} found by containment only)")
    lines += skipped_lines(manifest)
    if manifest.get("task_rejects"):
        lines.append(f"{manifest['task_rejects']} case(s) left out of every dataset by a failing task (rejects.jsonl)")
    adv = manifest.get("adversarial")
    if adv:
        made = adv["generated"]
        dropped = sum(adv["dropped_by_self_checks"].values())
        lines.append(f"adversarial (synthetic): {sum(v for k, v in made.items() if k.startswith('train'))} train "
                     f"variants, {sum(v for k, v in made.items() if k.startswith('eval'))} eval pairs; "
                     f"{dropped} candidates dropped (self-checks and text), see manifest.json")
    return "\n".join(lines)

