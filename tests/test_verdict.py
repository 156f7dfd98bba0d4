"""Per-defendant labels from the bundled judgments, each checked against a hand-read gold table
and against the judgment text itself; and the verdict helpers on their own."""

import pytest

from converters.verdict import charges, defendants_cn, extract, shared_names, split_by_defendant
from lawfactory.parse.numerals import to_cn
from lawfactory.parse.terms import parse_sentence
from lawfactory.records import PRC_CRIMINAL_LAW, TW_CRIMINAL_CODE, RecordError, Skip, article_key

from judgment_samples import all_cases

# (case number or JID, defendant) → gold read off the judgment by hand:
# charges, kind, principal, months, probation, fine, political rights, criminal-law articles
# (number, suffix), attitude flags, and snippets the verdict part must contain.
CN = {
    ("（2021）浙0106刑初123号", "张某"): (["盗窃"], "fixed", "有期徒刑", 8, 0, 2000, "",
                                   [(264, 0), (67, 0), (52, 0), (53, 0)],
                                   {"confession", "plea_agreement"}, ["有期徒刑八个月", "罚金人民币二千元"]),
    ("（2021）苏0106刑初456号", "孙某"): (["危险驾驶"], "fixed", "拘役", 2, 3, 4000, "",
                                   [(133, 1), (67, 0), (72, 0), (73, 0), (52, 0), (53, 0)],
                                   {"surrender", "confession", "courtroom_admission", "plea_agreement"},
                                   ["拘役二个月", "缓刑三个月", "罚金人民币四千元"]),
    ("（2021）粤0305刑初789号", "黄某"): (["故意伤害"], "fixed", "有期徒刑", 36, 48, 0, "",
                                   [(234, 0), (67, 0), (72, 0), (73, 0)],
                                   {"surrender", "confession", "restitution", "forgiveness"},
                                   ["有期徒刑三年", "缓刑四年"]),
    ("（2021）川0107刑初1024号", "张某"): (["诈骗"], "fixed", "有期徒刑", 42, 0, 30000, "",
                                    [(266, 0), (25, 0), (26, 0), (27, 0), (67, 0), (72, 0), (52, 0), (53, 0), (64, 0)],
                                    {"refusal"}, ["有期徒刑三年六个月", "罚金人民币三万元"]),
    ("（2021）川0107刑初1024号", "张某某"): (["诈骗"], "fixed", "有期徒刑", 12, 24, 10000, "",
                                     [(266, 0), (25, 0), (26, 0), (27, 0), (67, 0), (72, 0), (52, 0), (53, 0), (64, 0)],
                                     {"confession", "plea_agreement", "restitution"},
                                     ["有期徒刑一年", "缓刑二年", "罚金人民币一万元"]),
    ("（2021）湘01刑初58号", "马某"): (["故意杀人"], "death", "死缓", 0, 0, 0, "终身",
                                 [(232, 0), (48, 0), (57, 0), (67, 0)],
                                 {"surrender", "confession", "forgiveness"},
                                 ["死刑，缓期二年执行", "剥夺政治权利终身"]),
    ("（2021）京0105刑初2001号", "赵某某"): (["盗窃", "诈骗"], "fixed", "有期徒刑", 34, 0, 15000, "",
                                     [(264, 0), (266, 0), (65, 0), (67, 0), (69, 0), (52, 0), (53, 0)],
                                     {"confession", "restitution"},
                                     ["决定执行有期徒刑二年十个月", "罚金人民币一万五千元"]),
    ("（2021）闽0203刑初888号", "郭某"): (["帮助信息网络犯罪活动"], "fixed", "有期徒刑", 6, 0, 3000, "",
                                   [(287, 2), (67, 0), (52, 0), (53, 0), (64, 0)],
                                   {"surrender", "confession", "plea_agreement"},
                                   ["有期徒刑六个月", "罚金人民币三千元"]),
    ("（2021）云0111刑初345号", "杨某"): (["贩卖毒品"], "fixed", "有期徒刑", 84, 0, 10000, "",
                                   [(347, 0), (52, 0), (53, 0), (64, 0)],
                                   {"refusal"}, ["有期徒刑七年", "罚金人民币一万元"]),
    ("（2021）鲁0102刑初66号", "魏某"): (["妨害公务"], "fixed", "管制", 12, 0, 0, "", [(277, 0), (67, 0), (38, 0)],
                                  {"confession", "courtroom_admission"}, ["管制一年"]),
    ("（2020）豫01刑初99号", "韩某"): (["抢劫"], "life", "无期徒刑", 0, 0, 0, "终身",
                                 [(263, 0), (57, 0), (59, 0), (67, 0)],
                                 {"confession"}, ["无期徒刑", "剥夺政治权利终身"]),
    ("（2021）桂0103刑初310号", "覃某"): (["开设赌场"], "fixed", "有期徒刑", 12, 18, 20000, "",
                                   [(303, 0), (67, 0), (72, 0), (73, 0), (52, 0), (53, 0), (64, 0)],
                                   {"confession", "plea_agreement"},
                                   ["有期徒刑一年", "缓刑一年六个月", "罚金人民币二万元"]),
    ("（2021）渝0103刑初150号", "冉某"): (["盗窃"], "none", "", 0, 0, 0, "", [(264, 0), (37, 0), (67, 0)],
                                   {"confession", "forgiveness"}, ["免予刑事处罚"]),
}
TW = {
    ("TPDM,112,易,456,20230315,1", "王大明"): (["竊盜"], "fixed", "有期徒刑", 6, 0, 0, "", [(320, 0), (41, 0)],
                                          {"confession", "restitution"}, ["有期徒刑陸月", "以新臺幣壹仟元折算壹日"]),
    ("PCDM,112,交易,78,20230420,1", "李志強"): (["不能安全駕駛動力交通工具"], "fixed", "有期徒刑", 2, 0, 10000, "",
                                           [(185, 3), (41, 0), (42, 0)], {"confession"},
                                           ["有期徒刑貳月", "罰金新臺幣壹萬元"]),
    ("TCDM,112,金訴,1024,20230601,2", "陳大文"): (["三人以上共同詐欺取財"], "fixed", "有期徒刑", 14, 0, 0, "",
                                             [(28, 0), (339, 4), (74, 0)], {"refusal"}, ["有期徒刑壹年貳月"]),
    ("TCDM,112,金訴,1024,20230601,2", "林小明"): (["三人以上共同詐欺取財"], "fixed", "有期徒刑", 12, 24, 0, "",
                                             [(28, 0), (339, 4), (74, 0)], {"confession", "restitution"},
                                             ["有期徒刑壹年", "緩刑貳年"]),
    ("KSDM,112,簡,300,20230710,1", "趙美玲"): (["傷害"], "fixed", "拘役", 1, 0, 0, "",
                                          [(277, 0), (41, 0)], {"confession"},
                                          ["拘役參拾日"]),
    ("TPDM,111,重訴,12,20221230,3", "周國華"): (["殺人"], "life", "无期徒刑", 0, 0, 0, "终身",
                                           [(271, 0), (37, 0), (38, 0)],
                                           {"refusal"}, ["無期徒刑", "褫奪公權終身"]),
    ("TYDM,112,易,88,20230505,1", "吳建宏"): (["竊盜"], "fixed", "有期徒刑", 7, 0, 0, "", [(320, 0), (41, 0), (51, 0)],
                                         {"confession"}, ["應執行有期徒刑柒月"]),
    ("SLDM,110,審易,500,20211115,1", "蔡文雄"): (["施用第二級毒品"], "fixed", "有期徒刑", 3, 0, 0, "",
                                            [(11, 0), (47, 0), (41, 0)],
                                            {"refusal"}, ["處有期徒刑參月"]),
}


@pytest.fixture(scope="module")
def cases():
    return all_cases()


def _key(c):
    m = c["meta"]
    return (m.get("case_number") or m.get("jid"), c["defendant"])


def test_every_sample_case_matches_the_gold_table_and_no_more(cases):
    assert sorted(_key(c) for c in cases) == sorted([*CN, *TW])


@pytest.mark.parametrize("key", [*CN, *TW], ids=lambda k: f"{k[0]}-{k[1]}")
def test_labels_match_gold_and_text(cases, key):
    c = next(c for c in cases if _key(c) == key)
    gold = CN.get(key) or TW[key]
    ch, kind, principal, months, prob, fine, pol, arts, flags, snippets = gold
    s = c["sentence"]
    assert c["charges"] == ch
    assert (s["kind"], s["principal"], s["months"], s["probation_months"], s["fine"], s["political_rights"]) == \
           (kind, principal, months, prob, fine, pol)
    law = PRC_CRIMINAL_LAW if key in CN else TW_CRIMINAL_CODE
    assert [(a["law"], a["number"], a["suffix"]) for a in c["articles"]] == [(law, n, x) for n, x in arts]
    assert {f for f, v in c["attitude"].items() if v} == flags
    # every label is in the text it was read from
    for charge in ch:
        assert f"犯{charge}罪" in c["verdict"] or (key == ("SLDM,110,審易,500,20211115,1", "蔡文雄")
                                                 and charge in c["verdict"])
    for snip in snippets:
        assert snip in c["verdict"], snip
    assert c["defendant"] in c["verdict"]
    for n, x in arts:
        cited = (f"第{to_cn(n)}条" + (f"之{to_cn(x)}" if x else "") if key in CN
                 else f"第{n}條" + (f"之{x}" if x else ""))
        assert cited in c["reasoning"], cited
    assert c["meta"]["citations"] and all("|" in k for k in c["meta"]["citations"])
    assert article_key(law, *arts[0]) in c["meta"]["citations"]


def test_procedure_law_citations_are_kept_in_meta_not_in_articles(cases):
    theft = next(c for c in cases if _key(c) == ("（2021）浙0106刑初123号", "张某"))
    assert any(k.endswith("|15") and "刑事诉讼法" in k for k in theft["meta"]["citations"])
    assert all(a["law"] == PRC_CRIMINAL_LAW for a in theft["articles"])


def test_multi_defendant_parts_hold_own_conviction_and_shared_items(cases):
    a = next(c for c in cases if _key(c) == ("（2021）川0107刑初1024号", "张某"))
    b = next(c for c in cases if _key(c) == ("（2021）川0107刑初1024号", "张某某"))
    assert "被告人张某犯诈骗罪" in a["verdict"] and "被告人张某某犯" not in a["verdict"]
    assert "被告人张某某犯诈骗罪" in b["verdict"] and "有期徒刑三年六个月" not in b["verdict"]
    for c in (a, b):  # the item ordering both to make restitution goes to both
        assert "责令被告人张某、张某某退赔被害人经济损失" in c["verdict"]
    assert a["group_id"] == b["group_id"] and a["case_id"] != b["case_id"]
    assert a["meta"]["defendants"] == b["meta"]["defendants"] == ["张某", "张某某"]


def test_split_unnumbered_verdict_and_acquittal():
    v = "被告人甲某犯盗窃罪，判处拘役三个月；被告人乙某犯盗窃罪，判处拘役二个月，缓刑三个月。"
    parts = split_by_defendant(v, ["甲某", "乙某"])
    assert parts == {"甲某": "被告人甲某犯盗窃罪，判处拘役三个月",
                     "乙某": "被告人乙某犯盗窃罪，判处拘役二个月，缓刑三个月。"}
    found, left = extract("一、被告人甲某犯盗窃罪，判处拘役三个月。\n二、被告人乙某无罪。", ["甲某", "乙某"])
    assert [d.name for d in found] == ["甲某"] and left == ["乙某: acquitted (无罪)"]
    with pytest.raises(Skip, match="all defendants acquitted"):  # no sample, counted with its reason
        extract("被告人乙某无罪。", ["乙某"])
    with pytest.raises(Skip, match="all defendants acquitted"):
        extract("一、被告人甲某不负刑事责任。\n二、被告人乙某无罪。", ["甲某", "乙某"])
    with pytest.raises(RecordError, match="no defendant with charge and penalty"):
        extract("被告人乙某犯盗窃罪，责令退赔。", ["乙某"])
    with pytest.raises(RecordError, match="no defendant named"):
        extract("被告人乙某犯盗窃罪，判处拘役三个月。", [])


def test_charge_names():
    assert charges("被告人张某犯帮助信息网络犯罪活动罪，判处有期徒刑六个月") == ["帮助信息网络犯罪活动"]
    assert charges("被告人张某犯生产、销售假药罪，判处…；犯[生产、销售]假药罪") == ["生产、销售假药"]
    assert charges("犯盗窃罪，判处有期徒刑一年；犯诈骗罪，判处有期徒刑二年。犯罪所得予以追缴。") == ["盗窃", "诈骗"]
    assert charges("陳大文犯三人以上共同詐欺取財罪，處有期徒刑壹年貳月。") == ["三人以上共同詐欺取財"]
    assert charges("蔡文雄施用第二級毒品，累犯，處有期徒刑參月", "蔡文雄") == ["施用第二級毒品"]
    assert charges("被告人张某无罪。", "张某") == []
    # one 犯 before a list of charges (the verdict reader and the evaluator share lawfactory/parse/charges.py)
    assert charges("被告人赵某犯盗窃罪、故意伤害罪，数罪并罚，决定执行有期徒刑三年") == ["盗窃", "故意伤害"]
    assert charges("被告人赵某犯盗窃罪和诈骗罪，决定执行") == ["盗窃", "诈骗"]


def test_defendant_names_from_parties():
    parties = "公诉机关某某人民检察院。\n被告人张某，男，1988年生。\n辩护人刘某，律师。\n被告人张某某（绰号小张），女。"
    assert defendants_cn(parties) == ["张某", "张某某"]


def test_parse_sentence_executed_fine_and_formal_numerals():
    # 数罪并罚: the fine after 决定执行 is the executed one (lawfactory/parse/terms.py)
    s = parse_sentence("犯盗窃罪，判处有期徒刑二年，并处罚金人民币五千元；"
                       "犯诈骗罪，判处有期徒刑一年，并处罚金人民币一万元；"
                       "决定执行有期徒刑二年十个月，并处罚金人民币一万五千元。")
    assert (s["months"], s["fine"]) == (34, 15000)
    s = parse_sentence("處有期徒刑陸月，如易科罰金，以新臺幣壹仟元折算壹日。")
    assert (s["months"], s["fine"]) == (6, 0)  # 易科罰金 converts the term; it is no fine
    s = parse_sentence("處有期徒刑貳月，併科罰金新臺幣壹萬元，罰金如易服勞役，以新臺幣壹仟元折算壹日。")
    assert (s["months"], s["fine"]) == (2, 10000)


def test_corporate_defendant_fine_is_never_a_persons_and_is_counted():
    v = ("一、被告单位某甲有限公司犯走私普通货物罪，判处罚金人民币一百五十万元。\n"
         "二、被告人张某犯走私普通货物罪，判处有期徒刑三年；被告单位某乙有限公司犯走私普通货物罪，判处罚金人民币十万元。\n"
         "三、追缴违法所得。")
    found, left = extract(v, ["张某"])
    assert [(d.name, d.sentence["months"], d.sentence["fine"]) for d in found] == [("张某", 36, 0)]
    assert [why.split(": ", 1)[1] for why in left] == ["corporate defendant (被告单位), fine only: no case"] * 2
    with pytest.raises(Skip, match="only corporate defendants"):
        extract("被告单位某甲有限公司犯单位行贿罪，判处罚金人民币二十万元。", ["李某"])


def test_defendants_masked_alike_end_each_others_parts_and_yield_no_case():
    parties = "被告人刘某丁，男，1970年出生。\n被告人耿某甲，男，1980年出生。\n被告人刘某丁，男，1994年出生。"
    names = defendants_cn(parties)
    assert names == ["刘某丁", "耿某甲"] and shared_names(parties, names) == {"刘某丁"}
    v = ("被告人刘某丁犯盗窃罪，判处有期徒刑一年四个月。\n被告人耿某甲犯盗窃罪，判处有期徒刑一年，缓刑一年。\n"
         "被告人刘某丁犯盗窃罪，判处有期徒刑六个月；犯掩饰、隐瞒犯罪所得罪，判处有期徒刑七个月，决定执行有期徒刑九个月。")
    assert split_by_defendant(v, names)["耿某甲"] == "被告人耿某甲犯盗窃罪，判处有期徒刑一年，缓刑一年。"


def test_a_later_sentence_about_a_defendant_is_no_new_defendant():
    parties = ("被告人潘某，男，1989年生。被告人潘某曾因犯容留他人吸毒罪，于2015年被判处拘役五个月。"
               "被告人潘某现因涉嫌犯贩卖毒品罪，于2017年被刑事拘留。被告人张某，男。被告人张某某，女。")
    assert defendants_cn(parties) == ["潘某", "张某", "张某某"]
    assert defendants_cn("被告人：侯某，男。被告人（附带民事诉讼被告人）郑某，男。"
                         "被告人冶某1，男。被告人自报刘某，男。") == ["侯某", "郑某", "冶某1", "刘某"]


@pytest.mark.parametrize("verdict", [
    "一、被告人王某某犯盗窃罪，判处有期徒刑二年，并处罚金人民币五千元。\n二、被告人王某无罪。",
    "一、被告人王某无罪。\n二、被告人王某某犯盗窃罪，判处有期徒刑二年，并处罚金人民币五千元。",
])
def test_a_name_that_begins_a_longer_defendants_name_is_not_his_conviction(verdict):
    """王某 acquitted beside 王某某 convicted: 王某 inside 王某某犯… is not 王某's conviction."""
    found, left = extract(verdict, ["王某某", "王某"])
    assert [(d.name, d.sentence["months"]) for d in found] == [("王某某", 24)]
    assert left == ["王某: acquitted (无罪)"]


def _read(verdict, names):
    found, left = extract(verdict, names)
    return {d.name: (d.charges, d.sentence["kind"], d.sentence["months"], d.sentence["fine"]) for d in found}, left


@pytest.mark.parametrize("verdict, want", [
    ("一、被告人张三、李四犯抢劫罪，分别判处有期徒刑三年和二年。",
     {"张三": (["抢劫"], "fixed", 36, 0), "李四": (["抢劫"], "fixed", 24, 0)}),
    ("被告人张三、李四犯盗窃罪，均判处有期徒刑一年，并处罚金人民币一千元。",
     {"张三": (["盗窃"], "fixed", 12, 1000), "李四": (["盗窃"], "fixed", 12, 1000)}),
    ("被告人张三、被告人李四犯盗窃罪，各判处有期徒刑一年。",
     {"张三": (["盗窃"], "fixed", 12, 0), "李四": (["盗窃"], "fixed", 12, 0)}),
    ("被告人张三、李四共同犯诈骗罪，分别判处有期徒刑三年、一年六个月，并处罚金人民币五万元、三万元。",
     {"张三": (["诈骗"], "fixed", 36, 50000), "李四": (["诈骗"], "fixed", 18, 30000)}),
    ("一、被告人张三、李四犯故意杀人罪，分别判处死刑，缓期二年执行，剥夺政治权利终身和无期徒刑，剥夺政治权利终身；\n"
     "二、被告人王五犯窝藏罪，判处有期徒刑一年。",
     {"张三": (["故意杀人"], "death", 0, 0), "李四": (["故意杀人"], "life", 0, 0), "王五": (["窝藏"], "fixed", 12, 0)}),
])
def test_several_defendants_named_before_one_conviction_each_get_their_penalty(verdict, want):
    """被告人张三、(被告人)李四犯…: every name of the list is convicted; 均 / 各 give each the same
    penalty, 分别 pairs the names with the penalties listed, in order."""
    got, left = _read(verdict, ["张三", "李四", "王五"] if "王五" in verdict else ["张三", "李四"])
    assert got == want and left == []


def test_penalties_given_respectively_that_do_not_pair_with_the_names_are_left_out_with_a_reason():
    # one 缓刑 for two terms: whose it is cannot be told
    v = ("一、被告人张三、李四犯抢劫罪，分别判处有期徒刑三年、二年，缓刑三年；\n"
         "二、被告人王五犯窝藏罪，判处有期徒刑一年。")
    got, left = _read(v, ["张三", "李四", "王五"])
    assert got == {"王五": (["窝藏"], "fixed", 12, 0)}
    assert left == [f"{n}: penalties given 分别 (respectively) do not pair with the defendants named"
                    for n in ("张三", "李四")]


@pytest.mark.parametrize("verdict, names", [
    ("一、撤销本院（2015）西刑初字第64号刑事判决中对被告人马某犯聚众斗殴罪，判处有期徒刑三年，缓刑四年的缓刑部分；\n"
     "二、被告人马某犯寻衅滋事罪，判处有期徒刑一年一个月，与前罪被判处有期徒刑三年实行并罚，决定执行有期徒刑三年六个月。",
     ["马某"]),
    ("一、撤销本院（2015）西刑初字第64号刑事判决中对被告人马某犯聚众斗殴罪，判处有期徒刑三年，缓刑四年的缓刑部分；\n"
     "二、被告人马某犯寻衅滋事罪，判处有期徒刑一年一个月，与前罪被判处有期徒刑三年实行并罚，决定执行有期徒刑三年六个月；\n"
     "三、被告人苏某犯寻衅滋事罪，判处有期徒刑一年。", ["马某", "苏某"]),
    ("被告人马某犯寻衅滋事罪，判处有期徒刑一年一个月；撤销某县人民法院（2015）某刑初字第64号刑事判决书被告人马某犯聚众斗殴罪，"
     "判处有期徒刑三年，缓刑四年的缓刑执行部分，数罪并罚，决定执行有期徒刑三年六个月。", ["马某"]),
])
def test_a_conviction_quoted_from_a_former_judgment_is_not_a_charge(verdict, names):
    """撤销…对被告人X犯Y罪…的缓刑部分 quotes the former judgment whose probation is revoked: Y is not
    a charge of this verdict, and the executed term is the one 决定执行 states."""
    found, _ = extract(verdict, names)
    ma = next(d for d in found if d.name == "马某")
    assert ma.charges == ["寻衅滋事"]
    assert (ma.sentence["months"], ma.sentence["probation_months"]) == (42, 0)
    assert "决定执行有期徒刑三年六个月" in ma.part
