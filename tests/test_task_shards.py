"""The task stage in shards (lawfactory/build/task_stage.py): every output is the same bytes with one
worker or several, the cases split into several shards, whatever needs the whole corpus (the
adversarial selection, the statute evidence, the per-article retrieval cap, the counters of the
manifest and the data card) included."""

from pathlib import Path

import pytest

from lawfactory.build import task_stage
from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.tasks import statute_evidence

from conftest import SAMPLES, real_path

SMALL = 3000  # shard bytes: the samples' cases.jsonl (~120 kB) becomes several task shards


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def assert_same_builds(raw: Path, tmp: Path, second: dict | None = None, **kw) -> dict:
    """One worker, then `second` (default: two workers, small shards), build the same bytes."""
    one = tmp / "one"
    m = build(BuildConfig.of(raw=raw, out=one, workers=1, **kw))
    two = tmp / "two"
    build(BuildConfig.of(raw=raw, out=two, **(second or {"workers": 2, "shard_bytes": SMALL}), **kw))
    shards = task_stage.ranges(one / "cases.jsonl", 2, SMALL)
    assert len(shards) > 2, "the cases must span several task shards for the test to mean anything"
    a, b = outputs(one), outputs(two)
    assert "criminal_sentencing.jsonl" in a and "manifest.json" in a and "README.md" in a
    assert a.keys() == b.keys()
    assert [n for n in a if a[n] != b[n]] == []
    assert not (two / ".work" / "stage").exists() and not list(two.rglob("*.candidates"))
    return m


def test_wanted_lines_are_read_within_a_range(tmp_path):
    """The adversarial plan's later passes read only their candidates' lines, each shard in its own
    byte range: together the ranges give every wanted line once, each from its own range."""
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(f'{{"n": {i}, "pad": "{"x" * (i % 37)}"}}\n' for i in range(400)))
    only = set(range(3, 400, 7)) | {0, 399}
    whole = list(task_stage._lines(path, only))
    assert [i for i, _ in whole] == sorted(only) and all(case["n"] == i for i, case in whole)
    rs = task_stage.ranges(path, 3, 1)
    parts = [list(task_stage._lines(path, only, r.start, r.end, r.first_line)) for r in rs]
    assert [x for part in parts for x in part] == whole
    for r, nxt, part in zip(rs, [*rs[1:], None], parts):
        last = nxt.first_line - 2 if nxt else 399
        assert all(r.first_line - 1 <= i <= last for i, _ in part)


def test_ranges_cover_cases_jsonl_in_order(tmp_path):
    path = tmp_path / "cases.jsonl"
    lines = [f'{{"n": {i}, "pad": "{"x" * (i % 50)}"}}\n' for i in range(500)]
    path.write_text("".join(lines))
    for workers, floor in ((1, 1), (2, 1), (2, 8000), (3, 1)):  # the file: ~23 kB
        rs = task_stage.ranges(path, workers, floor)
        assert rs[0].start == 0 and rs[-1].end == path.stat().st_size
        assert all(a.end == b.start for a, b in zip(rs, rs[1:]))
        assert [r.index for r in rs] == list(range(len(rs)))
        data = path.read_bytes()
        for r in rs:  # each starts at a line start, and first_line is that line's number
            assert r.start == 0 or data[r.start - 1:r.start] == b"\n"
            assert data[:r.start].count(b"\n") + 1 == r.first_line
        if workers == 1:
            assert len(rs) == 1
        elif floor == 1:
            assert len(rs) == task_stage.SHARDS_PER_WORKER * workers
        else:  # no shard under the floor but the last
            assert all(r.end - r.start >= floor for r in rs[:-1]) and len(rs) < task_stage.SHARDS_PER_WORKER * workers
    assert len(task_stage.ranges(path, 2, 10**9)) == 1  # never below the shard-size floor


def test_samples_build_the_same_bytes_with_one_worker_and_two(tmp_path):
    m = assert_same_builds(SAMPLES, tmp_path)
    assert m["adversarial"]["generated"] and m["attitude_pref"]["train_variants"] > 0
    assert m["statutes"]["retrieval"]["case_anchors"] > 0 and m["statutes"]["queries"]["facts"]["rows"] > 0


def test_samples_with_options_build_the_same_bytes(tmp_path):
    assert_same_builds(SAMPLES, tmp_path, adversarial_ratio=0.3, to_simplified=True, near_dup="check",
                       exclude=[SAMPLES / "cail" / "hf_flat.jsonl"], seed=7)


def test_the_retrieval_cap_is_applied_over_the_corpus_not_per_shard(tmp_path, monkeypatch):
    """With a cap of 1 pair per article, most citations are over it: the shards' candidates are
    decided in case order, so the pairs and both counts match one pass (a per-shard cap would
    write one pair per article per shard)."""
    monkeypatch.setattr(statute_evidence, "RETRIEVAL_CASES_PER_ARTICLE", 1)
    m = assert_same_builds(SAMPLES, tmp_path)
    assert m["stats"]["retrieval: case anchors over 1 per article (no pair)"] > 0


def test_spawned_workers_build_the_same_bytes(tmp_path):
    one = tmp_path / "one"
    build(BuildConfig.of(raw=SAMPLES, out=one, workers=1))
    two = tmp_path / "two"
    build(BuildConfig.of(raw=SAMPLES, out=two, workers=2, shard_bytes=SMALL, start_method="spawn"))
    a, b = outputs(one), outputs(two)
    assert [n for n in a if a[n] != b[n]] == []


@pytest.mark.real
def test_real_data_builds_the_same_bytes_with_one_worker_and_two(tmp_path):
    """CAIL2018 with the official lists, mainland and Taiwan judgments, both statutes (as
    lawfactory.dev.same_outputs lays them out)."""
    raw = tmp_path / "raw"
    links = {"cail/valid_sample.jsonl": real_path("cail2018", "valid_sample.jsonl"),
             "judgments/cn": real_path("judgments", "cn"), "judgments/tw": real_path("judgments", "tw"),
             "statutes/cn": real_path("statutes", "cn"), "statutes/tw": real_path("statutes", "tw")}
    for rel, src in links.items():
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).symlink_to(src)
    lists = {"charges": real_path("cail2018", "accu.txt"), "articles": real_path("cail2018", "law.txt")}
    one = tmp_path / "one"
    build(BuildConfig.of(raw=raw, out=one, workers=1, **lists))
    size = (one / "cases.jsonl").stat().st_size
    two = tmp_path / "two"
    build(BuildConfig.of(raw=raw, out=two, workers=2, shard_bytes=max(size // 8, 1), **lists))
    assert len(task_stage.ranges(one / "cases.jsonl", 2, max(size // 8, 1))) == 4
    a, b = outputs(one), outputs(two)
    assert "tw_judgments.jsonl" in a and [n for n in a if a[n] != b[n]] == []
