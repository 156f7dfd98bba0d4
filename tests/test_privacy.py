"""Scrubbing personal numbers and pseudonymizing defendants, on strings and on the bundled judgments."""

import json
from collections import Counter

import pytest

from converters.privacy import pseudonymize, pseudonyms, scrub
from judgment_samples import CN, TW, all_cases, convert_path

# numbers planted in the bundled judgments, and the field they sit in
PLANTED = ["330106198503021234", "13912345678", "6222021234567890123", "18812345678", "0771-5551234",
           "A123456789", "0912-345-678"]


@pytest.mark.parametrize("text,kind,placeholder", [
    ("公民身份号码330106198503021234，汉族", "id_number", "[身份证号码]"),
    ("身份证号11010519491231002X。", "id_number", "[身份证号码]"),
    ("转账至银行卡6222021234567890123", "bank_card", "[银行卡号]"),
    ("卡号6222 0212 3456 7890，", "bank_card", "[银行卡号]"),
    ("手机13912345678报警", "phone", "[电话号码]"),
    ("电话0571-87654321。", "phone", "[电话号码]"),
])
def test_scrub_each_kind(text, kind, placeholder):
    out, counts = scrub(text)
    assert placeholder in out and counts == Counter({kind: 1})
    assert not any(ch.isdigit() for ch in out.split(placeholder)[0][-3:])


def test_scrub_keeps_case_numbers_dates_amounts_and_blood_alcohol():
    text = ("（2021）浙0106刑初123号，2021年1月3日，价值人民币3200元，乙醇含量为156mg/100ml，"
            "自2021年1月5日起至2021年9月4日止，起诉书杭西检刑诉〔2021〕100号，20210315，民国112年")
    assert scrub(text) == (text, Counter())


def test_taiwan_placeholders_are_traditional():
    out, counts = scrub("身分證統一編號：A123456789號，聯絡電話：0912-345-678", "tw")
    assert out == "身分證統一編號：[身分證號碼]號，聯絡電話：[電話號碼]"
    assert counts == Counter({"id_number": 1, "phone": 1})


def test_pseudonyms_longest_name_first():
    m = pseudonyms(["张某", "张某某"])
    assert m == {"张某": "甲", "张某某": "乙"}
    assert pseudonymize("被告人张某伙同被告人张某某，张某某负责转账", m) == ("被告人甲伙同被告人乙，乙负责转账", 3)
    assert list(pseudonyms([f"n{i}" for i in range(12)]).values())[9:] == ["癸", "甲1", "乙1"]


def test_no_planted_number_survives_in_any_case_field():
    cases = all_cases()
    blob = json.dumps(cases, ensure_ascii=False)
    for number in PLANTED:
        assert number not in blob, number
    for p in (CN / "cjo_criminal_2021.csv", CN / "cjo_layouts.jsonl"):
        raw = p.read_text(encoding="utf-8")
        assert any(n in raw for n in PLANTED)  # they were there to begin with


def test_scrub_counts_reach_the_stats():
    stats = Counter()
    for p in (CN / "cjo_criminal_2021.csv", CN / "cjo_layouts.jsonl", *TW.glob("*.json")):
        stats.update(convert_path(p)["stats"])
    assert stats["privacy: id_number scrubbed"] == 2  # 330106… (cn) and A123456789 (tw)
    assert stats["privacy: bank_card scrubbed"] == 1
    assert stats["privacy: phone scrubbed"] == 4  # 139…, 188…, 0771-…, 0912-…


def test_pseudonymize_renames_defendants_consistently_within_each_judgment():
    plain = all_cases()
    anon = all_cases({"pseudonymize": True})
    assert [c["sentence"] for c in anon] == [c["sentence"] for c in plain]  # labels unchanged
    for c in anon:
        assert c["meta"]["pseudonymized"] is True
        assert c["defendant"] in "甲乙"
    fraud = [c for c in anon if c["meta"].get("case_number") == "（2021）川0107刑初1024号"]
    principal = next(c for c in fraud if "有期徒刑三年六个月" in c["verdict"])
    accessory = next(c for c in fraud if "有期徒刑一年" in c["verdict"])
    # listed first in the parties → 甲; the same letter in every field and in the co-defendant's record
    assert (principal["defendant"], accessory["defendant"]) == ("甲", "乙")
    assert principal["meta"]["defendants"] == accessory["meta"]["defendants"] == ["甲", "乙"]
    for c in fraud:
        for field in ("facts", "reasoning", "verdict"):
            assert "张某" not in c[field]
        assert "被告人甲伙同被告人乙" in c["facts"]
        assert f"被告人{c['defendant']}犯诈骗罪" in c["verdict"]
    tw = [c for c in anon if c["jurisdiction"] == "tw"]
    for c in tw:
        assert c["defendant"] in "甲乙" and c["verdict"].startswith(f"主文：{c['defendant']}")
        for name in ("王大明", "陳大文", "林小明", "周國華"):
            assert name not in c["facts"] + c["reasoning"] + c["verdict"]
