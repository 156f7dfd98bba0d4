"""Section splitting of full-text judgments: every bundled judgment, the layout variants, and the
judgments whose sections cannot be found."""

import re

import pytest

from converters.sections import CN_SECTIONS, TW_SECTIONS, split_cn, split_tw
from lawfactory.records import RecordError

from judgment_samples import CN, TW, records

_WS = re.compile(r"\s+")


def cn_texts():
    out = []
    for p in sorted(CN.glob("*.csv")) + sorted(CN.glob("*.jsonl")):
        for line, obj, why in records(p):
            if not why and isinstance(obj, dict) and obj.get("全文") and obj.get("案件类型") == "刑事案件" \
                    and "刑初" in obj.get("案号", ""):
                out.append((f"{p.name}:{line}", obj["全文"]))
    return out


def tw_texts():
    return [(p.name, obj["JFULL"]) for p in sorted(TW.glob("*.json")) for _, obj, why in records(p)
            if not why and "DM," in obj["JID"] and "判決" in obj["JFULL"][:30]]


CONVERTIBLE_CN = [(k, t) for k, t in cn_texts() if "经审理查明" in t or "本院查明" in t]


@pytest.mark.parametrize("where,text", CONVERTIBLE_CN, ids=[k for k, _ in CONVERTIBLE_CN])
def test_mainland_sections_cover_the_text_in_order(where, text):
    try:
        s = split_cn(text)
    except RecordError as e:
        assert "判决如下" in str(e) and "判决如下" not in text  # the one sample without a verdict
        return
    assert list(s) == list(CN_SECTIONS)
    # nothing lost, nothing repeated: the sections concatenate back to the text
    assert _WS.sub("", "".join(s.values())) == _WS.sub("", text)
    assert "刑事" in s["首部"] and re.search(r"（\d{4}）.+刑初\d+号", s["首部"])
    assert s["当事人"].startswith("公诉机关") and "被告人" in s["当事人"]
    assert "提起公诉" in s["审理经过"] and "指控" not in s["审理经过"].split("提起公诉")[1]
    if s["公诉机关指控"]:
        assert re.match(r"^[^，。]{0,20}(公诉机关|检察院)指控", s["公诉机关指控"])
        assert "经审理查明" not in s["公诉机关指控"] and "本院查明" not in s["公诉机关指控"]
    assert re.match(r"^(经审理查明|本院查明)", s["经审理查明"])
    assert s["本院认为"].startswith("本院认为") and re.search(r"判决如下[：:]$", s["本院认为"])
    assert re.match(r"^(一、)?被告人", s["判决如下"]) and "如不服" not in s["判决如下"]
    assert s["尾部"].startswith("如不服本判决")


def test_mainland_sample_without_prosecution_allegation_section():
    text = dict(cn_texts())["cjo_layouts.jsonl:2"]
    s = split_cn(text)
    assert s["公诉机关指控"] == "" and s["经审理查明"].startswith("经审理查明")


@pytest.mark.parametrize("variant",
                         ["经审理查明", "本院查明", "审理查明", "经公开审理查明", "经审理，本院查明", "本院经审理查明",
                          "经审理认定", "本院经审理认定事实如下", "经审查查明", "经庭审查明"])
def test_found_facts_marker_variants(variant):
    text = ("公诉机关某市人民检察院。\n被告人甲某，男。\n"
            "某市人民检察院以某检刑诉〔2021〕1号起诉书指控被告人甲某犯盗窃罪，向本院提起公诉。\n"
            f"{variant}:甲某窃得手机一部。\n本院认为:甲某构成盗窃罪。依照《中华人民共和国刑法》第二百六十四条之规定,判决如下:\n"
            "被告人甲某犯盗窃罪,判处拘役三个月。\n审判员 乙某")
    s = split_cn(text)
    assert s["经审理查明"].startswith(variant) and "窃得手机" in s["经审理查明"]
    assert s["本院认为"].endswith("判决如下:") and s["判决如下"] == "被告人甲某犯盗窃罪,判处拘役三个月。"
    assert s["尾部"] == "审判员 乙某"  # no appeal notice: the signature block starts the tail


@pytest.mark.parametrize("text,reason", [
    ("被告人甲某，男。本院认为，甲某构成盗窃罪，判决如下：被告人甲某犯盗窃罪，判处拘役三个月。", "经审理查明"),
    ("经审理查明，甲某窃得手机。依照刑法之规定，判决如下：被告人甲某犯盗窃罪。", "本院认为"),
    ("经审理查明，甲某窃得手机。本院认为，甲某构成盗窃罪。", "判决如下"),
    ("经审理查明，甲某窃得手机。本院认为，原判正确。裁定如下：驳回上诉，维持原判。", "判决如下"),
])
def test_missing_mainland_sections_are_rejected_with_the_section_named(text, reason):
    with pytest.raises(RecordError, match=reason):
        split_cn(text)


@pytest.mark.parametrize("where,text", tw_texts(), ids=[k for k, _ in tw_texts()])
def test_taiwan_sections(where, text):
    if "主" not in text.split("判決如下")[1][:12]:  # the sample without a 主文 heading
        with pytest.raises(RecordError, match="主文"):
            split_tw(text)
        return
    s = split_tw(text)
    assert list(s) == list(TW_SECTIONS)
    assert s["首部"].startswith("臺灣") and "判決" in s["首部"] and "被" in s["首部"]
    assert re.search(r"(犯|施用).+處", s["主文"]) and "事實" not in s["主文"]
    assert s["事實"].startswith("一、") and "理由" not in s["事實"][:4]
    assert "所為" in s["理由"] and not re.search(r"中\s*華\s*民\s*國\s*\d+\s*年", s["理由"])
    assert re.match(r"中\s*華\s*民\s*國", s["尾部"])
    # headings and the closing prosecutor line are the only text not in a section
    rest = _WS.sub("", text)
    for part in s.values():
        rest = rest.replace(_WS.sub("", part), "", 1)
    assert re.fullmatch(r"(主文)(犯罪事實|事實|事實及理由)(理由)?(本案經[^。]*執行職務。)?", rest), rest


def test_taiwan_combined_facts_and_reasons_split_at_the_second_paragraph():
    text = dict(tw_texts())["KSDM_112_簡_300_20230710_1.json"]
    s = split_tw(text)
    assert s["事實"].startswith("一、趙美玲") and "二、" not in s["事實"]
    assert s["理由"].startswith("二、上開犯罪事實") and "逕以簡易判決處刑如主文" in s["理由"]


@pytest.mark.parametrize("text,reason", [
    ("臺灣臺北地方法院刑事判決\n被　告　甲\n甲犯竊盜罪，處拘役伍日。\n犯罪事實\n一、甲竊盜。\n理由\n一、核被告所為。",
     "主文"),
    ("臺灣臺北地方法院刑事判決\n主　文\n甲犯竊盜罪，處拘役伍日。\n中華民國112年3月1日", "事實 / 理由"),
    # one heading for facts and reasons (only 理由, only 犯罪事實, 事實及理由) with one paragraph
    ("臺灣臺北地方法院刑事判決\n主　文\n甲犯竊盜罪，處拘役伍日。\n理　由\n一、核被告所為。", "told apart"),
    ("臺灣臺北地方法院刑事判決\n主　文\n甲犯竊盜罪，處拘役伍日。\n犯罪事實\n一、甲竊盜。", "told apart"),
    ("臺灣臺北地方法院刑事簡易判決\n主　文\n甲犯竊盜罪，處拘役伍日。\n事實及理由\n一、甲竊盜，核被告所為係犯竊盜罪。",
     "told apart"),
])
def test_missing_taiwan_sections_are_rejected(text, reason):
    with pytest.raises(RecordError, match=reason):
        split_tw(text)


def test_taiwan_facts_in_the_first_paragraph_of_reasons():
    s = split_tw("臺灣臺北地方法院刑事判決\n主　文\n甲犯竊盜罪，處拘役伍日。\n理　由\n"
                 "一、甲竊盜。\n二、核被告所為，係犯竊盜罪。")
    assert s["事實"] == "一、甲竊盜。" and s["理由"] == "二、核被告所為，係犯竊盜罪。"


def test_crlf_and_html_dumps_split_alike():
    text = dict(cn_texts())["cjo_criminal_2021.csv:2"]
    plain = split_cn(text)
    assert split_cn(text.replace("\n", "\r\n")) == plain


@pytest.mark.parametrize("reasoning, verdict", [("本合议庭认为", "判决如下："), ("本庭认为", "作出如下判决：")])
def test_mainland_reasoning_and_verdict_marker_variants(reasoning, verdict):
    text = ("公诉机关某市人民检察院。\n被告人甲某，男。\n经审理查明，甲某窃得手机一部，与本院查明的其他事实相符。\n"
            f"{reasoning}，甲某构成盗窃罪，与本院查明的事实一致。依照《中华人民共和国刑法》第二百六十四条之规定，{verdict}\n"
            "被告人甲某犯盗窃罪，判处拘役三个月。\n如不服判决，可在接到判决书的第二日起十日内上诉。")
    s = split_cn(text)
    assert s["经审理查明"].startswith("经审理查明") and s["本院认为"].startswith(reasoning)
    assert s["判决如下"] == "被告人甲某犯盗窃罪，判处拘役三个月。" and s["尾部"].startswith("如不服判决")


def test_summary_judgment_takes_the_adopted_allegation_as_facts():
    text = ("公诉机关某市人民检察院。\n被告人甲某，男。\n"
            "某市人民检察院以某检刑诉〔2021〕1号起诉书指控被告人甲某犯盗窃罪，向本院提起公诉。\n"
            "某市人民检察院指控：2021年3月，被告人甲某窃得手机一部。\n上述事实，被告人甲某在开庭审理过程中亦无异议，并有证人证言等证据证实。\n"
            "本院认为，甲某构成盗窃罪。依照《中华人民共和国刑法》第二百六十四条之规定，判决如下：\n被告人甲某犯盗窃罪，判处拘役三个月。")
    s = split_cn(text)
    assert s["经审理查明"].startswith("某市人民检察院指控：2021年3月") and "无异议" in s["经审理查明"]
    assert s["公诉机关指控"] == "" and s["审理经过"].startswith("某市人民检察院以")
