"""The conversion stage as resumable shards across worker processes.

A JSON-lines input is cut into byte ranges of about `shard_bytes` at line starts (one pass that
also hashes the file); any other reader gets one shard per file. Each shard is converted in a
worker process, through the steps of lawfactory/build/steps.py (read → convert → quality →
serialize → signature → write), into DATA/.work/shards/<fingerprint>/: cases, rejects and
filtered lines, the MinHash arrays the near-duplicate stage needs, and last, atomically,
`done.json` with its counts.
A shard whose fingerprint directory holds `done.json` is finished and is never redone, so a killed
run resumes where it stopped; shards are concatenated in input order, so the result does not
depend on the number of workers.

One record never costs the others: any exception while converting, checking, serializing or
hashing a record rejects that record (rejects.jsonl: file, line, reason); a record with more
text than `Config.max_chars` is rejected before it is converted; a reader that fails part-way
(a file that is not Parquet, a broken gzip stream) rejects the rest of that file with the
reason. Workers receive everything they need in `Config` (the judgment converters' options
included, passed to every converter call), so the pool works under the fork and the spawn start
methods alike; a worker that dies (SIGKILL, the out-of-memory killer) fails the build at once with a clear message.

The executor (`execute`: a job over a list of items, results in item order) also runs the task
stage's shards (lawfactory/build/task_stage.py). It runs the jobs on an engine (`engine`): `Local`,
worker processes of this machine, or the Ray engine (lawfactory/build/ray_engine.py), Ray tasks on
a cluster sharing the file system of RAW and DATA (docs/scale.md). Each job writes only under the
folders its state and item name, and reads nothing a fresh process would not have, so the engines
write the same bytes. A job that fails ends the build with a BuildError naming its shard.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import shutil
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn, Protocol

import numpy as np
from tqdm import tqdm

from lawfactory import jsonl
from lawfactory.build import steps
from lawfactory.build.fingerprint import digest
from lawfactory.config import JudgmentConfig, RunConfig
from lawfactory.errors import BuildError, LawfactoryError, UsageError
from lawfactory.hygiene import dedup, quality

BLOCK = 8 << 20
# Test hook: SIGKILL the whole build (workers too) after this many newly finished shards.
KILL_ENV = "LAWFACTORY_KILL_AFTER_SHARDS"


@dataclass(frozen=True)
class Shard:
    source: int  # index into Config.sources (the case sources of lawfactory/build/sources.py)
    rel: str  # input path relative to RAW (names records in case ids and rejects)
    path: str
    start: int
    end: int | None  # None: the whole file through the source's own reader
    first_line: int
    key: str  # fingerprint: the work directory name

    def where(self) -> str:
        """The shard in a message."""
        if self.end is None:
            return self.rel
        return f"{self.rel} (bytes {self.start}–{self.end}, from line {self.first_line})"


@dataclass
class Plan:
    shards: list[Shard]
    inputs: dict  # rel → sha256
    formats: dict  # rel → source name
    unreadable: dict = field(default_factory=dict)  # rel → why the file could not be read (left out)


@dataclass
class Config:
    """Everything a worker needs, passed to it explicitly (picklable: the spawn start method
    sends it to each worker)."""

    sources: list
    work: Path
    quality: quality.Quality
    threshold: float | None  # None: no MinHash arrays (near-duplicate control off, no excludes)
    max_chars: int  # text characters a record may hold (--max-record-chars)
    judgments: JudgmentConfig  # the judgment converters' options, given to every converter call
    probe: Callable[[dict], None] | None = None  # per case: raises on a case the later stages cannot use


_STATE: Any = None  # a worker's shared state (execute)


def scan(path: Path, shard_bytes: int, hashed: bool = True) -> tuple[str, list[tuple[int, int, int]]]:
    """sha256 of the file (hashed; else "") and its shards as (start, end, first line) cut after a newline."""
    h = hashlib.sha256() if hashed else None
    cuts, lines, pos, target = [(0, 1)], 0, 0, shard_bytes
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            if h is not None:
                h.update(block)
            at = 0
            while pos + len(block) > target:
                nl = block.find(b"\n", max(target - pos, at))
                if nl < 0:
                    break
                lines += block.count(b"\n", at, nl + 1)
                at = nl + 1
                cuts.append((pos + at, lines + 1))
                target = pos + at + shard_bytes
            lines += block.count(b"\n", at)
            pos += len(block)
    ranges = [(s, e, first) for (s, first), (e, _) in zip(cuts, cuts[1:] + [(pos, 0)]) if e > s]
    return h.hexdigest() if h is not None else "", ranges or [(0, 0, 1)]


def plan(files: list[tuple[int, Any, Path]], raw: Path, shard_bytes: int, salt: dict) -> Plan:
    """files: (source index, Source, path). salt: code version and the options a shard depends on."""
    shards, inputs, formats, unreadable = [], {}, {}, {}
    for si, src, path in tqdm(files, desc="hash inputs", unit=" file", leave=False, disable=len(files) < 20):
        rel = path.relative_to(raw).as_posix()
        try:
            ranged = src.read is jsonl.iter_jsonl and not jsonl.whole_file(path)
            if ranged:
                sha, ranges = scan(path, shard_bytes)
            else:
                sha, ranges = jsonl.file_sha256(path), [(0, None, 1)]
        except OSError as e:  # unreadable (permissions, a vanished file): reported, the others go on
            unreadable[rel] = f"cannot read the file: {e.strerror or e}"
            continue
        inputs[rel], formats[rel] = sha, src.name
        for start, end, first in ranges:
            key = digest({"salt": salt, "source": src.name, "rel": rel, "sha256": sha, "range": [start, end, first]})
            shards.append(Shard(si, rel, str(path), start, end, first, key[:24]))
    return Plan(shards, inputs, formats, unreadable)


def convert_shard(sh: Shard) -> str:
    """Convert one shard into its work directory through the steps of lawfactory/build/steps.py
    (read → convert → quality → serialize → signature → write); returns the shard key."""
    cfg = _STATE
    d = cfg.work / sh.key
    with jsonl.atomic_open(d / "cases.jsonl") as cf, jsonl.atomic_open(d / "rejects.jsonl") as rf, \
            jsonl.atomic_open(d / "filtered.jsonl") as ff:
        conv = steps.conversion(sh, cfg.sources[sh.source], cfg, cases=cf, rejects=rf, filtered=ff)
        conv.run()
    if conv.signature is not None:
        conv.signature.save(d, cfg.threshold)
    jsonl.write_json(d / "done.json", {"rel": sh.rel, "range": [sh.start, sh.end, sh.first_line], **conv.done()})
    return sh.key


def state() -> Any:
    """The state `execute` gave this process's jobs."""
    return _STATE


def _init(state: Any, parent: int | None = None) -> None:
    global _STATE
    _STATE = state
    if parent is not None:
        _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _die_with(parent: int) -> None:
    """End this worker when the build process dies (killed with SIGKILL, it cannot stop its workers,
    which would wait forever for the next shard: orphans). Linux: PR_SET_PDEATHSIG."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: workers still stop when their queue breaks
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class Engine(Protocol):
    """Where `execute` runs its jobs (`engine` makes the one the options ask for)."""

    workers: int  # jobs at a time (the task stage cuts SHARDS_PER_WORKER shards per worker)

    def in_process(self, n: int) -> bool: ...  # whether n jobs run in this process (their progress can be shown)

    def map(self, job: Callable[[Any], Any], items: list, state: Any, what: str, kill_after: int) -> list: ...

    def close(self) -> None: ...


class WorkerDied(BuildError):
    """A worker process (conversion, task stage) died (killed by a signal, e.g. the out-of-memory killer)."""


def run(shards: list[Shard], cfg: Config, engine: Engine) -> tuple[list[dict], int]:
    """Convert every unfinished shard; returns every shard's done record (input order) and the
    number of shards found finished (resumed)."""
    cfg.work.mkdir(parents=True, exist_ok=True)
    pending = [s for s in shards if not (cfg.work / s.key / "done.json").is_file()]
    kill_after = int(os.environ.get(KILL_ENV, "0") or 0)
    execute(convert_shard, pending, cfg, engine, "convert", kill_after)
    done = [jsonl.loads((cfg.work / s.key / "done.json").read_bytes()) for s in shards]
    return done, len(shards) - len(pending)


def execute(job: Callable[[Any], Any], items: list, state: Any, engine: Engine, what: str = "",
            kill_after: int = 0) -> list:
    """job(item) for every item on the engine (`Local` or lawfactory/build/ray_engine.py's), each
    process with `state` (the job reads it with `state()`: the conversion's Config, the task stage's
    shared parts); returns the results in item order. kill_after: the test hook of KILL_ENV (local)."""
    global _STATE
    _STATE = state
    return engine.map(job, items, state, what, kill_after)


def fail(what: str, item: Any, e: BaseException, cause: BaseException | None = None) -> NoReturn:
    """End the build for a job that raised e: a LawfactoryError (a bad option) as it is, anything
    else as a BuildError naming the shard (caused by `cause`, default e)."""
    if isinstance(e, LawfactoryError):
        raise e
    raise BuildError(f"the {what} shard {where(item)} failed: {type(e).__name__}: {e}") from (cause or e)


def where(item: Any) -> str:
    """A job's item (a Shard, a task stage Range) in a message."""
    return item.where() if hasattr(item, "where") else repr(item)


@contextlib.contextmanager
def engine(run: RunConfig) -> Iterator[Engine]:
    """The engine of `run` (--engine, --workers, --start-method, --ray-address), closed at the end."""
    if run.engine == "ray":
        from lawfactory.build import ray_engine

        eng = ray_engine.RayEngine(run.ray_address, run.workers)
    elif run.ray_address:
        raise UsageError("--ray-address names a Ray cluster: it needs --engine ray")
    else:
        eng = Local(run.workers or os.cpu_count() or 1, run.start_method)
    try:
        yield eng
    finally:
        eng.close()


class Local:
    """Worker processes of this machine (this process when there is one worker). start_method:
    fork (default where available) or spawn."""

    def __init__(self, workers: int, start_method: str = ""):
        self.workers, self.start_method = max(1, workers), start_method

    def in_process(self, n: int) -> bool:
        return min(self.workers, n) <= 1

    def close(self) -> None:
        pass

    def map(self, job: Callable[[Any], Any], items: list, state: Any, what: str, kill_after: int) -> list:
        workers = max(1, min(self.workers, len(items)))
        desc = f"{what} ({workers} workers)"
        if workers > 1:
            return _run_pool(job, items, state, workers, self.start_method or "fork", kill_after, desc, what)
        results = []
        for n, item in enumerate(tqdm(items, desc=desc, unit=" shard", leave=False, mininterval=1.0), 1):
            try:
                results.append(job(item))
            except Exception as e:
                fail(what, item, e)
            if kill_after and n >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
        return results


def _run_pool(job: Callable[[Any], Any], items: list, state: Any, workers: int, method: str, kill_after: int,
              desc: str, what: str) -> list:
    """ProcessPoolExecutor, not Pool.imap: when a worker dies, the executor fails every pending
    future (BrokenProcessPool) and stops the other workers, where Pool replaces the worker and
    waits forever for the lost task."""
    ex = ProcessPoolExecutor(workers, mp_context=mp.get_context(method), initializer=_init,
                             initargs=(state, os.getpid()))
    try:
        futures = {ex.submit(job, s): s for s in items}
        finished = 0
        with tqdm(total=len(futures), desc=desc, unit=" shard", leave=False, mininterval=1.0) as bar:
            todo = set(futures)
            while todo:
                ready, todo = wait(todo, return_when=FIRST_COMPLETED)
                for f in ready:
                    if f.exception() is not None and not isinstance(f.exception(), BrokenProcessPool):
                        fail(what, futures[f], f.exception())
                    f.result()  # BrokenProcessPool: a worker died
                    finished += 1
                    bar.update(1)
                if kill_after and finished >= kill_after:
                    for p in list(getattr(ex, "_processes", {}).values()):
                        p.kill()
                    os.kill(os.getpid(), signal.SIGKILL)
        return [f.result() for f in futures]
    except BaseException as e:
        if not isinstance(e, BrokenProcessPool):  # Ctrl-C, a worker's exception: stop the others now
            for proc in list((getattr(ex, "_processes", None) or {}).values()):
                proc.kill()
            raise
        raise WorkerDied(f"a {what} worker process died (killed by a signal: the out-of-memory killer?); "
                         "the conversion shards finished are kept: rerun to resume, with fewer --workers or a "
                         "smaller --max-record-chars if memory is short") from None
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def concat(shards: list[Shard], work: Path, name: str, dest: Path, rewrite: dict | None = None,
           gids: np.ndarray | None = None) -> None:
    """Concatenate one output of every shard into dest (atomically). rewrite: group id (bytes) →
    new group id for cases of merged near-duplicate groups (gids: every case's group id, in order)."""
    offset = 0
    with jsonl.atomic_open(dest, "wb") as out:
        for s in shards:
            path = work / s.key / name
            changed = None
            if rewrite and gids is not None:
                n = int(jsonl.loads((work / s.key / "done.json").read_bytes())["counts"]["cases"])
                local = gids[offset:offset + n]
                offset += n
                changed = {int(i) for i in np.flatnonzero(np.isin(local, list(rewrite)))}
            with open(path, "rb") as f:
                if not changed:
                    shutil.copyfileobj(f, out, 1 << 20)
                    continue
                for i, raw in enumerate(f):
                    if i in changed:
                        obj = jsonl.loads(raw)
                        obj["group_id"] = rewrite[gids[offset - n + i]]
                        raw = (jsonl.dumps(obj) + "\n").encode("utf-8")
                    out.write(raw)


@dataclass
class ShardCases:
    """The converted cases of a plan's shards, in cases.jsonl order: what the hygiene stage reads
    (lawfactory/hygiene/stage.py `Converted`)."""

    shards: list[Shard]
    work: Path
    counts: list[int]  # cases per shard

    def arrays(self) -> dict:
        """The near-duplicate arrays of all shards, concatenated; signatures and bands stay on disk
        (read a row, a band at a time)."""
        empty = {"exact": np.empty(0, np.uint64), "active": np.empty(0, bool), "gid": np.empty(0, "S1")}
        out = {k: np.concatenate([np.load(self.work / s.key / f"{k}.npy") for s in self.shards])
               if self.shards else empty[k]
               for k in empty}
        out["bands"] = dedup.Bands([self.work / s.key / "bands.npy" for s in self.shards])
        out["sig"] = dedup.Signatures([self.work / s.key / "sig.npy" for s in self.shards])
        return out

    def facts(self):
        for s in self.shards:
            with open(self.work / s.key / "cases.jsonl", "rb") as f:
                for raw in f:
                    facts = jsonl.loads(raw).get("facts")
                    yield facts if isinstance(facts, str) and facts.strip() else None

    def case_at(self, index: int) -> dict:
        """The index-th case of the corpus (for messages)."""
        for s, n in zip(self.shards, self.counts):
            if index < n:
                with open(self.work / s.key / "cases.jsonl", "rb") as f:
                    for i, raw in enumerate(f):
                        if i == index:
                            return jsonl.loads(raw)
            index -= n
        raise IndexError(index)


def clean(work: Path, keep: list[Shard]) -> None:
    """Remove shard directories no current shard uses, and partial files of killed runs."""
    keys = {s.key for s in keep}
    if work.is_dir():
        for d in work.iterdir():
            if d.is_dir() and d.name not in keys:
                shutil.rmtree(d, ignore_errors=True)


def remove_partials(*dirs: Path) -> None:
    for d in dirs:
        if d.is_dir():
            for p in d.rglob(".*.partial"):
                p.unlink(missing_ok=True)

