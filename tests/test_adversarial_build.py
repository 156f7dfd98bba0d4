"""`make data` with the adversarial task: both datasets from samples/, train variants only in
criminal_adversarial, eval pairs only from eval groups, counted in the manifest, deterministic."""

import json
from collections import Counter
from pathlib import Path

import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.jsonl import read_jsonl
from lawfactory.splits import EVAL, TRAIN, assign_split

from conftest import REPO, SAMPLES


def make(out: Path, **extra) -> dict:
    return build(BuildConfig.of(raw=SAMPLES, out=out, workers=1, **extra))


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
        assert ((s["pair_role"], v["pair_role"]) == ("source", "variant")
                and s["pair_id"] == v["pair_id"] == v["case_id"])
        assert v["variant_of"] == s["case_id"] and s["group_id"] == v["group_id"]
        assert assign_split(s["group_id"], 42, 0.1) == EVAL
        assert s["implied_log_ratio"] == v["implied_log_ratio"]
        assert v["synthetic"] is True and s["synthetic"] is False
    assert sum(a["generated"].values()) == len(train) + len(pairs) // 2
    # candidates are chosen from the recorded flags; make_variant may still skip one with a counted
    # reason (an admission that holds the date of a 投案自首), but none fails a self-check
    assert all(": entangled: " in k for k in a["dropped_by_self_checks"]), a["dropped_by_self_checks"]


def test_variant_records_are_written_beside_the_cases(default_build):
    """DATA/variants.jsonl: one declared variant record (records.variant) per generated variant, each
    pointing at a case of cases.jsonl, listed among the build's outputs."""
    out, manifest = default_build
    variants = read_jsonl(out / "variants.jsonl")
    cases = {c["case_id"]: c for c in read_jsonl(out / "cases.jsonl")}
    assert len(variants) == sum(manifest["adversarial"]["generated"].values()) > 0
    for v in variants:
        assert v["synthetic"] is True and v["variant"] in ("refusal", "unclear", "confession")
        source = cases[v["variant_of"]]
        assert v["group_id"] == source["group_id"] and v["facts"] != source["facts"] and v["changes"]
    assert "variants.jsonl" in manifest["outputs"]


def test_registered_for_llamafactory(default_build):
    out, _ = default_build
    info = json.loads((REPO / "dataset_info.json").read_text(encoding="utf-8"))
    local = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    for name in ("criminal_adversarial", "criminal_attitude_pairs_eval"):
        assert info[name]["formatting"] == "alpaca" and info[name]["columns"]["query"] == "input"
        assert local[name]["file_name"] == f"{name}.jsonl"


def test_every_sample_case_gets_a_valid_variant_or_a_reason(default_build):
    from adversarial import checks
    from adversarial.variants import VARIANTS, make_variant
    from lawfactory.records import is_judgment

    out, _ = default_build
    made = Counter()
    for c in read_jsonl(out / "cases.jsonl"):
        for t in VARIANTS:
            v, why = make_variant(c, t, 42)
            assert (v is None) != (why is None)
            if v is None:
                assert not why.startswith("self-check"), (c["case_id"], t, why)
                continue
            assert checks.failures(c, v) == []
            made[(t, is_judgment(c))] += 1
    # CAIL cases and full-text judgments both give refusal variants; the reverse direction exists too
    assert made[("refusal", False)] >= 40 and made[("refusal", True)] >= 5 and made[("confession", False)] >= 3


def test_real_cail_records_all_valid_or_counted(tmp_path):
    from adversarial import checks
    from adversarial.spans import numbers
    from adversarial.variants import VARIANTS, make_variant
    from converters import cail, statutes_cn
    from lawfactory.jsonl import iter_jsonl
    from lawfactory.records import RecordError

    from conftest import real_path

    path = real_path("cail2018", "valid_sample.jsonl")
    law = statutes_cn.read_file(real_path("statutes", "cn", "prc_criminal_law.md"), "prc_criminal_law.md").laws[0]
    index = {a["key"]: a for a in law.articles}
    reasons, n, capped = Counter(), 0, Counter()
    for line, obj, bad in iter_jsonl(path):
        try:
            cases = cail.convert_record(obj, "valid.jsonl", line, Counter())
        except RecordError:
            continue
        for c in cases:
            n += 1
            for t in VARIANTS:
                v, why = make_variant(c, t, 42)
                if v is not None:
                    assert checks.failures(c, v) == []
                    if t == "refusal":
                        assert (v["sentence"]["months"] >= c["sentence"]["months"]
                                and not v["sentence"]["probation_months"])
                    for f in ("facts", "reasoning"):  # no date, amount or count lost with an admission
                        assert not numbers(c.get(f) or "", c["defendant"]) - numbers(v.get(f) or "", c["defendant"])
                reasons[(t, why)] += 1
                # with the real statute index: the range of the source's term caps the variant, and a
                # case of 36 months or less under §234 / §264 (三年以下) stays there
                if v is not None and t == "refusal" and c["sentence"]["kind"] == "fixed":
                    w, why2 = make_variant(c, t, 42, index)
                    assert why2 is None and checks.failures(c, w) == []
                    assert c["sentence"]["months"] <= w["sentence"]["months"] <= w["changes"]["cap"]["months"]
                    one = (c["charges"], [a["number"] for a in c["articles"]])
                    if one in ((["盗窃"], [264]), (["故意伤害"], [234])) and c["sentence"]["months"] <= 36:
                        assert w["changes"]["cap"]["months"] == 36 and w["changes"]["cap"]["stated"]
                        capped[w["sentence"]["months"] < v["sentence"]["months"]] += 1
    assert n == 1000
    assert capped[True] >= 1  # some variants would have crossed into 三年以上 without the band cap
    for t in VARIANTS:
        assert sum(k for (tt, _), k in reasons.items() if tt == t) == n  # every record: a variant or a reason
    assert not [r for (_, r) in reasons if r and r.startswith("self-check")]
    assert reasons[("refusal", None)] >= 200 and reasons[("confession", None)] >= 600
    # what is not generated is explained by eligibility (a handful may be entangled, none fail a check)
    allowed = {None, "no confession-type factor in the source", "no custodial term (kind none)",
               "source already states refusal or an unclear attitude", "source already confesses",
               "entangled: admission and a kept factor in one phrase",
               "entangled: admission phrase holds a number (date, amount, count)",
               "source says the defendant did not confess (未如实供述)"}
    assert {r for (_, r) in reasons} <= allowed


def test_count_gives_exactly_n_and_ratio_zero_none(tmp_path):
    m = make(tmp_path / "n", adversarial_count=7)
    assert len(read_jsonl(tmp_path / "n" / "criminal_adversarial.jsonl")) == 7 == m["adversarial"]["quota"]["train"]
    assert len(read_jsonl(tmp_path / "n" / "criminal_attitude_pairs_eval.jsonl")) == 2 * round(7 * 0.1 / 0.9)
    assert sum(v for k, v in m["adversarial"]["selected"].items() if k.startswith("train")) == 7
    m = make(tmp_path / "z", adversarial_ratio=0)
    assert m["datasets"]["criminal_adversarial"]["rows"] == 0 == m["datasets"]["criminal_attitude_pairs_eval"]["rows"]


def test_same_seed_identical_other_seed_differs(tmp_path, default_build):
    out, _ = default_build
    again = tmp_path / "again"
    make(again)
    for name in ("criminal_adversarial.jsonl", "criminal_attitude_pairs_eval.jsonl"):
        assert (out / name).read_bytes() == (again / name).read_bytes()
    other = tmp_path / "other"
    m2 = make(other, adversarial_seed=7, adversarial_count=20)
    m3 = make(tmp_path / "other2", adversarial_seed=8, adversarial_count=20)
    assert m2["fingerprint"]["sha256"] != m3["fingerprint"]["sha256"]
    a = read_jsonl(other / "criminal_adversarial.jsonl")
    b = read_jsonl(tmp_path / "other2" / "criminal_adversarial.jsonl")
    assert len(a) == len(b) == 20 and [r["case_id"] for r in a] != [r["case_id"] for r in b]


def test_adversarial_rows_feed_the_data_card(default_build):
    out, m = default_build
    card = (out / "README.md").read_text(encoding="utf-8")
    n_adv = m["datasets"]["criminal_adversarial"]["rows"]
    line = next(x for x in card.splitlines() if x.startswith("Before the adversarial mix"))
    before = int(line.split(": ")[1].split(" ")[0])
    assert f"after: {before + n_adv} rows ({n_adv} synthetic)" in line
    refusal = sum("refusal" in r["attitude"] for r in read_jsonl(out / "criminal_adversarial.jsonl"))
    assert refusal >= 1


def test_full_text_judgment_refusal_recomposes_the_answer(default_build):
    from adversarial.variants import make_variant
    from lawfactory.tasks import sample

    out, _ = default_build
    src = next(c for c in read_jsonl(out / "cases.jsonl") if c["defendant"] == "覃某")  # （2021）桂0103刑初310号
    assert (src["sentence"]["months"], src["sentence"]["probation_months"]) == (12, 18)
    v, why = make_variant(src, "refusal", 42)
    assert why is None
    # 坦白 + 认罪认罚: the plea's 15% only (不作重复评价): 12 / 0.85 = 14.1 → 14; 缓刑 gone with the 悔罪表现
    # (刑法 §72), and §67/§72/§73 with them
    assert (v["sentence"]["months"], v["sentence"]["probation_months"], v["sentence"]["fine"]) == (14, 0, 20000)
    assert {a["number"] for a in v["articles"]} & {67, 72, 73} == set() and 303 in {a["number"] for a in v["articles"]}
    assert v["verdict"] == "" and "缓刑" not in v["reasoning"] and "如实供述" not in v["reasoning"]
    row = sample(v)
    assert row["output"].endswith("判处有期徒刑一年二个月，并处罚金人民币二万元。\n刑期:14个月")
    assert "缓刑" not in row["output"] and "拒不供认" in row["output"]


def test_cli_options_reach_the_manifest(tmp_path, capsys):
    from lawfactory.cli import main

    out = tmp_path / "c"
    assert main(["data", "--raw", str(SAMPLES), "--out", str(out), "--workers", "1", "--adversarial-count", "3",
                 "--adversarial-seed", "5"]) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (m["options"]["adversarial_count"], m["options"]["adversarial_seed"],
            m["options"]["adversarial_ratio"]) == (3, 5, 0.06)
    assert m["adversarial"]["seed"] == 5 and m["datasets"]["criminal_adversarial"]["rows"] == 3
    assert "adversarial (synthetic): 3 train variants" in capsys.readouterr().out


def test_rows_carry_the_changes(default_build):
    out, _ = default_build
    for r in read_jsonl(out / "criminal_adversarial.jsonl"):
        c = json.loads(r["changes"])
        assert c["spans"] and c["ratio"] > 0
        assert r["output"].endswith(f"刑期:{c['new_months']}个月") or c["note"] in ("life sentence unchanged",
                                                                                "death sentence unchanged")
        assert {"factor", "band", "point", "law"} <= set(c["discounts"][0])
    pairs = read_jsonl(out / "criminal_attitude_pairs_eval.jsonl")
    assert all(r["changes"] == "" for r in pairs[::2]) and all(json.loads(r["changes"])["spans"] for r in pairs[1::2])


def test_count_stays_exact_when_candidates_fail(tmp_path, monkeypatch):
    import adversarial.stage as stage_mod

    real = stage_mod.make_variant

    def flaky(case, variant, seed, index=None):  # a third of the candidates fail a self-check
        if int(case["case_id"], 16) % 3 == 0:
            return None, "self-check failed: planted"
        return real(case, variant, seed, index)

    monkeypatch.setattr(stage_mod, "make_variant", flaky)
    m = make(tmp_path / "f", adversarial_count=30)
    rows = read_jsonl(tmp_path / "f" / "criminal_adversarial.jsonl")
    assert len(rows) == 30 and all(int(r["variant_of"], 16) % 3 for r in rows)
    dropped = m["adversarial"]["dropped_by_self_checks"]
    assert sum(v for k, v in dropped.items() if k.endswith("planted")) > 0
