from collections import Counter

from lawfactory.build import pipeline as build_mod
from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.splits import TRAIN, assign_split

from conftest import SAMPLES
from planting import jsonl


def test_card_describes_sources_rows_charges_terms_and_filters(tmp_path):
    out = tmp_path / "d"
    m = build(BuildConfig.of(raw=SAMPLES, out=out, workers=1))
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "Not legal advice" in card and "synthetic" in card
    for rel, c in m["inputs"].items():
        assert f"`{rel}`" in card and c["sha256"][:16] in card
    for name, d in m["datasets"].items():
        split = "eval" if name.endswith("_eval") else "train"
        assert f"| `{name}` | {split} | {d['rows']} |" in card
    cases = jsonl(out / "cases.jsonl")
    charges = Counter(ch for c in cases for ch in c["charges"])
    top, n = charges.most_common(1)[0]
    assert f"| {top} | {n} |" in card
    assert f"{sum(c['rejected'] for c in m['inputs'].values())} input records rejected" in card
    png = (out / "term_distribution.png").read_bytes()
    assert png.startswith(b"\x89PNG") and "![term distribution](term_distribution.png)" in card
    assert {"README.md", "term_distribution.png"} <= set(m["outputs"])


def test_attitude_shares_before_and_after_the_synthetic_mix(tmp_path, monkeypatch):
    from lawfactory.tasks import BaseTask

    class RefusalVariant(BaseTask):  # a stand-in adversarial task: one synthetic refusal row per case
        datasets = ("criminal_adversarial",)

        def rows(self, case, split, ctx):
            if split == TRAIN:
                yield "criminal_adversarial", {"input": case["facts"] + "被告人到案后拒不供认。", "output": "",
                                               "synthetic": True, "variant_of": case["case_id"], "variant": "refusal"}

    monkeypatch.setattr(build_mod, "TASKS", build_mod.TASKS + [RefusalVariant])
    out = tmp_path / "d"
    build(BuildConfig.of(raw=SAMPLES, out=out, workers=1, adversarial_ratio=0))  # only the stand-in's rows
    card = (out / "README.md").read_text(encoding="utf-8")
    train = [c for c in jsonl(out / "cases.jsonl") if assign_split(c["group_id"], 42, 0.1) == TRAIN]
    n = len(train)
    before = sum(c["attitude"]["refusal"] for c in train)
    assert f"Before the adversarial mix: {n} rows from real cases; after: {2 * n} rows ({n} synthetic)." in card
    row = next(x for x in card.splitlines() if x.startswith("| refusal |"))
    assert row == f"| refusal | {100 * before / n:.1f}% | {100 * (before + n) / (2 * n):.1f}% |"
