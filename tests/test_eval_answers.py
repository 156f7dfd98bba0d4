"""answers.read_answer: the term an LLM's answer states, on the phrasings models write, and never
an exception (docs/answers.md)."""

import random

import pytest

from lawfactory.evaluation.answers import MAX_MONTHS, read_answer


def code(text):
    return read_answer(text)["code"]


@pytest.mark.parametrize("text,expected", [
    # LawBench's requested slot
    ("[刑期]12个月<eoa>", 12), ("[刑期]12月<eoa>", 12), ("[刑期]2年<eoa>", 24), ("\n[刑期]1年6个月<eoa>", 18),
    ("【刑期】十八个月<eoa>", 18), ("[刑期]18<eoa>", 18), ("[刑期]3年半<eoa>", 42),
    ("[刑期]6个月 genetics\n事实:2017年8月15日…", 6),  # junk after the slot
    ("[刑期]2年徒刑+1年徒刑=3年徒刑<eoa>", 36),  # a sum: its total
    ("[刑期]3年徒刑+罚金<eoa>", 36),
    # other answer cues, full-width colon, numerals
    ("刑期：1年6个月", 18), ("刑期:一年又六个月", 18), ("判决刑期为叁年", 36), ("答案：<eoa>12月<eod>。", 12),
    ("刑期:1.5年", 18), ("因此，被告人的判决刑期为3年6个月。", 42),
    # kinds
    ("[刑期]无期徒刑<eoa>", -1), ("刑期:死刑", -2), ("[刑期]死刑缓期二年执行<eoa>", -2), ("判处死缓", -2),
    ("被告人犯盗窃罪，判处拘役四个月。", 4), ("判处管制一年", 12), ("免予刑事处罚", 0), ("刑期:0个月", 0),
    # probation is not the term
    ("判处有期徒刑三年，缓刑三年", 36), ("[刑期]1年，缓刑2年<eoa>", 12),
    # English
    ("36 months", 36), ("3 years", 36), ("The defendant was sentenced to 18 months in prison.", 18),
    ("Sentence: 3 years and 6 months", 42), ("sentenced to life imprisonment", -1),
])
def test_terms_models_write(text, expected):
    assert code(text) == expected


def test_probation_is_kept_apart():
    s = read_answer("判处有期徒刑三年，缓刑五年")["sentence"]
    assert (s["months"], s["probation_months"], s["principal"]) == (36, 60, "有期徒刑")


@pytest.mark.parametrize("text,reason", [
    ("三年以下有期徒刑", "statute range"),
    ("判决刑期:3年以下有期徒刑、拘役或者管制，并处或者单处罚金。", "statute range"),
    ("答案:5年以上10年以下有期徒刑，并处罚金。", "statute range"),  # the statute's band, in the answer slot
    ("刑期应为不超过三年", "statute range"),
    ("[刑期]无法判断<eoa>", "declined"),
    ("[刑期]缓刑2年<eoa>", "probation only"),
    ("", "empty"), ("   \n", "empty"),
    ("根据下列事实、罪名和刑法法条预测判决刑期。只需给出判决刑期为多少月，请将答案填在[刑期]与<eoa>之间。例如[刑期]12月<eoa>。",
     "no term stated"),  # the prompt echoed: its example is not an answer
    (("第二百六十四条 盗窃公私财物，数额较大的，处三年以下有期徒刑、拘役或者管制，并处或者单处罚金；数额巨大的，"
      "处三年以上十年以下有期徒刑，并处罚金；数额特别巨大的，处十年以上有期徒刑或者无期徒刑"), "no term stated"),
    ("2014年1月10日，被告人持该2张承兑汇票到淮安市", "no term stated"),  # dates are not terms
    ("刑期:" + "1" * 25, "unreadable number"),  # robustness review E07
    ("判处有期徒刑" + "一千" * 40 + "年", "unreadable number"),  # E08
    ("[刑期]120年<eoa>", "unreadable number"),  # over 50 years
])
def test_abstentions_and_their_reasons(text, reason):
    a = read_answer(text)
    assert (a["sentence"], a["code"], a["reason"]) == (None, None, reason)


def test_statute_text_then_a_stated_term():
    text = ("根据刑法第271条的规定，应当判处三年以上十年以下有期徒刑，并处罚金。该罪的最高刑期为无期徒刑。"
            "因此，被告人武某的判决刑期为3年6个月。")
    assert code(text) == 42


def test_article_numbers_amounts_and_past_sentences_are_not_terms():
    assert code("依照刑法第264条，盗窃金额3485元，被告人曾因盗窃罪被判处有期徒刑六个月，判处有期徒刑十个月") == 10


@pytest.mark.parametrize("text,lo,hi,mid", [
    ("[刑期]3至5年<eoa>", 36, 60, 47), ("[刑期]3-5年<eoa>", 36, 60, 47), ("刑期为三到五年", 36, 60, 47),
    ("[刑期]1年至1年6个月<eoa>", 12, 18, 15), ("[刑期]10个月至1年<eoa>", 10, 12, 11),
])
def test_a_chosen_range_scores_its_log_midpoint(text, lo, hi, mid):
    a = read_answer(text)
    assert a["range"] == [lo, hi] and a["code"] == mid
    assert mid == round(((lo + 1) * (hi + 1)) ** 0.5 - 1)


def test_first_answer_wins_over_repetition_and_continuations():
    assert code("[刑期]18个月<eoa>\n请你回答：[刑期]18个月<eoa>\n" * 50) == 18
    # the model answers, then invents the next question and its answer
    assert code("\n[刑期]12个月<eoa>\n请你回答：\n事实:被告人吴某…\n[刑期]36个月<eoa>") == 12


def test_an_echoed_one_shot_demonstration_is_not_the_answer():
    demo = ("下面是一个例子:\n事实:公诉机关指控，被告人李某甲在没有资金的情况下…罪名:虚报注册资本。法条:刑法第158条\n"
            "[刑期]18个月<eoa>\n请你回答:\n事实:被告人张某驾驶小货车…罪名:过失致人死亡。法条:刑法第233条\n")
    assert code(demo + "[刑期]36个月<eoa>") == 36
    assert read_answer(demo)["sentence"] is None


def test_the_judgment_style_answers_of_fine_tuned_models():
    text = ("本院认为，被告人王某的行为已构成盗窃罪、诈骗罪。判决如下：被告人王某犯盗窃罪，判处有期徒刑一年；犯诈骗罪，"
            "判处有期徒刑二年，决定执行有期徒刑二年六个月。")
    assert code(text) == 30
    assert code(text + "\n刑期:30个月") == 30
    assert code("處有期徒刑陸月") == 6


GARBAGE_ATOMS = ["[刑期]", "<eoa>", "刑期:", "刑期：", "年", "个月", "月", "日", "以上", "以下", "至", "-", "=", "+",
                 "缓刑", "死刑", "无期", "判处", "有期徒刑", "拘役", "第", "条", "款", "之", "十", "一千", "百", "零",
                 "两", "壹", "9", "99999", "0", "1.5", ".", "，", "。", "\n", "\r\n", "例如", "请你回答", "事实:",
                 "years", "months",
                 "not more than", "罚金", "元", "万", "\x00", "\ufeff", "🙂", "[", "]", "【", "】", "(", "（"]


def test_never_raises_on_any_text():
    rng = random.Random(0)
    texts = ["".join(rng.choice(GARBAGE_ATOMS) for _ in range(rng.randint(1, 60))) for _ in range(3000)]
    texts += ["一千" * 5000 + "年", "刑期:" + "9" * 5000, "十十" * 3000 + "条", "[刑期]" * 5000, None, 12, b"bytes",
              "判处拘役" + "9" * 30 + "日", "判处有期徒刑一年，并处罚金" + "9" * 30 + "元",
              "判处有期徒刑一年，缓刑" + "9" * 30 + "年"]
    for t in texts:
        a = read_answer(t)
        assert set(a) == {"sentence", "code", "range", "rule", "reason"}
        assert not a["reason"].startswith("parser error"), (t, a)
        if a["sentence"] is None:
            assert a["code"] is None and a["reason"]
        else:
            assert a["code"] in (-2, -1) or 0 <= a["code"] <= MAX_MONTHS
            assert a["sentence"]["fine"] < 2 ** 53 and a["sentence"]["probation_months"] <= MAX_MONTHS
            assert a["sentence"]["days"] < 2 ** 53  # rows.jsonl writes them as JSON integers


def test_passive_answers_and_fines():
    assert code("被告人朱某某应当被判处有期徒刑18个月，并处罚金人民币5000元。") == 18
    assert code("被告人因盗窃罪被判处有期徒刑六个月，2015年刑满释放。") is None  # a past sentence
    assert code("判处罚金人民币五千元") is None  # a fine named without 单处 states no verdict
    assert code("单处罚金人民币五千元") == 0


def test_a_verdict_line_in_the_passive():
    assert code("。判决:被告人余某甲被判处有期徒刑十年，并处罚金人民币五十万元。") == 120
    assert code("判决:被告人徐某某被判处有期徒刑3年6个月，剥夺政治权利2年。") == 42


@pytest.mark.parametrize("text,expected", [
    ("情节严重的，将被处以无期徒刑，并处没收财产。", None),  # the statute's consequence of a condition
    ("决定执行的刑罚中，应当把较重的刑罚执行，但是判处死刑的除外。", None),  # statute prose after a cue
    ("原审被告人因犯抢劫罪被判处××，并处罚金二万元，剥夺政治权利三年。", None),  # masked term, political rights
    ("判处有期徒刑十年（刑期自判决执行之日起计算，羁押一日折抵刑期一日）", 120),  # a remark in parentheses
    ("被告人犯盗窃罪，判处有期徒刑二年，剥夺政治权利一年，并处罚金一万元。", 24),
    ("判决韩某犯生产、销售假药罪，免予处罚；", 0),
    ("公诉机关建议判处被告人有期徒刑三年至四年。", None),  # a recommendation, not the answer
    ("公诉机关关于判处被告人有期徒刑三年至四年的量刑建议，本院予以采纳。", 42),  # adopted: a range, √(37·49) − 1
])
def test_statute_prose_remarks_and_recommendations(text, expected):
    assert code(text) == expected


def test_days_are_kept_and_rounded_to_months():
    s = read_answer("[刑期]拘役四十天<eoa>")["sentence"]
    assert (s["months"], s["days"], s["principal"]) == (1, 40, "拘役")


@pytest.mark.parametrize("text,expected", [
    ("1.5年", 18), ("2.5年", 30), ("1.5 years", 18), ("1.5年。", 18), ("2.5 years.", 30), ("刑期：1.5年", 18),
])
def test_a_decimal_year_keeps_its_point(text, expected):
    # a short answer drops its full stop, never the decimal point (1.5年 was read as 15 years)
    assert code(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("**刑期**：24个月", 24), ("| 刑期 | 24个月 |", 24), ("刑期（月）：24", 24), ("刑期(单位：月)：30", 30),
    ("根据案情，我预测刑期为【36个月】", 36), ("- **罪名**：盗窃罪\n- **刑期**：**18个月**", 18),
    ("| 罪名 | 刑期 |\n|---|---|\n| 盗窃罪 | 24个月 |", 24),  # the term under its header
    ("| 项目 | 内容 |\n| --- | --- |\n| 罪名 | 盗窃罪 |\n| 刑期 | 2年 |", 24),  # label and value in one row
    ("__刑期__: 10个月", 10),
])
def test_markdown_layouts(text, expected):
    assert code(text) == expected


def test_a_bracket_after_the_cue_that_holds_no_term_decides_nothing():
    assert code("刑期:\n\n【解析】根据刑法第141条，处3年以下有期徒刑") is None


@pytest.mark.parametrize("text,expected", [
    ("The defendant should be sentenced to 2 years of imprisonment.", 24), ("He will be sentenced to 18 months.", 18),
    ("The defendant may be sentenced to 3 years and 6 months.", 42), ("Zhang can be sentenced to 10 months.", 10),
])
def test_a_modal_before_sentenced_to_is_a_prediction(text, expected):
    assert code(text) == expected


@pytest.mark.parametrize("text", [
    "shall be sentenced to not more than 3 years of fixed-term imprisonment",  # a band
    "Whoever steals a relatively large amount of property shall be sentenced to fixed-term imprisonment of 3 years",
    "If the amount is especially large, he shall be sentenced to fixed-term imprisonment of 10 years",
])
def test_english_statute_prose_is_no_prediction(text):
    assert code(text) is None


@pytest.mark.parametrize("text,expected", [
    ("半年", 6), ("判处有期徒刑半年", 6), ("[刑期]半年<eoa>", 6), ("刑期:一年半", 18),
    ("刑期：10个半月", 11), ("刑期:10.5个月", 11), ("[刑期]一个半月<eoa>", 2),  # a half month rounds up
    ("判处拘役七十五天", 3),  # 2.5 months: the same rule
])
def test_half_a_year_and_half_months(text, expected):
    assert code(text) == expected


def test_half_of_a_calendar_year_is_a_date():
    assert code("2010年上半年，被告人高某在工地从事塔吊操作") is None
    assert read_answer("[刑期]三个月至半年<eoa>")["range"] == [3, 6]


@pytest.mark.parametrize("text", [
    "有期徒刑八个月至一年", "被告人应处有期徒刑八个月至一年。", "判处有期徒刑八个月至一年", "刑期：八个月至一年",
    "[刑期]八个月至一年<eoa>", "八个月至一年",
])
def test_a_chosen_range_reads_the_same_under_every_rule(text):
    a = read_answer(text)
    assert (a["range"], a["code"]) == ([8, 12], 10)


def test_a_range_in_the_probation_is_not_the_term():
    a = read_answer("有期徒刑三年，缓刑三年至五年")
    assert (a["code"], a["range"]) == (36, None)


# answer styles chat models write: markdown tables and lists, bold, English, mixed 年/月 with a gloss
STYLES = [
    ("| 项目 | 结果 |\n|------|------|\n| 罪名 | 盗窃罪 |\n| 刑期 | 1年6个月 |\n| 罚金 | 5000元 |", 18),
    ("| 被告人 | 罪名 | 刑期 |\n| :--- | :--- | ---: |\n| 张某 | 诈骗罪 | 有期徒刑三年 |", 36),
    ("**预测结果**\n\n- 罪名：故意伤害罪\n- 刑期：**有期徒刑10个月**\n- 理由：被告人自首，可从轻处罚。", 10),
    ("1. 罪名：危险驾驶罪\n2. 刑期：拘役2个月\n3. 罚金：3000元", 2),
    ("* **刑期**：36个月\n* **缓刑**：无", 36),
    ("### 判决结果\n**被告人李某犯盗窃罪，判处有期徒刑一年二个月，并处罚金人民币三千元。**", 14),
    ("综合考虑被告人的坦白情节，**建议刑期：2年**。", 24),
    ("The defendant is sentenced to fixed-term imprisonment of 3 years.", 36),
    ("Based on the facts, I predict an imprisonment of 18 months.", 18),
    ("Prediction: imprisonment of 2 years and 6 months", 30),
    ("Answer: 24 months", 24),
    ("I would sentence the defendant to 1 year and 3 months of imprisonment.", 15),
    ("**Sentence:** 4 years", 48),
    ("刑期：1年零3个月（即15个月）", 15),
    ("[刑期]1年3个月<eoa>（共计15个月）", 15),
    ("预测刑期：2年（24个月）", 24),
    ("根据以上分析，被告人的刑期应为 **三年六个月**。", 42),
    ("答：判处有期徒刑1年半，缓刑2年。", 18),
    ("最终答案：【刑期】8个月", 8),
    ("> 刑期：6个月\n\n以上为预测结果。", 6),
    ("刑期 = 30 个月", 30),
    ("- 主刑：有期徒刑 2 年\n- 附加刑：罚金 1 万元", 24),
]


@pytest.mark.parametrize("text,expected", STYLES)
def test_answer_styles_models_write(text, expected):
    assert code(text) == expected


def test_english_cues_skip_statute_prose():
    assert code("Whoever steals shall be sentenced to imprisonment of 3 years") is None
    assert code("Where the defendant confessed, he should be sentenced to 2 years.") == 24


@pytest.mark.parametrize("text,expected", [
    ("刑期:3_10月<eoa>", 10),  # an underscore between digits separates them (never 310)
    ("The defendant should be punished with imprisonment of a certain period of time or life imprisonment", None),
    ("量刑建议：有期徒刑六个月至一年。", None),  # a recommendation, its value in its own clause
    # the whole sentence recommends
    ("公诉机关建议以抢劫罪判处其有期徒刑三年至四年，盗窃罪判处其有期徒刑三年至四年。", None),
    ("建议依照刑法第277条第一款的规定，对被告人判处有期徒刑三年，并处罚金人民币5000元。", 36),  # the model's own advice
    ("公诉机关建议判处有期徒刑三年至四年，本院予以采纳。", 42),  # adopted
])
def test_follow_ups_found_on_the_shared_answers(text, expected):
    assert code(text) == expected
