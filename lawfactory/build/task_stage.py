"""The task stage of `make data` in shards: every case of cases.jsonl with its split, and its
adversarial variants, through every task → DATA/<dataset>.jsonl and DATA/variants.jsonl.

    prepare() of every task, the adversarial plan     build process (they read the whole corpus)
    cases.jsonl cut into contiguous line ranges        one shard each, in `--workers` processes or Ray tasks
        (the conversion's executor, lawfactory/build/shards.py `execute`): rows / variant_rows
        of its cases → one part file per dataset under .work/tasks/<shard>/, and its counts
    the counts of every shard added, in shard order   build process (see `merge`)
    the part files concatenated in shard order, then finish() rows appended

A dataset file is therefore the same bytes whatever the number of workers: each case's rows are
made exactly as one process would make them, and the parts are joined in case order. What a task
counts across cases comes back from each shard (`Task.shard`) and is added in the build process
(`Task.merge`, before finish); so do ctx.stats, the data card's counts and the adversarial stage's
`generated` counter. Memory does not grow with the corpus beyond what the one-process stage held:
the rows stream to the part files; a shard returns its counters, its rejects and 8 bytes per case
(the group hashes that count the distinct groups per split).
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm

from adversarial.stage import VARIANT_FILE, AdversarialStage
from converters import privacy
from lawfactory import jsonl
from lawfactory.build import generation, shards
from lawfactory.build.steps import failure
from lawfactory.cards import datacard
from lawfactory.config import BuildConfig
from lawfactory.errors import LawfactoryError
from lawfactory.splits import EVAL, TRAIN, assign_split
from lawfactory.tasks import registry

SHARDS_PER_WORKER = 2  # shards per worker: a slow shard (long judgments) holds up less of the stage


def split_cases(opts: BuildConfig, ctx: Any, start: int = 0, end: int | None = None,
                first_line: int = 1, *, numbered: bool = False, only: set[int] | None = None) -> Iterator[tuple]:
    """cases.jsonl (or its lines from byte `start` to `end`, the first being line `first_line`) with
    each case's split; benchmark items (--exclude) are left out of train. `numbered`: (line index,
    case, split), the index 0-based. `only`: just the cases at these line indexes, the other lines
    not even parsed (a pass that wants a few thousand cases of a million), in the byte range too."""
    removed = ctx.hygiene.removed
    if only is not None:
        lines = _lines(opts.out / "cases.jsonl", only, start, end, first_line)
    else:
        lines = ((i, case) for i, (_, case, _) in enumerate(
            jsonl.iter_jsonl(opts.out / "cases.jsonl", start, end, first_line), first_line - 1))
    for i, case in lines:
        split = assign_split(case["group_id"], opts.seed, opts.eval_ratio)
        if split == TRAIN and i in removed:  # benchmark item (--exclude)
            continue
        yield (i, case, split) if numbered else (case, split)


def _lines(path: Path, only: set[int], start: int = 0, end: int | None = None,
           first_line: int = 1) -> Iterator[tuple[int, dict]]:
    """(index, case) of the lines of cases.jsonl (the build's own file: one case a line) at `only`,
    among those from byte `start` to `end` (the first being line `first_line`)."""
    last = max(only, default=-1)
    with open(path, "rb") as f:
        f.seek(start)
        at = start
        for i, raw in enumerate(f, first_line - 1):
            if i > last or (end is not None and at >= end):
                return
            at += len(raw)
            if i in only:
                yield i, jsonl.loads(raw)


@dataclass
class Stage:
    """What every shard reads (a worker gets it at start: under fork, without copying)."""

    opts: BuildConfig
    ctx: Any  # lawfactory/build/pipeline.py Context
    tasks: list
    adversarial: AdversarialStage
    names: list[str]  # every dataset a task writes
    listed: list[str]  # those that are LLaMA-Factory datasets (counted in the data card)
    work: Path  # the part files: <work>/<shard>/<dataset file>
    bars: bool  # a progress bar per case (one process only)


@dataclass(frozen=True)
class Range:
    index: int
    start: int
    end: int
    first_line: int

    def where(self) -> str:
        """The shard in a message."""
        return f"{self.index} (cases.jsonl bytes {self.start}–{self.end}, from line {self.first_line})"


def ranges(path: Path, workers: int, min_bytes: int) -> list[Range]:
    """cases.jsonl in contiguous line ranges: SHARDS_PER_WORKER per worker, none under min_bytes
    (the conversion's --shard-bytes), the whole file for one worker."""
    size = path.stat().st_size
    per = -(-size // (SHARDS_PER_WORKER * workers)) if workers > 1 else size
    _, cuts = shards.scan(path, max(per, min_bytes, 1), hashed=False)
    return [Range(i, s, e, first) for i, (s, e, first) in enumerate(cuts)]


def run_shard(r: Range) -> dict:
    """One range of cases through every task into its part files; returns what it counted."""
    st: Stage = shards.state()
    ctx, tasks, adversarial = st.ctx, st.tasks, st.adversarial
    ctx.stats, ctx.card = Counter(), datacard.Card()  # this shard's counts only (returned)
    adversarial.st["generated"] = Counter()
    rows = Counter()
    groups = {TRAIN: array.array("Q"), EVAL: array.array("Q")}  # group id hashes (8 bytes a case)
    rejects = []  # cases a task failed on: left out of every dataset, listed in rejects.jsonl
    folder = st.work / f"{r.index:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        files = {n: stack.enter_context(open(folder / registry.DATASETS[n].file, "w", encoding="utf-8",
                                             newline="\n")) for n in st.names}
        variant_file = stack.enter_context(open(folder / VARIANT_FILE, "w", encoding="utf-8", newline="\n"))
        cases = split_cases(st.opts, ctx, r.start, r.end, r.first_line)
        for case, split in tqdm(cases, desc="tasks", unit=" case", mininterval=1.0, disable=not st.bars):
            try:
                made = [(name, row, jsonl.dumps(row)) for task in tasks for name, row in task.rows(case, split, ctx)]
                variants = adversarial.variants(case, split)
                made += [(name, row, jsonl.dumps(row)) for v in variants for task in tasks
                         for name, row in task.variant_rows(v, case, split, ctx)]
            except LawfactoryError:  # a bad option (e.g. --tokenizer), not a bad case: it ends the build
                raise
            except Exception as e:  # noqa: BLE001 - one case a task cannot handle costs that case only
                file, _, line = str(case.get("source", "")).rpartition(":")
                rejects.append({"file": file, "line": int(line) if line.isdigit() else 0,
                                "reason": jsonl.safe_text(privacy.scrub(f"left out of every dataset (task stage): "
                                                                     f"{failure(e)}")[0])})
                continue
            groups[split].append(int.from_bytes(hashlib.blake2b(case["group_id"].encode(), digest_size=8).digest(),
                                                "little"))
            ctx.card.case(case, split)
            for name, row, line in made:
                files[name].write(line + "\n")
                rows[name] += 1
                if name in st.listed:
                    ctx.card.row(name, row, case, split)
            variant_file.writelines(jsonl.dumps(v) + "\n" for v in variants)
    return {"rows": rows, "rejects": rejects, "groups": {k: v.tobytes() for k, v in groups.items()},
            "stats": ctx.stats, "card": ctx.card, "generated": adversarial.st["generated"],
            "tasks": [task.shard(ctx) for task in tasks]}


def run(opts: BuildConfig, ctx: Any, tasks: list, names: list[str], listed: list[str],
        adversarial: AdversarialStage, engine: shards.Engine) -> tuple[Counter, list[dict], dict]:
    """Every shard, then their counts merged and the datasets written (finish() rows last); returns
    the rows per dataset, the task rejects and the group hashes per split (numpy-readable bytes)."""
    work = ctx.work / "tasks"
    shutil.rmtree(work, ignore_errors=True)
    parts = ctx.ranges  # ranges(cases.jsonl), cut once for the build
    stage = Stage(opts, ctx, tasks, adversarial, names, listed, work, bars=engine.in_process(len(parts)))
    mine = ctx.stats, ctx.card, adversarial.st["generated"]  # a shard run in this process swaps them
    try:
        with ctx.timer("task shards"):  # printed with the build's stages, inside "tasks"
            results = shards.execute(run_shard, parts, stage, engine, "tasks")
    finally:
        ctx.stats, ctx.card, adversarial.st["generated"] = mine
    generation.killpoint("tasks")
    rows, rejects, groups = Counter({n: 0 for n in names}), [], {TRAIN: bytearray(), EVAL: bytearray()}
    for res in results:  # in case order: counters keep the one-process order of their keys
        rows.update(res["rows"])
        rejects += res["rejects"]
        for split, b in res["groups"].items():
            groups[split] += b
        ctx.stats.update(res["stats"])
        ctx.card.merge(res["card"])
        adversarial.st["generated"].update(res["generated"])
        for task, part in zip(tasks, res["tasks"]):
            task.merge(part, ctx)
    with contextlib.ExitStack() as stack:
        writers = {n: stack.enter_context(jsonl.atomic_open(opts.out / registry.DATASETS[n].file)) for n in names}
        for name, dest in writers.items():
            _concat(work, parts, registry.DATASETS[name].file, dest)
        with jsonl.atomic_open(opts.out / VARIANT_FILE) as dest:
            _concat(work, parts, VARIANT_FILE, dest)
        for task in tasks:  # rows that need every case first (statute QA and retrieval)
            for name, row in task.finish(ctx):
                line = jsonl.dumps(row)
                writers[name].write(line + "\n")
                rows[name] += 1
                if name in listed:  # an article-split eval set (fr_statutes_qa_eval) is eval
                    ctx.card.row(name, row, {}, EVAL if name.endswith("_eval") else TRAIN)
    shutil.rmtree(work, ignore_errors=True)
    return rows, rejects, groups


def _concat(work: Path, parts: list[Range], file: str, dest) -> None:
    """The shards' part files, in order, onto the text file dest (as bytes: both are UTF-8)."""
    dest.flush()
    for r in parts:
        with open(work / f"{r.index:05d}" / file, "rb") as f:
            shutil.copyfileobj(f, dest.buffer, 1 << 20)
