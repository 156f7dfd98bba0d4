"""One conversion shard as named steps, each small and counting its own stats:

    read → convert → quality → serialize → signature → write

`read` yields the shard's records; every other step takes the items of one record and yields
them on (a generator, as a datatrove pipeline step), so each case passes through the steps in
turn. A record's outputs are made in full before any is written (`Pending`): a failure in any
step rejects the whole record into rejects.jsonl with its reason, a converter's `Skip` counts it
as skipped, and only a record that passed every step is committed, each step writing and counting
its part. The quality step is a filter with the reason-or-None contract (`quality.check`); the
cases it drops go to filtered.jsonl, its exclusion writer, counted by reason.
lawfactory/build/shards.py is the executor: it plans the shards, runs them in worker processes,
resumes finished ones and collects the counts each shard leaves in its `done.json`.
"""

from __future__ import annotations

import re
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import numpy as np

from converters import privacy
from lawfactory import jsonl
from lawfactory.config import JudgmentConfig
from lawfactory.errors import LawfactoryError
from lawfactory.hygiene import dedup, quality
from lawfactory.records import RecordError, Skip


def reason_kind(reason: str) -> str:
    """A skip or reject reason without its record's details (names, values, parser messages):
    `no defendant with charge and penalty in the verdict (张某: …)` → the text before ` (`."""
    return re.split(r" \(|: |'", reason, maxsplit=1)[0].strip() or reason


def failure(e: BaseException) -> str:
    """An unexpected exception as a reject reason: its type, message and where it was raised."""
    where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(e).__name__}: {e}{at}"


def strings(obj) -> Iterator[str]:
    """Every string in a parsed record (keys included)."""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)


def text_chars(obj, limit: int) -> int:
    """Characters of text in a parsed record, counted up to just past `limit`."""
    n = 0
    for s in strings(obj):
        n += len(s)
        if n > limit:
            break
    return n


@dataclass
class Pending:
    """One record's outputs, made in full before any is written."""

    line: int
    stats: Counter = field(default_factory=Counter)  # the converter's counters
    dropped: list = field(default_factory=list)  # (reason kind, filtered.jsonl line) per dropped case
    rows: list = field(default_factory=list)  # cases.jsonl line per kept case
    keys: list = field(default_factory=list)  # (group id, facts or None, exact key or 0) per kept case


class Read:
    """The shard's records as (line, record, None); a reader failing part-way yields one last
    (line, None, reason) for the rest of the file."""

    def __init__(self, shard, source):
        self.shard, self.source = shard, source
        self.stats = Counter(read=0)

    def __iter__(self) -> Iterator[tuple[int, Any, str | None]]:
        for item in self._records():
            self.stats["read"] += 1
            yield item

    def _records(self) -> Iterator[tuple[int, Any, str | None]]:
        sh = self.shard
        if sh.end is None:
            records = self.source.read(Path(sh.path))
        else:
            records = jsonl.iter_jsonl(sh.path, sh.start, sh.end, sh.first_line)
        line = sh.first_line - 1
        try:
            for item in records:
                line = item[0]
                yield item
        except LawfactoryError:  # a bad option, not a bad file: it ends the build
            raise
        except Exception as e:  # noqa: BLE001 - whatever the reader raises, the file is reported, not the build
            yield line + 1, None, f"cannot read the file from here on: {failure(e)}"


class Convert:
    """A record → its cases, scrubbed of personal data before anything is written
    (converters/privacy.py), each probed with what the later stages will make of it. A record with
    more than `max_chars` characters of text is rejected before it is converted. `settings`: the
    judgment converters' options (lawfactory/config.py `JudgmentConfig`), given to every call."""

    def __init__(self, source, rel: str, max_chars: int, probe=None, settings: JudgmentConfig = JudgmentConfig()):
        self.source, self.rel, self.max_chars, self.probe, self.settings = source, rel, max_chars, probe, settings
        self.stats = Counter()  # the converters' counters, and `skipped: reason` per skipped record

    def __call__(self, records: Iterable, pending: Pending) -> Iterator[dict]:
        try:
            for obj in records:
                if text_chars(obj, self.max_chars) > self.max_chars:
                    raise RecordError(f"record too large: more than {self.max_chars:,} characters of text "
                                      "(--max-record-chars)")
                for c in privacy.converted(self.source.convert, obj, self.rel, pending.line,
                                           pending.stats, self.settings):
                    if self.probe is not None:
                        self.probe(c)
                    yield c
        except Skip as e:
            self.stats[f"skipped: {e}"] += 1
            raise

    def commit(self, pending: Pending) -> None:
        self.stats.update(pending.stats)


class QualityFilter:
    """The quality filters (`quality.check`: the reason a case is dropped, or None): kept cases go
    on; dropped ones go to the exclusion writer (filtered.jsonl), counted by reason."""

    def __init__(self, filters: quality.Quality, rel: str, exclusion_writer: IO):
        self.filters, self.rel, self.exclusion_writer = filters, rel, exclusion_writer
        self.stats = Counter(forwarded=0, dropped=0)
        self.reasons = Counter()  # dropped cases by reason kind

    def __call__(self, cases: Iterable[dict], pending: Pending) -> Iterator[dict]:
        for c in cases:
            why = quality.check(c, self.filters)
            if why is None:
                yield c
                continue
            row = {"file": self.rel, "line": pending.line, "case_id": c.get("case_id", ""), "reason": why}
            pending.dropped.append((quality.reason_kind(why), jsonl.dumps(row)))

    def commit(self, pending: Pending) -> None:
        self.stats["forwarded"] += len(pending.rows)
        for kind, row in pending.dropped:
            self.stats["dropped"] += 1
            self.reasons[kind] += 1
            self.exclusion_writer.write(row + "\n")


class Serialize:
    """Each kept case as its cases.jsonl line."""

    def __call__(self, cases: Iterable[dict], pending: Pending) -> Iterator[dict]:
        for c in cases:
            row = jsonl.dumps(c)
            # a NUL character has no place in a training text (JSON writes it \u0000: look closer only then)
            if "\\u0000" in row and any("\x00" in t for t in strings(c)):
                raise RecordError("the record's text holds a NUL character (U+0000)")
            pending.rows.append(row)
            yield c


class Signature:
    """The near-duplicate stage's arrays: per kept case its group id and the MinHash signature and
    exact key of its facts (a case without facts takes part in no comparison: `active` false).
    The exact key is made with the record (a text it cannot encode rejects the record); the
    signatures of committed cases are made BATCH at a time (dedup.signatures: 4× faster)."""

    BATCH = 256

    def __init__(self, rel: str):
        self.rel = rel
        self.gids, self.sigs, self.exact, self.active = [], [], [], []
        self.texts: list[str | None] = []  # committed cases whose signatures are not made yet

    def __call__(self, cases: Iterable[dict], pending: Pending) -> Iterator[dict]:
        for c in cases:
            facts = c.get("facts")
            text = facts if isinstance(facts, str) and facts.strip() else None
            gid = str(c.get("group_id") or c.get("case_id") or f"{self.rel}:{pending.line}").encode("utf-8")
            pending.keys.append((gid, text, dedup.exact_key(text) if text else 0))
            yield c

    def commit(self, pending: Pending) -> None:
        for gid, text, exact in pending.keys:
            self.active.append(text is not None)
            self.gids.append(gid)
            self.exact.append(exact)
            self.texts.append(text)
        if len(self.texts) >= self.BATCH:
            self._sign()

    def _sign(self) -> None:
        rows = np.zeros((len(self.texts), dedup.NUM_PERM), np.uint32)
        at = [i for i, t in enumerate(self.texts) if t is not None]
        if at:
            rows[at] = dedup.signatures([self.texts[i] for i in at])
        self.sigs.append(rows)
        self.texts = []

    def save(self, d: Path, threshold: float) -> None:
        self._sign()
        sig = np.vstack(self.sigs)
        arrays = {
            "sig": sig,
            "bands": np.ascontiguousarray(dedup.band_keys(sig, threshold).T),  # (b, n): a band is one row on disk
            "exact": np.array(self.exact, dtype=np.uint64),
            "active": np.array(self.active, dtype=bool),
            "gid": np.array(self.gids, dtype=bytes) if self.gids else np.empty(0, "S1"),
        }
        for name, arr in arrays.items():
            with jsonl.atomic_open(d / f"{name}.npy", "wb") as f:
                np.save(f, arr, allow_pickle=False)


class Write:
    """A committed record's cases into cases.jsonl."""

    def __init__(self, writer: IO):
        self.writer = writer
        self.stats = Counter(cases=0)

    def commit(self, pending: Pending) -> None:
        for row in pending.rows:
            self.writer.write(row + "\n")
            self.stats["cases"] += 1


class Rejects:
    """rejects.jsonl: the records a step failed on (or a reader could not read), with file, line
    and reason, counted by reason kind."""

    def __init__(self, rel: str, writer: IO):
        self.rel, self.writer = rel, writer
        self.by_reason = Counter()

    def write(self, line: int, reason: str) -> None:
        self.by_reason[reason_kind(reason)] += 1
        self.writer.write(jsonl.dumps({"file": self.rel, "line": line, "reason": jsonl.safe_text(reason)}) + "\n")


@dataclass
class Conversion:
    """The steps of one shard and the outcome of each of its records."""

    read: Read
    convert: Convert
    quality: QualityFilter
    serialize: Serialize
    signature: Signature | None  # None: near-duplicate control off (no arrays)
    write: Write
    rejects: Rejects
    outcomes: Counter = field(default_factory=lambda: Counter(converted=0, rejected=0, skipped=0))
    skipped: Counter = field(default_factory=Counter)  # skipped records by reason kind

    def chain(self) -> list:
        return [s for s in (self.convert, self.quality, self.serialize, self.signature) if s is not None]

    def commits(self) -> list:
        return [s for s in (self.convert, self.quality, self.signature, self.write) if s is not None]

    def run(self) -> None:
        chain, commits = self.chain(), self.commits()
        for line, obj, reason in self.read:
            pending = Pending(line)
            if reason is None:
                try:
                    reason = self._process(obj, pending, chain)
                except Skip as e:  # a user filter leaves the record out: not an error
                    self.outcomes["skipped"] += 1
                    self.skipped[reason_kind(str(e))] += 1
                    continue
            if reason is not None:
                self.outcomes["rejected"] += 1
                self.rejects.write(line, reason)
                continue
            self.outcomes["converted"] += 1
            for step in commits:
                step.commit(pending)
        assert self.read.stats["read"] == sum(self.outcomes.values())

    @staticmethod
    def _process(obj, pending: Pending, chain: list) -> str | None:
        """Run one record through the steps: None when it passed, else why it is rejected."""
        items: Iterable = [obj]
        try:
            for step in chain:
                items = step(items, pending)
            deque(items, maxlen=0)
        except RecordError as e:
            return str(e)
        except Skip:
            raise
        except LawfactoryError:  # a bad option, not a bad record: it ends the build
            raise
        except Exception as e:  # noqa: BLE001 - a bug or an absurd value costs this record only
            return privacy.scrub(f"cannot convert this record: {failure(e)}")[0]  # it may quote the record
        return None

    def stats(self) -> dict:
        """The shard's counts: records read, converted, rejected and skipped; cases written and filtered."""
        return {"read": self.read.stats["read"], **self.outcomes, "cases": self.write.stats["cases"],
                "filtered": self.quality.stats["dropped"]}

    def done(self) -> dict:
        """What done.json records of the shard (lawfactory/build/shards.py)."""
        return {"counts": self.stats(), "stats": dict(self.convert.stats), "filtered": dict(self.quality.reasons),
                "outcomes": {"skipped": dict(self.skipped), "rejected": dict(self.rejects.by_reason)}}


def conversion(shard, source, cfg, cases: IO, rejects: IO, filtered: IO) -> Conversion:
    """The steps of one shard (cfg: lawfactory/build/shards.py `Config`), writing into the three files."""
    rel = shard.rel
    return Conversion(Read(shard, source), Convert(source, rel, cfg.max_chars, cfg.probe, cfg.judgments),
                      QualityFilter(cfg.quality, rel, filtered), Serialize(),
                      Signature(rel) if cfg.threshold is not None else None, Write(cases), Rejects(rel, rejects))
