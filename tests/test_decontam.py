import gzip
import json
import re

import numpy as np
import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig, HygieneConfig
from lawfactory.errors import UsageError
from lawfactory.hygiene import decontam
from lawfactory.parse import numerals

from conftest import real_path
from planting import cli, jsonl, near_duplicate, sample_records, with_fact, write_raw


def benchmarks(tmp_path, recs):
    """Three eval sets in the three accepted forms, each holding items taken from the training facts."""
    lawbench = tmp_path / "3-4.json"  # LawBench ships a JSON array of {instruction, question, answer}
    lawbench.write_text(json.dumps([
        {"instruction": "请根据下列事实预测刑期。", "question": recs[0]["fact"], "answer": "刑期:22个月"},  # exact
        {"instruction": "请根据下列事实预测刑期。", "question": near_duplicate(recs[1]["fact"]),
         "answer": "刑期:7个月"},
        {"instruction": "无关", "question": "与任何训练案件都不相同的一段文字，用来确认不会误删。" * 3,
         "answer": "刑期:1个月"},
    ], ensure_ascii=False), encoding="utf-8")
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join([json.dumps({"input": recs[2]["fact"]}, ensure_ascii=False),
                                json.dumps({"text": "  " + recs[3]["fact"] + "\n"}, ensure_ascii=False),
                                json.dumps({"other": 1}), "not json"]) + "\n", encoding="utf-8")
    cail = tmp_path / "cail_test.jsonl"  # a raw CAIL record: the recommendation is masked before matching
    cail.write_text(json.dumps(recs[4], ensure_ascii=False) + "\n", encoding="utf-8")
    return [str(lawbench), str(plain), str(cail)]


def test_benchmark_items_are_removed_from_training_and_counted_per_file(tmp_path):
    recs = sample_records()
    # record 4 carries a prosecutor's recommendation, which the converter masks in training facts
    recs[4] = with_fact(recs[4], recs[4]["fact"] + "公诉机关建议判处被告人有期徒刑二年，并处罚金。")
    raw = write_raw(tmp_path, recs)
    excl = benchmarks(tmp_path, recs)
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", eval_ratio=0.0, exclude=excl, workers=1))
    files = {f["file"]: f for f in m["decontamination"]["files"]}
    assert files["3-4.json"]["items"] == 3 and files["3-4.json"]["removed_train"] == 2
    assert files["plain.jsonl"]["items"] == 2 and files["plain.jsonl"]["removed_train"] == 2
    assert (files["plain.jsonl"]["unreadable"] == 2
            and any("plain.jsonl:4" in e for e in files["plain.jsonl"]["examples"]))
    assert files["cail_test.jsonl"]["removed_train"] == 1
    assert m["decontamination"]["removed_train"] == 5
    train = {r["input"] for r in jsonl(tmp_path / "d" / "criminal_sentencing.jsonl")}
    cases = {int(c["source"].rsplit(":", 1)[1]): c["facts"] for c in jsonl(tmp_path / "d" / "cases.jsonl")}
    for line in range(1, 6):
        assert cases[line] not in train  # the case is kept in cases.jsonl, but trains nothing
    assert len(train) == len(cases) - 5
    assert m["datasets"]["criminal_sentencing"]["rows"] == len(cases) - 5
    readme = (tmp_path / "d" / "README.md").read_text(encoding="utf-8")
    assert "Benchmark `3-4.json`" in readme and "2 training cases removed" in readme


def test_eval_cases_that_match_a_benchmark_stay_in_eval(tmp_path):
    recs = sample_records()
    raw = write_raw(tmp_path, recs)
    excl = benchmarks(tmp_path, recs)
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", eval_ratio=1.0, exclude=excl, workers=1))
    files = m["decontamination"]["files"]
    assert sum(f["removed_train"] for f in files) == 0 and sum(f["matched_eval"] for f in files) == 5
    assert m["datasets"]["criminal_sentencing_eval"]["rows"] == len(recs)


def test_item_text_reads_every_accepted_form():
    assert decontam.item_text({"fact": "甲", "meta": {}}) == "甲"
    assert decontam.item_text({"instruction": "i", "question": "乙", "answer": "a"}) == "乙"
    assert decontam.item_text({"facts": "丙"}) == "丙"
    assert decontam.item_text({"input": "丁"}) == "丁"
    assert decontam.item_text({"text": "戊"}) == "戊"
    assert decontam.item_text({"question": "  "}) is None and decontam.item_text(["x"]) is None


def test_missing_exclude_file_is_a_clear_error(tmp_path):
    raw = write_raw(tmp_path, sample_records()[:3])
    with pytest.raises(UsageError, match="--exclude file .*nope.json does not exist"):
        build(BuildConfig.of(raw=raw, out=tmp_path / "d", exclude=[str(tmp_path / "nope.json")], workers=1))


# --- containment: a training fact inside a longer benchmark item (LawBench 3-5 style) -------------

INSTRUCTION_35 = ("给定事实、罪名与法条，预测判决刑期。只需给出判决刑期为多少月，请将答案填在[刑期]与<eoa>之间。"
                  "例如[刑期]12月<eoa>。")
INSTRUCTION_34 = "给定事实，预测判决刑期。只需给出判决刑期为多少月，请将答案填在[刑期]与<eoa>之间。"
ARTICLE = re.compile(r"^第([零一二三四五六七八九十百千]+)条\s.*?(?=^第[零一二三四五六七八九十百千]+条|\Z)",
                     re.MULTILINE | re.DOTALL)


def real_records() -> list[dict]:
    lines = real_path("cail2018", "valid_sample.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def article_texts() -> dict[int, str]:
    """Article number → its full text (every paragraph), from the shared criminal law."""
    law = real_path("statutes", "cn", "prc_criminal_law.md").read_text(encoding="utf-8")
    out: dict[int, str] = {}
    for m in ARTICLE.finditer(law):
        out.setdefault(numerals.to_int(m.group(1)), m.group(0).strip())
    return out


def perturbed(fact: str) -> str:
    """Light copy noise: full-width punctuation made half-width, whitespace inserted."""
    fact = fact.replace("，", ",", 2).replace("：", ":").replace("。", ". ", 1)
    mid = len(fact) // 2
    return "  " + fact[:mid] + " \n" + fact[mid:] + "\t"


def lawbench_35(rec: dict, arts: dict[int, str]) -> dict:
    nums = rec["meta"]["relevant_articles"]
    question = ("事实：" + perturbed(rec["fact"]) + "\n罪名：" + "；".join(rec["meta"]["accusation"]) + "\n法条："
                + "；".join(f"第{n}条" for n in nums) + "\n" + "\n".join(arts[n] for n in nums))
    return {"instruction": INSTRUCTION_35, "question": question, "answer": "刑期:12个月"}


def lawbench_34(rec: dict) -> dict:
    return {"instruction": INSTRUCTION_34, "question": "事实：" + perturbed(rec["fact"]), "answer": "刑期:12个月"}


def usable(recs: list[dict], arts: dict[int, str]) -> list[dict]:
    """Records the converter keeps (facts well over the 20-character minimum) with articles in the law."""
    return [r for r in recs if len(r["fact"]) >= 60 and all(n in arts for n in r["meta"]["relevant_articles"])]


def lawbench_files(tmp_path, recs, arts):
    """A LawBench-3-5-style JSON array over records 0–9 and a 3-4-style .jsonl.gz over records 10–14."""
    a = tmp_path / "lawbench_3-5.json"
    a.write_text(json.dumps([lawbench_35(r, arts) for r in recs[:10]], ensure_ascii=False), encoding="utf-8")
    b = tmp_path / "lawbench_3-4.jsonl.gz"
    b.write_bytes(gzip.compress("".join(json.dumps(lawbench_34(r), ensure_ascii=False) + "\n" for r in recs[10:15])
                                .encode("utf-8")))
    return a, b


@pytest.mark.real
@pytest.mark.parametrize("form", ["one flag", "repeated flag"])
def test_lawbench_items_remove_exactly_the_training_cases_they_contain(tmp_path, form):
    arts = article_texts()
    recs = usable(real_records(), arts)[:60]
    raw = write_raw(tmp_path, recs)
    a, b = lawbench_files(tmp_path, recs, arts)
    assert len(json.dumps(json.loads(a.read_text(encoding="utf-8"))[0], ensure_ascii=False)) > 2 * len(recs[0]["fact"])
    flags = ["--exclude", str(a), str(b)] if form == "one flag" else ["--exclude", str(a), "--exclude", str(b)]
    out = tmp_path / "d"
    p = cli("--raw", str(raw), "--out", str(out), "--eval-ratio", "0", "--workers", "1", *flags)
    assert p.returncode == 0, p.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in m["decontamination"]["files"]}
    assert set(files) == {"lawbench_3-5.json", "lawbench_3-4.jsonl.gz"}
    assert files["lawbench_3-5.json"]["items"] == 10 and files["lawbench_3-5.json"]["removed_train"] == 10
    assert files["lawbench_3-5.json"]["removed_by_containment"] == 10  # whole-item MinHash finds none of them
    assert files["lawbench_3-4.jsonl.gz"]["items"] == 5 and files["lawbench_3-4.jsonl.gz"]["removed_train"] == 5
    assert m["decontamination"]["removed_train"] == 15
    cases = {int(c["source"].rsplit(":", 1)[1]): c["facts"] for c in jsonl(out / "cases.jsonl")}
    assert len(cases) == len(recs)
    train = {r["input"] for r in jsonl(out / "criminal_sentencing.jsonl")}
    for line, facts in cases.items():
        if line <= 15:
            assert facts not in train, f"line {line}: contained in a benchmark item, still trains"
        else:
            assert facts in train, f"line {line}: removed though no benchmark item holds it (false positive)"
    assert "lawbench_3-5.json: 10 items, 0 unreadable; 10 training cases removed" in p.stdout
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "Benchmark `lawbench_3-5.json`" in readme and "Benchmark `lawbench_3-4.jsonl.gz`" in readme


@pytest.mark.real
def test_containment_has_no_false_positives_on_other_real_records():
    """Facts of 1,000 real CAIL records against LawBench-3-5 and 3-4 items built from the other half."""
    arts = article_texts()
    recs = [r for r in real_records() if all(n in arts for n in r["meta"]["relevant_articles"])]
    facts = [decontam._mask(r["fact"]) for r in recs]
    half = len(recs) // 2
    for make in (lambda r: lawbench_35(r, arts), lawbench_34):
        false, found = 0, 0
        for items_from, facts_from in ((range(half), range(half, len(recs))), (range(half, len(recs)), range(half))):
            items = [make(recs[i]) for i in items_from]
            ix = decontam.build_index([decontam._mask(decontam.item_haystack(o)) for o in items],
                                      [decontam._mask(decontam.item_text(o)) for o in items])
            false += int((decontam.contained([facts[i] for i in facts_from], ix,
                                             HygieneConfig.exclude_containment) >= 0).sum())
            found += int((decontam.contained([facts[i] for i in items_from], ix,
                                             HygieneConfig.exclude_containment) >= 0).sum())
        assert false == 0, f"{false} of {len(recs)} facts matched an item built from another record"
        short = sum(len(decontam.ngram_hashes(f)) < decontam.MIN_NGRAMS for f in facts)
        assert found == len(recs) - short  # and each record's own item is found


def test_normalization_folds_width_punctuation_and_whitespace():
    a = decontam.ngram_hashes("被告人张某于2014年1月4日，在孝昌县城区盗窃手机一部。")
    b = decontam.ngram_hashes("被告人张某于２０１４年１月４日, 在孝昌县城区\n盗窃手机一部.")
    assert len(a) and np.array_equal(a, b)
    assert "".join(map(chr, decontam.normalize("Ａ，b　１。刑法《》"))) == "ab1刑法"


def test_a_short_item_inside_a_long_training_fact_is_found():
    long_fact = "经审理查明，" + "".join(f"第{i}次，被告人在某地盗窃财物价值{i * 37}元。" for i in range(1, 40))
    excerpt = long_fact[200:320]
    ix = decontam.build_index([excerpt], [excerpt])
    assert decontam.contained([long_fact, "与之无关的另一段较长的案件事实，被告人在商场盗窃了一部手机，价值八百元。"],
                              ix, 0.5).tolist() == [0, -1]


def test_boilerplate_shared_by_many_items_is_ignored(monkeypatch):
    formula = ("公诉机关认为被告人的行为已构成盗窃罪数额较大依法应当追究其刑事责任公诉机关当庭宣读了"
               "被告人供述被害人陈述及证人证言")
    items = [f"被告人{i}号于某日在{i}号商店内窃得现金{i * 13}元。" + formula for i in range(30)]
    fact = "被告人丙在超市盗窃香烟两条价值四百元。" + formula  # shares only the formula with every item
    ix = decontam.build_index(items, items)
    assert len(ix.common) > 0
    assert decontam.contained([fact], ix, 0.5).tolist() == [-1]
    monkeypatch.setattr(decontam, "COMMON_ITEMS", 1000)  # without the boilerplate rule it would match
    assert decontam.contained([fact], decontam.build_index(items, items), 0.5).tolist() == [0]


def test_containment_option_is_checked():
    with pytest.raises(UsageError, match="--exclude-containment must be in"):
        decontam.check_containment(1.5)


def test_a_raw_benchmark_record_still_matches_its_scrubbed_training_copy(tmp_path):
    """Training facts are scrubbed of personal data; exclude items are scrubbed the same way, so a
    raw copy of a record with many phones, plates and addresses still finds its training case."""
    recs = sample_records()
    pii = ("被害人陈小红（手机13912345678、138-1234-5603，身份证33010619850302123X，住文三路123号5幢2单元301室）"
           "驾驶浙A12345号车辆，卡号6222021234567890123、6222 0212 3456 7890，邮箱chen@example.com。")
    recs[0] = with_fact(recs[0], pii + recs[0]["fact"][:40])
    raw = write_raw(tmp_path, recs)
    cail = tmp_path / "cail_test.jsonl"
    cail.write_text(json.dumps(recs[0], ensure_ascii=False) + "\n", encoding="utf-8")
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", eval_ratio=0.0, exclude=[str(cail)], workers=1))
    assert m["decontamination"]["removed_train"] == 1
    assert "13912345678" not in (tmp_path / "d" / "cases.jsonl").read_text(encoding="utf-8")
