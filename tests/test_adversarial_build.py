"""`make data` with the adversarial task: both datasets from samples/, train variants only in
criminal_adversarial, eval pairs only from eval groups, counted in the manifest, deterministic."""

import json
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES
from lawfactory.build import Options, build
from lawfactory.io import read_jsonl
from lawfactory.splits import EVAL, TRAIN, assign_split


def make(out: Path, **extra) -> dict:
    return build(Options(raw=SAMPLES, out=out, workers=1, extra=extra))


@pytest.fixture(scope="module")
def default_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("adv") / "d"
    return out, make(out)


def test_samples_give_both_datasets_split_by_group(default_build):
    out, m = default_build
    cases = {c["case_id"]: c for c in read_jsonl(out / "cases.jsonl")}
    train = read_jsonl(out / "criminal_adversarial.jsonl")
    pairs = read_jsonl(out / "criminal_attitude_pairs_eval.jsonl")
    a = m["adversarial"]
    # default ratio 0.06 of the sample's train cases, at least one
    assert len(train) == a["quota"]["train"] >= 1 and m["datasets"]["criminal_adversarial"]["rows"] == len(train)
    assert len(pairs) == 2 * a["quota"]["eval"] >= 2
    for r in train:
        src = cases[r["variant_of"]]
        assert assign_split(src["group_id"], 42, 0.1) == TRAIN
        assert r["synthetic"] is True and r["variant"] in ("refusal", "unclear", "confession")
        assert r["output"].splitlines()[-1].startswith("刑期:")
    for s, v in zip(pairs[::2], pairs[1::2]):
        assert (s["pair_role"], v["pair_role"]) == ("source", "variant") and s["pair_id"] == v["pair_id"] == v["case_id"]
        assert v["variant_of"] == s["case_id"] and s["group_id"] == v["group_id"]
        assert assign_split(s["group_id"], 42, 0.1) == EVAL
        assert s["implied_log_ratio"] == v["implied_log_ratio"]
        assert v["synthetic"] is True and s["synthetic"] is False
    assert sum(a["generated"].values()) == len(train) + len(pairs) // 2
    assert a["dropped_by_self_checks"] == {}


def test_registered_for_llamafactory(default_build):
    out, _ = default_build
    info = json.loads((REPO / "dataset_info.json").read_text(encoding="utf-8"))
    local = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    for name in ("criminal_adversarial", "criminal_attitude_pairs_eval"):
        assert info[name]["formatting"] == "alpaca" and info[name]["columns"]["query"] == "input"
        assert local[name]["file_name"] == f"{name}.jsonl"
