"""Value ranges where a case is made: the robustness review's C05–C09 records, each between good
ones, end as rejects with file, line and reason (or, where the value is sound, as a correct case);
every good record is kept and the build exits 0."""

import json
from collections import Counter

import pytest

from lawfactory.cards import datacard
from lawfactory.parse import terms
from lawfactory.records import (
    MAX_FINE,
    MAX_MONTHS,
    MAX_PROBATION_MONTHS,
    PRC_CRIMINAL_LAW,
    TW_CRIMINAL_CODE,
    RecordError,
    article_ref,
    attitude,
    case,
    sentence,
)

from planting import cli, jsonl, sample_records


def _with(rec: dict, term=None, **meta) -> str:
    """A CAIL line: `rec` with meta keys (and term_of_imprisonment keys) replaced."""
    r = json.loads(json.dumps(rec))
    r["meta"].update(meta)
    r["meta"]["term_of_imprisonment"].update(term or {})
    return json.dumps(r, ensure_ascii=False)


def bad_lines(rec: dict) -> list[tuple[str, str | None]]:
    """(line, the word its reject reason must contain; None: a sound value, converted)."""
    fixed = {"death_penalty": False, "life_imprisonment": False}
    return [
        # C05: wrong types and implausible values
        (_with(rec, {**fixed, "imprisonment": "12"}), "imprisonment"),
        (_with(rec, {**fixed, "imprisonment": -5}), "imprisonment"),
        (_with(rec, {**fixed, "imprisonment": 1.5}), "imprisonment"),
        (_with(rec, {**fixed, "imprisonment": True}), "imprisonment"),
        (_with(rec, {**fixed, "imprisonment": 2.0}), None),  # a whole number written as a float
        (_with(rec, {**fixed, "imprisonment": 7}).replace('"imprisonment": 7', '"imprisonment": NaN'), "invalid JSON"),
        (_with(rec, {**fixed, "imprisonment": 5000}), "out of range"),
        (_with(rec, {**fixed, "imprisonment": 999999}), "out of range"),
        (_with(rec, punish_of_money=-1), "punish_of_money"),
        (_with(rec, punish_of_money=1e15), "out of range"),
        (_with(rec, {"death_penalty": "false"}), "death_penalty"),
        (_with(rec, relevant_articles=[264.0]), "article"),
        (_with(rec, relevant_articles=[99999]), "no article 99999"),
        (_with(rec, accusation=[123]), "charge"),
        (_with(rec, accusation=["不存在的罪名"]), None),  # unknown charges: filtered only with --charges
        (_with(rec, criminals="张三丰"), None),  # one name, not three
        (json.dumps({**rec, "fact": 12345}, ensure_ascii=False), "fact"),
        # C06, C07: numbers JSON can hold but a 64-bit integer cannot
        (_with(rec, punish_of_money=1e20), "out of range"),
        (_with(rec, {**fixed, "imprisonment": 7}).replace('"imprisonment": 7',
                                                          '"imprisonment": 123456789012345678901234567890'),
         "out of range"),
        # C08: 2^64 − 1 (cn2an cannot write it); C09: a million months (the data card's bins ended below it)
        (_with(rec, punish_of_money=2**64 - 1), "out of range"),
        (_with(rec, {**fixed, "imprisonment": 1000000}), "out of range"),
        (_with(rec, {**fixed, "imprisonment": 2**64}), "out of range"),
    ]


def test_review_c05_to_c09_reject_bad_values_and_keep_every_good_record(tmp_path):
    good = sample_records()[:12]
    template = next(r for r in good if not r["meta"]["term_of_imprisonment"]["death_penalty"])
    bad = bad_lines(template)
    lines, expect = [], {}  # line number → expected reason word (None: converted)
    for i, (line, why) in enumerate(bad):
        lines.append(json.dumps(good[i % len(good)], ensure_ascii=False))
        lines.append(line)
        expect[len(lines)] = why
    lines.append(json.dumps(good[0], ensure_ascii=False))
    raw = tmp_path / "raw"
    (raw / "cail").mkdir(parents=True)
    (raw / "cail" / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = tmp_path / "data"
    r = cli("--raw", str(raw), "--out", str(out), "--workers", "1", "--near-dup-threshold", "1.0")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr

    rejects = {x["line"]: x for x in jsonl(out / "rejects.jsonl")}
    for n, why in expect.items():
        if why is None:
            assert n not in rejects, rejects.get(n)
        else:
            assert n in rejects, (n, lines[n - 1][:200])
            assert rejects[n]["file"] == "cail/mixed.jsonl" and why in rejects[n]["reason"], rejects[n]
    assert set(rejects) == {n for n, why in expect.items() if why}

    cases = jsonl(out / "cases.jsonl")
    converted = Counter(int(c["source"].rsplit(":", 1)[1]) for c in cases)
    good_lines = [n for n in range(1, len(lines) + 1) if n not in expect]
    filtered = {x["line"] for x in jsonl(out / "filtered.jsonl")}
    assert all(converted[n] == 1 or n in filtered for n in good_lines)  # every good record kept
    by_line = {int(c["source"].rsplit(":", 1)[1]): c for c in cases}
    sound = [n for n, why in expect.items() if why is None]
    assert by_line[sound[0]]["sentence"]["months"] == 2
    assert by_line[sound[2]]["defendant"] == "张三丰"
    for c in cases:
        s = c["sentence"]
        assert s["months"] <= MAX_MONTHS["cn"] and s["fine"] <= MAX_FINE
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["datasets"]["criminal_sentencing"]["rows"] > 0


def _case(jurisdiction="cn", months=12, law=PRC_CRIMINAL_LAW, number=264, suffix=0, defendant="张某"):
    return case(source="t", locator="1", jurisdiction=jurisdiction, facts="事实。", defendant=defendant,
                charges=["盗窃"], articles=[article_ref(law, number, suffix)],
                sentence=sentence("fixed", months), attitude=attitude())


def test_terms_are_bounded_by_the_longest_merged_fixed_term_of_each_jurisdiction():
    assert _case("cn", 300)["sentence"]["months"] == 300
    with pytest.raises(RecordError, match="months 301 is out of range"):
        _case("cn", 301)
    assert _case("tw", 360, TW_CRIMINAL_CODE, 320)["sentence"]["months"] == 360  # Taiwan 刑法 §51: 30 years
    with pytest.raises(RecordError, match="out of range"):
        _case("tw", 361, TW_CRIMINAL_CODE, 320)


@pytest.mark.parametrize("kw,why", [
    ({"fine": MAX_FINE + 1}, "fine"), ({"probation_months": MAX_PROBATION_MONTHS + 1}, "probation"),
    ({"fine": 2**64}, "fine"),
])
def test_sentence_values_out_of_range_are_record_errors(kw, why):
    s = sentence("fixed", 12, **kw)  # a model's absurd answer still reads (the evaluator scores it)
    with pytest.raises(RecordError, match=why):
        case(source="t", locator="1", jurisdiction="cn", facts="事实。", defendant="张某", charges=["盗窃"],
             articles=[], sentence=s, attitude=attitude())


@pytest.mark.parametrize("kw", [{"fine": 1.0}, {"months": -1}, {"probation_months": True}])
def test_sentence_values_of_the_wrong_type_are_record_errors(kw):
    with pytest.raises(RecordError, match="non-negative integer"):
        sentence("fixed" if "months" in kw else "none", **kw)


@pytest.mark.parametrize("law,number,suffix,ok", [
    (PRC_CRIMINAL_LAW, 452, 0, True), (PRC_CRIMINAL_LAW, 133, 1, True), (PRC_CRIMINAL_LAW, 120, 6, True),
    (PRC_CRIMINAL_LAW, 453, 0, False), (PRC_CRIMINAL_LAW, 99999, 0, False), (PRC_CRIMINAL_LAW, 0, 0, False),
    (PRC_CRIMINAL_LAW, 264, 11, False), (TW_CRIMINAL_CODE, 363, 0, True), (TW_CRIMINAL_CODE, 364, 0, False),
    ("中华人民共和国刑事诉讼法", 500, 0, True),  # other laws are not bounded here
])
def test_criminal_law_articles_must_exist(law, number, suffix, ok):
    if ok:
        assert (_case("tw" if law == TW_CRIMINAL_CODE else "cn", 12, law, number, suffix)["articles"][0]["number"]
                == number)
    else:
        with pytest.raises(RecordError, match="has no article"):
            _case("cn", 12, law, number, suffix)


def test_every_value_that_passes_validation_can_be_written_and_binned():
    """The largest allowed values go through the verdict formatter (cn2an) and the data card."""
    card = datacard.Card()
    for j, months in (("cn", MAX_MONTHS["cn"]), ("tw", MAX_MONTHS["tw"])):
        s = sentence("fixed", months, MAX_PROBATION_MONTHS, MAX_FINE)
        text = terms.format_penalty(s)
        assert "罚金人民币一百亿元" in text and "缓刑五年" in text
        assert terms.parse_sentence(text)["months"] == months
        card.case({"charges": ["盗窃"], "sentence": s}, "train")
    assert card.terms[">240"] == 2
