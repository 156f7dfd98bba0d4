"""The conversion stage as resumable shards across worker processes.

A JSON-lines input is cut into byte ranges of about `shard_bytes` at line starts (one pass that
also hashes the file); any other reader gets one shard per file. Each shard is converted in a
worker process into DATA/.work/shards/<fingerprint>/: cases, rejects and filtered lines, the
MinHash arrays the near-duplicate stage needs, and last, atomically, `done.json` with its counts.
A shard whose fingerprint directory holds `done.json` is finished and is never redone, so a killed
run resumes where it stopped; shards are concatenated in input order, so the result does not
depend on the number of workers.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import re
import shutil
import signal
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from tqdm import tqdm

from converters import privacy
from lawfactory import dedup, io, quality
from lawfactory.fingerprint import digest
from lawfactory.records import RecordError, Skip

WORK = ".work"
SHARD_BYTES = 4 << 20
BLOCK = 8 << 20
# Test hook: SIGKILL the whole build (workers too) after this many newly finished shards.
KILL_ENV = "LAWFACTORY_KILL_AFTER_SHARDS"


@dataclass(frozen=True)
class Shard:
    source: int  # index into build.SOURCES
    rel: str  # input path relative to RAW (names records in case ids and rejects)
    path: str
    start: int
    end: int | None  # None: the whole file through the source's own reader
    first_line: int
    key: str  # fingerprint: the work directory name


@dataclass
class Plan:
    shards: list[Shard]
    inputs: dict  # rel → sha256
    formats: dict  # rel → source name


@dataclass
class Config:
    """What a worker needs (inherited through fork)."""

    sources: list
    work: Path
    quality: quality.Quality
    threshold: float | None  # None: no MinHash arrays (near-duplicate control off, no excludes)


_CFG: Config | None = None


def scan(path: Path, shard_bytes: int) -> tuple[str, list[tuple[int, int, int]]]:
    """sha256 of the file and its shards as (start, end, first line) cut after a newline."""
    h = hashlib.sha256()
    cuts, lines, pos, target = [(0, 1)], 0, 0, shard_bytes
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
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
    return h.hexdigest(), ranges or [(0, 0, 1)]


def plan(files: list[tuple[int, Any, Path]], raw: Path, shard_bytes: int, salt: dict) -> Plan:
    """files: (source index, Source, path). salt: code version and the options a shard depends on."""
    shards, inputs, formats = [], {}, {}
    for si, src, path in tqdm(files, desc="hash inputs", unit=" file", leave=False, disable=len(files) < 20):
        rel = path.relative_to(raw).as_posix()
        ranged = src.read is io.iter_jsonl
        if ranged:
            sha, ranges = scan(path, shard_bytes)
        else:
            sha, ranges = io.file_sha256(path), [(0, None, 1)]
        inputs[rel], formats[rel] = sha, src.name
        for start, end, first in ranges:
            key = digest({"salt": salt, "source": src.name, "rel": rel, "sha256": sha, "range": [start, end, first]})
            shards.append(Shard(si, rel, str(path), start, end, first, key[:24]))
    return Plan(shards, inputs, formats)


def reason_kind(reason: str) -> str:
    """A skip or reject reason without its record's details (names, values, parser messages):
    `no defendant with charge and penalty in the verdict (张某: …)` → the text before ` (`."""
    return re.split(r" \(|: |'", reason, maxsplit=1)[0].strip() or reason


def _records(sh: Shard, src) -> Iterator:
    if sh.end is None:
        return src.read(Path(sh.path))
    return io.iter_jsonl(sh.path, sh.start, sh.end, sh.first_line)


def convert_shard(sh: Shard) -> str:
    """Convert one shard into its work directory; returns the shard key."""
    cfg = _CFG
    src = cfg.sources[sh.source]
    d = cfg.work / sh.key
    counts = Counter(read=0, converted=0, rejected=0, skipped=0, cases=0, filtered=0)
    stats, reasons = Counter(), Counter()
    outcomes = {"skipped": Counter(), "rejected": Counter()}  # by reason kind: the conformance report
    texts, gids = [], []
    with io.atomic_open(d / "cases.jsonl") as cf, io.atomic_open(d / "rejects.jsonl") as rf, \
            io.atomic_open(d / "filtered.jsonl") as ff:
        for line, obj, reason in _records(sh, src):
            counts["read"] += 1
            if reason is None:
                try:
                    cases = privacy.converted(src.convert, obj, sh.rel, line, stats)  # scrubbed before any write
                except RecordError as e:
                    reason = str(e)
                except Skip as e:
                    counts["skipped"] += 1
                    stats[f"skipped: {e}"] += 1
                    outcomes["skipped"][reason_kind(str(e))] += 1
                    continue
            if reason is not None:
                counts["rejected"] += 1
                outcomes["rejected"][reason_kind(reason)] += 1
                rf.write(io.dumps({"file": sh.rel, "line": line, "reason": reason}) + "\n")
                continue
            counts["converted"] += 1
            for c in cases:
                why = quality.check(c, cfg.quality)
                if why:
                    counts["filtered"] += 1
                    reasons[quality.reason_kind(why)] += 1
                    ff.write(io.dumps({"file": sh.rel, "line": line, "case_id": c.get("case_id", ""), "reason": why}) + "\n")
                    continue
                cf.write(io.dumps(c) + "\n")
                counts["cases"] += 1
                if cfg.threshold is not None:
                    facts = c.get("facts")
                    texts.append(facts if isinstance(facts, str) and facts.strip() else None)
                    gids.append(str(c.get("group_id") or c.get("case_id") or f"{sh.rel}:{line}"))
    assert counts["read"] == counts["converted"] + counts["rejected"] + counts["skipped"]
    if cfg.threshold is not None:
        active = np.array([t is not None for t in texts], dtype=bool)
        sigs = np.vstack([dedup.signature(t) if t else np.zeros(dedup.NUM_PERM, np.uint32) for t in texts]) \
            if texts else np.empty((0, dedup.NUM_PERM), np.uint32)
        arrays = {
            "sig": sigs,
            "bands": dedup.band_keys(sigs, cfg.threshold),
            "exact": np.array([dedup.exact_key(t) if t else 0 for t in texts], dtype=np.uint64),
            "active": active,
            "gid": np.array([g.encode("utf-8") for g in gids], dtype=bytes) if gids else np.empty(0, "S1"),
        }
        for name, arr in arrays.items():
            with io.atomic_open(d / f"{name}.npy", "wb") as f:
                np.save(f, arr, allow_pickle=False)
    done = {"rel": sh.rel, "range": [sh.start, sh.end, sh.first_line], "counts": dict(counts),
            "stats": dict(stats), "filtered": dict(reasons), "outcomes": {k: dict(v) for k, v in outcomes.items()}}
    io.write_json(d / "done.json", done)
    return sh.key


def _init(cfg: Config) -> None:
    global _CFG
    _CFG = cfg
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def run(shards: list[Shard], cfg: Config, workers: int) -> tuple[list[dict], int]:
    """Convert every unfinished shard; returns every shard's done record (input order) and the
    number of shards found finished (resumed)."""
    global _CFG
    _CFG = cfg
    cfg.work.mkdir(parents=True, exist_ok=True)
    pending = [s for s in shards if not (cfg.work / s.key / "done.json").is_file()]
    kill_after = int(os.environ.get(KILL_ENV, "0") or 0)
    workers = max(1, min(workers, len(pending)))
    pool = mp.get_context("fork").Pool(workers, initializer=_init, initargs=(cfg,)) if workers > 1 else None
    try:
        results = pool.imap(convert_shard, pending) if pool else map(convert_shard, pending)
        bar = tqdm(results, total=len(pending), desc=f"convert ({workers} workers)", unit=" shard",
                   leave=False, mininterval=1.0)
        for n, _ in enumerate(bar, 1):
            if kill_after and n >= kill_after:
                for child in mp.active_children():
                    child.kill()
                os.kill(os.getpid(), signal.SIGKILL)
    finally:
        if pool:
            pool.terminate()
            pool.join()
    done = [io.loads((cfg.work / s.key / "done.json").read_bytes()) for s in shards]
    return done, len(shards) - len(pending)


def load_arrays(shards: list[Shard], work: Path) -> dict:
    """The near-duplicate arrays of all shards, concatenated; signatures stay on disk."""
    n = sum(dedup.npy_header(work / s.key / "bands.npy")[0][0] for s in shards)
    b = dedup.npy_header(work / shards[0].key / "bands.npy")[0][1] if shards else 0
    bands = np.empty((n, b), np.uint64)  # the one large array: filled in place, never copied
    at = 0
    for s in shards:
        part = np.load(work / s.key / "bands.npy")
        bands[at:at + len(part)] = part
        at += len(part)
    empty = {"exact": np.empty(0, np.uint64), "active": np.empty(0, bool), "gid": np.empty(0, "S1")}
    out = {k: np.concatenate([np.load(work / s.key / f"{k}.npy") for s in shards]) if shards else empty[k]
           for k in empty}
    out["bands"] = bands
    out["sig"] = dedup.Signatures([work / s.key / "sig.npy" for s in shards])
    return out


def concat(shards: list[Shard], work: Path, name: str, dest: Path, rewrite: dict | None = None,
           gids: np.ndarray | None = None) -> None:
    """Concatenate one output of every shard into dest (atomically). rewrite: group id (bytes) →
    new group id for cases of merged near-duplicate groups (gids: every case's group id, in order)."""
    offset = 0
    with io.atomic_open(dest, "wb") as out:
        for s in shards:
            path = work / s.key / name
            changed = None
            if rewrite and gids is not None:
                n = int(io.loads((work / s.key / "done.json").read_bytes())["counts"]["cases"])
                local = gids[offset:offset + n]
                offset += n
                changed = {int(i) for i in np.flatnonzero(np.isin(local, list(rewrite)))}
            with open(path, "rb") as f:
                if not changed:
                    shutil.copyfileobj(f, out, 1 << 20)
                    continue
                for i, raw in enumerate(f):
                    if i in changed:
                        obj = io.loads(raw)
                        obj["group_id"] = rewrite[gids[offset - n + i]]
                        raw = (io.dumps(obj) + "\n").encode("utf-8")
                    out.write(raw)


def case_at(shards: list[Shard], work: Path, counts: list[int], index: int) -> dict:
    """The index-th case of the corpus (for messages)."""
    for s, n in zip(shards, counts):
        if index < n:
            with open(work / s.key / "cases.jsonl", "rb") as f:
                for i, raw in enumerate(f):
                    if i == index:
                        return io.loads(raw)
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

