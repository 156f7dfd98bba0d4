"""`criminal_attitude_pref` / `criminal_attitude_kto`: preference pairs of the training variants.

The terms are read back from the answer texts with the evaluator's parser (not from the builder's
columns); every pair states two terms, the right way round, and the counts reconcile with the
variants the adversarial stage made. LLaMA-Factory's own data pipeline reads the rows as pairs.
"""

import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.errors import BuildError
from lawfactory.evaluation.answer_fields import parse_answer
from lawfactory.jsonl import read_jsonl
from lawfactory.tasks import attitude_pref
from lawfactory.tasks.attitude_pref import KTO, PREF

from conftest import real_path

PROMPT = ("system", "instruction", "input")


def check_pairs(out: Path, manifest: dict) -> Counter:
    """Every pair against its criminal_adversarial row and the evaluator's reading of both answers;
    the counts against the manifest. Returns the pairs per variant type."""
    pairs = read_jsonl(out / f"{PREF}.jsonl")
    variants = {r["case_id"]: r for r in read_jsonl(out / "criminal_adversarial.jsonl")}
    written = Counter()
    for p in pairs:
        v = variants[p["case_id"]]
        assert {k: p[k] for k in PROMPT} == {k: v[k] for k in PROMPT}  # the variant's own prompt
        assert p["chosen"] == v["output"] and p["synthetic"] is True
        assert (p["variant_of"], p["variant"]) == (v["variant_of"], v["variant"])
        chosen, rejected = (parse_answer(p[k])["sentence"] for k in ("chosen", "rejected"))
        assert chosen["kind"] == rejected["kind"] == "fixed", p["case_id"]
        if p["variant"] in ("refusal", "unclear"):
            assert chosen["months"] > rejected["months"], p["case_id"]
            assert not chosen["probation_months"]  # 刑法 §72: no probation without 悔罪表现
        else:
            assert chosen["months"] < rejected["months"], p["case_id"]
        assert (p["chosen_months"], p["rejected_months"]) == (chosen["months"], rejected["months"])
        # a minimal pair: only the verdict line and the term line differ
        assert p["chosen"].splitlines()[:-2] == p["rejected"].splitlines()[:-2]
        written[p["variant"]] += 1
    # a train variant without a pair states its source's term (the stage's own record of the months)
    paired = {p["case_id"] for p in pairs}
    for rec in read_jsonl(out / "variants.jsonl"):
        if rec["case_id"] in variants:
            ch = rec["changes"]
            same = rec["sentence"]["kind"] != "fixed" or ch["source_months"] == ch["new_months"]
            assert same == (rec["case_id"] not in paired), rec["case_id"]
    block = manifest["attitude_pref"]
    generated = sum(n for k, n in manifest["adversarial"]["generated"].items() if k.startswith("train "))
    assert block["synthetic"] is True
    assert block["train_variants"] == generated == len(variants)
    assert block["pairs_written"] == dict(written)
    assert sum(written.values()) + sum(block["pairs_skipped"].values()) == generated
    assert manifest["datasets"][PREF]["rows"] == len(pairs) and manifest["datasets"][KTO]["rows"] == 2 * len(pairs)
    return written


@pytest.mark.real
def test_real_cail_pairs_differ_in_the_stated_term_the_right_way(tmp_path):
    raw = tmp_path / "raw"
    (raw / "cail").mkdir(parents=True)
    (raw / "cail" / "valid.jsonl").symlink_to(real_path("cail2018", "valid_sample.jsonl"))
    shutil.copytree(real_path("statutes", "cn"), raw / "statutes" / "cn")  # statutory caps from the real text
    out = tmp_path / "data"
    manifest = build(BuildConfig.of(raw=raw, out=out, workers=1, adversarial_count=300))
    written = check_pairs(out, manifest)
    assert set(written) == {"refusal", "unclear", "confession"}
    skipped = manifest["attitude_pref"]["pairs_skipped"]
    assert sum(written.values()) > sum(skipped.values())  # most variants change the term
    reasons = {"life sentence unchanged", "death sentence unchanged", "term capped at the statutory maximum",
               "term clamped to its principal penalty's limit", "term held at its principal penalty's minimum",
               "term rounds to the source's"}
    assert {tuple(k.split(": ", 1)) for k in skipped} <= {(t, r) for t in written for r in reasons}


def test_samples_give_pairs_and_count_them_in_the_card(sample_data):
    manifest = read_jsonl(sample_data / "manifest.json")[0]
    written = check_pairs(sample_data, manifest)
    assert sum(written.values()) > 0  # LLaMA-Factory refuses an empty dataset
    card = (sample_data / "README.md").read_text(encoding="utf-8")
    assert "## Preference pairs (synthetic)" in card and "**synthetic** pairs" in card
    for t, n in written.items():
        assert f"| {t} | {n} |" in card
    for reason, n in manifest["attitude_pref"]["pairs_skipped"].items():
        assert f"- {n} not paired: {reason}." in card
    # the pairs repeat criminal_adversarial's cases: the attitude shares count them once
    assert f"({manifest['datasets']['criminal_adversarial']['rows']} synthetic)" in card


def test_kto_rows_are_the_pairs_tagged(sample_data):
    pairs = read_jsonl(sample_data / f"{PREF}.jsonl")
    kto = read_jsonl(sample_data / f"{KTO}.jsonl")
    assert [(r["output"], r["kto_tag"]) for r in kto] == [x for p in pairs for x in ((p["chosen"], True),
                                                                                      (p["rejected"], False))]
    assert [{k: r[k] for k in PROMPT} for r in kto[::2]] == [{k: p[k] for k in PROMPT} for p in pairs]


def test_a_pair_with_the_same_term_is_skipped_with_its_reason():
    """A variant whose term rounds back to its source's (1 month × 0.95 → 1) is counted, not written."""
    ctx = SimpleNamespace(config=SimpleNamespace(judgments=SimpleNamespace(to_simplified=False)))
    term = {"kind": "fixed", "months": 1, "probation_months": 0}
    variant = {"case_id": "v1", "variant": "unclear", "variant_of": "c1", "sentence": term, "changes": {}}
    task = attitude_pref.AttitudePrefTask()
    assert list(task.variant_rows(variant, {"sentence": {**term, "probation_months": 2}}, "train", ctx)) == []
    assert list(task.variant_rows(variant, {"sentence": term}, "eval", ctx)) == []  # eval variants: no pairs
    block = task.report(ctx)["attitude_pref"]
    assert block["pairs_skipped"] == {"unclear: term rounds to the source's": 1}
    assert block["train_variants"] == 1 and block["pairs_written"] == {}


def test_same_term_reasons():
    v = {"sentence": {"kind": "life"}, "changes": {}}
    assert attitude_pref.same_term_reason(v) == "life sentence unchanged"
    fixed = {"kind": "fixed", "months": 120}
    assert attitude_pref.same_term_reason({"sentence": fixed, "changes": {"capped": True}}) == \
        "term capped at the statutory maximum"
    assert attitude_pref.same_term_reason({"sentence": fixed, "changes": {}}) == "term rounds to the source's"


def test_a_pair_the_wrong_way_round_stops_the_build():
    v = {"case_id": "v1", "variant": "refusal", "variant_of": "c1"}
    with pytest.raises(BuildError, match="must prefer the longer term"):
        attitude_pref.check_direction(v, 10, 12)
    attitude_pref.check_direction(v, 12, 10)
    with pytest.raises(BuildError, match="shorter"):
        attitude_pref.check_direction({**v, "variant": "confession"}, 12, 10)


def test_llamafactory_reads_the_rows_as_pairs(sample_data, tiny_model, tmp_path):
    """LLaMA-Factory's own pipeline (dataset_info entry → parser → converter → the pairwise and KTO
    processors) on the tiny Qwen tokenizer: one example per pair, each holding both answers."""
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.hparams import get_train_args
    from llamafactory.model import load_tokenizer

    pairs = read_jsonl(sample_data / f"{PREF}.jsonl")
    for stage, name, processed in (("dpo", PREF, "rm"), ("kto", KTO, "kto")):
        model_args, data_args, training_args, _, _ = get_train_args({
            "model_name_or_path": str(tiny_model), "stage": stage, "do_train": True, "finetuning_type": "lora",
            "dataset": name, "dataset_dir": str(sample_data), "template": "qwen3_nothink", "cutoff_len": 4096,
            "output_dir": str(tmp_path / stage), "overwrite_cache": True, "report_to": "none", "bf16": False})
        tokenizer_module = load_tokenizer(model_args)
        tokenizer = tokenizer_module["tokenizer"]
        template = get_template_and_fix_tokenizer(tokenizer, data_args)
        ds = get_dataset(template, model_args, data_args, training_args, stage=processed, **tokenizer_module)
        train = ds["train_dataset"]

        def answer(ids, labels):
            return tokenizer.decode([i for i, lab in zip(ids, labels) if lab != -100], skip_special_tokens=True)

        if stage == "dpo":
            assert len(train) == len(pairs)
            for ex in train:
                chosen = answer(ex["chosen_input_ids"], ex["chosen_labels"])
                rejected = answer(ex["rejected_input_ids"], ex["rejected_labels"])
                p = next(p for p in pairs if p["chosen"].strip() == chosen.strip())
                assert rejected.strip() == p["rejected"].strip()
        else:
            assert len(train) == 2 * len(pairs)
            assert Counter(train["kto_tags"]) == {True: len(pairs), False: len(pairs)}
