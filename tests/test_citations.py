"""The one citation parser: every citation form of both jurisdictions maps onto one key scheme."""

import pytest

from converters import statutes_cn, statutes_tw
from lawfactory.parse.citations import bare_law_name, citation_keys, parse_citations, parse_key

from conftest import real_path

CN, TW = "中华人民共和国刑法", "中華民國刑法"


@pytest.mark.parametrize("text,jur,key,para", [
    ("刑法第一百三十三条之一", "cn", f"{CN}|133-1", None),
    ("《中华人民共和国刑法》第133条之一第一款", "cn", f"{CN}|133-1", 1),
    ("《中华人民共和国刑法》第一百三十三条之一第一款", "cn", f"{CN}|133-1", 1),
    ("刑法第185條之3第1項", "tw", f"{TW}|185-3", 1),
    ("第 185-3 條", "tw", f"{TW}|185-3", None),
    ("中華民國刑法第 185-3 條", "tw", f"{TW}|185-3", None),
    ("刑法第２６４条", "cn", f"{CN}|264", None),
])
def test_every_form_maps_to_one_key(text, jur, key, para):
    (c,) = parse_citations(text, jur)
    assert (c["key"], c["paragraph"]) == (key, para)
    assert parse_key(key)[0] == c["law"] and parse_key(key)[1:] == (c["number"], c["suffix"])


def test_units_differ_across_the_strait():
    # PRC: 条-款(paragraph)-项(item); Taiwan: 條-項(paragraph)-款(item)
    (cn,) = parse_citations("刑法第二百六十四条第一款第二项", "cn")
    (tw,) = parse_citations("刑法第339條之4第1項第2款", "tw")
    assert (cn["paragraph"], cn["item"]) == (1, 2)
    assert (tw["key"], tw["paragraph"], tw["item"]) == (f"{TW}|339-4", 1, 2)


def test_bare_paragraph_continues_the_previous_article():
    text = "依照《中华人民共和国刑法》第七十三条第二款、第三款、第五十二条之规定"
    got = [(c["number"], c["paragraph"]) for c in parse_citations(text, "cn")]
    assert got == [(73, 2), (73, 3), (52, None)]
    assert citation_keys(text) == [f"{CN}|73", f"{CN}|52"]


def test_law_names_switch_and_reset_at_sentence_end():
    text = ("據上論斷，應依刑事訴訟法第299條第1項前段，毒品危害防制條例第10條第2項，"
            "刑法第11條前段、第47條第1項，判決如主文")
    assert citation_keys(text, "tw") == ["刑事訴訟法|299", "毒品危害防制條例|10", f"{TW}|11", f"{TW}|47"]
    cn = "依照《中华人民共和国刑事诉讼法》第十五条的规定。依照第六十七条"
    assert citation_keys(cn) == ["中华人民共和国刑事诉讼法|15", f"{CN}|67"]


def test_no_citation_no_keys():
    assert parse_citations("被告人张某于第一次开庭时认罪", "cn") == []
    with pytest.raises(ValueError):
        parse_citations("刑法第一条", "hk")


def test_parenthesized_item_numbers():
    # PRC judgments write 项 as the statute prints them: 第（一）项 (issue 4: statute item QA asks this way)
    (c,) = parse_citations("《中华人民共和国刑法》第三十三条第一款第（三）项", "cn")
    assert (c["key"], c["paragraph"], c["item"]) == (f"{CN}|33", 1, 3)
    (c,) = parse_citations("刑法第二百六十三条第（四）项", "cn")
    assert (c["key"], c["paragraph"], c["item"]) == (f"{CN}|263", None, 4)


def test_bare_law_name_after_other_words_is_the_known_name_it_ends_with():
    # issue 4: statute QA questions put verbs right before an unbracketed law name
    assert citation_keys("請完整背誦中華民國刑法第 185-3 條。", "tw") == [f"{TW}|185-3"]
    assert citation_keys("這段條文出自中華民國刑法第320條。", "tw") == [f"{TW}|320"]
    assert citation_keys("这段条文出自中华人民共和国刑法第二百六十四条", "cn") == [f"{CN}|264"]
    (key,) = citation_keys("曾犯本條或陸海空軍刑法第五十四條之罪", "tw")
    assert key.endswith("陸海空軍刑法|54")  # another law, never cut down to 中華民國刑法
    assert citation_keys("这是刑事诉讼法第十五条的规定", "cn") == ["中华人民共和国刑事诉讼法|15"]
    # a name no alias knows is kept whole
    assert citation_keys("依道路交通管理處罰條例第35條", "tw") == ["道路交通管理處罰條例|35"]


@pytest.mark.parametrize("text,jur,key", [
    # review item 6: the words before a bare 刑法 are not part of the law's name
    ("我国刑法第二百六十四条规定", "cn", f"{CN}|264"),
    ("按照刑法第二百六十四条的规定", "cn", f"{CN}|264"),
    ("其行为符合刑法第二百六十四条规定的盗窃罪的构成要件", "cn", f"{CN}|264"),
    ("被告人的行为触犯了刑法第二百六十四条", "cn", f"{CN}|264"),
    ("核其所為係犯刑法第320條第1項之竊盜罪", "tw", f"{TW}|320"),
    ("本院认为我国刑事诉讼法第十五条", "cn", "中华人民共和国刑事诉讼法|15"),
    # another law ending in 刑法 keeps its own name, also after other words
    ("核其所為係犯陸海空軍刑法第54條", "tw", "陸海空軍刑法|54"),
    ("依陸海空軍刑法第54條", "tw", "陸海空軍刑法|54"),
])
def test_words_before_a_short_law_name_are_dropped(text, jur, key):
    assert citation_keys(text, jur) == [key]


def test_trailing_bare_paragraph_continues_the_last_article():
    # review item 11: 第三款 after the last full citation is ¶3 of it, up to the sentence's end
    got = [(c["key"], c["paragraph"])
           for c in parse_citations("依照《中华人民共和国刑法》第七十三条第二款、第三款之规定", "cn")]
    assert got == [(f"{CN}|73", 2), (f"{CN}|73", 3)]
    tw = parse_citations("應依刑法第41條第1項、第3項規定", "tw")
    assert [(c["key"], c["paragraph"]) for c in tw] == [(f"{TW}|41", 1), (f"{TW}|41", 3)]
    # a later sentence is not a continuation
    assert [c["paragraph"] for c in parse_citations("依照刑法第七十三条第二款之规定。第三款另有规定", "cn")] == [2]


def test_the_law_named_nearest_the_citation_is_the_one_cited():
    text = "依照《中华人民共和国刑法》的规定和《中华人民共和国刑事诉讼法》第十五条"
    assert citation_keys(text) == ["中华人民共和国刑事诉讼法|15"]


def test_an_unreadable_numeral_is_skipped_not_raised():
    # model answers write numerals no statute has (第十十款); the citation before it still counts
    cites = parse_citations("刑法第三条第二款、第十十款")
    assert [(c["number"], c["paragraph"]) for c in cites] == [(3, 2)]
    assert parse_citations("第十十条第一千一千一千款") == []


# ---- deictic names (本法, 同法) and the words a bare name runs into ----

CPL = "中华人民共和国刑事诉讼法"


@pytest.mark.parametrize("text,jur,default,keys", [
    # 本法 is the text's own law: default_law, else the criminal law
    ("依照本法第六十七条的规定", "cn", None, [f"{CN}|67"]),
    ("依照本法第六十七条的规定", "cn", CPL, [f"{CPL}|67"]),
    ("同时又构成本法第一百五十三条规定之罪的", "cn", None, [f"{CN}|153"]),
    ("除本條例第3條另有規定外", "tw", "毒品危害防制條例", ["毒品危害防制條例|3"]),
    ("依本法典第五条", "cn", "民法典", ["民法典|5"]),
    # an article of one law citing another law and itself
    ("依刑法第57條及本法第10條", "tw", "刑事訴訟法", [f"{TW}|57", "刑事訴訟法|10"]),
    # without default_law, 本法 is the law the text named before (an answer quoting that law's article)
    ("《中华人民共和国刑事诉讼法》规定：依照本法第十五条", "cn", None, [f"{CPL}|15"]),
    ("《中华人民共和国刑事诉讼法》规定：依照本法第十五条", "cn", CN, [f"{CN}|15"]),
    # 同法 / 该法 is the law named before, also in a later sentence
    ("刑法第339條第1項、同法第30條第1項", "tw", None, [f"{TW}|339", f"{TW}|30"]),
    ("違反毒品危害防制條例第4條。核其所為，另依同法第17條減輕其刑", "tw", None,
     ["毒品危害防制條例|4", "毒品危害防制條例|17"]),
    ("根据《中华人民共和国刑事诉讼法》第十五条，该法第十六条", "cn", None, [f"{CPL}|15", f"{CPL}|16"]),
    # 基本法 is a law's name, not 本法
    ("香港特别行政区基本法第十八条", "cn", None, ["香港特别行政区基本法|18"]),
])
def test_deictic_law_names(text, jur, default, keys):
    assert citation_keys(text, jur, default) == keys


@pytest.mark.parametrize("text,jur,key", [
    ("根据我国治安管理处罚法第二十六条", "cn", "治安管理处罚法|26"),
    ("犯罪嫌疑人违反治安管理处罚法第二十六条", "cn", "治安管理处罚法|26"),
    ("依照道路交通安全法第九十一条的规定", "cn", "道路交通安全法|91"),
    ("这是中华人民共和国道路交通安全法第九十一条", "cn", "中华人民共和国道路交通安全法|91"),
    ("按照民法典第一千一百六十五条", "cn", "民法典|1165"),
    ("其行为是对税收征收管理法第六十三条的违反", "cn", "税收征收管理法|63"),
    ("被告李某某共同犯公職人員選舉罷免法第99條第1項之罪", "tw", "公職人員選舉罷免法|99"),
    ("核與公職人員選舉罷免法第99條之要件不符", "tw", "公職人員選舉罷免法|99"),
    ("係犯誹謗罪與選罷法第104條", "tw", "選罷法|104"),
    ("刑法及毒品危害防制條例第10條", "tw", "毒品危害防制條例|10"),
    ("修正前洗錢防制法第14條", "tw", "洗錢防制法|14"),
    ("民國95年5月30日修正公布之公職人員選舉罷免法第99條", "tw", "公職人員選舉罷免法|99"),
    ("依96年罪犯減刑條例第2條", "tw", "罪犯減刑條例|2"),
])
def test_words_before_a_bare_law_name_are_cut(text, jur, key):
    assert citation_keys(text, jur) == [key]


@pytest.mark.parametrize("text,jur,key", [
    # 和 / 及 / 与 / 與, 对外, 关系, 罪犯, 犯罪 and a second 法 inside real titles
    ("依兒童及少年性剝削防制條例第36條", "tw", "兒童及少年性剝削防制條例|36"),
    ("依臺灣地區與大陸地區人民關係條例第75條", "tw", "臺灣地區與大陸地區人民關係條例|75"),
    ("中华人民共和国全国人民代表大会和地方各级人民代表大会选举法第一条", "cn",
     "中华人民共和国全国人民代表大会和地方各级人民代表大会选举法|1"),
    ("依照涉外民事关系法律适用法第八条", "cn", "涉外民事关系法律适用法|8"),
    ("违反对外贸易法第六十一条", "cn", "对外贸易法|61"),
    ("依犯罪被害人保護法第4條", "tw", "犯罪被害人保護法|4"),
    ("依中華民國九十六年罪犯減刑條例第2條", "tw", "中華民國九十六年罪犯減刑條例|2"),
    ("依照民法通则第一百零六条", "cn", "民法通则|106"),
    ("依陸海空軍刑法第54條", "tw", "陸海空軍刑法|54"),
    ("依照中华人民共和国刑事诉讼法第十五条", "cn", f"{CPL}|15"),
    # a 《…》 name is never cut, whatever words it holds
    ("依照《关于适用〈中华人民共和国刑事诉讼法〉的解释》第十条", "cn", "关于适用〈中华人民共和国刑事诉讼法〉的解释|10"),
])
def test_real_law_titles_are_kept_whole(text, jur, key):
    assert citation_keys(text, jur) == [key]


@pytest.mark.real
@pytest.mark.parametrize("jur,path", [
    ("cn", ("statutes", "cn", "prc_criminal_law.md")),
    ("tw", ("statutes", "tw", "C0010001_criminal_procedure.json")),
])
def test_real_statutes_cite_themselves_by_deictic_names(jur, path):
    """Every article that writes 本法第X条 / 本法第X條 cites its own law there (the PRC Criminal Law
    and Taiwan's 刑事訴訟法 both do), and no parsed law name is deictic or starts with a word bare_law_name cuts."""
    p = real_path(*path)
    result = statutes_cn.read_file(p, p.name) if jur == "cn" else statutes_tw.read_json(p, p.name)
    self_citing = 0
    for law in result.laws:
        for a in law.articles:
            body = "\n".join(a["paragraphs"])
            laws = {c["law"] for c in parse_citations(body, jur, law.name)}
            if "本法第" in body:
                self_citing += 1
                assert law.name in laws, a["key"]
            for name in laws:
                assert name == bare_law_name(name) and not name.endswith(("本法", "同法")), (a["key"], name)
    assert self_citing > 0
