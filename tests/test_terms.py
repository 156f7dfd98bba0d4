import pytest

from lawfactory.parse.numerals import to_cn, to_int
from lawfactory.parse.terms import format_penalty, months_cn, parse_sentence, term_line
from lawfactory.records import RecordError, sentence


@pytest.mark.parametrize("text,value", [
    ("十八", 18), ("二百六十四", 264), ("壹仟", 1000), ("陸", 6), ("貳萬", 20000), ("參", 3), ("兩", 2),
    ("１２", 12), ("2,000", 2000), ("一百三十三", 133),
])
def test_to_int(text, value):
    assert to_int(text) == value


def test_to_int_rejects_non_numerals():
    with pytest.raises(ValueError):
        to_int("盗窃")


def test_to_cn_and_months():
    assert to_cn(264) == "二百六十四"
    assert [months_cn(m) for m in (18, 12, 6, 25)] == ["一年六个月", "一年", "六个月", "二年一个月"]


def test_format_penalty_judgment_style():
    assert format_penalty(sentence("fixed", 18, fine=2000)) == "判处有期徒刑一年六个月，并处罚金人民币二千元"
    # CAIL gives months only: under six months is 拘役 (刑法 §42)
    assert format_penalty(sentence("fixed", 3)) == "判处拘役三个月"
    assert format_penalty(sentence("fixed", 8, probation_months=12)) == "判处有期徒刑八个月，缓刑一年"
    assert format_penalty(sentence("life")) == "判处无期徒刑"
    assert format_penalty(sentence("death", principal="死缓")) == "判处死刑，缓期二年执行"
    assert format_penalty(sentence("none", fine=3000)) == "单处罚金人民币三千元"
    assert format_penalty(sentence("none")) == "免予刑事处罚"


def test_term_line_states_plain_months():
    # LawBench reads the first N个月: "1年6个月" would score as 6
    assert term_line(sentence("fixed", 18)) == "刑期:18个月"
    assert term_line(sentence("life")) == "刑期:无期"
    assert term_line(sentence("death")) == "刑期:死刑"
    assert term_line(sentence("none", fine=10)) == "刑期:0个月"


@pytest.mark.parametrize("text,kind,months,prob,fine,principal", [
    ("判处有期徒刑一年六个月，并处罚金人民币二千元", "fixed", 18, 0, 2000, "有期徒刑"),
    ("處有期徒刑陸月，如易科罰金，以新臺幣壹仟元折算壹日", "fixed", 6, 0, 0, "有期徒刑"),
    ("判处拘役三个月，缓刑六个月", "fixed", 3, 6, 0, "拘役"),
    ("判處有期徒刑壹年貳月，併科罰金新臺幣貳萬元", "fixed", 14, 0, 20000, "有期徒刑"),
    ("判处有期徒刑3年零6个月", "fixed", 42, 0, 0, "有期徒刑"),
    ("犯盗窃罪，判处有期徒刑一年；犯故意伤害罪，判处有期徒刑二年；决定执行有期徒刑二年六个月",
     "fixed", 30, 0, 0, "有期徒刑"),
    ("判处死刑，缓期二年执行，剥夺政治权利终身", "death", 0, 0, 0, "死缓"),
    ("判处无期徒刑，剥夺政治权利终身", "life", 0, 0, 0, "无期徒刑"),
    ("拘役伍拾日", "fixed", 2, 0, 0, "拘役"),
    ("判处管制六个月", "fixed", 6, 0, 0, "管制"),
    ("单处罚金人民币1万元", "none", 0, 0, 10000, ""),
    ("本院认为……\n刑期:18个月", "fixed", 18, 0, 0, ""),
])
def test_parse_sentence(text, kind, months, prob, fine, principal):
    s = parse_sentence(text)
    assert (s["kind"], s["months"], s["probation_months"], s["fine"],
            s["principal"]) == (kind, months, prob, fine, principal)


def test_parse_sentence_roundtrip_of_formatted_terms():
    for s in [sentence("fixed", m, fine=f) for m in (1, 5, 6, 11, 12, 13, 36, 179) for f in (0, 1500)]:
        back = parse_sentence(format_penalty(s) + "\n" + term_line(s))
        assert (back["kind"], back["months"], back["fine"]) == (s["kind"], s["months"], s["fine"])


def test_parse_sentence_abstains_on_no_penalty():
    assert parse_sentence("被告人张某的行为构成盗窃罪。") is None
    assert parse_sentence("") is None


def test_sentence_validation():
    with pytest.raises(RecordError):
        sentence("life", months=3)
    with pytest.raises(RecordError):
        sentence("fixed", -1)


@pytest.mark.parametrize("text,kind,months,prob,principal", [
    ("刑期:1年6个月", "fixed", 18, 0, ""),  # our parser reads the whole period (LawBench's reads 6)
    ("刑期：十八个月", "fixed", 18, 0, ""),
    ("刑期: 18 个月", "fixed", 18, 0, ""),
    ("刑期:2年", "fixed", 24, 0, ""),
    ("刑期:壹年陸月", "fixed", 18, 0, ""),
    ("刑期:0个月", "none", 0, 0, ""),
    ("刑期:无期徒刑", "life", 0, 0, ""),
    ("刑期:死缓", "death", 0, 0, "死缓"),
    ("判处死缓，剥夺政治权利终身", "death", 0, 0, "死缓"),
    ("判处有期徒刑二年，缓刑三年\n刑期:24个月", "fixed", 24, 36, ""),
])
def test_parse_sentence_answer_lines(text, kind, months, prob, principal):
    s = parse_sentence(text)
    assert (s["kind"], s["months"], s["probation_months"], s["principal"]) == (kind, months, prob, principal)


def test_parse_sentence_unreadable_answer_line_abstains():
    assert parse_sentence("刑期:未知") is None


@pytest.mark.parametrize("text,kind,months,principal", [
    # review item 7: a 死缓 the court rules out is not the sentence
    ("被告人不符合适用死缓的条件，判处有期徒刑十五年", "fixed", 180, "有期徒刑"),
    ("判处无期徒刑，不判处死缓", "life", 0, "无期徒刑"),
    ("被告人犯罪时未满十八周岁，不适用死刑，判处无期徒刑", "life", 0, "无期徒刑"),
    # the stay and the bare penalty still read as before
    ("判处死缓，剥夺政治权利终身", "death", 0, "死缓"),
    ("判处死刑，缓期二年执行", "death", 0, "死缓"),
    ("罪行极其严重，判处死刑，剥夺政治权利终身", "death", 0, "死刑"),
])
def test_negated_death_mentions_are_not_the_sentence(text, kind, months, principal):
    s = parse_sentence(text)
    assert (s["kind"], s["months"], s["principal"]) == (kind, months, principal)


@pytest.mark.parametrize("text,months,days", [
    ("處拘役肆拾日，如易科罰金，以參佰元折算壹日", 1, 40),
    ("拘役伍拾日", 2, 50),
    ("處有期徒刑壹月又拾伍日", 2, 0),  # months and days: rounded to months, no days-only term
    ("處有期徒刑陸月", 6, 0),
])
def test_terms_in_days_keep_their_days(text, months, days):
    s = parse_sentence(text)
    assert (s["months"], s["days"]) == (months, days)


def test_sentence_days_validation():
    assert sentence("fixed", 2, days=50)["days"] == 50
    with pytest.raises(RecordError):
        sentence("none", days=3)


@pytest.mark.parametrize("text, fine", [
    ("判处拘役五个月，并处罚金人民币2，000元（已缴纳）", 2000),  # full-width thousands separator
    ("判处有期徒刑七个月，缓刑一年，并处罚金2,500元", 2500),
    ("判处有期徒刑三年三个月，并处罚金1.3万元", 13000),
    ("判处无期徒刑，剥夺政治权利终身，并处没收个人全部财产", 0),  # confiscation is no fine
    ("判处有期徒刑十年，并处没收财产人民币二万元", 0),
])
def test_fine_amounts_as_judgments_write_them(text, fine):
    assert parse_sentence(text)["fine"] == fine


@pytest.mark.parametrize("text, fine", [
    # a fine paid, advanced or credited is no fine the sentence imposes
    ("判处有期徒刑三年。被告人已缴纳的罚金人民币一万元予以冲抵", 0),
    ("判处有期徒刑一年，缓刑二年。被告人亲属代为预交罚金人民币五千元，予以认可", 0),
    ("判处拘役四个月。扣押的现金人民币1000元予以抵扣，尚欠罚金4000元限判决生效后缴纳", 0),
    ("单处罚金人民币三千元（罚金已缴纳）", 3000),
    # imposed: at the head of a penalty clause, or listed after another property penalty
    ("判处有期徒刑五年，罚金人民币二十五万元", 250000),
    ("判处有期徒刑一年，并处没收财产人民币三万元、罚金人民币三千元", 3000),
    ("科罰金新臺幣伍仟元，如易服勞役，以新臺幣壹仟元折算壹日", 5000),
])
def test_only_a_fine_the_sentence_imposes_counts(text, fine):
    assert parse_sentence(text)["fine"] == fine


@pytest.mark.parametrize("text, fine", [
    # 决定执行 names no fine: the counts' fines still apply and are added (刑法 §69)
    ("犯受贿罪，判处有期徒刑十年，并处罚金人民币五十万元；犯贪污罪，判处有期徒刑五年，并处罚金人民币二十万元；"
     "决定执行有期徒刑十三年，并处没收个人财产人民币十万元。", 700000),
    ("犯盗窃罪，判处有期徒刑二年，并处罚金人民币五千元；犯诈骗罪，判处有期徒刑一年，并处罚金人民币三千元；"
     "总和刑期有期徒刑三年，并处罚金人民币八千元；决定执行有期徒刑二年六个月。", 8000),  # a 总和 is no count
    # beside 没收全部财产 only the confiscation is executed
    ("犯运输毒品罪，判处无期徒刑，剥夺政治权利终身，并处没收个人全部财产；犯容留他人吸毒罪，判处有期徒刑六个月，"
     "并处罚金人民币三千元，数罪并罚，决定执行无期徒刑，剥夺政治权利终身，并处没收个人全部财产。", 0),
    # 决定执行 states the fine: that one
    ("犯盗窃罪，判处有期徒刑二年，并处罚金人民币五千元；犯诈骗罪，判处有期徒刑一年，并处罚金人民币一万元；"
     "决定执行有期徒刑二年十个月，并处罚金人民币一万二千元。", 12000),
])
def test_merged_sentence_fine_follows_article_69(text, fine):
    assert parse_sentence(text)["fine"] == fine


@pytest.mark.parametrize("text, months, probation", [
    ("判处有期徒刑三年又六个月，缓刑五年", 42, 60),
    ("判处有期徒刑三年零八个月", 44, 0),
    # a revoked former suspension is not this sentence's probation (数罪并罚)
    ("判处有期徒刑二年十个月；撤销…判处有期徒刑一年四个月，缓刑二年的缓刑执行部分，数罪并罚，"
     "决定执行有期徒刑三年八个月", 44, 0),
    ("犯甲罪，判处有期徒刑一年，犯乙罪，判处有期徒刑六个月，决定执行有期徒刑一年三个月，缓刑二年", 15, 24),
    ("判处有期徒刑九年，并处罚金人民币170000元\n"
     "撤销某县人民法院（2014）某刑初字第212号刑事判决书对被告人王某宣告缓刑五年的执行部分", 108, 0),
])
def test_terms_and_probation_under_merged_sentences(text, months, probation):
    s = parse_sentence(text)
    assert (s["months"], s["probation_months"]) == (months, probation)


@pytest.mark.parametrize("text", ["被告人甲犯玩忽职守罪，免予刑事处罚", "被告人乙犯保险诈骗罪，免于刑事处罚。",
                                  "被告人丙犯玩忽职守罪，免予处罚。"])
def test_exemption_wordings(text):
    assert parse_sentence(text)["kind"] == "none"
