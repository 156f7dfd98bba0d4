"""LeCaRD / CAIL 类案检索 documents (converters/lecard.py): the text normalization, the fields read
from the text, and the `.json`-per-document layout through `make data`."""

import json
from collections import Counter

import pytest

from converters import judgments, judgments_cn, lecard
from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.records import RecordError, Skip

from conftest import real_path

QW = ("张某盗窃一审刑事判决书 某省某市某区人民法院 刑事判决书 （2018）某0106刑初98号 公诉机关某市某区人民检察院。 "
      "被告人张某，男，1980年1月1日出生。 辩护人李某，某律师事务所律师。 "
      "某市某区人民检察院以某检公诉刑诉［2018］32号起诉书指控被告人张某犯盗窃罪，"
      "于2018年1月24日向本院提起公诉。现已审理终结。 "
      "经审理查明，2017年10月30日，被告人张某在某商场窃取手机一部，价值人民币3000元。 "
      "本院认为，被告人张某以非法占有为目的，秘密窃取他人财物，数额较大，其行为已构成盗窃罪。"
      "依照《中华人民共和国刑法》第二百六十四 条、"
      "第 六十七条第三款之规定，判决如下： 被告人张某犯盗窃罪，判处有期徒刑三 年又六个月，并处罚金人民币2，000元。 "
      "如不服本判决，可在接到判决书的第二日起十日内提出上诉。 审判员陈某 二〇一八年二月八日 书记员蔡某")


def doc(qw=QW, **kw):
    return {"ajId": "x", "ajName": "张某盗窃一案", "ajjbqk": "", "cpfxgc": "", "pjjg": "", "qw": qw,
            "writId": "w1", "writName": "张某盗窃一审刑事判决书", **kw}


def test_text_title_dropped_paragraphs_restored_stray_spaces_removed():
    text = lecard.full_text(QW)
    assert text.startswith("某省某市某区人民法院\n刑事判决书\n（2018）某0106刑初98号\n")
    assert "第二百六十四条、第六十七条" in text and "有期徒刑三年又六个月" in text
    assert "\n被告人张某，男" in text and "\n辩护人李某" in text
    assert (lecard.full_text("判处有期徒刑 1年6个月，并处罚金 2000元。 下文")
            == "判处有期徒刑1年6个月，并处罚金2000元。\n下文")


def test_fields_come_from_the_text():
    r = lecard.to_cjo(doc())
    assert (r["案号"], r["法院"], r["案件类型"], r["裁判日期"], r["doc_id"]) == \
        ("（2018）某0106刑初98号", "某省某市某区人民法院", "刑事案件", "2018-02-08", "w1")
    assert lecard.to_cjo(doc(QW.replace("刑事判决书 （", "刑事附带民事判决书 （")))["案件类型"] == "刑事案件"
    assert lecard.to_cjo(doc(QW.replace("刑事判决书 （", "刑事裁定书 （")))["案件类型"] == "刑事裁定书"
    with pytest.raises(RecordError, match="qw"):
        lecard.to_cjo(doc(qw=""))


def test_a_document_converts_like_a_cjo_record_and_names_from_the_title_never_leak():
    [c] = judgments_cn.convert_record(doc(writName="张三盗窃一审刑事判决书", ajName="张三盗窃一案"), "d.json", 1,
                                      Counter())
    assert (c["defendant"], c["charges"], c["sentence"]["months"],
            c["sentence"]["fine"]) == ("张某", ["盗窃"], 42, 2000)
    assert [a["number"] for a in c["articles"]] == [264, 67]
    assert c["meta"]["format"] == "lecard" and c["meta"]["doc_id"] == "w1"
    assert "张三" not in json.dumps(c, ensure_ascii=False)


@pytest.mark.parametrize("number, reason", [("（2019）闽01刑终212号", "审理程序 刑事二审 not in 刑事一审"),
                                            ("（2015）辽阳刑二终字第20号", "审理程序 刑事二审 not in 刑事一审"),
                                            ("（2016）某刑再5号", "审理程序 刑事审判监督 not in 刑事一审")])
def test_appeals_and_retrials_are_skipped_from_the_case_number(number, reason):
    with pytest.raises(Skip, match=reason):
        judgments_cn.convert_record(doc(QW.replace("（2018）某0106刑初98号", number)), "d.json", 1, Counter())


@pytest.mark.real
def test_one_json_file_per_document_through_make_data(tmp_path):
    """LeCaRD ships one JSON object per file: those under RAW/judgments/cn convert like the JSON
    lines, and the manifest's conformance report counts them under their own source."""
    lines = real_path("judgments", "cn", "lecard_candidates.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    raw = tmp_path / "raw" / "judgments" / "cn"
    raw.mkdir(parents=True)
    for i, line in enumerate(lines):
        (raw / f"{i}.json").write_text(json.dumps(json.loads(line), ensure_ascii=False, indent=2), encoding="utf-8")
    m = build(BuildConfig.of(raw=tmp_path / "raw", out=tmp_path / "out", workers=1, near_dup="off"))
    conf = m["conformance"]["judgments_cn_json"]
    assert conf["read"] == 12 == conf["converted"] + sum(conf["skipped"].values()) + sum(conf["rejected"].values())
    classes = [row.split("\t")[2]
               for row in real_path("judgments", "cn", "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:13]]
    assert conf["skipped"] == {"审理程序 刑事二审 not in 刑事一审": classes.count("criminal_appeal(negative)")}
    assert conf["yield"] == 1.0 and conf["cases"] > 11


def test_a_recommended_range_in_adopted_facts_is_masked():
    from lawfactory.parse.leaks import mask_recommendation

    facts = ("上述事实足以认定。\n根据以上情节，公诉机关提出了量刑建议；"
             "对被告人熊某的量刑幅度为有期徒刑六个月至一年六个月，并处罚金。\n下文。")
    assert mask_recommendation(facts) == "上述事实足以认定。\n根据以上情节，公诉机关提出了量刑建议。\n下文。"
    assert mask_recommendation("量刑建议为：有期徒刑一年。下文") == "下文"


def test_a_cjo_record_whose_text_runs_together_reads_like_lecard():
    """A CJO dump can carry the same run-together text with blank columns: the text is normalized
    and the blank columns are read from it, so both layouts give the same case."""
    [a] = judgments_cn.convert_record(doc(), "d.json", 1, Counter())
    [b] = judgments_cn.convert_record({"全文": QW, "案号": "", "案件类型": ""}, "d.csv", 1, Counter())
    keys = ("defendant", "charges", "sentence", "articles", "facts", "reasoning", "verdict")
    assert [a[k] for k in keys] == [b[k] for k in keys]
    assert b["meta"]["case_number"] == "（2018）某0106刑初98号" and b["meta"]["format"] == "cjo"


def test_without_a_case_number_the_parties_tell_the_procedure():
    from converters.judgments_cn import procedure

    first = lecard.full_text(QW.replace("（2018）某0106刑初98号 ", ""))
    assert procedure({"全文": first}) == "刑事一审"
    appeal = first.replace("公诉机关某市", "原公诉机关某市").replace("被告人张某，男", "上诉人（原审被告人）张某，男")
    assert procedure({"全文": appeal}) == "刑事二审"
    assert procedure({"全文": "某某文书"}) == ""


def test_per_defendant_law_passage():
    from converters.judgments_cn import basis_by_defendant, basis_clause

    reasoning = ("本院认为，…构成贩卖毒品罪。根据各被告人犯罪的事实、性质，"
                 "对被告人郭某、王某依照《中华人民共和国刑法》第三百四十七条第一、四款；"
                 "第六十七条第三款；对被告人亓某依照《中华人民共和国刑法》第三百四十七条；第六十九条；对各被告人依照第六十四条之规定，判决如下：")
    basis = basis_clause(reasoning)
    assert basis.startswith("根据各被告人")
    arts = {n: [a["number"] for a in judgments.cited_articles(part, "cn")[0]]
            for n, part in basis_by_defendant(basis, ["郭某", "王某", "亓某"]).items()}
    assert arts == {"郭某": [347, 67, 64], "王某": [347, 67, 64], "亓某": [347, 69, 64]}
    assert basis_by_defendant("依照《中华人民共和国刑法》第二百六十四条之规定，判决如下：", ["甲", "乙"]) == {}
