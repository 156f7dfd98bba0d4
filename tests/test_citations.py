"""The one citation parser: every citation form of both jurisdictions maps onto one key scheme."""

import pytest

from lawfactory.parse.citations import citation_keys, parse_citations, parse_key

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
