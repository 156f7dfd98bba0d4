import json

from lawfactory import decontam
from lawfactory.build import Options, build
from planting import jsonl, near_duplicate, sample_records, with_fact, write_raw


def benchmarks(tmp_path, recs):
    """Three eval sets in the three accepted forms, each holding items taken from the training facts."""
    lawbench = tmp_path / "3-4.json"  # LawBench ships a JSON array of {instruction, question, answer}
    lawbench.write_text(json.dumps([
        {"instruction": "请根据下列事实预测刑期。", "question": recs[0]["fact"], "answer": "刑期:22个月"},  # exact
        {"instruction": "请根据下列事实预测刑期。", "question": near_duplicate(recs[1]["fact"]), "answer": "刑期:7个月"},
        {"instruction": "无关", "question": "与任何训练案件都不相同的一段文字，用来确认不会误删。" * 3, "answer": "刑期:1个月"},
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
    m = build(Options(raw=raw, out=tmp_path / "d", eval_ratio=0.0, extra={"exclude": excl}, workers=1))
    files = {f["file"]: f for f in m["decontamination"]["files"]}
    assert files["3-4.json"]["items"] == 3 and files["3-4.json"]["removed_train"] == 2
    assert files["plain.jsonl"]["items"] == 2 and files["plain.jsonl"]["removed_train"] == 2
    assert files["plain.jsonl"]["unreadable"] == 2 and any("plain.jsonl:4" in e for e in files["plain.jsonl"]["examples"])
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
    m = build(Options(raw=raw, out=tmp_path / "d", eval_ratio=1.0, extra={"exclude": excl}, workers=1))
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
    import pytest

    raw = write_raw(tmp_path, sample_records()[:3])
    with pytest.raises(SystemExit, match="--exclude file .*nope.json does not exist"):
        build(Options(raw=raw, out=tmp_path / "d", extra={"exclude": [str(tmp_path / "nope.json")]}, workers=1))
