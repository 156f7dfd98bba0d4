import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.errors import InputError
from lawfactory.hygiene import quality
from lawfactory.parse.leaks import leaked_recommendation

from conftest import real_path
from planting import jsonl, sample_records, with_fact, write_raw


@pytest.mark.parametrize("text, leaks", [
    ("公诉机关提出对被告人判处一年以下××，并处罚金的量刑建议。", True),
    ("提请本院以××判处被告人张某一年三个月。", True),
    ("建议对被告人董某、王某判处6个月到1年6个月××。", True),
    # prior convictions (前科, 累犯) are sentencing facts, not the answer
    ("被告人曾因犯盗窃罪被判处有期徒刑一年，2015年刑满释放。", False),
    ("2013年3月22日因犯××被阳泉市城区人民法院判处有期徒刑八个月。", False),
    ("刑罚执行完毕后五年内再犯应当判处有期徒刑以上刑罚之罪，是累犯。", False),
    ("提请本院依法判处。", False),
])
def test_leaked_recommendation(text, leaks):
    assert leaked_recommendation(text) is leaks


def test_filters_drop_with_reasons_and_counts_reconcile(tmp_path):
    recs = sample_records()
    recs[0] = with_fact(recs[0], "被告人盗窃。")  # too short
    recs[1] = with_fact(recs[1], recs[1]["fact"] + "本院判决如下：被告人犯盗窃罪，判处有期徒刑一年。")
    recs[2] = with_fact(recs[2], recs[2]["fact"] + "公诉机关提出对被告人判处一年以下有期徒刑的量刑建议。")
    recs[3] = with_fact(recs[3], recs[3]["fact"] + "被告人曾因犯盗窃罪被判处有期徒刑一年。")  # kept
    raw = write_raw(tmp_path, recs)
    out = tmp_path / "d"
    m = build(BuildConfig.of(raw=raw, out=out, workers=1))
    c = m["inputs"]["cail/planted.jsonl"]
    assert c["read"] == c["converted"] + c["rejected"] + c["skipped"]
    assert c["converted"] == c["cases"] + c["filtered"] and c["filtered"] == 3
    assert m["filtered"] == {"facts shorter than 20 characters": 1, "verdict text in facts (判决如下…)": 1,
                             "prosecutor's sentencing recommendation in facts (…判处N年/个月)": 1}
    dropped = {r["line"]: r for r in jsonl(out / "filtered.jsonl")}
    assert set(dropped) == {1, 2, 3} and all(r["file"] == "cail/planted.jsonl" and r["case_id"]
                                             for r in dropped.values())
    lines = {int(x["source"].rsplit(":", 1)[1]) for x in jsonl(out / "cases.jsonl")}
    assert 4 in lines and not lines & {1, 2, 3}
    assert m["cases"] == c["cases"] == len(lines)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "1 cases filtered: verdict text in facts" in readme


def test_max_fact_chars_drops_over_long_facts(tmp_path):
    raw = write_raw(tmp_path, sample_records())
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", max_fact_chars=100, workers=1))
    assert m["filtered"]["facts longer than 100 characters: over the recipe's cutoff"] > 0


def test_official_lists_reject_unknown_charges_and_articles(tmp_path):
    accu, law = real_path("cail2018", "accu.txt"), real_path("cail2018", "law.txt")
    recs = sample_records()
    # bracketed: normalised, known
    recs[0] = {**recs[0], "meta": {**recs[0]["meta"], "accusation": ["[生产、销售]假药"]}}
    recs[1] = {**recs[1], "meta": {**recs[1]["meta"], "accusation": ["不存在的罪名"]}}
    recs[2] = {**recs[2], "meta": {**recs[2]["meta"], "relevant_articles": [451]}}  # a real article, not a label
    raw = write_raw(tmp_path, recs)
    m = build(BuildConfig.of(raw=raw, out=tmp_path / "d", charges=str(accu), articles=str(law), workers=1))
    dropped = {r["line"]: r["reason"] for r in jsonl(tmp_path / "d" / "filtered.jsonl")}
    assert dropped[2] == "charge '不存在的罪名' not in accu.txt"
    assert dropped[3] == "article 451 not in law.txt"
    assert 1 not in dropped
    # (two bundled samples cite §48 / §67, which CAIL's law.txt, a list of label articles, lacks)
    assert (m["filtered"]["charge '不存在的罪名' not in accu.txt"] == 1
            and m["filtered"]["article 451 not in law.txt"] == 1)


def test_bad_list_file_names_file_and_line(tmp_path):
    bad = tmp_path / "law.txt"
    bad.write_text("264\n第二百三十四条\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"law.txt:2"):
        quality.load(articles=str(bad))
