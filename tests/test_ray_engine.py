"""The Ray engine (lawfactory/build/ray_engine.py): `lawfactory data --engine ray`, on a local Ray
instance of 2 CPUs (one per module), writes the same bytes as the local engine with one worker; a
shard that fails ends the build with the local engine's error and DATA keeps its previous
generation; without Ray, --engine ray says how to install it."""

import json
import sys
from pathlib import Path

import pytest

from lawfactory.build import fingerprint, pipeline, shards, task_stage
from lawfactory.build.pipeline import build
from lawfactory.cli import main
from lawfactory.config import BuildConfig
from lawfactory.errors import BuildError, UsageError
from lawfactory.preflight.llamafactory_args import free_port

from conftest import SAMPLES, real_path
from planting import near_duplicate
from test_robustness_data import good_lines, loadable_generation, output_files, raw_with
from test_task_shards import SMALL, assert_same_builds


@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray")
    from lawfactory.build import ray_engine

    ray_engine.start_local(2)
    yield ray
    ray.shutdown()


@pytest.fixture
def ray_maps(monkeypatch):
    """The items each RayEngine.map was given (so a test knows the shards went through Ray)."""
    from lawfactory.build import ray_engine

    seen, real_map = [], ray_engine.RayEngine.map

    def spy(self, job, items, *a):
        seen.append((job.__name__, len(items)))
        return real_map(self, job, items, *a)

    monkeypatch.setattr(ray_engine.RayEngine, "map", spy)
    return seen


RAY = {"engine": "ray", "workers": 2, "shard_bytes": SMALL}


def test_samples_build_the_same_bytes_on_ray_as_one_local_worker(ray_instance, ray_maps, tmp_path):
    m = assert_same_builds(SAMPLES, tmp_path, second=RAY)
    jobs = dict(ray_maps)
    assert jobs["convert_shard"] > 2 and jobs["run_shard"] > 2 and jobs["build_shard"] > 2, ray_maps
    assert m["adversarial"]["generated"] and m["statutes"]["retrieval"]["case_anchors"] > 0


@pytest.mark.real
def test_real_data_builds_the_same_bytes_on_ray(ray_instance, ray_maps, tmp_path):
    """CAIL2018 (with the official lists and near-duplicates planted from its own records), a dozen
    Taiwan judgments and both statutes: conversion, near-duplicate grouping and every task."""
    raw = tmp_path / "raw"
    cail = real_path("cail2018", "valid_sample.jsonl")
    links = {"cail/valid_sample.jsonl": cail, "statutes/cn": real_path("statutes", "cn"),
             "statutes/tw": real_path("statutes", "tw"),
             **{f"judgments/tw/{p.name}": p for p in sorted(real_path("judgments", "tw").glob("*.json"))[:12]}}
    for rel, src in links.items():
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).symlink_to(src)
    records = [json.loads(line) for line in cail.read_text(encoding="utf-8").splitlines()[:20]]
    (raw / "cail" / "near_dups.jsonl").write_text(
        "".join(json.dumps({**r, "fact": near_duplicate(r["fact"])}, ensure_ascii=False) + "\n" for r in records),
        encoding="utf-8")
    lists = {"charges": real_path("cail2018", "accu.txt"), "articles": real_path("cail2018", "law.txt")}
    second = {**RAY, "shard_bytes": cail.stat().st_size // 6}
    m = assert_same_builds(raw, tmp_path, second=second, **lists)
    assert m["near_duplicates"]["pairs_merged"] > 0 and m["datasets"]["tw_judgments"]["rows"] > 0
    assert dict(ray_maps)["convert_shard"] > 6


def test_ranges_follow_the_ray_engines_workers(ray_instance):
    from lawfactory.build import ray_engine

    engine = ray_engine.RayEngine("", 0)  # the instance's CPUs
    assert engine.workers == 2 and not engine.in_process(1)
    engine.close()
    assert ray_instance.is_initialized(), "an engine never shuts down a Ray it did not start"


def _fail_one_shard(raw: Path, out: Path, **kw) -> BuildError:
    """Build RAW with the work directory of its cail/b.jsonl shard taken by a file: that shard's job
    raises (FileExistsError) wherever it runs."""
    opts = BuildConfig.of(raw=raw, out=out, **kw)
    plan, cfg = pipeline.plan_inputs(opts, pipeline.quality_filters(opts), fingerprint.code_version())
    key = next(s.key for s in plan.shards if s.rel == "cail/b.jsonl")
    cfg.work.mkdir(parents=True, exist_ok=True)
    (cfg.work / key).write_text("not a folder")
    with pytest.raises(BuildError) as err:
        build(opts)
    return err.value


def test_a_failing_shard_fails_the_build_as_the_local_engine_does(ray_instance, tmp_path):
    raw = raw_with(tmp_path, {"cail/a.jsonl": good_lines()})
    errors = []
    for engine in ("local", "ray"):
        out = tmp_path / engine
        m1 = build(BuildConfig.of(raw=raw, out=out, workers=1))
        before = output_files(out)
        (raw / "cail" / "b.jsonl").write_text(good_lines(2, "壬"))
        errors.append(_fail_one_shard(raw, out, workers=1, engine=engine))
        (raw / "cail" / "b.jsonl").unlink()
        assert output_files(out) == before  # DATA keeps the previous generation, loadable
        assert loadable_generation(out) == m1["fingerprint"]["sha256"]
    local, ray = (str(e).replace(str(tmp_path / n), "DATA") for e, n in zip(errors, ("local", "ray")))
    assert local == ray and "the convert shard cail/b.jsonl" in local and "FileExistsError" in local, local


def test_a_job_error_names_its_shard_on_either_engine(ray_instance):
    from lawfactory.build import ray_engine

    def job(r):  # defined here: Ray ships it by value
        if r.index == 3:
            raise ValueError("no room left")
        return r.index * 10

    items = [task_stage.Range(i, i * 100, i * 100 + 100, i + 1) for i in range(6)]
    engine = ray_engine.RayEngine("", 2)
    assert shards.execute(job, items[:3], None, engine, "tasks") == [0, 10, 20]
    messages = []
    for eng in (shards.Local(1), engine):
        with pytest.raises(BuildError) as err:
            shards.execute(job, items, None, eng, "tasks")
        messages.append(str(err.value))
    assert messages[0] == messages[1] == ("the tasks shard 3 (cases.jsonl bytes 300–400, from line 4) failed: "
                                          "ValueError: no room left")


def test_a_ray_worker_that_dies_fails_the_build_naming_its_shard(ray_instance, monkeypatch):
    from lawfactory.build import ray_engine

    monkeypatch.setattr(ray_engine, "MAX_RETRIES", 0)  # every retry would die the same way (a worker start each)

    def job(r):  # the out-of-memory killer, as the worker sees it (every retry too)
        import os

        os._exit(9)

    with pytest.raises(shards.WorkerDied, match=r"a Ray worker running the tasks shard 0 \(cases.jsonl bytes 0–10, "
                                                r"from line 1\) died \(\w+"):
        shards.execute(job, [task_stage.Range(0, 0, 10, 1)], None, ray_engine.RayEngine("", 1), "tasks")

def test_a_bad_option_raised_in_a_job_ends_the_build_as_it_is(ray_instance):
    from lawfactory.build import ray_engine

    def job(r):
        raise UsageError("--tokenizer x: not a tokenizer")

    items = [task_stage.Range(0, 0, 10, 1)]
    for eng in (shards.Local(1), ray_engine.RayEngine("", 2)):
        with pytest.raises(UsageError, match="^--tokenizer x: not a tokenizer$"):
            shards.execute(job, items, None, eng, "tasks")


def test_engine_ray_without_ray_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    out = tmp_path / "out"
    with pytest.raises(SystemExit, match=r"--engine ray needs Ray, which is not installed: "
                                         r"pip install 'lawfactory\[ray\]'"):
        main(["data", "--raw", str(SAMPLES), "--out", str(out), "--engine", "ray"])
    assert not out.exists()


def test_an_unreachable_ray_address_fails_at_once_naming_it(tmp_path):
    """Nothing listens on the port: the build stops before Ray retries, and DATA is as it was."""
    pytest.importorskip("ray")
    port = free_port()
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.jsonl").write_text("{}\n")
    with pytest.raises(SystemExit, match=rf"--ray-address 127\.0\.0\.1:{port}: no Ray cluster answers there "
                                         rf"\(127\.0\.0\.1:{port}: .*\)\. Start one \(`ray start --head "
                                         rf"--port={port}` on that host\), or drop --ray-address"):
        main(["data", "--raw", str(SAMPLES), "--out", str(out), "--engine", "ray",
              "--ray-address", f"127.0.0.1:{port}"])
    assert [p.name for p in out.iterdir()] == ["previous.jsonl"]


def test_a_live_ray_address_passes_the_check(ray_instance):
    from lawfactory.build import ray_engine

    ray_engine.check_reachable(ray_instance.get_runtime_context().gcs_address)  # raises when unreachable


def test_a_ray_address_needs_the_ray_engine(tmp_path):
    with pytest.raises(UsageError, match="--ray-address .* needs --engine ray"):
        build(BuildConfig.of(raw=SAMPLES, out=tmp_path / "out", ray_address="auto"))


def test_conversion_rate_times_every_record_of_raw(tmp_path):
    from lawfactory.dev import conversion_rate

    r = conversion_rate.measure(SAMPLES, tmp_path / "work")
    m = build(BuildConfig.of(raw=SAMPLES, out=tmp_path / "out", workers=1))
    assert r["records"] == sum(c["read"] for rel, c in m["inputs"].items() if not rel.startswith("statutes/"))
    assert r["cpu_s"] > 0 and r["shards"] >= len([k for k in m["inputs"] if not k.startswith("statutes/")])
