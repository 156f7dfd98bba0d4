import random

import numpy as np
import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.hygiene import dedup

from planting import cli, jsonl, near_duplicate, sample_records, with_fact, write_raw


def true_jaccard(a: str, b: str) -> float:
    sa = {a[i:i + 5] for i in range(len(a) - 4)}
    sb = {b[i:i + 5] for i in range(len(b) - 4)}
    return len(sa & sb) / len(sa | sb)


def test_minhash_estimates_true_jaccard_without_bias():
    rnd = random.Random(0)
    facts = [r["fact"] for r in sample_records()]
    errors = []
    for a in facts:
        k = rnd.randint(1, len(a) // 2)
        p = rnd.randint(0, len(a) - k)
        b = a[:p] + "某" * k + a[p + k:]
        errors.append(float((dedup.signature(a) == dedup.signature(b)).mean()) - true_jaccard(a, b))
    assert abs(np.mean(errors)) < 0.02  # unbiased
    assert np.std(errors) < 0.06  # 128 permutations: sd ≤ 0.044


def test_batched_signatures_equal_one_text_at_a_time(monkeypatch):
    """signatures() hashes many texts' shingles in one array: a window straddling two texts must
    not count, short (< 5 characters) and blank texts are one padded shingle, a text longer than a
    batch goes alone."""
    rnd = random.Random(1)
    facts = [r["fact"] for r in sample_records()]
    texts = facts + ["甲", "", "  ", "一二三四", "一二三四五", " 乙 丙 ", "某" * 300, rnd.choice(facts) * 40]
    rnd.shuffle(texts)
    one = np.vstack([dedup.signature(t) for t in texts])
    assert (dedup.signatures(texts) == one).all()
    monkeypatch.setattr(dedup, "BATCH", 64)  # many batches, and texts longer than one
    assert (dedup.signatures(texts) == one).all()
    assert dedup.signatures([]).shape == (0, dedup.NUM_PERM)


def test_lsh_parameters_are_datasketchs_optimiser():
    from datasketch.lsh import _optimal_param

    for t in (0.5, 0.8, 0.9):
        assert dedup._optimal_param(t, 128, 0.5, 0.5) == _optimal_param(t, 128, 0.5, 0.5)
        assert dedup.lsh_params(t) == _optimal_param(t, 128, dedup.FP_WEIGHT, dedup.FN_WEIGHT)
    with pytest.raises(ValueError):
        dedup.lsh_params(0)


def planted(tmp_path, n_pairs: int = 12):
    """Sample records plus, at the end, an exact duplicate and a near-duplicate of each of the first
    n_pairs records (so the copies sit in other case groups: other lines)."""
    recs = sample_records()
    extra = []
    for i, r in enumerate(recs[:n_pairs]):
        extra.append(r if i % 2 else with_fact(r, near_duplicate(r["fact"])))
    return write_raw(tmp_path, recs + extra), len(recs), n_pairs


def groups_of(out):
    return {int(c["source"].rsplit(":", 1)[1]): c["group_id"] for c in jsonl(out / "cases.jsonl")}


def test_exact_and_near_duplicates_share_one_group_and_never_straddle_the_split(tmp_path):
    raw, n, pairs = planted(tmp_path)
    out = tmp_path / "d"
    m = build(BuildConfig.of(raw=raw, out=out, eval_ratio=0.5, workers=1))
    nd = m["near_duplicates"]
    assert nd["pairs_merged"] >= pairs and nd["exact_pairs_merged"] >= pairs // 2
    assert nd["cross_split_leaks"] == 0
    g = groups_of(out)
    from lawfactory.records import stable_id

    for i in range(pairs):
        orig, copy = i + 1, n + i + 1  # line numbers
        assert g[orig] == g[copy]
        # the merged group is named by the smallest original group id: deterministic
        assert g[orig] == min(stable_id("cail/planted.jsonl", str(orig)), stable_id("cail/planted.jsonl", str(copy)))
    # independent check on what was written: no eval input has a train input at Jaccard ≥ 0.8
    train = [r["input"] for r in jsonl(out / "criminal_sentencing.jsonl")]
    ev = [r["input"] for r in jsonl(out / "criminal_sentencing_eval.jsonl")]
    assert ev and train
    sim = dedup.jaccard(dedup.signatures(ev), dedup.signatures(train))
    assert sim.max() < 0.8


def test_check_mode_fails_the_build_when_eval_leaks_into_train(tmp_path):
    raw, _, _ = planted(tmp_path)
    out = tmp_path / "d"
    r = cli("--raw", str(raw), "--out", str(out), "--eval-ratio", "0.5", "--near-dup", "check", "--workers", "1")
    assert r.returncode != 0
    assert "near-duplicate leakage" in r.stderr and "Jaccard" in r.stderr and "planted.jsonl" in r.stderr
    assert not (out / "criminal_sentencing.jsonl").exists() and not (out / "manifest.json").exists()
    # the same input with grouping passes
    r = cli("--raw", str(raw), "--out", str(out), "--eval-ratio", "0.5", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert (out / "manifest.json").exists()
    # a failing re-build never reaches DATA: the previous build stays whole, as its manifest recorded it
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    r = cli("--raw", str(raw), "--out", str(out), "--eval-ratio", "0.5", "--near-dup", "check", "--workers", "1")
    assert r.returncode != 0 and {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_threshold_is_configurable(tmp_path):
    raw, n, pairs = planted(tmp_path)
    strict = build(BuildConfig.of(raw=raw, out=tmp_path / "s", near_dup_threshold=0.99, workers=1))
    loose = build(BuildConfig.of(raw=raw, out=tmp_path / "l", workers=1))
    assert strict["near_duplicates"]["threshold"] == 0.99
    # exact duplicates still merge at 0.99; the one-clause near-duplicates (Jaccard ≈ 0.9) no longer do
    assert strict["near_duplicates"]["pairs_merged"] == strict["near_duplicates"]["exact_pairs_merged"] >= pairs // 2
    assert loose["near_duplicates"]["pairs_merged"] > strict["near_duplicates"]["pairs_merged"]
    g = groups_of(tmp_path / "s")
    assert g[1] != g[n + 1] and g[2] == g[n + 2]  # line 1's copy is the near-duplicate, line 2's exact


def test_near_dup_off_leaves_groups_alone(tmp_path):
    raw, n, _ = planted(tmp_path)
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", near_dup="off", workers=1))
    assert "pairs_merged" not in m["near_duplicates"]
    g = groups_of(tmp_path / "d")
    assert g[2] != g[n + 2]


def test_no_cases_builds_empty_case_datasets(tmp_path):
    import shutil

    from conftest import SAMPLES

    shutil.copytree(SAMPLES / "statutes" / "cn", tmp_path / "raw" / "statutes" / "cn")  # statutes only: no case
    m = build(BuildConfig.of(raw=tmp_path / "raw", out=tmp_path / "d", workers=1))
    assert m["cases"] == 0 and m["near_duplicates"]["pairs_merged"] == 0
    assert (tmp_path / "d" / "criminal_sentencing.jsonl").read_bytes() == b""


def test_bands_on_disk_read_a_band_at_a_time_equal_the_table(tmp_path):
    """dedup.Bands reads band j of every shard's (b, n) band file: the same column as the (n, b)
    table in memory, the rows set apart (no facts) keyed apart, and the same candidate sets."""
    facts = [r["fact"] for r in sample_records()]
    texts = facts + facts[:5] + [near_duplicate(f) for f in facts[5:9]]
    table = dedup.band_keys(dedup.signatures(texts), 0.8)
    paths, at = [], 0
    for k, n in enumerate((7, 1, len(texts) - 8)):  # uneven shards
        paths.append(tmp_path / f"bands{k}.npy")
        np.save(paths[-1], np.ascontiguousarray(table[at:at + n].T))
        at += n
    bands = dedup.Bands(paths)
    assert bands.shape == table.shape
    assert all((bands[:, j] == table[:, j]).all() for j in range(table.shape[1]))
    runs = dedup.candidate_runs(bands)
    assert [r.tolist() for r in runs] == [r.tolist() for r in dedup.candidate_runs(table)] and runs
    bands.apart = np.array([0, len(texts) - 1])  # the first exact duplicate's source has no facts now
    apart = dedup.candidate_runs(bands)
    assert not any(0 in r or len(texts) - 1 in r for r in apart) and len(apart) < len(runs)
