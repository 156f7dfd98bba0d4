from collections import Counter

import pytest

from converters.cail import convert_record, normalize_charge
from lawfactory.jsonl import iter_jsonl
from lawfactory.parse.leaks import RECOMMENDATION_MASK
from lawfactory.records import RecordError

from conftest import SAMPLES, real_path


def convert(obj, stats=None):
    return convert_record(obj, "t.jsonl", 1, stats if stats is not None else Counter())[0]


def meta(**kw):
    m = {"criminals": ["张某"],
         "term_of_imprisonment": {"death_penalty": False, "imprisonment": 6, "life_imprisonment": False},
         "punish_of_money": 0, "accusation": ["盗窃"], "relevant_articles": [264]}
    m.update(kw)
    return m


def term(death=False, months=0, life=False):
    return {"death_penalty": death, "imprisonment": months, "life_imprisonment": life}


def test_life_with_zero_months_reads_the_flag_first():
    c = convert({"fact": "被告人张某杀人。", "meta": meta(term_of_imprisonment=term(life=True))})
    assert c["sentence"]["kind"] == "life" and c["sentence"]["months"] == 0


def test_death_and_zero_months_and_fixed():
    assert convert({"fact": "事实。",
                    "meta": meta(term_of_imprisonment=term(death=True))})["sentence"]["kind"] == "death"
    s = convert({"fact": "事实。", "meta": meta(term_of_imprisonment=term(months=0), punish_of_money=2000)})["sentence"]
    assert (s["kind"], s["months"], s["fine"]) == ("none", 0, 2000)
    assert convert({"fact": "事实。", "meta": meta(term_of_imprisonment=term(months=18))})["sentence"]["months"] == 18


def test_drunk_driving_is_detention_even_at_six_months():
    # 危险驾驶 (§133之一) carries 拘役 only; the month rule alone would call 6 months 有期徒刑
    s = convert({"fact": "事实。", "meta": meta(accusation=["危险驾驶"], relevant_articles=[133],
                                               term_of_imprisonment=term(months=6))})["sentence"]
    assert (s["principal"], s["months"]) == ("拘役", 6)
    theft = convert({"fact": "事实。", "meta": meta(term_of_imprisonment=term(months=6))})["sentence"]
    assert theft["principal"] == ""  # other charges keep the month rule (6 months → 有期徒刑 in the answer)


def test_key_order_and_flat_shape_give_the_same_labels():
    nested = {"meta": meta(), "fact": "被告人张某盗窃。"}
    fact_first = {"fact": "被告人张某盗窃。", "meta": meta()}
    flat = {"fact": "被告人张某盗窃。", "criminals": ["张某"], "death_penalty": False, "imprisonment": 6,
            "life_imprisonment": False, "punish_of_money": 0, "accusation": ["盗窃"], "relevant_articles": [264]}
    a, b, c = convert(nested), convert(fact_first), convert(flat)
    for k in ("charges", "articles", "sentence", "defendant", "facts"):
        assert a[k] == b[k] == c[k]


def test_brackets_duplicates_noisy_names_multiple_charges():
    c = convert({"fact": "事实。", "meta": meta(accusation=["[生产、销售]假药", "盗窃", "盗窃罪"],
                                                relevant_articles=[264, 141, 264], criminals=["：王某某", " 王某某 "])})
    assert c["charges"] == ["生产、销售假药", "盗窃"]
    assert [a["number"] for a in c["articles"]] == [141, 264]
    assert c["defendant"] == "王某某"
    assert normalize_charge("[走私、贩卖、运输、制造]毒品") == "走私、贩卖、运输、制造毒品"


@pytest.mark.parametrize("fact", [
    "公诉机关认为被告人的行为已构成××，建议判处被告人张某××以下刑罚，并处罚金。",
    "同时，公诉机关还建议对被告人邬某在××以内量刑。",
    "公诉机关建议判处被告人有期徒刑二年，并处罚金一万元。",
])
def test_prosecutor_recommendation_is_masked(fact):
    stats = Counter()
    c = convert({"fact": fact, "meta": meta()}, stats)
    assert "建议判处" not in c["facts"] and "建议对" not in c["facts"] and "二年" not in c["facts"]
    assert RECOMMENDATION_MASK in c["facts"] and stats["cail_recommendation_masked"] == 1


@pytest.mark.parametrize("obj,reason", [
    ({"fact": "", "meta": meta()}, "empty `fact`"),
    ({"fact": 3, "meta": meta()}, "`fact` must be a string"),
    ({"fact": "x", "meta": meta(term_of_imprisonment=term(death=True, life=True))}, "both death_penalty"),
    ({"fact": "x", "meta": meta(term_of_imprisonment=term(months=-3))}, "non-negative"),
    ({"fact": "x", "meta": meta(accusation=[])}, "`accusation` must be a non-empty list"),
    ({"fact": "x", "meta": meta(relevant_articles=["第264条"])}, "bad article number"),
    ({"fact": "x"}, "neither `meta`"),
])
def test_bad_records_are_rejected_with_a_reason(obj, reason):
    with pytest.raises(RecordError, match=reason):
        convert(obj)


def test_bundled_samples_cover_every_quirk():
    kinds, charges, quirks = Counter(), Counter(), Counter()
    for path in sorted((SAMPLES / "cail").glob("*.jsonl")):
        for line, obj, reason in iter_jsonl(path):
            if reason or path.name == "malformed.jsonl":
                continue
            c = convert_record(obj, path.name, line, quirks)[0]
            kinds[c["sentence"]["kind"]] += 1
            charges.update(c["charges"])
            raw = obj.get("meta", obj)
            quirks["brackets"] += any("[" in a for a in raw["accusation"])
            quirks["dup_articles"] += len(set(raw["relevant_articles"])) < len(raw["relevant_articles"])
            quirks["multi_charge"] += len(c["charges"]) > 1
            quirks["flat"] += "meta" not in obj
            quirks["fact_first"] += "meta" in obj and next(iter(obj)) == "fact"
    n = sum(kinds.values())
    assert n >= 60
    assert {"fixed", "life", "death", "none"} <= set(kinds)
    assert len(charges) >= 8
    for q in ("brackets", "dup_articles", "multi_charge", "flat", "fact_first", "cail_noisy_criminals",
              "cail_recommendation_masked", "cail_masked_xx"):
        assert quirks[q] > 0, q


def test_real_cail_records_all_convert_with_labels_matching_the_source():
    path = real_path("cail2018", "valid_sample.jsonl")
    stats, n = Counter(), 0
    for line, obj, reason in iter_jsonl(path):
        assert reason is None
        c = convert_record(obj, "valid_sample.jsonl", line, stats)[0]
        m, t = obj["meta"], obj["meta"]["term_of_imprisonment"]
        assert c["charges"] == list(dict.fromkeys(a.replace("[", "").replace("]", "") for a in m["accusation"]))
        assert [a["number"] for a in c["articles"]] == sorted(set(m["relevant_articles"]))
        s = c["sentence"]
        expected = ("death" if t["death_penalty"] else "life" if t["life_imprisonment"]
                    else ("fixed" if t["imprisonment"] else "none"))
        assert s["kind"] == expected
        assert s["months"] == (t["imprisonment"] if expected == "fixed" else 0)
        assert s["fine"] == m["punish_of_money"]
        assert "建议判处" not in c["facts"]
        n += 1
    assert n == 1000
    # SOURCES.md: 1 life sentence with imprisonment 0, 55 with 0 months
    assert stats["cail_recommendation_masked"] > 0
