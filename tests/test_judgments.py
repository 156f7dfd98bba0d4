"""Full-text judgment converters end to end: readers, filters, every record accounted for, the
datasets `make data` writes from them, the token cutoff, and the generated benchmark corpus."""

import json
import shutil
from collections import Counter

import pytest

from converters import judgments_cn, judgments_tw
from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.dev.judgments_synth import generate_cn_csv
from lawfactory.jsonl import read_jsonl
from lawfactory.parse.dates import normalize_date
from lawfactory.records import RecordError, Skip

from judgment_samples import CN, TW, convert_path, sample_paths

CSV = CN / "cjo_criminal_2021.csv"
JSONL = CN / "cjo_layouts.jsonl"

# Every record of every sample file: what becomes of it (line → outcome).
EXPECTED_CSV = {
    "cases": 11,  # ten judgments, one with two defendants
    "skips": {"审理程序 刑事二审 not in 刑事一审", "案件类型 民事案件 not in 刑事案件"},
    "rejects": {"6 fields where the header has 15", "no 经审理查明 / 本院查明 section (the facts the court found)",
                "no 判决如下 after 本院认为 (not a judgment, or the verdict is missing)", "empty or missing 全文",
                "unreadable date '2021/05'"},
}


def test_csv_every_record_accounted_for_with_record_start_lines():
    r = convert_path(CSV)
    assert r["read"] == 17 == len({c["source"] for c in r["cases"]}) + len(r["skips"]) + len(r["rejects"])
    assert len(r["cases"]) == EXPECTED_CSV["cases"]
    assert {why for _, why in r["skips"]} == EXPECTED_CSV["skips"]
    assert {why for _, why in r["rejects"]} == EXPECTED_CSV["rejects"]
    lines = CSV.read_text(encoding="utf-8").split("\n")
    for line, _ in r["rejects"] + r["skips"]:
        assert lines[line - 1].startswith("https://wenshu.court.gov.cn/"), line  # a record starts there
    for c in r["cases"]:
        line = int(c["source"].rsplit(":", 1)[1])
        assert (lines[line - 1].startswith("https://wenshu.court.gov.cn/")
                and c["meta"]["case_number"] in lines[line - 1])


def test_jsonl_layouts_and_rejects():
    r = convert_path(JSONL)
    assert r["read"] == 4 and len(r["cases"]) == 2
    assert [line for line, _ in r["rejects"]] == [3, 4]
    assert r["rejects"][0][1].startswith("invalid JSON") and "not an object" in r["rejects"][1][1]


def test_taiwan_every_file_accounted_for():
    outcomes = {}
    for p in sorted(TW.glob("*.json")):
        r = convert_path(p)
        assert r["read"] == 1
        outcomes[p.name] = ("case" if r["cases"] else "skip" if r["skips"] else "reject",
                            (r["skips"] or r["rejects"] or [(0, "")])[0][1])
    assert outcomes["TPHM_112_上訴_100_20230801_1.json"] == ("skip",
                                                           "not a district-court criminal case (court code not …DM)")
    assert outcomes["TPDM_112_聲_2000_20230901_1.json"] == ("skip",
                                                           "case word not a criminal first instance (訴/易/簡/自)")
    assert outcomes["HLDM_112_易_40_20230220_1.json"] == ("reject", "no 主文 heading")
    assert outcomes["TNDM_112_易_9_20230110_1.json"][0] == "reject"
    assert outcomes["TNDM_112_易_9_20230110_1.json"][1].startswith("invalid JSON")
    assert sum(o[0] == "case" for o in outcomes.values()) == 7


def test_parquet_reads_like_the_csv(tmp_path):
    import pandas as pd

    rows = [obj for _, obj, why in judgments_cn.read_table(CSV) if not why]
    path = tmp_path / "cn" / "dump.parquet"
    path.parent.mkdir()
    pd.DataFrame(rows).to_parquet(path, row_group_size=3)
    got = convert_path(path)
    want = convert_path(CSV)
    def strip(cs):
        return [{k: v for k, v in c.items() if k not in ("case_id", "group_id", "source")} for c in cs]

    assert strip(got["cases"]) == strip(want["cases"])
    assert got["read"] == len(rows) and [why for _, why in got["rejects"]] == [why for _, why in want["rejects"][1:]]


def test_csv_reader_rejects_bad_bytes_and_missing_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes("原始链接,案号,全文\na,b,c\n".encode() + b"a,\xff\xfe,c\n" + "d,e,f\n".encode())
    assert [(line, why) for line, _, why in judgments_cn.read_table(p)] == [(2, None), (3, "not UTF-8"), (4, None)]
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    assert [why for _, _, why in judgments_cn.read_table(p)] == ["no 全文 column in the header (a, b…)"]


def test_filters_procedure_type_and_dates():
    everything = convert_path(CSV, {"procedures": "", "case_types": ""})
    # without filters the appeal and the civil judgment are read, and rejected for what they lack
    assert not everything["skips"]
    # the appeal (裁定如下) and the no-verdict one
    assert sum("判决如下" in why for _, why in everything["rejects"]) == 2
    assert any("本院认为" in why or "判决如下" in why for _, why in everything["rejects"])
    only_2021 = convert_path(CSV, {"date_from": "2021-01-01", "date_to": "2021-12-31"})
    assert [c["meta"]["case_number"] for c in only_2021["cases"]].count("（2020）豫01刑初99号") == 0
    assert ("judgment date outside 2021-01-01 – 2021-12-31") in {why for _, why in only_2021["skips"]}
    assert len(only_2021["cases"]) == EXPECTED_CSV["cases"] - 1
    tw = convert_path(TW / "SLDM_110_審易_500_20211115_1.json", {"date_from": "2022-01-01"})
    assert tw["skips"] and not tw["cases"]


def test_blank_procedure_is_read_from_the_case_number():
    assert judgments_cn.procedure({"审理程序": "", "案号": "（2021）闽0203刑初888号"}) == "刑事一审"
    assert judgments_cn.procedure({"审理程序": "", "案号": "（2021）浙01刑终300号"}) == "刑事二审"
    r = convert_path(CSV)
    assert any(c["meta"]["case_number"] == "（2021）闽0203刑初888号" and c["meta"]["procedure"] == "刑事一审"
               for c in r["cases"])


@pytest.mark.parametrize("value,want", [("2021-03-15", "2021-03-15"), ("2021/5/20", "2021-05-20"),
                                        ("2021-06-25 00:00:00", "2021-06-25"), ("20230315", "2023-03-15"),
                                        ("2021年3月5日", "2021-03-05")])
def test_dates(value, want):
    assert normalize_date(value) == want


@pytest.mark.parametrize("value", ["2021/05", "二〇二一年", "2021-13-01", ""])
def test_bad_dates(value):
    with pytest.raises(RecordError):
        normalize_date(value)


@pytest.mark.parametrize("jid,word,outcome", [
    ("TPDM,112,訴,1,20230101,1", "訴", None), ("PCDM,112,交簡,1,20230101,1", "交簡", None),
    ("KSDM,112,金訴緝,1,20230101,1", "金訴緝", None), ("TPDM,112,簡上,1,20230101,1", "簡上", "case word"),
    ("TPDM,112,附民,1,20230101,1", "附民", "case word"), ("TPHM,112,上訴,1,20230101,1", "上訴", "district-court"),
    ("KSYM,112,少訴,1,20230101,1", "少訴", "district-court"), ("TPDV,112,訴,1,20230101,1", "訴", "district-court"),
])
def test_taiwan_first_instance_from_jid(jid, word, outcome):
    court, w = judgments_tw.jid_parts(jid)
    assert w == word
    if outcome is None:
        judgments_tw.first_instance_filter(court, w, "臺灣臺北地方法院刑事判決\n")
    else:
        with pytest.raises(Skip, match=outcome):
            judgments_tw.first_instance_filter(court, w, "臺灣臺北地方法院刑事判決\n")
    with pytest.raises(RecordError, match="malformed JID"):
        judgments_tw.jid_parts("TPDM-112")


def test_basis_column_is_the_fallback_when_the_text_cites_nothing():
    row = next(obj for _, obj, why in judgments_cn.read_table(CSV) if not why
               and obj["案号"].endswith("鲁0102刑初66号"))
    row = dict(row,
               全文=row["全文"].replace("依照《中华人民共和国刑法》第二百七十七条第一款、第六十七条第三款、"
                                    "第三十八条第一款之规定，", ""),
               法律依据="《中华人民共和国刑法》第二百七十七条;《中华人民共和国刑法》第三十八条")
    (c,) = judgments_cn.convert_record(row, "x.csv", 2, Counter())
    assert [(a["number"], a["suffix"]) for a in c["articles"]] == [(277, 0), (38, 0)]


# --- make data ---------------------------------------------------------------------------------


def raw_judgments(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CN.parent, raw / "judgments")
    return raw


def test_make_data_accounts_for_every_record_and_writes_both_datasets(tmp_path):
    raw, out = raw_judgments(tmp_path), tmp_path / "d"
    m = build(BuildConfig.of(raw=raw, out=out, workers=1, eval_ratio=0.3))
    for rel, c in m["inputs"].items():
        assert c["read"] == c["converted"] + c["rejected"] + c["skipped"], rel
    per_file = {rel: convert_path(raw / rel) for rel in m["inputs"]}
    for rel, r in per_file.items():
        assert m["inputs"][rel]["read"] == r["read"] and m["inputs"][rel]["rejected"] == len(r["rejects"])
        assert m["inputs"][rel]["skipped"] == len(r["skips"])
    rejects = read_jsonl(out / "rejects.jsonl")
    assert len(rejects) == sum(len(r["rejects"]) for r in per_file.values())
    cases = read_jsonl(out / "cases.jsonl")
    assert len(cases) == m["cases"] == 21
    rows = {n: read_jsonl(out / f"{n}.jsonl") for n in m["datasets"]}
    assert {n for n in rows} >= {"criminal_sentencing", "criminal_sentencing_eval", "tw_judgments", "tw_judgments_eval"}
    cn_rows = rows["criminal_sentencing"] + rows["criminal_sentencing_eval"]
    tw_rows = rows["tw_judgments"] + rows["tw_judgments_eval"]
    assert len(cn_rows) == 13 and len(tw_rows) == 8 and rows["tw_judgments_eval"]
    for r in cn_rows + tw_rows:
        case = next(c for c in cases if c["facts"] in r["input"] and c["verdict"] in r["output"])
        assert r["output"].startswith(case["reasoning"])  # the court's own reasoning, then its verdict
        assert r["output"].splitlines()[-1].startswith("刑期:")
        assert "判决如下" not in r["input"]
    for r in tw_rows:  # Traditional Chinese kept
        assert "犯罪事實" not in r["input"] and ("處" in r["output"] or "處" in r["input"] or "應執行" in r["output"])
        assert r["system"].startswith("你是一名中華民國")
    for r in rows["tw_judgments_eval"] + rows["criminal_sentencing_eval"]:
        assert isinstance(r["gold_months"], int) and r["charges"] and r["case_id"]
    multi = [r for r in cn_rows if "（本案被告人：张某、张某某。" in r["input"]]
    assert len(multi) == 2 and {r["output"].splitlines()[-1] for r in multi} == {"刑期:42个月", "刑期:12个月"}
    info = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    assert (info["tw_judgments"]["columns"]["query"] == "input"
            and info["tw_judgments"]["file_name"] == "tw_judgments.jsonl")
    assert m["stats"]["privacy: phone scrubbed"] == 4


def test_over_cutoff_samples_are_dropped_and_counted(tmp_path):
    raw = raw_judgments(tmp_path)
    full = build(BuildConfig.of(raw=raw, out=tmp_path / "a", workers=1))
    lengths = sorted(len("".join(r[k] for k in ("system", "instruction", "input", "output")))
                     for n in ("criminal_sentencing", "tw_judgments")
                     for r in read_jsonl(tmp_path / "a" / f"{n}.jsonl")
                     + read_jsonl(tmp_path / "a" / f"{n}_eval.jsonl"))
    cutoff = int(lengths[len(lengths) // 2] / 1.37)  # about half the samples are longer
    cut = build(BuildConfig.of(raw=raw, out=tmp_path / "b", workers=1, cutoff_len=cutoff))
    dropped = sum(v for k, v in cut["stats"].items() if k.startswith(f"judgment samples over cutoff_len {cutoff}"))
    kept = sum(d["rows"] for d in cut["datasets"].values())
    assert 0 < dropped < len(lengths) and kept + dropped == sum(d["rows"] for d in full["datasets"].values())
    assert cut["options"]["cutoff_len"] == cutoff


@pytest.mark.slow  # builds the tiny model and loads transformers (~30 s)
def test_cutoff_with_a_real_tokenizer(tmp_path, tiny_model):
    from transformers import AutoTokenizer

    from lawfactory import lengths

    tok = AutoTokenizer.from_pretrained(tiny_model)
    counter = lengths.TokenCounter(str(tiny_model))
    text = "被告人张某犯盗窃罪，判处有期徒刑八个月。"
    assert counter.count(text) == len(tok(text, add_special_tokens=False)["input_ids"]) > 0
    raw = raw_judgments(tmp_path)
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "t", workers=1, tokenizer=str(tiny_model), cutoff_len=600))
    kept = (read_jsonl(tmp_path / "t" / "criminal_sentencing.jsonl")
            + read_jsonl(tmp_path / "t" / "criminal_sentencing_eval.jsonl"))
    for r in kept:
        assert lengths.row_tokens(r, counter) <= 600
    assert any(k.startswith("judgment samples over cutoff_len 600") for k in m["stats"])


def test_to_simplified_converts_taiwan_samples_only_when_asked(tmp_path):
    raw = raw_judgments(tmp_path)
    build(BuildConfig.of(raw=raw, out=tmp_path / "s", workers=1, to_simplified=True))
    rows = read_jsonl(tmp_path / "s" / "tw_judgments.jsonl")
    assert rows and all("處" not in r["output"] and "刑法" in r["output"] for r in rows)
    assert any("处有期徒刑" in r["output"] for r in rows)


def test_cli_options_reach_the_manifest(tmp_path):
    from lawfactory.cli import main

    raw, out = raw_judgments(tmp_path), tmp_path / "c"
    assert main(["data", "--raw", str(raw), "--out", str(out), "--workers", "1", "--pseudonymize",
                 "--date-from", "2021-01-01", "--cutoff-len", "4096"]) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["options"]["pseudonymize"] is True and m["options"]["date_from"] == "2021-01-01"
    assert m["options"]["cutoff_len"] == 4096 and m["options"]["procedures"] == "刑事一审"
    assert m["stats"]["privacy: defendant names pseudonymized"] > 0
    assert all(c["defendant"] in "甲乙丙丁" for c in read_jsonl(out / "cases.jsonl"))
    with pytest.raises(SystemExit, match="--date-from"):
        main(["data", "--raw", str(raw), "--out", str(out), "--date-from", "2021/13"])


def test_generated_corpus_converts_completely(tmp_path):
    p = generate_cn_csv(tmp_path / "big.csv", 60, seed=1)
    r = convert_path(p)
    assert r["read"] == 60 and not r["rejects"] and not r["skips"]
    assert len({c["facts"] for c in r["cases"]}) > 30  # varied, not one record repeated
    assert len(r["cases"]) >= 60


def test_sample_files_exist_in_both_layouts():
    names = [p.name for p in sample_paths()]
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".jsonl") for n in names)
    assert sum(n.endswith(".json") for n in names) >= 8


def test_real_judgments_every_record_accounted_for():
    from conftest import real_path

    root = real_path("judgments")
    paths = sorted(p for p in root.rglob("*") if p.suffix in (".csv", ".jsonl", ".parquet", ".json"))
    if not paths:
        pytest.skip(f"no judgment files under {root}")
    for p in paths:
        r = convert_path(p)
        converted = len({c["source"] for c in r["cases"]})
        assert r["read"] == converted + len(r["rejects"]) + len(r["skips"]), p
