"""Answer parsing for the evaluator: charges, articles (shared citation parser), sentence."""

import pytest

from lawfactory.evaluation.answer_fields import (
    parse_answer,
    parse_charges,
    term_line_of,
    whole_numbers,
)

from conftest import real_path


@pytest.mark.parametrize("text,charges", [
    ("本院认为，被告人杜某甲的行为已构成走私、贩卖、运输、制造毒品罪。", ["走私、贩卖、运输、制造毒品"]),
    ("被告人张某犯盗窃罪、故意伤害罪，数罪并罚，决定执行有期徒刑二年", ["盗窃", "故意伤害"]),
    ("犯盗窃罪和诈骗罪", ["盗窃", "诈骗"]),
    ("核被告所為，係犯刑法第三百二十條第一項之竊盜罪。", ["竊盜"]),
    ("被告人犯[生产、销售]假药罪", ["生产、销售假药"]),  # CAIL brackets stripped, as the judger does
    ("被告人犯罪以后自动投案，构成自首", []),
    ("其行为已构成犯罪，构成数罪", []),
    ("被告人犯盗窃罪。……被告人犯盗窃罪", ["盗窃"]),
])
def test_parse_charges(text, charges):
    assert parse_charges(text) == charges


# official CAIL2018 charges the parser once broke: a 罪 inside the name, 款 / 项 inside the name
# (read as a cited paragraph), 、 inside the name, and the two longest names (32 characters)
TRICKY_CHARGES = ["帮助信息网络犯罪活动", "贷款诈骗", "挪用公款", "非法吸收公众存款", "违法发放贷款", "挪用特定款物",
                  "掩饰、隐瞒犯罪所得、犯罪所得收益", "包庇毒品犯罪分子", "传授犯罪方法",
                  "非法收购、运输、出售珍贵、濒危野生动物、珍贵、濒危野生动物制品"]


def _round_trips(charge):
    return (parse_charges(f"被告人张某犯{charge}罪，") == [charge]
            and parse_charges(f"本院认为，被告人的行为已构成{charge}罪。") == [charge])


@pytest.mark.parametrize("charge", TRICKY_CHARGES)
def test_tricky_official_charge_names_round_trip(charge):
    assert _round_trips(charge)


def test_every_official_cail_charge_round_trips():
    names = [ln.strip() for ln in real_path("cail2018", "accu.txt").read_text(encoding="utf-8-sig").splitlines()
             if ln.strip()]
    assert len(names) == 202
    assert [c for c in names if not _round_trips(c)] == []


def test_charge_lists_with_names_holding_zui_and_kuan():
    assert parse_charges("被告人犯帮助信息网络犯罪活动罪、贷款诈骗罪和掩饰、隐瞒犯罪所得、"
                         "犯罪所得收益罪，数罪并罚") == [
        "帮助信息网络犯罪活动", "贷款诈骗", "掩饰、隐瞒犯罪所得、犯罪所得收益"]
    # a cited paragraph before the name still goes (Taiwan 係犯…之X罪), also after 之N and 第N款
    assert parse_charges("核被告所為，係犯刑法第339條之4第1項第2款之三人以上共同詐欺取財罪。") == [
        "三人以上共同詐欺取財"]
    assert parse_charges("係犯毒品危害防制條例第10條第2項之施用第二級毒品罪") == ["施用第二級毒品"]


def test_parse_answer_judgment_style():
    a = parse_answer("本院认为，被告人王某的行为已构成盗窃罪。\n依照《中华人民共和国刑法》第二百六十四条、"
                     "第六十七条第三款及《中华人民共和国刑事诉讼法》第十五条之规定，判决如下：\n"
                     "被告人王某犯盗窃罪，判处有期徒刑一年六个月，缓刑二年。")
    assert a["charges"] == ["盗窃"]
    assert a["citations"] == ["中华人民共和国刑法|264", "中华人民共和国刑法|67", "中华人民共和国刑事诉讼法|15"]
    assert a["articles"] == ["中华人民共和国刑法|264", "中华人民共和国刑法|67"]  # criminal law only, as CAIL labels
    assert (a["sentence"]["months"], a["sentence"]["probation_months"], a["code"],
            a["abstained"]) == (18, 24, 18, False)


@pytest.mark.parametrize("text,code", [
    ("刑期:18个月", 18), ("刑期:无期", -1), ("刑期:死刑", -2), ("判处死刑，缓期二年执行", -2), ("判处死缓", -2),
    ("判处拘役三个月", 3), ("判处无期徒刑", -1), ("處有期徒刑陸月", 6), ("判處有期徒刑壹年貳月", 14), ("刑期:0个月", 0),
])
def test_parse_answer_codes(text, code):
    assert parse_answer(text)["code"] == code


def test_unparsable_answer_is_an_abstention():
    a = parse_answer("本院认为，被告人的行为构成盗窃罪，应依法惩处。")
    assert (a["abstained"], a["code"], a["sentence"]) == (True, None, None)
    assert parse_answer("")["abstained"] is True


def test_taiwan_citations_use_taiwan_keys():
    a = parse_answer("核被告所為，係犯刑法第320條第1項之竊盜罪。處有期徒刑陸月。", "tw")
    assert a["articles"] == ["中華民國刑法|320"] and a["code"] == 6


def test_term_line_of_reads_the_last_answer_line():
    assert term_line_of("判处有期徒刑一年六个月。\n刑期:18个月\n")["months"] == 18
    assert term_line_of("刑期:无期")["kind"] == "life"
    assert term_line_of("判处有期徒刑一年") is None


def test_whole_number_gold_reads_suffixed_predictions_as_whole_numbers():
    law = "中华人民共和国刑法"
    pred = [f"{law}|133-1", f"{law}|133", f"{law}|264"]
    assert whole_numbers([f"{law}|133"], pred) == [f"{law}|133", f"{law}|264"]  # CAIL-style gold
    assert whole_numbers([f"{law}|133-1"], pred) == pred  # gold with a suffix: exact
    assert whole_numbers([], pred) == pred
