"""The adversarial generator's rules, each pinned to a hand-worked example: attitude spans and
the edits that take them out, the 法发〔2021〕21号 discount arithmetic, the statutory cap from
a hand-made statute index, and self-checks that fail when they should."""

import copy

import pytest

from adversarial import checks
from adversarial.discounts import (
    applied_discounts,
    confession_ratio,
    refusal_ratio,
    round_months,
    total_discount,
    unclear_ratio,
)
from adversarial.spans import Entangled, HoldsNumber, apply, removal_edits
from adversarial.statutory import article_ceiling, bands, charge_keys, statutory_cap
from adversarial.variants import PHRASINGS, make_variant
from lawfactory.parse.attitude import detect_flags, find_spans
from lawfactory.records import (
    PRC_CRIMINAL_LAW,
    RecordError,
    article,
    article_key,
    article_ref,
    attitude,
    case,
    sentence,
    stable_id,
    variant,
)
from lawfactory.tasks.sentencing import compose_answer


def edit(text, defendant="", probation=False):
    edits, _ = removal_edits(text, defendant, probation)
    return apply(text, edits)


# --- attitude phrases (lawfactory/parse/attitude.py) ---------------------------------------------------

@pytest.mark.parametrize("text, flag", [
    ("被告人到案后如实交待了犯罪事实", "confession"),
    ("被告人在庭审过程中表示认罪", "courtroom_admission"),
    ("被告人自愿认罪认罚并签字具结", "plea_agreement"),
])
def test_added_attitude_phrases(text, flag):
    assert flag in detect_flags(text)


def test_refusal_phrasings_state_only_their_attitude():
    for kind, phrasings in PHRASINGS.items():
        for p in phrasings:
            flags = detect_flags(p.format(d="张某"))
            if kind == "confession":
                assert flags == {"confession"}, p
            else:
                assert flags == {kind}, p


# --- spans and edits ------------------------------------------------------------------------

def test_lead_in_and_confession_sentence_removed_kept_factor_untouched():
    text = "归案后，被告人徐某对上述犯罪事实供认不讳。被告人徐某家属已代为赔偿被害人经济损失26912元。"
    assert edit(text, "徐某") == "被告人徐某家属已代为赔偿被害人经济损失26912元。"


def test_admission_beside_restitution_cut_at_bing_and_subject_kept():
    text = "被告人李某到案后如实供述并退赔被害人损失5000元，可以从轻处罚。"
    assert edit(text, "李某") == "被告人李某退赔被害人损失5000元，可以从轻处罚。"


def test_leniency_clause_goes_with_the_admission():
    assert edit("案发当日被抓获。被告人石某如实供述自己的罪行，可从轻处罚。", "石某") == "案发当日被抓获。"


def test_event_lead_in_keeps_the_event():
    text = "2015年12月7日，被告人许某被公安机关抓获后，如实供述了全部犯罪事实。"
    assert edit(text, "许某") == "2015年12月7日，被告人许某被公安机关抓获。"


def test_courtroom_admission_in_evidence_sentence():
    text = "上述事实，被告人彭某在开庭审理中亦无异议，且当庭认罪，并有书证等证据佐证，足以认定。"
    assert edit(text, "彭某") == "上述事实，有书证等证据佐证，足以认定。"


def test_recidivism_kept_in_an_enumeration():
    text = "公诉机关认为，被告人何某具有累犯的从重处罚情节和归案后如实供述自己罪行的从轻处罚情节，提出了量刑建议。"
    assert edit(text, "何某") == "公诉机关认为，被告人何某具有累犯的从重处罚情节，提出了量刑建议。"
    text = "公诉机关认为，被告人袁某具有坦白的法定从轻处罚情节和累犯的法定从重处罚情节。"
    assert edit(text, "袁某") == "公诉机关认为，被告人袁某具有累犯的法定从重处罚情节。"


def test_reasoning_probation_and_its_leniency():
    text = "被告人覃某到案后如实供述自己的罪行，自愿认罪认罚，退缴全部违法所得，可以从轻处罚并适用缓刑。"
    assert edit(text, "覃某", probation=True) == "被告人覃某退缴全部违法所得，可以从轻处罚。"
    # without probation=True (facts) a 缓刑 of a prior conviction is an objective fact
    assert (edit("被告人王某曾因盗窃被判处有期徒刑六个月，缓刑一年。", "王某")
            == "被告人王某曾因盗窃被判处有期徒刑六个月，缓刑一年。")


def test_negated_phrases_and_plain_recommendation_stay():
    text = "辩护人认为被告人不构成自首。公诉机关提出了量刑建议。"
    assert edit(text) == text


def test_entangled_admission_is_refused_not_guessed():
    with pytest.raises(Entangled):
        removal_edits("被告人张某如实供述其退赃经过。", "张某")


def test_admission_holding_a_number_is_skipped_not_cut():
    # the date of the surrender and the counts a defendant owned up to are objective facts
    for text in ("被告人童某于2016年4月7日主动至公安机关投案自首。",
                 "到案后，被告人吴某如实供述了上述第2至第6起盗窃事实。"):
        with pytest.raises(HoldsNumber):
            removal_edits(text, text[text.index("被告人") + 3:][:2])
    src = cn_case("经审理查明，被告人童某窃取手机一部，价值3000元。被告人童某于2016年4月7日主动至公安机关投案自首。", 8,
                  charges=("盗窃",), numbers=(264,), defendant="童某")
    assert make_variant(src, "refusal", 1) == (None, "entangled: admission phrase holds a number (date, amount, count)")
    # a digit in the defendant's name is not a fact: 郭3某 is removed with the admission
    assert edit("被告人郭3某盗窃现金500元。被告人郭3某到案后如实供述。", "郭3某") == "被告人郭3某盗窃现金500元。"


def test_find_spans_marks_negation():
    spans = find_spans("被告人未如实供述，不构成坦白")
    assert [(s["flag"], s["negated"]) for s in spans] == [("confession", True), ("confession", True)]


# --- discounts ---------------------------------------------------------------------------

def test_discount_points_and_combination():
    d = applied_discounts({"confession"})
    assert [(x["factor"], x["band"], x["point"]) for x in d] == [("confession", 0.2, 0.1)]
    # 认罪认罚 is not evaluated again beside 坦白 (法发〔2021〕21号: 不作重复评价): only the plea point
    d = applied_discounts({"confession", "plea_agreement"})
    assert [(x["factor"], x["band"], x["point"]) for x in d] == [("confession", 0.2, 0.0),
                                                                 ("plea_agreement", 0.3, 0.15)]
    assert "不作重复评价" in d[0]["note"] and total_discount(d) == 0.15
    assert round_months(17 * refusal_ratio(0.15)) == 20  # 17 / 0.85 = 20 (坦白 + 认罪认罚 summed would give 23)
    assert round_months(17 * unclear_ratio(0.15)) == 19  # 17 × 0.925 / 0.85 = 18.5, halves up
    assert round_months(17 * confession_ratio()) == 15  # 17 × 0.9 = 15.3
    assert total_discount(applied_discounts({"courtroom_admission", "plea_agreement"})) == 0.15
    # with 自首 the plea takes the middle of its ≤60% band and stands for the 自首 too
    d = applied_discounts({"surrender", "confession", "courtroom_admission", "plea_agreement"})
    assert [x["point"] for x in d] == [0.0, 0.0, 0.0, 0.3] and d[3]["band"] == 0.6 and total_discount(d) == 0.3
    # without a plea: 自首 contains the 如实供述; 当庭认罪 is not counted beside either
    d = applied_discounts({"surrender", "confession", "courtroom_admission"})
    assert [x["point"] for x in d] == [0.2, 0.0, 0.0] and total_discount(d) == 0.2
    assert total_discount(applied_discounts({"courtroom_admission"})) == 0.05
    assert round_months(22.5) == 23 and round_months(22.49) == 22


# --- statutory cap --------------------------------------------------------------------------

ART_264 = ("盗窃公私财物，数额较大的，或者多次盗窃、入户盗窃、携带凶器盗窃、扒窃的，处三年以下有期徒刑、拘役或者管制，"
           "并处或者单处罚金；数额巨大或者有其他严重情节的，处三年以上十年以下有期徒刑，并处罚金；数额特别巨大或者有其他"
           "特别严重情节的，处十年以上有期徒刑或者无期徒刑，并处罚金或者没收财产。")
ART_275 = ("故意毁坏公私财物，数额较大或者有其他严重情节的，处三年以下有期徒刑、拘役或者罚金；"
           "数额巨大或者有其他特别严重情节的，处三年以上七年以下有期徒刑。")
ART_133 = ("违反交通运输管理法规，因而发生重大事故，致人重伤、死亡或者使公私财产遭受重大损失的，"
           "处三年以下有期徒刑或者拘役；交通运输肇事后逃逸或者有其他特别恶劣情节的，处三年以上七年以下有期徒刑；"
           "因逃逸致人死亡的，处七年以上有期徒刑。")
ART_234 = ("故意伤害他人身体的，处三年以下有期徒刑、拘役或者管制。\n犯前款罪，致人重伤的，处三年以上十年以下有期徒刑；"
           "致人死亡或者以特别残忍手段致人重伤造成严重残疾的，处十年以上有期徒刑、无期徒刑或者死刑。"
           "本法另有规定的，依照规定。")
ART_133_1 = ("在道路上驾驶机动车，有下列情形之一的，处拘役，并处罚金：\n（一）追逐竞驶，情节恶劣的；\n"
             "（二）醉酒驾驶机动车的；")


def index(*arts):
    out = {}
    for number, suffix, text in arts:
        a = article(law=PRC_CRIMINAL_LAW, jurisdiction="cn", number=number, suffix=suffix, paragraphs=[text])
        out[article_key(PRC_CRIMINAL_LAW, number, suffix)] = a
    return out


def test_article_ceilings():
    assert article_ceiling("处三年以下有期徒刑、拘役或者管制") == 36
    assert article_ceiling(ART_275) == 84
    assert article_ceiling(ART_264) == 180  # 十年以上 … 无期徒刑: bounded by 刑法 §45 only
    assert article_ceiling(ART_133_1) == 6
    assert article_ceiling("处六个月以下有期徒刑") == 6
    assert article_ceiling("依照前款的规定处罚。") is None


def cn_case(facts, months, charges=("故意毁坏财物",), numbers=(275,), principal="", probation=0, defendant="张某"):
    flags = detect_flags(facts)
    return case(source="t.jsonl", locator=facts[:8], jurisdiction="cn", facts=facts, defendant=defendant,
                charges=list(charges), articles=[article_ref(PRC_CRIMINAL_LAW, n) for n in numbers],
                sentence=sentence("fixed", months, probation, principal=principal), attitude=attitude(flags),
                meta={"format": "cail2018"})


def test_statutory_cap_with_a_hand_made_index():
    idx = index((275, 0, ART_275), (264, 0, ART_264), (133, 1, ART_133_1))
    assert statutory_cap(cn_case("x", 60), idx)["months"] == 84
    assert statutory_cap(cn_case("x", 30), idx)["months"] == 36  # 30 months lies in the 三年以下 range
    assert statutory_cap(cn_case("x", 60), {})["months"] == 180  # general limit, 刑法 §45
    joint = cn_case("x", 60, charges=("盗窃", "故意毁坏财物"), numbers=(264, 275))
    cap = statutory_cap(joint, idx)  # each count ≤ the joint 60 months: 盗窃 ≤ 120 (三年以上十年以下), 毁坏 ≤ 84
    assert (cap["months"], cap["principal"], cap["stated"]) == (204, "有期徒刑", True)
    # §69 ¶2: with 有期徒刑 a 拘役 is not executed, so 危险驾驶's 拘役 adds nothing to the sum
    two = cn_case("x", 60, charges=("故意毁坏财物", "危险驾驶"), numbers=(275,))
    two["articles"].append(article_ref(PRC_CRIMINAL_LAW, 133, 1))
    assert statutory_cap(two, idx)["months"] == 84

    # 自首 + 认罪认罚 (30%, the plea's ≤60% band) on 70 months: 70 / 0.7 = 100, capped at 故意毁坏财物's 84
    src = cn_case("被告人张某毁坏他人汽车一辆，价值50000元。被告人张某主动投案，并自愿认罪认罚。", 70)
    v, why = make_variant(src, "refusal", 1, idx)
    assert why is None and v["sentence"]["months"] == 84 and v["changes"]["capped"]
    v, _ = make_variant(src, "refusal", 1, {})
    assert v["sentence"]["months"] == 100
    # 危险驾驶 is 处拘役 only: 5 / 0.7 = 7.1 stays at 拘役六个月
    drunk = cn_case("被告人张某醉酒驾驶机动车，血液中乙醇含量为201mg/100ml。被告人张某主动投案，自愿认罪认罚。", 5,
                    charges=("危险驾驶",), numbers=(133,), principal="拘役")
    drunk["articles"] = [article_ref(PRC_CRIMINAL_LAW, 133, 1)]
    v, _ = make_variant(drunk, "refusal", 1, idx)
    assert (v["sentence"]["principal"], v["sentence"]["months"]) == ("拘役", 6)


def test_smallest_band_at_or_above_the_source_term():
    # 故意伤害 of 30 months lies in 处三年以下: 自首 + 认罪认罚, 30 / 0.7 = 42.9, is capped at 36, never 十年
    assert bands(ART_234) == [(36, "有期徒刑"), (120, "有期徒刑"), (180, "有期徒刑")]
    hurt = cn_case("被告人张某殴打被害人致其轻伤一级。被告人张某主动投案，自愿认罪认罚。", 30, charges=("故意伤害",),
                   numbers=(234,))
    v, why = make_variant(hurt, "refusal", 1, index((234, 0, ART_234)))
    assert why is None and v["sentence"]["months"] == 36 and v["changes"]["cap"]["stated"]
    # a source of exactly three years stays in that range; one of 40 months is in 三年以上十年以下
    assert statutory_cap(cn_case("x", 36, numbers=(234,)), index((234, 0, ART_234)))["months"] == 36
    assert statutory_cap(cn_case("x", 40, numbers=(234,)), index((234, 0, ART_234)))["months"] == 120


def test_cail_drunk_driving_stays_detention():
    """CAIL lists 危险驾驶 under plain 133 (交通肇事, up to 15 years) and names no principal: a refusal
    variant of 拘役 5 months stays 拘役, at most 6 months, with and without the statute index."""
    facts = "被告人张某醉酒驾驶机动车，血液中乙醇含量为201mg/100ml。被告人张某主动投案，自愿认罪认罚。"
    drunk = cn_case(facts, 5, charges=("危险驾驶",), numbers=(133,))
    assert drunk["sentence"]["principal"] == ""
    idx = index((133, 0, ART_133), (133, 1, ART_133_1))
    assert charge_keys(drunk) == [article_key(PRC_CRIMINAL_LAW, 133, 1)]
    for i in (idx, {}):
        v, why = make_variant(drunk, "refusal", 1, i)  # 5 / 0.7 = 7.1
        assert why is None and (v["sentence"]["principal"], v["sentence"]["months"]) == ("拘役", 6)
        assert "判处拘役六个月" in compose_answer(v)
    # with 交通肇事 charged too, both articles count
    both = cn_case(facts, 5, charges=("交通肇事", "危险驾驶"), numbers=(133,))
    assert charge_keys(both) == [article_key(PRC_CRIMINAL_LAW, 133), article_key(PRC_CRIMINAL_LAW, 133, 1)]


def test_joint_detention_adds_up_to_a_year():
    # two counts of 拘役 (§69: at most one year together): 拘役 8 months, 坦白 + 认罪认罚 → 8 / 0.85 = 9.4 → 9
    facts = "被告人张某醉酒驾驶机动车，并以暴力阻碍民警执行职务。被告人张某到案后如实供述，自愿认罪认罚。"
    two = cn_case(facts, 8, charges=("危险驾驶", "妨害公务"), numbers=(133, 277), principal="拘役")
    v, why = make_variant(two, "refusal", 1)
    assert why is None and (v["sentence"]["principal"], v["sentence"]["months"]) == ("拘役", 9)


def test_principal_upgraded_only_by_the_articles_own_range():
    # 盗窃 拘役五个月, 自首 + 认罪认罚: 7 months. §264 states 三年以下有期徒刑、拘役: 有期徒刑 7 months;
    # without the index nothing says a 有期徒刑 applies: 拘役 at its limit of 6
    theft = cn_case("被告人张某窃取现金3000元。被告人张某主动投案，自愿认罪认罚。", 5, charges=("盗窃",),
                    numbers=(264,), principal="拘役")
    v, _ = make_variant(theft, "refusal", 1, index((264, 0, ART_264)))
    assert (v["sentence"]["principal"], v["sentence"]["months"]) == ("有期徒刑", 7)
    v, _ = make_variant(theft, "refusal", 1, {})
    assert (v["sentence"]["principal"], v["sentence"]["months"]) == ("拘役", 6) and v["changes"]["clamped"]


# --- variants -------------------------------------------------------------------------------

SRC = ("经审理查明，2016年6月24日，被告人徐某在钟祥市某小区内窃取现金10235元及手机一部。经鉴定，被盗手机价值1099元。"
       "归案后，被告人徐某对上述犯罪事实供认不讳，自愿认罪认罚。被告人徐某家属已代为赔偿被害人经济损失11334元，取得谅解。")


def test_refusal_variant_hand_computed():
    src = cn_case(SRC, 17, charges=("盗窃",), numbers=(264,), probation=24, defendant="徐某")
    v, why = make_variant(src, "refusal", 42)
    assert why is None
    c = v["changes"]
    assert [(d["factor"], d["point"]) for d in c["discounts"]] == [("confession", 0.0), ("plea_agreement", 0.15)]
    assert (c["discount_total"], c["source_months"], c["new_months"]) == (0.15, 17, 20)  # 17 / 0.85
    assert c["ratio"] == pytest.approx(1 / 0.85, abs=1e-6) and c["probation_removed_months"] == 24
    assert v["sentence"]["probation_months"] == 0 and v["sentence"]["fine"] == src["sentence"]["fine"]
    assert (v["variant_of"], v["variant"], v["synthetic"],
            v["group_id"]) == (src["case_id"], "refusal", True, src["group_id"])
    assert v["case_id"] != src["case_id"]
    flags = detect_flags(v["facts"])
    assert "refusal" in flags and not flags & {"confession", "plea_agreement"}
    assert {"restitution", "forgiveness"} <= flags and "11334元" in v["facts"] and "10235元" in v["facts"]
    assert v["facts"].startswith(SRC.split("归案后")[0])
    assert any(e["before"].startswith("归案后") for e in c["spans"])


def test_variant_record_declares_and_checks_its_fields():
    """records.variant: the source's fields, the replaced ones, its own id and source, and the
    four variant fields; a wrong kind, a replaced identity, a nested variant or a sentence out of
    range is a RecordError, as for records.case."""
    src = cn_case(SRC, 17, charges=("盗窃",), numbers=(264,), defendant="徐某")
    v = variant(src, "refusal", {"ratio": 1.0}, facts="事实", sentence=sentence("fixed", 20))
    assert list(v) == [*src, "variant_of", "variant", "synthetic", "changes"]
    assert (v["facts"], v["sentence"]["months"], v["charges"], v["group_id"]) == ("事实", 20, ["盗窃"], src["group_id"])
    assert (v["case_id"], v["source"]) == (stable_id(src["case_id"], "refusal"), src["source"] + "#refusal")
    assert (v["variant_of"], v["variant"], v["synthetic"],
            v["changes"]) == (src["case_id"], "refusal", True, {"ratio": 1.0})
    for kind, fields, why in (("silence", {}, "unknown variant kind"),
                              ("refusal", {"case_id": "x"}, "cannot replace"),
                              ("refusal", {"court": "x"}, "cannot replace"),
                              ("refusal", {"facts": " "}, "empty facts"),
                              ("refusal", {"sentence": sentence("fixed", 400)}, "out of range")):
        with pytest.raises(RecordError, match=why):
            variant(src, kind, {}, **fields)
    with pytest.raises(RecordError, match="variant of a variant"):
        variant(v, "unclear", {})


def test_unclear_and_confession_variants():
    src = cn_case(SRC, 17, charges=("盗窃",), numbers=(264,), defendant="徐某")
    v, _ = make_variant(src, "unclear", 42)
    assert v["sentence"]["months"] == 19 and "unclear" in detect_flags(v["facts"])  # 17 × 0.925 / 0.85 = 18.5
    plain = cn_case("经审理查明，2016年6月24日，被告人徐某在钟祥市某小区内窃取现金10235元。", 17, charges=("盗窃",),
                    numbers=(264,), probation=24, defendant="徐某")
    v, why = make_variant(plain, "confession", 42)
    assert why is None and v["sentence"]["months"] == 15 and v["sentence"]["probation_months"] == 24
    assert "confession" in detect_flags(v["facts"]) and v["facts"].startswith(plain["facts"])
    assert make_variant(plain, "refusal", 42) == (None, "no confession-type factor in the source")
    assert make_variant(src, "confession", 42) == (None, "source already confesses")


def test_life_death_unchanged_and_none_skipped():
    src = cn_case(SRC, 17, charges=("盗窃",), numbers=(264,), defendant="徐某")
    src["sentence"] = sentence("life", principal="无期徒刑")
    v, _ = make_variant(src, "refusal", 42)
    assert v["sentence"] == src["sentence"] and v["changes"]["implied_log_ratio"] == 0.0
    src["sentence"] = sentence("none", fine=1000)
    assert make_variant(src, "refusal", 42) == (None, "no custodial term (kind none)")


def test_phrasing_depends_on_seed_and_is_stable():
    src = cn_case(SRC, 17, charges=("盗窃",), numbers=(264,), defendant="徐某")
    picks = {make_variant(src, "refusal", s)[0]["changes"]["phrasing"] for s in range(20)}
    assert len(picks) > 1
    assert make_variant(src, "refusal", 3) == make_variant(src, "refusal", 3)


# --- self-checks fail when they should ------------------------------------------------------

def test_self_checks_catch_broken_variants():
    src = cn_case(SRC, 17, charges=("盗窃",), numbers=(264,), probation=24, defendant="徐某")
    v, _ = make_variant(src, "refusal", 42)
    assert checks.failures(src, v) == []

    bad = copy.deepcopy(v)
    bad["facts"] = bad["facts"].replace("10235元", "10236元")
    assert "objective facts changed" in checks.failures(src, bad)
    # a removed span that holds a date: the text outside the spans is the same, the date is gone
    bad = copy.deepcopy(v)
    date = "2016年6月24日，"
    at = src["facts"].index(date)
    bad["facts"] = bad["facts"].replace(date, "", 1)
    bad["changes"]["spans"].append({"field": "facts", "start": at, "end": at + len(date), "before": date, "after": ""})
    bad["changes"]["spans"].sort(key=lambda e: (e["field"], e["start"]))
    assert checks.failures(src, bad) == ["numbers lost from facts"]
    # the same removal misreported as removing nothing does not fit the source
    bad["changes"]["spans"] = [dict(e, before="") if e["start"] == at else e for e in bad["changes"]["spans"]]
    assert "facts edits do not fit" in checks.failures(src, bad)
    bad = copy.deepcopy(v)
    bad["sentence"]["months"] = 16
    assert "term below the source's" in checks.failures(src, bad)
    bad = copy.deepcopy(v)
    bad["sentence"]["probation_months"] = 24
    assert "probation in a variant without 悔罪表现" in checks.failures(src, bad)
    bad = copy.deepcopy(v)
    bad["facts"] += "被告人徐某当庭自愿认罪。"
    bad["changes"]["spans"].append({"field": "facts", "start": len(src["facts"]), "end": len(src["facts"]),
                                    "before": "", "after": "被告人徐某当庭自愿认罪。"})
    assert "admission left in the variant" in checks.failures(src, bad)
    bad = copy.deepcopy(v)
    bad["sentence"]["months"] = 200
    assert "term above the statutory maximum" in checks.failures(src, bad)
    # a CAIL 拘役 (no principal named, 5 months) made 有期徒刑 7 months without an article saying so
    short = cn_case(SRC, 5, charges=("盗窃",), numbers=(264,), defendant="徐某")
    v, _ = make_variant(short, "refusal", 42)
    assert checks.failures(short, v) == [] and (v["sentence"]["principal"], v["sentence"]["months"]) == ("拘役", 6)
    bad = copy.deepcopy(v)
    bad["sentence"].update(principal="", months=7)
    assert checks.failures(short, bad) == ["principal made heavier without the article's range"]
    bad["sentence"]["principal"] = "拘役"
    assert checks.failures(short, bad) == ["term outside its principal penalty's limits"]


def test_defendant_statement_as_evidence_becomes_statement_and_defence():
    facts = ("被告人孙某醉酒驾驶机动车，血液中乙醇含量为156mg/100ml。被告人孙某到案后如实供述。"
             "上述事实有检验报告、被告人的供述等证据证实，足以认定。")
    src = cn_case(facts, 3, charges=("危险驾驶",), numbers=(133,), defendant="孙某")
    for seed in range(12):  # whichever phrasing the seed picks, never 零口供 beside a listed 供述
        v, why = make_variant(src, "refusal", seed)
        assert why is None and "被告人的供述和辩解等证据" in v["facts"] and "零口供" not in v["facts"]


def test_joint_cap_at_25_years_when_the_sum_reaches_35():
    idx = index((264, 0, ART_264), (263, 0, "处三年以上十年以下有期徒刑；…处十年以上有期徒刑、无期徒刑或者死刑"),
                (234, 0, "处三年以下有期徒刑；…处十年以上有期徒刑、无期徒刑或者死刑。"))
    c = cn_case("x", 100, charges=("盗窃", "抢劫", "故意伤害"), numbers=(234, 263, 264))
    assert statutory_cap(c, idx)["months"] == 300  # 3 × 180 = 45 years ≥ 35 → 25 years (§69)


def test_no_confession_added_where_the_source_says_there_was_none():
    src = cn_case("经审理查明，被告人王某窃取现金3000元。被告人王某到案后未如实供述。", 8, charges=("盗窃",),
                  numbers=(264,), defendant="王某")
    assert make_variant(src, "confession", 42) == (None, "source says the defendant did not confess (未如实供述)")


def test_leniency_clauses_of_each_removed_factor_go_kept_ones_stay():
    text = ("被告人王某如实供述自己的罪行，系坦白，依法可以从轻处罚；其自愿认罪认罚，可以从宽处理。"
            "被害人谅解，可以酌情从轻处罚。")
    assert edit(text, "王某") == "被害人谅解，可以酌情从轻处罚。"
    text = "被告人王某犯罪以后自动投案，如实供述自己的罪行，是自首，依法可以从轻或者减轻处罚。本案适用速裁程序审理。"
    assert edit(text, "王某") == ""
