"""The retrieval query sets `make data` writes from the eval split, the layperson question
generator, and the retrieval pairs' group_id (issue 15)."""

import random
import re
import shutil

import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.jsonl import read_jsonl
from lawfactory.records import article_key
from lawfactory.splits import EVAL, TRAIN, assign_split
from lawfactory.tasks import layperson
from lawfactory.tasks.retrieval_queries import FACTS_QUERIES, QUESTION_QUERIES
from lawfactory.tasks.statute_articles import document, special_part, text

from conftest import real_path

CN, TW = "中华人民共和国刑法", "中華民國刑法"


def split_of(case, seed=42, ratio=0.1):
    return assign_split(case["group_id"], seed, ratio)


def cited_special(case, index):
    """The criminal-law 分则 articles a case cites that the index holds with text, in citation order."""
    law = CN if case["jurisdiction"] == "cn" else TW
    keys = dict.fromkeys(article_key(a["law"], a["number"], a["suffix"]) for a in case["articles"] if a["law"] == law)
    return [k for k in keys if k in index and not index[k]["deleted"] and special_part(index[k])]


@pytest.fixture(scope="module")
def built(sample_data):
    index = {a["key"]: a for a in read_jsonl(sample_data / "statutes_index.jsonl")}
    import json

    m = json.loads((sample_data / "manifest.json").read_text(encoding="utf-8"))
    return sample_data, m, index


def test_facts_queries_are_every_eval_case_with_its_cited_special_part_articles(built):
    out, m, index = built
    cases = read_jsonl(out / "cases.jsonl")
    queries = read_jsonl(out / f"{FACTS_QUERIES}.jsonl")
    by_id = {c["case_id"]: c for c in cases}
    eval_cases = [c for c in cases if split_of(c) == EVAL]
    expected = [c for c in eval_cases if cited_special(c, index)]
    assert [q["id"] for q in queries] == [c["case_id"] for c in expected] and queries
    for q in queries:
        c = by_id[q["id"]]
        assert q["query"] == c["facts"] and q["articles"] == cited_special(c, index)
        assert (q["group_id"], q["jurisdiction"], q["source"]) == (c["group_id"], c["jurisdiction"], c["source"])
    counted = m["statutes"]["queries"]["facts"]
    assert counted["rows"] == len(queries) and counted["eval_cases_without_articles"] == len(eval_cases) - len(expected)
    assert {q["jurisdiction"] for q in queries} == {"cn", "tw"}  # CAIL, mainland and Taiwan judgments
    assert f"{FACTS_QUERIES}.jsonl" in m["outputs"] and FACTS_QUERIES not in m["datasets"]


def test_question_queries_cover_the_special_part_articles_in_force(built):
    out, m, index = built
    queries = read_jsonl(out / f"{QUESTION_QUERIES}.jsonl")
    in_force = [k for k, a in index.items() if not a["deleted"] and special_part(a)]
    keys = [k for q in queries for k in q["articles"]]
    assert len(keys) == len(set(keys)) == len(queries) and set(keys) <= set(in_force)
    counted = m["statutes"]["queries"]["questions"]
    assert counted["rows"] == len(queries) and counted["articles_without_description"] == len(in_force) - len(keys) >= 0
    assert {q["jurisdiction"] for q in queries} == {"cn", "tw"}
    for q in queries:
        a = index[q["articles"][0]]
        assert q["group_id"] == f"article:{a['key']}" and q["jurisdiction"] == a["jurisdiction"]
        assert text(a) not in q["query"] and a["law"] not in q["query"]  # neither a quote nor a citation
        assert q["query"].endswith(("？", "?"))
    # the manifest's overlap figure is the mean of layperson.overlap over the rows
    mean = sum(layperson.overlap(q["query"], text(index[q["articles"][0]]))[0] for q in queries) / len(queries)
    assert counted["char_overlap"] == pytest.approx(mean, abs=1e-4) and 0 < mean < 1


def test_retrieval_pairs_carry_their_anchor_group(built):
    out, _, index = built
    cases = read_jsonl(out / "cases.jsonl")
    train_by_facts = {c["facts"]: c["group_id"] for c in cases if split_of(c) == TRAIN}
    docs = {document(a): a["key"] for a in index.values() if not a["deleted"]}
    kinds = set()
    for p in read_jsonl(out / "statute_retrieval.jsonl"):
        if p["anchor"] in train_by_facts:
            assert p["group_id"] == train_by_facts[p["anchor"]]
            kinds.add("case")
        else:
            assert p["group_id"] == f"article:{docs[p['positive']]}"
            kinds.add("question")
    assert kinds == {"case", "question"}


ARTICLE_CN = {
    "jurisdiction": "cn",
    "key": f"{CN}|263",
    "path": ["第二编 分则"],
    "deleted": False,
    "paragraphs": [
        "以暴力、胁迫或者其他方法抢劫公私财物的，处三年以上十年以下有期徒刑，并处罚金；有下列情形之一的，处十年以上"
        "有期徒刑：\n（一）入户抢劫的；\n（二）在公共交通工具上抢劫的。"
    ],
    "items": [
        {"paragraph": 1, "item": 1, "text": "（一）入户抢劫的；"},
        {"paragraph": 1, "item": 2, "text": "（二）在公共交通工具上抢劫的。"},
    ],
}


def article(j, paragraphs, items=()):
    return {
        "jurisdiction": j,
        "key": "x|1",
        "path": ["分则"],
        "deleted": False,
        "paragraphs": paragraphs,
        "items": list(items),
    }


def test_conduct_is_the_clause_before_the_penalty():
    assert layperson.conducts(ARTICLE_CN) == ["以暴力、胁迫或者其他方法抢劫公私财物"]  # not the aggravating items
    tw = article(
        "tw",
        ["意圖為自己或第三人不法之所有，而竊取他人之動產者，為竊盜罪，處五年以下有期徒刑。", "前二項之未遂犯罰之。"],
    )
    assert layperson.conducts(tw) == ["意圖為自己或第三人不法之所有，而竊取他人之動產"]
    listed = article(
        "cn",
        ["在道路上驾驶机动车，有下列情形之一的，处拘役：\n（一）追逐竞驶，情节恶劣的；\n（二）醉酒驾驶机动车的；"],
        [
            {"paragraph": 1, "item": 1, "text": "（一）追逐竞驶，情节恶劣的；"},
            {"paragraph": 1, "item": 2, "text": "（二）醉酒驾驶机动车的；"},
        ],
    )
    assert layperson.conducts(listed) == [
        "在道路上驾驶机动车，追逐竞驶，情节恶劣",
        "在道路上驾驶机动车，醉酒驾驶机动车",
    ]
    # a clause that leans on another provision, and a definition, give no question
    assert layperson.conducts(article("tw", ["對於直系血親尊親屬，犯前條之罪者，加重其刑至二分之一。"])) == []
    assert layperson.conducts(article("cn", ["本法所称的毒品，是指鸦片、海洛因。"])) == []
    assert layperson.question(article("cn", ["本法所称的毒品，是指鸦片、海洛因。"]), random.Random(0)) is None


def test_questions_use_everyday_words_and_are_seeded():
    qs = {layperson.question(ARTICLE_CN, random.Random(s)) for s in range(40)}
    assert len(qs) > 3  # several templates and wordings
    for q in qs:
        assert "公私财物" not in q and "胁迫" not in q and "或者其他方法" not in q and "别人的" in q
        assert re.search("抢劫|抢", q) and q.endswith("？")
    assert layperson.question(ARTICLE_CN, random.Random(7)) == layperson.question(ARTICLE_CN, random.Random(7))
    tw = article("tw", ["意圖為自己或第三人不法之所有，而竊取他人之動產者，為竊盜罪，處五年以下有期徒刑。"])
    for s in range(20):
        q = layperson.question(tw, random.Random(s))
        assert "意圖" not in q and "動產" not in q and "之" not in q and "別人的東西" in q
        assert not set(q) & set("会吗这别问题应该")  # Traditional: 會, 嗎, 這, 別 …
    officer = article("cn", ["国家工作人员利用职务上的便利，索取他人财物的，处五年以下有期徒刑。"])
    qs = {layperson.question(officer, random.Random(s)) for s in range(40)}
    assert any(q.startswith("我朋友是公务员，利用") for q in qs)


def test_overlap_is_one_for_a_quote_and_lower_for_other_words():
    body = "盗窃公私财物，数额较大的，处三年以下有期徒刑。"
    assert layperson.overlap("盗窃公私财物，数额较大", body) == (1.0, 1.0)
    chars, bigrams = layperson.overlap("我朋友偷了别人的东西，会判刑吗？", body)
    assert chars < 0.5 and bigrams == 0.0
    assert layperson.overlap("，。", body) == (0.0, 0.0)


@pytest.mark.real
def test_no_eval_case_reaches_the_retrieval_pairs_on_real_cail(tmp_path):
    raw = tmp_path / "raw"
    (raw / "cail").mkdir(parents=True)
    shutil.copy(real_path("cail2018", "valid_sample.jsonl"), raw / "cail" / "valid.jsonl")
    (raw / "statutes" / "cn").mkdir(parents=True)
    shutil.copy(real_path("statutes", "cn", "prc_criminal_law.md"), raw / "statutes" / "cn" / "prc_criminal_law.md")
    out = tmp_path / "d"
    m = build(BuildConfig.of(raw=raw, out=out, workers=1))
    groups = {}
    for c in read_jsonl(out / "cases.jsonl"):
        groups.setdefault(split_of(c), set()).add(c["group_id"])
    pairs = read_jsonl(out / "statute_retrieval.jsonl")
    pair_groups = {p["group_id"] for p in pairs}
    assert not pair_groups & groups[EVAL]
    assert {g for g in pair_groups if not g.startswith("article:")} <= groups[TRAIN]
    assert m["statutes"]["retrieval"]["case_anchors"] > 0
    facts = read_jsonl(out / f"{FACTS_QUERIES}.jsonl")
    assert facts and all(q["group_id"] in groups[EVAL] for q in facts)
    assert not {q["query"] for q in facts} & {p["anchor"] for p in pairs}
