"""The dataset registry (lawfactory/tasks/registry.py) against dataset_info.json, the tasks and a
build: one registry, every entry tested (torchtune's recipe registry idea)."""

import json

import pytest

from lawfactory import jsonl
from lawfactory.build import pipeline
from lawfactory.config import BuildConfig
from lawfactory.errors import BuildError
from lawfactory.tasks import BaseTask, Task, registry

from conftest import REPO, SAMPLES


def task_datasets() -> list[str]:
    return [n for make in pipeline.TASKS for n in make().datasets]


def test_dataset_info_is_generated_from_the_registry():
    """The committed dataset_info.json (and the packaged copy) is the registry's, byte for byte:
    after editing the registry, run `python -m lawfactory.tasks.registry --write`."""
    assert (REPO / "dataset_info.json").read_bytes() == registry.rendered()
    assert registry.SHIPPED.read_bytes() == registry.rendered()
    assert registry.main(["--check"]) == 0


def test_every_task_dataset_is_registered_and_every_entry_has_a_task():
    assert registry.problems(task_datasets()) == []
    for make in pipeline.TASKS:
        assert isinstance(make(), Task), f"{make} does not follow the Task protocol"


def test_a_registered_dataset_without_a_task_fails_the_check(monkeypatch):
    fake = registry.Dataset("criminal_fake", "alpaca")
    monkeypatch.setitem(registry.DATASETS, fake.name, fake)
    assert registry.problems(task_datasets()) == ["criminal_fake: registered but no task writes it"]
    assert registry.rendered() != (REPO / "dataset_info.json").read_bytes()  # --check fails until --write
    assert registry.main(["--check"]) == 1


def test_a_task_writing_an_unregistered_dataset_stops_the_build(tmp_path, monkeypatch):
    class Unregistered(BaseTask):
        datasets = ("criminal_unregistered",)

    assert registry.problems([*task_datasets(), "criminal_unregistered"]) == [
        "criminal_unregistered: written by a task but not registered (lawfactory/tasks/registry.py)"]
    monkeypatch.setattr(pipeline, "TASKS", [*pipeline.TASKS, Unregistered])
    with pytest.raises(BuildError, match="criminal_unregistered"):
        pipeline.build(BuildConfig.of(raw=SAMPLES, out=tmp_path / "d", workers=1))


def test_a_build_writes_exactly_the_registered_datasets(sample_data):
    """Every dataset file a build writes is registered, and every registered dataset is written;
    DATA/dataset_info.json lists the LLaMA-Factory ones with their registry entries."""
    manifest = jsonl.loads((sample_data / "manifest.json").read_bytes())
    others = {"cases.jsonl", "variants.jsonl", "rejects.jsonl", "filtered.jsonl", "statutes_index.jsonl"}
    written = {p.name for p in sample_data.glob("*.jsonl")} - others
    assert written == {d.file for d in registry.DATASETS.values()}
    assert written <= set(manifest["outputs"])
    info = json.loads((sample_data / "dataset_info.json").read_text(encoding="utf-8"))
    assert list(info) == list(manifest["datasets"])
    assert set(info) == {n for n in registry.DATASETS if registry.is_llamafactory(n)}
    for name, entry in info.items():
        assert entry == registry.DATASETS[name].entry()
        assert entry["file_name"] == manifest["datasets"][name]["file"]
