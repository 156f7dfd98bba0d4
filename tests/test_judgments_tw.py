"""Taiwan 司法院 text and 主文 reading on small written examples (the real set: test_judgments_tw_real.py)."""

import unicodedata
from collections import Counter

import pytest

from converters.judgments_tw import _BASIS, basis_text
from converters.sections_tw import split_tw
from converters.tw_text import decode_private_use, unwrap, width, wrap_width
from converters.verdict_tw import (
    clause_charges,
    clauses,
    finding_sentences,
    header_defendants,
    read_sentence,
    verdict_names,
)


def test_private_use_characters_decoded_and_unknown_ones_counted():
    stats = Counter()
    text = decode_private_use("處有期徒刑\ue372月。\uf67e被告\uf67d證人陳金\ue398", stats)
    assert text == "處有期徒刑參月。（一）被告（二）證人陳金□"
    assert stats["private-use code points decoded"] == 3 and stats["private-use code points unknown"] == 1
    assert stats["private-use code point unknown: U+E398"] == 1
    assert read_sentence(decode_private_use("甲○○犯投票受賄罪，處有期徒刑\ue372月，緩刑\ue372年。"))["months"] == 3


WRAPPED = (
    "一、核被告所為，係犯公職人員選舉罷免法第九十九條第一項之交付賄賂\n"
    "    罪。被告前未曾受有期徒刑以上刑之宣告，有前案紀錄表在卷可稽，\n"
    "    爰宣告緩刑參年，以啟自新。\n"
    "二、據上論斷，應依刑事訴訟法第二百九十九條第一項前段，刑法第第11\n"
    "    條，判決如主文。被告於偵查中之供述（見偵卷第一二三、一二四頁\n"
    "    六、一二七頁）可參。\n"
)


def test_hard_wraps_are_undone_and_items_start_paragraphs():
    cols = wrap_width(WRAPPED * 3)
    assert cols is not None
    paragraphs = unwrap(WRAPPED, cols).split("\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].endswith("以啟自新。") and "交付賄賂罪。" in paragraphs[0]
    assert "刑法第11條，判決如主文" in paragraphs[1]  # the doubled 第 and the wrapped number
    assert "一二四頁六、一二七頁" in paragraphs[1]  # 六、 inside a sentence is not an item


def test_unwrapped_text_is_left_alone():
    text = "一、被告犯竊盜罪，事證明確。\n二、爰審酌一切情狀，量處如主文所示之刑。"
    assert unwrap(text, wrap_width(text)) == text


@pytest.mark.parametrize("line", ["", "abc 12", "被　告　甲○○", "第99條第1 項（見偵卷）", "ｶﾀｶﾅ與é混排", "─┼│×",
                                  "\ue372參", "𠀋字 and 😀", "\t\u3000　x"])
def test_width_counts_two_columns_for_wide_and_ambiguous_characters(line):
    assert width(line) == sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in line)


def test_finding_sentences_and_the_last_law_passage():
    reasons = ("核被告甲○○所為，係犯刑法第320條第1項之竊盜罪。被告乙○○係犯同法第339條\n之詐欺取財罪\n"
               "三、據上論斷，應依刑事訴訟法第299條第1項前段，判決如主文。\n四、本件經簡易判決處刑如主文")
    assert finding_sentences(reasons) == ["核被告甲○○所為，係犯刑法第320條第1項之竊盜罪", "被告乙○○係犯同法第339條"]
    # the passage starts where the last match of the law-passage pattern over the whole text starts
    # (only the sentence holding its last word is searched)
    assert basis_text(reasons).startswith("四、本件經簡易判決處")
    first = reasons[:reasons.index("\n四")]
    assert basis_text(first).startswith("三、據上論斷，應依")
    alone = first.replace("三、", "")  # 據上論斷 opens the sentence: one match, the rest up to 判決如主文 another
    assert basis_text(alone).startswith("，應依刑事訴訟法")
    for text in (reasons, first, alone):
        assert basis_text(text).startswith(text[list(_BASIS.finditer(text))[-1].start():][:30])
    assert basis_text("被告無罪。") == "被告無罪。"  # neither a passage nor a finding: the whole text


HEAD = """臺灣彰化地方法院刑事判決　　　　　　　104年度選訴字第2號
公　訴　人　臺灣彰化地方法院檢察署檢察官
被　　　告　廖金楨　男　民國00年0月0日生
　　　　　　住彰化縣○○鄉○○路00號
選任辯護人　陳某某律師
　　　　　　林某某律師
被　　　告　李錦\ue8cc
　　　　　　林清富
　　　　　　　　　　　號5樓
　　　　　　甲○○即鍾宋秀玉
上　一　人
選任辯護人　王某某律師
上列被告等因違反公職人員選舉罷免法案件，經檢察官提起公訴，本院判決如下："""


def test_header_defendants_continuation_lines_lawyers_and_addresses():
    names = header_defendants(decode_private_use(HEAD))
    assert names == ["廖金楨", "李錦□", "林清富", "甲○○"]


def test_masked_in_the_body_named_in_the_header():
    names, dropped = verdict_names(["詹日新"],
                                   "乙○○犯公職人員選舉罷免法第九十九條第一項之交付賄賂罪，處有期徒刑壹年捌月。")
    assert names == ["乙○○"] and dropped == ["詹日新"]


def test_joint_clause_with_own_penalties_and_unknown_subjects():
    verdict = ("辛○○、Ｅ○○共同連續對於有投票權之人，交付賄賂，而約其投票權為一定之行使，辛○○處有期徒刑壹年拾月，"
               "Ｅ○○處有期徒刑壹年。各褫奪公權參年。\n"
               "丙○○意圖使候選人不當選，以演講傳播不實之事，處有期徒刑參月；又連續公然侮辱人，處拘役肆拾日。\n"
               "丁○○有投票權之人，收受賄賂，處有期徒刑陸月。\n"
               "戊○○無罪。")
    parts = clauses(verdict, ["辛○○", "Ｅ○○", "丙○○", "戊○○"])
    assert read_sentence(parts["辛○○"])["months"] == 22 and read_sentence(parts["Ｅ○○"])["months"] == 12
    assert "丁○○" not in "".join(parts.values())  # not a defendant here: his sentence goes to no one
    assert read_sentence(parts["丙○○"])["months"] == 3  # two sentences executed apart: the first
    assert read_sentence(parts["戊○○"]) is None and "無罪" in parts["戊○○"]
    assert clause_charges(parts["辛○○"], "辛○○", ["辛○○", "Ｅ○○"], "") == ["交付賄賂"]


@pytest.mark.parametrize("clause,months,days,probation,fine", [
    ("處有期徒刑伍月，如易科罰金，以新臺幣壹仟元折算壹日。緩刑貳年，並應向公庫支付新臺幣伍萬元。", 5, 0, 24, 0),
    ("各處有期徒刑肆月，如易科罰金均以銀元參佰元即新臺幣玖佰元折算壹日，褫奪公權貳年，減為有期徒刑貳月。", 2, 0, 0, 0),
    ("處拘役肆拾日，如易科罰金，以參佰元折算壹日。", 1, 40, 0, 0),
    ("處有期徒刑壹年柒月，併科罰金新臺幣壹佰萬元，罰金如易服勞役，以罰金總額與壹年之日數比例折算；"
     "又…處有期徒刑壹年拾月。應執行有期徒刑貳年，併科罰金新臺幣壹佰萬元，緩刑伍年，並應向公庫支付新臺幣伍拾萬元。",
     24, 0, 60, 1000000),
    ("科罰金新台幣伍仟元，如易服勞役，以參佰元整即新台幣玖佰元折算壹日。", 0, 0, 0, 5000),
])
def test_taiwan_penalties(clause, months, days, probation, fine):
    s = read_sentence("甲○○犯投票受賄罪，" + clause)
    assert (s["months"], s["days"], s["probation_months"], s["fine"]) == (months, days, probation, fine)


NUMBERED = """臺灣臺中地方法院宣示判決筆錄　　　　　 99年度選訴字第5號
公　訴　人　臺灣臺中地方法院檢察署檢察官
被　　　告　呂奕賢
法官起立朗讀判決主文、犯罪事實要旨、處罰條文、附記事項：
一、主    文：
    呂奕賢有投票權之人，收受賄賂，而許以其投票權為一定之行使，處有期徒刑伍月。
二、犯罪事實要旨：
    呂奕賢收受現金6,000元，並約定投票支持洪瑞彬。
三、處罰條文：
    公職人員選舉罷免法第113條第3項，刑法第143條、第37條第2項。
中　　華　　民　　國　　100　　年　　3　　月　　22　　日
"""


def test_numbered_layout_of_a_negotiated_judgment():
    s = split_tw(NUMBERED)
    assert s["主文"].startswith("呂奕賢有投票權之人") and s["主文"].endswith("處有期徒刑伍月。")
    assert s["事實"].startswith("二、犯罪事實要旨") and "6,000元" in s["事實"]
    assert "處罰條文" in s["理由"] and "刑法第143條" in s["理由"]
