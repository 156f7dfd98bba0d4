"""The clause and sentence boundaries every parser shares (lawfactory/parse/clauses.py)."""

import pytest

from lawfactory.parse import clauses
from lawfactory.parse.attitude import detect_flags
from lawfactory.parse.terms import parse_sentence


@pytest.mark.parametrize("mark", ["。", "；", ";", "！", "？", "\n"])
def test_sentence_marks_end_a_sentence_and_a_clause(mark):
    text = f"被告人甲盗窃{mark}被告人乙望风"
    assert clauses.SENTENCE.findall(text)[0] == f"被告人甲盗窃{mark.strip()}"
    assert clauses.sentence_before(text, len(text)) == "被告人乙望风"
    assert clauses.clause_before(text, len(text)) == "被告人乙望风"


@pytest.mark.parametrize("mark", ["，", ",", "：", ":"])
def test_clause_separators_end_a_clause_not_a_sentence(mark):
    text = f"被告人甲盗窃{mark}被告人乙望风"
    assert clauses.SENTENCE.findall(text) == [text]
    assert clauses.clause_before(text, len(text)) == "被告人乙望风"
    assert clauses.CLAUSE_SEP.split(text) == ["被告人甲盗窃", "被告人乙望风"]


@pytest.mark.parametrize("text", ["生产、销售假药", "共同正犯?又检", "他说!走"])
def test_listing_and_ascii_question_marks_end_nothing(text):
    assert clauses.SENTENCE.findall(text) == [text]
    assert clauses.clause_before(text, len(text)) == text


def test_every_sentence_mark_is_a_clause_mark():
    assert set(clauses.SENTENCE_MARKS) < set(clauses.CLAUSE_MARKS)
    assert set(clauses.CLAUSE_MARKS) == set(clauses.SENTENCE_MARKS) | set(clauses.CLAUSE_SEPARATORS)


def test_clause_before_stays_after_start():
    text = "甲盗窃，乙望风，丙销赃"
    assert clauses.clause_before(text, len(text), start=text.index("丙")) == "丙销赃"
    assert clauses.clause_before(text, text.index("乙望") + 2) == "乙望"


def test_narrative_sentences_keep_quoted_questions_inside():
    text = "“这事是不是你说的？”被告人甲如实供述。"
    assert clauses.NARRATIVE_SENTENCE.findall(text) == [text]
    assert clauses.SENTENCE.findall(text) == ["“这事是不是你说的？", "”被告人甲如实供述。"]


def test_in_clause_stays_within_a_clause():
    import re

    rx = re.compile(f"判处{clauses.IN_CLAUSE}*罚金")
    assert rx.search("判处有期徒刑五年并处罚金")
    for mark in clauses.CLAUSE_MARKS:
        assert not rx.search(f"判处有期徒刑五年{mark}罚金"), repr(mark)


# A negation reaches the phrase it precedes in its own clause only, and a ！ or ？ ends that clause.
@pytest.mark.parametrize("text, flags", [
    ("被告人未如实供述", set()),
    ("被告人未如实供述，但已取得被害人谅解", {"forgiveness"}),
    ("被告人未退赔！其如实供述", {"confession"}),
    ("是否取得谅解？未取得", {"forgiveness"}),
    ("未能赔偿被害人损失：被告人自首", {"surrender"}),
])
def test_negation_scope_ends_at_a_clause(text, flags):
    assert detect_flags(text) == flags


def test_death_penalty_negated_in_its_clause_only():
    assert parse_sentence("不判处死刑，判处有期徒刑十五年")["kind"] == "fixed"
    assert parse_sentence("不判处死刑！判处死刑")["kind"] == "death"
