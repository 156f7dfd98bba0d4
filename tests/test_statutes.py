"""Statute converters and the statute index in `make data` (issue 4)."""

import json
import re
import shutil
from pathlib import Path

import pytest

from converters import statutes_cn, statutes_tw
from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.jsonl import read_jsonl
from lawfactory.parse.citations import parse_citations
from lawfactory.records import PRC_CRIMINAL_LAW, TW_CRIMINAL_CODE, RecordError, article
from lawfactory.tasks.grounded import NO_GROUNDING
from lawfactory.tasks.statute_articles import label

from conftest import SAMPLES, real_path

CN_MD = SAMPLES / "statutes" / "cn" / "刑法.md"
TW_JSON = SAMPLES / "statutes" / "tw" / "C0000001.json"
TW_XML = SAMPLES / "statutes" / "tw" / "C0000001_FalV.xml"
TW_DUMP = SAMPLES / "statutes" / "tw" / "ChLaw.json"


def articles(result) -> list[dict]:
    return [a for law in result.laws for a in law.articles]


def without_source(arts: list[dict]) -> list[dict]:
    return [{k: v for k, v in a.items() if k != "source"} for a in arts]


# ---- the real exports (skipped when ../shared/data/real is absent) ----

def test_real_prc_criminal_law_505_articles():
    path = real_path("statutes", "cn", "prc_criminal_law.md")
    r = statutes_cn.read_file(path, "prc.md")
    arts = articles(r)
    assert r.rejects == [] and r.read == len(arts) == 505
    assert sum(a["suffix"] == 0 for a in arts) == 452 and sum(a["suffix"] > 0 for a in arts) == 53
    # no article lost or duplicated: the numbered ones are exactly 1…452, every key once
    assert sorted(a["number"] for a in arts if not a["suffix"]) == list(range(1, 453))
    assert len({a["key"] for a in arts}) == 505
    # the heading lines, counted here without the converter, name the same articles in the same order
    heads = re.findall(r"^(第\S+?条(?:之\S+?)?) ", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert [parse_citations(h, "cn")[0]["key"] for h in heads] == [a["key"] for a in arts]
    deleted = [a["key"] for a in arts if a["deleted"]]
    assert deleted == [f"{PRC_CRIMINAL_LAW}|199"]  # the one （删去） in the file
    by_key = {a["key"]: a for a in arts}
    a = by_key[f"{PRC_CRIMINAL_LAW}|133-1"]
    assert a["path"] == ["第二编 分则", "第二章 危害公共安全罪"] and len(a["paragraphs"]) == 3
    assert [i["item"] for i in a["items"]] == [1, 2, 3, 4] and a["modified_date"] == "20231229"
    assert by_key[f"{PRC_CRIMINAL_LAW}|452"]["path"] == ["附则"]
    # the ① note under 附则 and the 附件 lists are not statute text
    assert not any("①" in p or "暂行条例" in p for p in by_key[f"{PRC_CRIMINAL_LAW}|452"]["paragraphs"])


def test_real_taiwan_criminal_code_415_rows_55_headings_20_deleted():
    path = real_path("statutes", "tw", "C0000001_criminal_code.json")
    raw = json.loads(path.read_text(encoding="utf-8-sig"))["LawArticles"]
    r = statutes_tw.read_json(path, "c.json")
    arts = articles(r)
    (law,) = r.laws
    assert (law.name, law.modified_date, law.headings) == (TW_CRIMINAL_CODE, "20240731", 55)
    assert r.rejects == [] and len(arts) == 415 == sum(row["ArticleType"] == "A" for row in raw)
    assert sum(a["deleted"] for a in arts) == 20
    assert len({a["key"] for a in arts}) == 415
    # every A row, in order, under the key its own ArticleNo parses to
    assert [parse_citations(row["ArticleNo"], "tw")[0]["key"] for row in raw if row["ArticleType"] == "A"] == \
        [a["key"] for a in arts]
    by_key = {a["key"]: a for a in arts}
    a = by_key[f"{TW_CRIMINAL_CODE}|185-3"]
    assert a["path"] == ["第二編 分則", "第十一章 公共危險罪"] and len(a["paragraphs"]) == 3 and len(a["items"]) == 4
    assert by_key[f"{TW_CRIMINAL_CODE}|227"]["path"][-1] == "第十六章 妨害性自主罪"
    assert by_key[f"{TW_CRIMINAL_CODE}|231"]["path"][-1] == "第十六章之一 妨害風化罪"  # "第 十六 章之一  妨害風化罪"
    # 第 359 條 mentions 刪除 in its text and is not deleted
    assert not by_key[f"{TW_CRIMINAL_CODE}|359"]["deleted"]


def test_real_falv_xml_gives_the_same_articles_as_the_json():
    xml = statutes_tw.read_xml(real_path("statutes", "tw", "C0000001_criminal_code_FalV.xml"), "x.xml")
    js = statutes_tw.read_json(real_path("statutes", "tw", "C0000001_criminal_code.json"), "j.json")
    assert xml.rejects == [] and xml.laws[0].headings == 55
    assert without_source(articles(xml)) == without_source(articles(js))


def test_real_criminal_procedure_json():
    r = statutes_tw.read_json(real_path("statutes", "tw", "C0010001_criminal_procedure.json"), "p.json")
    assert (r.laws[0].name, len(articles(r)), r.laws[0].headings, r.rejects) == ("刑事訴訟法", 710, 41, [])


# ---- the bundled samples ----

def test_sample_files_parse_without_loss():
    cn, tw, xml, dump = (statutes_cn.read_file(CN_MD, "cn"), statutes_tw.read_json(TW_JSON, "tw"),
                         statutes_tw.read_xml(TW_XML, "xml"), statutes_tw.read_json(TW_DUMP, "dump"))
    assert [len(articles(r)) for r in (cn, tw, xml, dump)] == [30, 27, 27, 5]
    assert all(r.rejects == [] for r in (cn, tw, xml, dump))
    assert without_source(articles(xml)) == without_source(articles(tw))
    assert TW_DUMP.read_bytes().startswith(b"\xef\xbb\xbf") and dump.laws[0].name == "刑事訴訟法"
    heads = re.findall(r"^(第\S+?条(?:之\S+?)?) ", CN_MD.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(heads) == 30 and [a["key"] for a in articles(cn)] == [parse_citations(h, "cn")[0]["key"] for h in heads]


def sample_index() -> dict:
    arts = (articles(statutes_cn.read_file(CN_MD, "cn")) + articles(statutes_tw.read_json(TW_JSON, "tw"))
            + articles(statutes_tw.read_json(TW_DUMP, "dump")))
    return {a["key"]: a for a in arts}


@pytest.mark.parametrize("text,jur,key,para", [
    ("刑法第一百三十三条之一", "cn", f"{PRC_CRIMINAL_LAW}|133-1", None),
    ("《中华人民共和国刑法》第133条之一第一款", "cn", f"{PRC_CRIMINAL_LAW}|133-1", 1),
    ("刑法第185條之3第1項", "tw", f"{TW_CRIMINAL_CODE}|185-3", 1),
    ("第 185-3 條", "tw", f"{TW_CRIMINAL_CODE}|185-3", None),
    ("依刑法第三百三十九條之四第一項第二款", "tw", f"{TW_CRIMINAL_CODE}|339-4", 1),
    ("刑事訴訟法第一百五十六條第二項", "tw", "刑事訴訟法|156", 2),
])
def test_every_citation_form_finds_its_indexed_article(text, jur, key, para):
    (c,) = parse_citations(text, jur)
    index = sample_index()
    assert (c["key"], c["paragraph"]) == (key, para)
    a = index[key]
    assert (a["law"], a["number"], a["suffix"]) == (c["law"], c["number"], c["suffix"])
    assert len(a["paragraphs"]) >= (para or 1)


def every_article_label_round_trips(arts):
    for a in arts:
        for form in range(6):
            (c,) = parse_citations(label(a, form), a["jurisdiction"])
            assert c["key"] == a["key"], (label(a, form), a["key"])


def test_every_sample_article_label_round_trips():
    every_article_label_round_trips(sample_index().values())


def test_every_real_article_label_round_trips():
    every_article_label_round_trips(
        articles(statutes_cn.read_file(real_path("statutes", "cn", "prc_criminal_law.md"), "c"))
        + articles(statutes_tw.read_json(real_path("statutes", "tw", "C0000001_criminal_code.json"), "t")))


def test_deleted_articles_stay_marked_without_text():
    index = sample_index()
    deleted = {k for k, a in index.items() if a["deleted"]}
    assert deleted == {f"{PRC_CRIMINAL_LAW}|199", "刑事訴訟法|104", f"{TW_CRIMINAL_CODE}|34",
                       f"{TW_CRIMINAL_CODE}|40-1", f"{TW_CRIMINAL_CODE}|56"}
    assert all(index[k]["paragraphs"] == [] == index[k]["items"] for k in deleted)
    assert index[f"{TW_CRIMINAL_CODE}|40-1"]["path"] == ["第一編 總則", "第五章之一 沒收"]
    with pytest.raises(RecordError):
        article(law="x", jurisdiction="cn", number=1, paragraphs=["text"], deleted=True)
    with pytest.raises(RecordError):
        article(law="x", jurisdiction="cn", number=1, paragraphs=[])


def test_paragraphs_and_items_follow_each_jurisdictions_units():
    index = sample_index()
    # PRC: 款 are paragraphs, （一） lines are 项 of the 款 before them
    a = index[f"{PRC_CRIMINAL_LAW}|72"]
    assert (len(a["paragraphs"]) == 3
            and [(i["paragraph"], i["item"]) for i in a["items"]] == [(1, 1), (1, 2), (1, 3), (1, 4)])
    assert a["paragraphs"][0].splitlines()[1] == "（一）犯罪情节较轻；"
    # Taiwan: 項 are lines, 一、 lines are 款 of the 項 before them; numbering restarts per 項
    a = index[f"{TW_CRIMINAL_CODE}|74"]
    assert len(a["paragraphs"]) == 5
    assert [(i["paragraph"], i["item"]) for i in a["items"]] == [(1, 1), (1, 2)] + [(2, n) for n in range(1, 9)]
    assert a["paragraphs"][3] == "第二項第三款、第四款得為民事強制執行名義。"
    assert index[f"{TW_CRIMINAL_CODE}|41"]["path"] == ["第一編 總則", "第五章之二 易刑"]


# ---- `make data` ----

def copy_samples(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    return raw


def test_make_data_writes_the_sorted_index_and_counts_every_file(tmp_path):
    out = tmp_path / "d"
    m = build(BuildConfig.of(raw=SAMPLES, out=out, workers=1))
    index = read_jsonl(out / "statutes_index.jsonl")
    # + the French sample code: 15 articles, 3 not in force (tests/test_statutes_fr.py)
    assert len(index) == 30 + 27 + 5 + 15 == m["statutes"]["articles"] and m["statutes"]["deleted"] == 5 + 3
    order = [(a["jurisdiction"], a["law"], a["number"], a["suffix"]) for a in index]
    assert order == sorted(order) and len({a["key"] for a in index}) == len(index)
    inputs = {k: v for k, v in m["inputs"].items() if k.startswith("statutes/")}
    assert {k: (v["read"], v["converted"], v["rejected"], v["skipped"]) for k, v in inputs.items()} == {
        "statutes/cn/刑法.md": (30, 30, 0, 0),
        "statutes/tw/C0000001.json": (27, 27, 0, 0),
        "statutes/tw/ChLaw.json": (5, 5, 0, 0),
        # the FalV XML of the law the JSON already gave: kept once, from the JSON
        "statutes/tw/C0000001_FalV.xml": (27, 0, 0, 27),
        "statutes/fr/LEGITEXT900000000001.json": (15, 15, 0, 0),
    }
    assert (inputs["statutes/tw/C0000001_FalV.xml"]["skipped_reason"]
            == f"{TW_CRIMINAL_CODE} already read from statutes/tw/C0000001.json")
    assert {"statutes_index.jsonl", "statute_retrieval.jsonl"} <= set(m["outputs"])
    assert all(k in m["fingerprint"]["inputs"] for k in inputs)


def test_index_is_loaded_before_the_tasks_run(tmp_path, monkeypatch):
    import lawfactory.build.pipeline as build_mod
    from lawfactory.tasks import BaseTask

    seen = []

    class Probe(BaseTask):
        def rows(self, case, split, ctx):
            seen.append(len(ctx.index))
            return ()

    monkeypatch.setattr(build_mod, "TASKS", [Probe] + build_mod.TASKS)
    build(BuildConfig.of(raw=SAMPLES, out=tmp_path / "d", workers=1))
    assert seen and set(seen) == {62 + 15}  # + the French sample code


def test_statute_files_are_part_of_the_fingerprint(tmp_path):
    raw = copy_samples(tmp_path)
    out = tmp_path / "d"
    first = build(BuildConfig.of(raw=raw, out=out, workers=1))
    assert build(BuildConfig.of(raw=raw, out=out, workers=1))["fingerprint"] == first["fingerprint"]  # up to date
    md = raw / "statutes" / "cn" / "刑法.md"
    md.write_text(md.read_text(encoding="utf-8").replace("第五十二条 判处罚金，应当根据犯罪情节决定罚金数额。\n", ""),
                  encoding="utf-8")
    second = build(BuildConfig.of(raw=raw, out=out, workers=1))
    assert second["fingerprint"]["sha256"] != first["fingerprint"]["sha256"]
    assert second["statutes"]["articles"] == first["statutes"]["articles"] - 1
    assert f"{PRC_CRIMINAL_LAW}|52" not in {a["key"] for a in read_jsonl(out / "statutes_index.jsonl")}


# A FalV dump with two laws: 甲法 has 編 + 章 headings, 乙條例 an article before any heading and
# then a 章 only, so a heading path carried over from 甲法 would show in both of 乙條例's paths.
TWO_LAWS_XML = """<?xml version="1.0" encoding="utf-8"?>
<LAWS>
<法規>
<法規名稱>甲法</法規名稱>
<最新異動日期>20240101</最新異動日期>
<法規內容>
  <編章節>第 一 編 總則</編章節>
  <編章節>   第 一 章 通則</編章節>
  <條文>
    <條號>第 1 條</條號>
    <條文內容><![CDATA[甲法之目的。]]></條文內容>
  </條文>
  <編章節>   第 二 章 罰則</編章節>
  <條文>
    <條號>第 2 條</條號>
    <條文內容><![CDATA[違反第一條者，處罰鍰。]]></條文內容>
  </條文>
</法規內容>
</法規>
<法規>
<法規名稱>乙條例</法規名稱>
<最新異動日期>20230505</最新異動日期>
<法規內容>
  <條文>
    <條號>第 1 條</條號>
    <條文內容><![CDATA[乙條例之目的。]]></條文內容>
  </條文>
  <編章節>第 一 章 附則</編章節>
  <條文>
    <條號>第 2 條</條號>
    <條文內容><![CDATA[本條例自公布日施行。]]></條文內容>
  </條文>
</法規內容>
</法規>
</LAWS>
"""


def test_multi_law_falv_xml_gives_each_law_its_articles_and_paths(tmp_path):
    raw = tmp_path / "raw"
    (raw / "statutes" / "tw").mkdir(parents=True)
    path = raw / "statutes" / "tw" / "laws_FalV.xml"
    path.write_text(TWO_LAWS_XML, encoding="utf-8")
    r = statutes_tw.read_xml(path, "laws.xml")
    assert r.rejects == [] and r.read == 4
    assert [(law.name, law.modified_date, law.headings) for law in r.laws] == \
        [("甲法", "20240101", 3), ("乙條例", "20230505", 1)]
    expected = {  # key → (path, date, text, line of its <條文>)
        "甲法|1": (["第一編 總則", "第一章 通則"], "20240101", ["甲法之目的。"], 9),
        "甲法|2": (["第一編 總則", "第二章 罰則"], "20240101", ["違反第一條者，處罰鍰。"], 14),
        "乙條例|1": ([], "20230505", ["乙條例之目的。"], 24),
        "乙條例|2": (["第一章 附則"], "20230505", ["本條例自公布日施行。"], 29),
    }
    got = {a["key"]: (a["path"], a["modified_date"], a["paragraphs"], int(a["source"].rpartition(":")[2]))
           for law in r.laws for a in law.articles}
    assert got == expected
    assert [a["law"] for a in articles(r)] == ["甲法", "甲法", "乙條例", "乙條例"]
    # through make data: both laws converted, nothing skipped, counts reconcile
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", workers=1))
    entry = m["inputs"]["statutes/tw/laws_FalV.xml"]
    assert (entry["read"], entry["converted"], entry["rejected"], entry["skipped"],
            entry["headings"]) == (4, 4, 0, 0, 4)
    assert entry["laws"] == ["甲法", "乙條例"] and m["statutes"]["laws"] == {"甲法": 2, "乙條例": 2}
    index = {a["key"]: (a["path"], a["modified_date"], a["paragraphs"])
             for a in read_jsonl(tmp_path / "d" / "statutes_index.jsonl")}
    assert index == {k: v[:3] for k, v in expected.items()}


def test_malformed_statute_files_and_rows_are_rejected_with_file_line_reason(tmp_path):
    raw = tmp_path / "raw"
    (raw / "statutes" / "cn").mkdir(parents=True)
    (raw / "statutes" / "tw").mkdir(parents=True)
    (raw / "statutes" / "cn" / "notitle.md").write_text("第一条 没有标题的文件。\n", encoding="utf-8")
    (raw / "statutes" / "cn" / "dup.md").write_text(
        "# 某某法\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 甲。\n\n第一条 乙。\n\n第二条 丙。\n",
        encoding="utf-8")
    (raw / "statutes" / "tw" / "broken.json").write_text('{"LawName": "x", "LawArticles": [', encoding="utf-8")
    rows = {"LawName": "某某條例", "LawModifiedDate": "20240101", "LawArticles": [
        {"ArticleType": "C", "ArticleNo": "", "ArticleContent": "   第 一 章 總則"},
        {"ArticleType": "A", "ArticleNo": "第 1 條", "ArticleContent": "本條例之目的。"},
        {"ArticleType": "A", "ArticleNo": "第 X 條", "ArticleContent": "號碼錯誤。"},
        {"ArticleType": "B", "ArticleNo": "第 3 條", "ArticleContent": "類型錯誤。"},
        {"ArticleType": "A", "ArticleNo": "第 4 條"},
        {"ArticleType": "A", "ArticleNo": "第 5 條", "ArticleContent": ""},
    ]}
    (raw / "statutes" / "tw" / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (raw / "statutes" / "tw" / "bad.xml").write_text("<法規><法規名稱>某法</法規名稱><條文>\n"
                                                     "<條號>第 1 條</條號>\n</法規>",
                                                      encoding="utf-8")
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", workers=1))
    rejects = read_jsonl(tmp_path / "d" / "rejects.jsonl")
    got = {(r["file"], r["line"]) for r in rejects}
    assert got == {("statutes/cn/notitle.md", 1), ("statutes/cn/dup.md", 9), ("statutes/tw/broken.json", 1),
                   ("statutes/tw/rows.json", 3), ("statutes/tw/rows.json", 4), ("statutes/tw/rows.json", 5),
                   ("statutes/tw/rows.json", 6), ("statutes/tw/bad.xml", 3)}
    reasons = {(r["file"], r["line"]): r["reason"] for r in rejects}
    assert "duplicate article 某某法|1" in reasons[("statutes/cn/dup.md", 9)]
    assert (reasons[("statutes/tw/rows.json", 4)].startswith("LawArticles row 4: ")
            and "ArticleType" in reasons[("statutes/tw/rows.json", 4)])
    assert "malformed XML" in reasons[("statutes/tw/bad.xml", 3)]
    for rel, c in m["inputs"].items():
        assert c["read"] == c["converted"] + c["rejected"] + c["skipped"], rel
        assert c["rejected"] == sum(r["file"] == rel for r in rejects), rel
    assert (m["inputs"]["statutes/tw/rows.json"]["converted"] == 1
            and m["inputs"]["statutes/cn/dup.md"]["converted"] == 2)
    assert ({a["key"] for a in read_jsonl(tmp_path / "d" / "statutes_index.jsonl")}
            == {"某某法|1", "某某法|2", "某某條例|1"})


def test_real_statutes_and_cail_through_make_data(tmp_path):
    real = real_path("statutes")
    raw = tmp_path / "raw"
    shutil.copytree(real, raw / "statutes")
    (raw / "cail").mkdir()
    shutil.copy(real_path("cail2018", "valid_sample.jsonl"), raw / "cail" / "valid.jsonl")
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", workers=1))
    assert m["statutes"]["laws"] == {PRC_CRIMINAL_LAW: 505, TW_CRIMINAL_CODE: 415, "刑事訴訟法": 710,
                                     "Code des relations entre le public et l'administration": 476}
    xml = m["inputs"]["statutes/tw/C0000001_criminal_code_FalV.xml"]
    assert (xml["read"], xml["converted"], xml["skipped"], xml["headings"]) == (415, 0, 415, 55)
    # CAIL cites plain article numbers: 盗窃 → 264, 故意伤害 → 234 by co-occurrence over the train split
    qa = read_jsonl(tmp_path / "d" / "cn_statutes_qa.jsonl")
    charge = {r["conversations"][0]["value"]: r["articles"] for r in qa if r["task"] == "charge"}
    assert [v for q, v in charge.items() if "盗窃罪" in q] == [[f"{PRC_CRIMINAL_LAW}|264"]]
    assert [v for q, v in charge.items() if "故意伤害罪" in q] == [[f"{PRC_CRIMINAL_LAW}|234"]]
    grounded = (m["datasets"]["criminal_sentencing_grounded"]["rows"]
                + m["datasets"]["criminal_sentencing_grounded_eval"]["rows"])
    dropped = sum(v for k, v in m["stats"].items() if k.startswith("grounded samples over cutoff_len"))
    none = m["stats"].get(NO_GROUNDING, 0)
    assert grounded + dropped + none == m["cases"] and grounded > 900
