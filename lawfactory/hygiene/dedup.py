"""Near-duplicate control: MinHash signatures, LSH banding, grouping and the cross-split check.

Signatures are 128 MinHash values over the character 5-grams of a fact with whitespace removed
(Chinese has no word boundaries; 5-grams are what the CAIL near-duplicate studies use). Each
permutation is x → a·x + b (mod 2³², a odd), vectorised in numpy: about 10× faster than
hashing shingles one by one through `datasketch.MinHash.update`, and unbiased (tests compare
estimates with true Jaccard). The LSH band layout (b bands of r rows) comes from datasketch's
optimiser (`datasketch.lsh._optimal_param`, recomputed here without its scipy import and tested
equal) with the false-negative area weighted 0.9 and false-positive 0.1: every candidate is
verified on the signatures anyway, so a missed leak costs more than a wasted comparison. At 0.8
that is 14 bands × 9 rows: a pair at Jaccard 0.85 is found with probability 0.975 (datasketch's
default equal weights, 9 × 13, find it with 0.69). The band table is kept as sorted numpy columns
of 64-bit band hashes: 8·b bytes per case, where `MinHashLSH` keeps a bytes key, a set and a dict
slot per band (by our estimate ~5 KB per case, GBs at a million).

Every LSH hit is verified on the signatures (estimated Jaccard ≥ threshold) before it counts.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

NUM_PERM = 128
SHINGLE = 5

_rng = np.random.RandomState(1)
_A = (_rng.randint(0, 2**31, size=NUM_PERM).astype(np.uint32) << np.uint32(1)) | np.uint32(1)
_B = _rng.randint(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
# shingle hash: position-weighted code points, then a murmur-style finaliser
_K = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint32)
_BAND_MUL = np.uint64(0x9E3779B97F4A7C15)
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACE.sub("", text)


def _codepoints(text: str) -> np.ndarray:
    cp = np.frombuffer(normalize(text).encode("utf-32-le"), dtype=np.uint32)
    if len(cp) < SHINGLE:  # a short text is one shingle
        cp = np.concatenate([cp, np.zeros(SHINGLE - len(cp), np.uint32)])
    return cp


def _shingle_hashes(cp: np.ndarray) -> np.ndarray:
    """One hash per window of SHINGLE code points (len(cp) − SHINGLE + 1 of them)."""
    n = len(cp) - SHINGLE + 1
    h = cp[:n] * _K[0]
    for k in range(1, SHINGLE):
        h = (h ^ (cp[k:k + n] * _K[k])) * np.uint32(0x01000193)
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x2C1B3C6D)
    h ^= h >> np.uint32(12)
    return h


CHUNK = 1 << 16  # shingles of one long text hashed at a time: 128 × 64 Ki × 4 bytes = 32 MiB, whatever its length
# Shingles of several texts permuted together: 128 × 8 Ki × 4 bytes = 4 MiB stays in cache, and numpy's
# per-call cost is paid once per batch, not per text (4× faster than one text at a time on CAIL facts).
BATCH = 1 << 13


def signature(text: str) -> np.ndarray:
    """128 MinHash values (uint32) of the text's character 5-grams (the minimum over chunks of
    shingles: memory stays bounded for a text of any length)."""
    return _one(_codepoints(text))


def _one(cp: np.ndarray) -> np.ndarray:
    h = _shingle_hashes(cp)
    sig = np.full(NUM_PERM, np.iinfo(np.uint32).max, np.uint32)
    for at in range(0, len(h), CHUNK):
        v = np.multiply.outer(_A, h[at:at + CHUNK])
        v += _B[:, None]
        np.minimum(sig, v.min(axis=1), out=sig)
    return sig


def _batch(cps: list[np.ndarray]) -> np.ndarray:
    """The signatures of several texts' code points at once: their shingles hashed in one array
    (the windows that straddle two texts dropped), permuted, and minimised per text."""
    lens = np.array([len(c) for c in cps])
    ends = np.cumsum(lens) - SHINGLE + 1  # one past each text's last window
    h = _shingle_hashes(np.concatenate(cps))
    keep = np.ones(len(h), bool)
    for k in range(SHINGLE - 1):
        keep[ends[:-1] + k] = False
    v = np.multiply.outer(_A, h[keep])
    v += _B[:, None]
    return np.minimum.reduceat(v, np.concatenate([[0], np.cumsum(lens - SHINGLE + 1)[:-1]]), axis=1).T


def signatures(texts: Iterable[str]) -> np.ndarray:
    """signature() of each text, one row each (equal to it row by row), computed BATCH shingles at a time."""
    cps = [_codepoints(t) for t in texts]
    out = np.empty((len(cps), NUM_PERM), np.uint32)
    i = 0
    while i < len(cps):
        j, total = i + 1, len(cps[i])
        while j < len(cps) and total + len(cps[j]) <= BATCH:
            total += len(cps[j])
            j += 1
        out[i:j] = _one(cps[i]) if j == i + 1 else _batch(cps[i:j])
        i = j
    return out


def exact_key(text: str) -> int:
    """64-bit hash of the whitespace-free text: equal keys are exact duplicates."""
    return int.from_bytes(hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=8).digest(), "little")


FP_WEIGHT, FN_WEIGHT = 0.1, 0.9


def lsh_params(threshold: float) -> tuple[int, int]:
    """(bands, rows): the b·r ≤ 128 minimising the weighted false-positive and false-negative
    areas under the collision curve 1 − (1 − s^r)^b, as datasketch.MinHashLSH chooses them."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
    return _optimal_param(threshold, NUM_PERM, FP_WEIGHT, FN_WEIGHT)


def _area(lo: float, hi: float, b: int, r: int, fp: bool) -> float:
    s = np.linspace(lo, hi, 2001)
    p = 1 - (1 - s ** float(r)) ** float(b)
    y = p if fp else 1 - p
    return float(np.sum((y[1:] + y[:-1]) * np.diff(s)) / 2)


@functools.lru_cache(maxsize=None)
def _optimal_param(threshold: float, num_perm: int, fp_weight: float, fn_weight: float) -> tuple[int, int]:
    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            err = fp_weight * _area(0.0, threshold, b, r, True) + fn_weight * _area(threshold, 1.0, b, r, False)
            if err < best:
                best, opt = err, (b, r)
    return opt


def band_keys(sigs: np.ndarray, threshold: float) -> np.ndarray:
    """(n, b) uint64: one hash per LSH band; two cases collide in a band when its rows all agree."""
    b, r = lsh_params(threshold)
    x = sigs[:, : b * r].astype(np.uint64).reshape(len(sigs), b, r)
    acc = np.zeros((len(sigs), b), np.uint64)
    for j in range(r):
        acc = (acc ^ x[:, :, j]) * _BAND_MUL
        acc ^= acc >> np.uint64(31)
    return acc


def jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard between signature rows: (k, 128) × (m, 128) → (k, m)."""
    out = np.empty((len(a), len(b)))
    for i in range(0, len(a), 64):  # chunks keep the (64, m, 128) comparison small
        out[i:i + 64] = (a[i:i + 64, None, :] == b[None, :, :]).mean(axis=2)
    return out


def npy_header(path) -> tuple[tuple, np.dtype, int]:
    """(shape, dtype, data offset) of a .npy file, reading only its header."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(f)
        return shape, dtype, f.tell()


class Signatures:
    """Signature rows of the whole corpus: arrays in memory, or per-shard .npy files read row by row
    with pread. (A memory map would count every page it faults in, read-ahead included, as resident
    memory: at a million cases that was most of the 512 MB of signatures.)"""

    ROW = NUM_PERM * 4

    def __init__(self, parts: Sequence):
        self.parts, lengths = [], []
        for p in parts:
            if isinstance(p, np.ndarray):
                self.parts.append(p)
                lengths.append(len(p))
                continue
            shape, dtype, offset = npy_header(p)
            if dtype != np.uint32 or (shape[0] and shape[1:] != (NUM_PERM,)):
                raise ValueError(f"{p}: not a ({NUM_PERM},) uint32 signature array")
            self.parts.append((str(p), offset))
            lengths.append(shape[0])
        self.offsets = np.cumsum([0] + lengths)
        self._fds: dict = {}

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def _row(self, s: int, i: int) -> np.ndarray:
        part = self.parts[s]
        if isinstance(part, np.ndarray):
            return part[i]
        fd = self._fds.get(s)
        if fd is None:
            if len(self._fds) >= 128:  # stay far below the open-file limit
                self.close()
            fd = self._fds[s] = os.open(part[0], os.O_RDONLY)
        return np.frombuffer(os.pread(fd, self.ROW, part[1] + i * self.ROW), dtype=np.uint32)

    def get(self, idx) -> np.ndarray:
        idx = np.asarray(idx)
        shard = np.searchsorted(self.offsets, idx, side="right") - 1
        return np.vstack([self._row(int(s), int(i - self.offsets[s])) for s, i in zip(shard, idx)])

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def __del__(self) -> None:
        self.close()


class Bands:
    """The (n, b) band table of the corpus, kept on disk as the shards' (b, n_shard) band files and
    read one band at a time: `bands[:, j]` is band j of every case (8 bytes a case in memory, where
    the whole table takes 8·b). Rows set `apart` (cases without facts) get keys of their own, so
    they collide with nothing."""

    def __init__(self, paths: Sequence, apart: np.ndarray | None = None):
        self.paths = [str(p) for p in paths]
        shapes = [npy_header(p)[0] for p in self.paths]
        self.shape = (sum(s[1] for s in shapes), shapes[0][0] if shapes else 0)
        self.apart = np.empty(0, np.int64) if apart is None else apart

    def __getitem__(self, key) -> np.ndarray:
        rows, j = key
        parts = [np.array(np.load(p, mmap_mode="r")[j]) for p in self.paths]  # one row of each file is read
        col = np.concatenate(parts) if parts else np.empty(0, np.uint64)
        col[self.apart] = (self.apart.astype(np.uint64) << np.uint64(20)) + np.uint64(j) + np.uint64(1 << 63)
        return col[rows]


def candidate_runs(bands: np.ndarray | Bands) -> list[np.ndarray]:
    """Sets of cases (ascending indices) that share one band hash, each distinct set once."""
    seen, runs = set(), []
    for j in range(bands.shape[1]):
        col = bands[:, j]
        order = np.argsort(col, kind="stable")
        s = col[order]
        brk = np.flatnonzero(s[1:] != s[:-1]) + 1
        starts = np.concatenate(([0], brk))
        ends = np.concatenate((brk, [len(s)]))
        for k in np.flatnonzero(ends - starts > 1):
            members = np.sort(order[starts[k]:ends[k]])
            key = members.tobytes()
            if key not in seen:
                seen.add(key)
                runs.append(members)
    return runs


class _UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        p = self.parent.get(x, x)
        if p == x:
            return x
        root = self.find(p)
        self.parent[x] = root
        return root

    def union(self, a, b) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        lo, hi = (ra, rb) if ra < rb else (rb, ra)  # the smaller id is the root
        self.parent[hi] = lo
        return True


@dataclass
class Groups:
    """Result of near-duplicate grouping."""

    merged: dict = field(default_factory=dict)  # original group id → merged group id (changed ones only)
    pairs: int = 0  # verified near-duplicate pairs that joined two groups
    exact_pairs: int = 0  # of which exact duplicates
    clusters: int = 0  # merged groups with more than one original group
    candidates: int = 0  # LSH candidate sets examined


def group_near_duplicates(
    runs: list[np.ndarray], sigs: Signatures, gids: np.ndarray, exact: np.ndarray, threshold: float
) -> Groups:
    """Union-find over verified LSH hits; a merged group is named by its smallest member group id
    (deterministic, whatever the input order). gids: group id (bytes) per case."""
    uf = _UnionFind()
    res = Groups(candidates=len(runs))
    for members in runs:
        groups = [gids[i] for i in members]
        if len({uf.find(g) for g in groups}) == 1:
            continue
        sim = jaccard(sigs.get(members), sigs.get(members))
        for a, b in zip(*np.nonzero(np.triu(sim >= threshold, 1))):
            if uf.union(groups[a], groups[b]):
                res.pairs += 1
                res.exact_pairs += int(exact[members[a]] == exact[members[b]])
    roots = {}
    for g in list(uf.parent):
        roots.setdefault(uf.find(g), []).append(g)
    for root, members in roots.items():
        res.clusters += 1
        for g in members:
            if g != root:
                res.merged[g.decode("utf-8")] = root.decode("utf-8")
    return res


def cross_split_leaks(
    runs: list[np.ndarray], sigs: Signatures, split: np.ndarray, threshold: float, limit: int = 20
) -> tuple[int, list[tuple[int, int, float]]]:
    """Eval cases with a train neighbour at estimated Jaccard ≥ threshold.

    split: per case 1 = eval, 0 = train, -1 = not in any dataset (removed). Returns the number of
    eval cases that leak and up to `limit` (eval index, train index, Jaccard) examples."""
    leaking: set[int] = set()
    examples: list[tuple[int, int, float]] = []
    for members in runs:
        s = split[members]
        ev, tr = members[s == 1], members[s == 0]
        if not len(ev) or not len(tr):
            continue
        sim = jaccard(sigs.get(ev), sigs.get(tr))
        for a, b in zip(*np.nonzero(sim >= threshold)):
            if int(ev[a]) not in leaking:
                leaking.add(int(ev[a]))
                if len(examples) < limit:
                    examples.append((int(ev[a]), int(tr[b]), float(sim[a, b])))
    return len(leaking), sorted(examples)
