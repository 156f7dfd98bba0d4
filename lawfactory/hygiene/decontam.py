"""Benchmark decontamination: training cases whose facts occur in an eval set are removed.

`--exclude FILE...` takes eval sets as JSON lines (optionally gzipped, `.jsonl.gz`) or a JSON
array, one item a record, in any of: CAIL (`{"fact", "meta"}` or flat columns), LawBench
(`{"instruction", "question", "answer"}`) or plain (`{"fact"|"facts"|"question"|"input"|"text": …}`).
Exclude texts get the same recommendation mask the CAIL converter applies, so that an item copied
from a raw CAIL file still matches the masked training fact.

A training case matches an item in either of two ways (docs/decontamination.md):

- near-duplicate: its facts are the item's fact text (whitespace aside) or a MinHash
  near-duplicate of it (Jaccard ≥ the `--near-dup-threshold`, the same signatures the
  `--near-dup` grouping uses);
- containment: the facts sit inside a longer item. LawBench 3-5 wraps a ~300-character fact in
  an instruction, the charge, the article number and the full article text; Jaccard over the
  whole item stays far below 0.8, so containment of the shorter text is measured instead, in the
  spirit of GPT-3's 13-gram and datatrove's n-gram decontamination: the share of the fact's
  character n-grams (counted per occurrence) found in one item (the whole item, every string
  field: instruction, question, answer …), or the share of the item's fact text's distinct
  n-grams found in one longer training fact (a benchmark holding an excerpt of a training fact).

Why character 13-grams: Chinese has no spaces, so n-grams are of characters, after removing
whitespace, punctuation and symbols and folding width and case (NFKC: `，`/`,`, `１`/`1` compare
equal). 13 characters is GPT-3's n, read in characters (a Chinese word is 1–2 characters, so 13
characters is 7–9 words): on 1,000 real CAIL2018 records, the most any fact shares with a
LawBench-3-5-style item built from another record is 0.34 at n = 13 (0.41 at n = 8: shared
formulas such as 公诉机关指控…其行为已触犯《中华人民共和国刑法》 weigh more at small n; distinct
n-grams, before the boilerplate rule below), while a fact with a renamed defendant still keeps a
median 0.77 of its n-grams (every edit costs up to n n-grams, so much larger n loses edited
copies). Hence the default threshold 0.5; with the boilerplate rule no fact reaches even 0.4.

Boilerplate: n-grams that occur in more than max(20, 1% of the items) items (an instruction
repeated in every item, an article text cited by many) are ignored on both sides: they neither
count as shared nor in a text's size, and they keep every lookup short. A text with fewer than
8 remaining n-grams (about 20 characters) is too short to judge by containment; only the exact
and MinHash paths apply to it.

Scale: the benchmark's n-grams are indexed once (sorted uint64 keys with per-key item lists, and
a bit sieve by the hashes' low bits in front); training facts stream through in batches, each
batch normalized and hashed as one array, so memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lawfactory import jsonl
from lawfactory.errors import UsageError
from lawfactory.hygiene import dedup
from lawfactory.parse.leaks import RECOMMENDATION, RECOMMENDATION_MASK

TEXT_KEYS = ("fact", "facts", "question", "input", "text")
NGRAM = 13
MIN_NGRAMS = 8
COMMON_ITEMS, COMMON_SHARE = 20, 0.01
BATCH = 2048  # cases per vectorised containment lookup
SIEVE_BITS = 26  # at most a 64 MiB membership sieve in front of the exact lookup


@dataclass
class NgramIndex:
    """Distinct n-grams of every item, as a sorted uint64 key array with per-key item lists (CSR)."""

    keys: np.ndarray  # (k,) sorted n-gram hashes
    starts: np.ndarray  # (k + 1,) item list of keys[j]: items[starts[j]:starts[j + 1]]
    items: np.ndarray  # (p,) int32 item index
    in_needle: np.ndarray  # (p,) bool: the n-gram is in the item's fact text (TEXT_KEYS), not only around it
    needle_len: np.ndarray  # (m,) distinct non-common n-grams of each item's fact text
    common: np.ndarray  # sorted n-gram hashes ignored as boilerplate
    common_items: int  # an n-gram in more items than this is boilerplate
    sieve: np.ndarray  # bool by the low bits of a hash: set for every key and common n-gram


@dataclass
class ExcludeSet:
    files: list[dict]  # per file: file, sha256, items, unreadable (with first reasons)
    sigs: np.ndarray  # (m, 128)
    bands: np.ndarray  # (m, b)
    exact: np.ndarray  # (m,)
    file_of: np.ndarray  # (m,) index into files
    index: NgramIndex


@functools.lru_cache(maxsize=1)
def _fold_table() -> tuple[np.ndarray, np.ndarray]:
    """Per code point: its NFKC, lower-cased form (where that is one character) and whether it is
    kept (letters, digits, ideographs; not punctuation, symbols, separators or controls)."""
    fold = np.arange(0x110000, dtype=np.uint32)
    for c in range(0x10000):  # compatibility forms (full-width, circled digits …) are all in the BMP
        t = unicodedata.normalize("NFKC", chr(c)).lower()
        if len(t) == 1:
            fold[c] = ord(t)
    keep = np.ones(0x110000, dtype=bool)
    for c in range(0x10000):  # indexed by folded code points: `，` is folded to `,` first, then dropped
        keep[c] = unicodedata.category(chr(c))[0] not in "PSZC"
    return fold, keep


def normalize(text: str) -> np.ndarray:
    """Code points of the text with width and case folded, whitespace, punctuation and symbols gone."""
    fold, keep = _fold_table()
    cp = fold[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    return cp[keep[cp]]


def ngram_hashes(text: str, n: int = NGRAM) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the normalized text's character n-grams."""
    return batch_ngrams([text], n)[1]


def batch_ngrams(texts: list[str], n: int = NGRAM, distinct: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(text index, n-gram hash) pairs, sorted by text: the texts are normalized and hashed as one
    array (an FNV-style fold of n code points), so a batch costs a few numpy calls, not a few per
    text. An n-gram never spans two texts. distinct: each text's n-grams once, sorted by hash;
    otherwise one pair per position."""
    fold, keep = _fold_table()
    cp = fold[np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)]
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), [len(t) for t in texts])  # len(str) counts code points
    kept = keep[cp]
    cp, owner = cp[kept].astype(np.uint64), owner[kept]
    m = len(cp) - n + 1
    if m <= 0:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    h = np.full(m, 0xCBF29CE484222325, dtype=np.uint64)
    for k in range(n):
        h = (h ^ cp[k:k + m]) * np.uint64(0x100000001B3)
    h ^= h >> np.uint64(29)
    whole = owner[:m] == owner[n - 1:]
    h, owner = h[whole], owner[:m][whole]
    if not distinct:
        return owner, h
    order = np.lexsort((h, owner))
    h, owner = h[order], owner[order]
    first = np.ones(len(h), dtype=bool)
    first[1:] = (h[1:] != h[:-1]) | (owner[1:] != owner[:-1])
    return owner[first], h[first]


def _mask(text: str) -> str:
    """The item as the converters leave a training fact: recommendation masked, personal data
    scrubbed (a raw CAIL test record then still matches its scrubbed training copy)."""
    from converters.privacy import scrub

    return scrub(RECOMMENDATION.sub(RECOMMENDATION_MASK, text.strip()))[0]


def _lines(data: bytes):
    for lineno, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            yield lineno, jsonl.loads(raw), None
        except ValueError as e:  # orjson.JSONDecodeError, not UTF-8 included
            yield lineno, None, f"invalid JSON: {e}"


def _records(path: Path):
    """(locator, obj, reason) for every item of a JSON-lines, gzipped JSON-lines or JSON-array file."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            yield 0, None, f"not a readable gzip file: {e}"
            return
    data = data.removeprefix(jsonl.BOM)
    if data.lstrip().startswith(b"["):
        try:
            items = jsonl.loads(data)
        except ValueError as e:  # orjson.JSONDecodeError
            yield 0, None, f"invalid JSON: {e}"
            return
        for i, obj in enumerate(items):
            yield i + 1, obj, None
    else:
        yield from _lines(data)


def item_text(obj) -> str | None:
    """The fact text of one eval item, whatever its format."""
    if not isinstance(obj, dict):
        return None
    for key in TEXT_KEYS:
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return None


def item_haystack(obj) -> str:
    """Every string of the item (LawBench: instruction, question and answer), in field order."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, list):
        return "\n".join(s for s in map(item_haystack, obj) if s)
    return ""


def build_index(haystacks: list[str], needles: list[str], n: int = NGRAM) -> NgramIndex:
    grams, items, flags = [], [], []
    for i, (hay, needle) in enumerate(zip(haystacks, needles)):
        h = ngram_hashes(hay, n)
        grams.append(h)
        items.append(np.full(len(h), i, np.int32))
        flags.append(np.isin(h, ngram_hashes(needle, n), assume_unique=True))
    keys = np.concatenate(grams) if grams else np.empty(0, np.uint64)
    item = np.concatenate(items) if items else np.empty(0, np.int32)
    flag = np.concatenate(flags) if flags else np.empty(0, bool)
    order = np.argsort(keys, kind="stable")
    keys, item, flag = keys[order], item[order], flag[order]
    uniq, first, df = np.unique(keys, return_index=True, return_counts=True)
    cap = max(COMMON_ITEMS, int(COMMON_SHARE * len(haystacks)))
    common = uniq[df > cap]
    keep = ~np.isin(keys, common)
    keys, item, flag = keys[keep], item[keep], flag[keep]
    uniq, first = np.unique(keys, return_index=True)
    bits = int(np.clip(np.ceil(np.log2(64 * max(len(uniq) + len(common), 1))), 20, SIEVE_BITS))
    sieve = np.zeros(1 << bits, dtype=bool)
    sieve[(np.concatenate([uniq, common]) & np.uint64((1 << bits) - 1)).astype(np.int64)] = True
    return NgramIndex(keys=uniq, starts=np.append(first, len(keys)).astype(np.int64), items=item, in_needle=flag,
                      needle_len=np.bincount(item[flag], minlength=len(haystacks)), common=common, common_items=cap,
                      sieve=sieve)


def contained(texts: Iterable[str | None], index: NgramIndex, threshold: float, n: int = NGRAM) -> np.ndarray:
    """Per text (a training fact; None: no facts): the lowest item that contains it or that it
    contains at ≥ threshold of the shorter side's n-grams, or -1. Streams the texts in batches."""
    out, batch = [], []
    for t in texts:
        batch.append(t)
        if len(batch) == BATCH:
            out.append(_contained_batch(batch, index, threshold, n))
            batch = []
    if batch:
        out.append(_contained_batch(batch, index, threshold, n))
    return np.concatenate(out) if out else np.empty(0, np.int64)


def _contained_batch(texts: list[str | None], ix: NgramIndex, threshold: float, n: int) -> np.ndarray:
    """Direction 1 counts n-gram occurrences of the fact (a formula repeated in it counts each
    time, in the share and in its size); direction 2 counts the item's distinct n-grams found."""
    hit = np.full(len(texts), -1, np.int64)
    if not len(ix.keys) and not len(ix.common):
        return hit
    case, g = batch_ngrams([t or "" for t in texts], n, distinct=False)
    size = np.bincount(case, minlength=len(texts))
    maybe = ix.sieve[(g & np.uint64(len(ix.sieve) - 1)).astype(np.int64)]  # drops ~all n-grams no item has
    case, g = case[maybe], g[maybe]
    if len(ix.common):
        at = np.minimum(np.searchsorted(ix.common, g), len(ix.common) - 1)
        boiler = ix.common[at] == g
        size -= np.bincount(case[boiler], minlength=len(texts))
        case, g = case[~boiler], g[~boiler]
    pos = np.minimum(np.searchsorted(ix.keys, g), max(len(ix.keys) - 1, 0))
    found = ix.keys[pos] == g if len(ix.keys) else np.zeros(len(g), bool)
    pos, case = pos[found], case[found]
    if not len(pos):
        return hit
    # each shared n-gram occurrence → one (case, pair index) per item holding that n-gram
    lo, cnt = ix.starts[pos], ix.starts[pos + 1] - ix.starts[pos]
    at = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt) + np.arange(cnt.sum())
    case = np.repeat(case, cnt)
    m = len(ix.needle_len)
    pairs, shared = np.unique(case * m + ix.items[at], return_counts=True)
    ok = [pairs[(size[pairs // m] >= MIN_NGRAMS) & (shared >= threshold * size[pairs // m])]]
    needle = ix.in_needle[at]
    distinct = _distinct(case[needle] * len(ix.items) + at[needle])  # an item n-gram counts once per case
    c, it = distinct // len(ix.items), ix.items[distinct % len(ix.items)]
    pairs, shared = np.unique(c * m + it, return_counts=True)
    it = pairs % m
    ok.append(pairs[(ix.needle_len[it] >= MIN_NGRAMS) & (shared >= threshold * ix.needle_len[it])])
    ok = _distinct(np.concatenate(ok))  # sorted by case, then item: a case's first pair is its lowest item
    c, it = ok // m, ok % m
    first = np.unique(c, return_index=True)[1]
    hit[c[first]] = it[first]
    return hit


def _distinct(a: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy's hash-based unique is several times slower on these arrays)."""
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if len(a) else a


def load(paths: list[str], threshold: float) -> ExcludeSet:
    files, needles, haystacks, file_of = [], [], [], []
    for k, name in enumerate(paths):
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"--exclude file {name} does not exist")
        info = {"file": path.name, "sha256": jsonl.file_sha256(path), "items": 0, "unreadable": 0, "examples": []}
        for loc, obj, reason in _records(path):
            text = item_text(obj) if reason is None else None
            if text is None:
                info["unreadable"] += 1
                if len(info["examples"]) < 3:
                    info["examples"].append(f"{path.name}:{loc}: {reason or 'no fact/question/input/text field'}")
                continue
            info["items"] += 1
            needles.append(_mask(text))
            haystacks.append(_mask(item_haystack(obj)))
            file_of.append(k)
        files.append(info)
    sigs = dedup.signatures(needles)
    return ExcludeSet(
        files=files,
        sigs=sigs,
        bands=dedup.band_keys(sigs, threshold),
        exact=np.array([dedup.exact_key(t) for t in needles], dtype=np.uint64),
        file_of=np.array(file_of, dtype=np.int32),
        index=build_index(haystacks, needles),
    )


def match(bands: np.ndarray | dedup.Bands, exact: np.ndarray, sigs: dedup.Signatures, ex: ExcludeSet,
          threshold: float) -> np.ndarray:
    """Per case: the first item whose fact text it equals or near-duplicates (MinHash), or -1."""
    n = len(exact)
    hit_item = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if not len(ex.exact):
        return np.full(n, -1, np.int64)
    order = np.argsort(ex.exact, kind="stable")
    pos = np.minimum(np.searchsorted(ex.exact[order], exact), len(order) - 1)
    same = ex.exact[order][pos] == exact
    hit_item[same] = order[pos[same]]
    for j in range(bands.shape[1]):
        order = np.argsort(ex.bands[:, j], kind="stable")
        col = ex.bands[order, j]
        mine = bands[:, j]
        lo = np.searchsorted(col, mine, "left")
        hi = np.searchsorted(col, mine, "right")
        for d in np.flatnonzero(hi > lo):
            items = order[lo[d]:hi[d]]
            items = items[items < hit_item[d]]
            if len(items):
                sim = dedup.jaccard(sigs.get([d]), ex.sigs[items])[0]
                ok = items[sim >= threshold]
                if len(ok):
                    hit_item[d] = ok.min()
    hit_item[hit_item == np.iinfo(np.int64).max] = -1
    return hit_item


def find(bands: np.ndarray | dedup.Bands, exact: np.ndarray, sigs: dedup.Signatures, facts: Iterable[str | None],
         ex: ExcludeSet, threshold: float, containment: float) -> tuple[np.ndarray, np.ndarray]:
    """Per case: the exclude file of the first item it matches (-1: none), and whether only
    containment found it. facts: every case's facts in case order (streamed once)."""
    near = match(bands, exact, sigs, ex, threshold)
    cont = contained(facts, ex.index, containment)
    item = np.where((near >= 0) & ((cont < 0) | (near <= cont)), near, cont)
    files = np.where(item >= 0, ex.file_of[np.maximum(item, 0)] if len(ex.file_of) else -1, -1)
    return files, (near < 0) & (cont >= 0)


def check_containment(value: float) -> float:
    if not 0.0 < value <= 1.0:
        raise UsageError(f"--exclude-containment must be in (0, 1], got {value}")
    return value
