import json
import re
import signal

from lawfactory.build.pipeline import build
from lawfactory.build.shards import KILL_ENV
from lawfactory.config import BuildConfig

from planting import cli, output_files, sample_records, write_raw

SMALL = "3000"  # shard bytes: the samples become a dozen shards


def raw_with_samples(tmp_path):
    import shutil

    from conftest import SAMPLES

    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    return raw


def done_markers(out):
    return {p.parent.name: p.stat().st_mtime_ns for p in (out / ".work" / "shards").glob("*/done.json")}


def test_killed_run_resumes_without_redoing_finished_shards_and_matches_a_clean_run(tmp_path):
    raw = raw_with_samples(tmp_path)
    out = tmp_path / "killed"
    r = cli("--raw", str(raw), "--out", str(out), "--shard-bytes", SMALL, "--workers", "2", env={KILL_ENV: "3"})
    assert r.returncode == -signal.SIGKILL, r.stderr
    # nothing loadable was left behind: no dataset, no cases file, no manifest
    assert not [p.name for p in out.iterdir() if p.is_file()]
    finished = done_markers(out)
    assert len(finished) >= 3

    r = cli("--raw", str(raw), "--out", str(out), "--shard-bytes", SMALL, "--workers", "2")
    assert r.returncode == 0, r.stderr
    resumed, total = map(int,
                         re.search(r"resumed: (\d+) of (\d+) conversion shards were already done", r.stdout).groups())
    assert resumed == len(finished) < total
    after = done_markers(out)
    assert all(after[k] == t for k, t in finished.items())  # finished shards were not redone

    clean = tmp_path / "clean"
    r = cli("--raw", str(raw), "--out", str(clean), "--workers", "1")  # one process, default shard size
    assert r.returncode == 0, r.stderr
    assert output_files(out) == output_files(clean)
    assert not list(out.rglob("*.partial"))


def test_unchanged_fingerprint_skips_and_a_changed_input_redoes_only_its_shards(tmp_path):
    raw = raw_with_samples(tmp_path)
    out = tmp_path / "d"
    opts = dict(raw=raw, out=out, shard_bytes=3000, workers=1)
    m1 = build(BuildConfig.of(**opts))
    assert set(m1["fingerprint"]) >= {"inputs", "code", "options", "sha256"}
    assert m1["fingerprint"]["inputs"]["cail/hf_flat.jsonl"] == m1["inputs"]["cail/hf_flat.jsonl"]["sha256"]
    files = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    markers = done_markers(out)

    assert build(BuildConfig.of(**opts)) == m1  # up to date: nothing rewritten
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == files

    # an option that changes the output changes the fingerprint
    m_seed = build(BuildConfig.of(**{**opts, "out": tmp_path / "seed"}, seed=7))
    assert m_seed["fingerprint"]["sha256"] != m1["fingerprint"]["sha256"]

    # append one record to one input: only that file's last shard is redone
    extra = sample_records()[0]
    with open(raw / "cail" / "hf_flat.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(extra, ensure_ascii=False) + "\n")
    m2 = build(BuildConfig.of(**opts))
    assert m2["inputs"]["cail/hf_flat.jsonl"]["read"] == m1["inputs"]["cail/hf_flat.jsonl"]["read"] + 1
    after = done_markers(out)
    kept = {k for k in markers if k in after and after[k] == markers[k]}
    assert len(kept) >= len(markers) - 2 and len(after) - len(kept) <= 2
    assert set(after) - set(markers)  # the changed shard has a new fingerprint


def test_outputs_do_not_depend_on_workers_or_shard_size(tmp_path):
    raw = write_raw(tmp_path, sample_records() * 3)  # exact duplicates across shards, too
    build(BuildConfig.of(raw=raw, out=tmp_path / "one", workers=1))
    build(BuildConfig.of(raw=raw, out=tmp_path / "many", workers=2, shard_bytes=2000))
    assert output_files(tmp_path / "one") == output_files(tmp_path / "many")
