"""Benchmark decontamination: training cases whose facts occur in an eval set are removed.

`--exclude FILE...` takes eval sets as JSON lines or a JSON array, one item a record, in any of:
CAIL (`{"fact", "meta"}` or flat columns), LawBench (`{"instruction", "question", "answer"}`) or
plain (`{"fact"|"facts"|"question"|"input"|"text": …}`). A training case matches an item when
its facts are the same text (whitespace aside) or a near-duplicate (MinHash Jaccard ≥ threshold).
Exclude texts get the same recommendation mask the CAIL converter applies, so that an item
copied from a raw CAIL file still matches the masked training fact exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lawfactory import dedup, io

TEXT_KEYS = ("fact", "facts", "question", "input", "text")


@dataclass
class ExcludeSet:
    files: list[dict]  # per file: file, sha256, items, unreadable (with first reasons)
    sigs: np.ndarray  # (m, 128)
    bands: np.ndarray  # (m, b)
    exact: np.ndarray  # (m,)
    file_of: np.ndarray  # (m,) index into files


def _records(path: Path):
    """(locator, obj, reason) for every item of a JSON-lines or JSON-array file."""
    head = path.read_bytes()[:4096].lstrip(io.BOM).lstrip()
    if head.startswith(b"["):
        try:
            items = io.loads(path.read_bytes().lstrip(io.BOM))
        except Exception as e:  # orjson.JSONDecodeError
            yield 0, None, f"invalid JSON: {e}"
            return
        for i, obj in enumerate(items):
            yield i + 1, obj, None
    else:
        yield from io.iter_jsonl(path)


def item_text(obj) -> str | None:
    """The fact text of one eval item, whatever its format."""
    if not isinstance(obj, dict):
        return None
    for key in TEXT_KEYS:
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return None


def load(paths: list[str], threshold: float) -> ExcludeSet:
    from converters.cail import RECOMMENDATION, RECOMMENDATION_MASK

    files, texts, file_of = [], [], []
    for k, name in enumerate(paths):
        path = Path(name)
        if not path.is_file():
            raise SystemExit(f"--exclude file {name} does not exist")
        info = {"file": path.name, "sha256": io.file_sha256(path), "items": 0, "unreadable": 0, "examples": []}
        for loc, obj, reason in _records(path):
            text = item_text(obj) if reason is None else None
            if text is None:
                info["unreadable"] += 1
                if len(info["examples"]) < 3:
                    info["examples"].append(f"{path.name}:{loc}: {reason or 'no fact/question/input/text field'}")
                continue
            info["items"] += 1
            texts.append(RECOMMENDATION.sub(RECOMMENDATION_MASK, text.strip()))
            file_of.append(k)
        files.append(info)
    sigs = dedup.signatures(texts)
    return ExcludeSet(
        files=files,
        sigs=sigs,
        bands=dedup.band_keys(sigs, threshold),
        exact=np.array([dedup.exact_key(t) for t in texts], dtype=np.uint64),
        file_of=np.array(file_of, dtype=np.int32),
    )


def match(bands: np.ndarray, exact: np.ndarray, sigs: dedup.Signatures, ex: ExcludeSet, threshold: float) -> np.ndarray:
    """Per case: index of the exclude file whose item it matches (the first such item), or -1."""
    n = len(exact)
    hit_item = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if not len(ex.exact):
        return np.full(n, -1, np.int32)
    order = np.argsort(ex.exact, kind="stable")
    pos = np.minimum(np.searchsorted(ex.exact[order], exact), len(order) - 1)
    same = ex.exact[order][pos] == exact
    hit_item[same] = order[pos[same]]
    for j in range(bands.shape[1]):
        order = np.argsort(ex.bands[:, j], kind="stable")
        col = ex.bands[order, j]
        lo = np.searchsorted(col, bands[:, j], "left")
        hi = np.searchsorted(col, bands[:, j], "right")
        for d in np.flatnonzero(hi > lo):
            items = order[lo[d]:hi[d]]
            items = items[items < hit_item[d]]
            if len(items):
                sim = dedup.jaccard(sigs.get([d]), ex.sigs[items])[0]
                ok = items[sim >= threshold]
                if len(ok):
                    hit_item[d] = ok.min()
    out = np.full(n, -1, np.int32)
    found = hit_item != np.iinfo(np.int64).max
    out[found] = ex.file_of[hit_item[found]]
    return out
