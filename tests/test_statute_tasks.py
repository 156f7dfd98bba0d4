"""Statute QA, statute-grounded sentencing rows and retrieval pairs from `make data` on samples/ (issue 4)."""

import json
from collections import Counter

import pytest

from lawfactory.build.pipeline import build
from lawfactory.config import BuildConfig
from lawfactory.jsonl import read_jsonl
from lawfactory.parse.citations import parse_citations
from lawfactory.records import PRC_CRIMINAL_LAW, article_key
from lawfactory.splits import TRAIN, assign_split
from lawfactory.tasks import statute_articles, statute_evidence, statute_qa
from lawfactory.tasks.grounded import NO_GROUNDING

from conftest import SAMPLES


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("statute_tasks") / "d"
    m = build(BuildConfig.of(raw=SAMPLES, out=out, workers=1))
    index = {a["key"]: a for a in read_jsonl(out / "statutes_index.jsonl")}
    return out, m, index


def rows(out, name):
    return read_jsonl(out / f"{name}.jsonl")


def turns(row):
    conv = row["conversations"]
    assert [m["from"] for m in conv] == ["human", "gpt"] * (len(conv) // 2) and len(conv) % 2 == 0
    return [(conv[i]["value"], conv[i + 1]["value"]) for i in range(0, len(conv), 2)]


def cited_key(text, jur):
    return parse_citations(text, jur)[0]["key"]


def test_qa_datasets_are_built_registered_and_counted(built):
    out, m, _ = built
    info = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    for name in ("cn_statutes_qa", "tw_statutes_qa"):
        assert m["datasets"][name]["rows"] == len(rows(out, name)) > 0
        assert info[name]["formatting"] == "sharegpt" and info[name]["columns"]["messages"] == "conversations"
        assert info[name]["tags"]["user_tag"] == "human" and info[name]["file_name"] == f"{name}.jsonl"
    for name in ("criminal_sentencing_grounded", "criminal_sentencing_grounded_eval"):
        assert m["datasets"][name]["rows"] == len(rows(out, name)) > 0 and info[name]["formatting"] == "alpaca"
    retrieval = read_jsonl(out / "statute_retrieval.jsonl")
    assert m["statutes"]["retrieval"]["rows"] == len(retrieval) > 0 and "statute_retrieval" not in info
    assert "statute_retrieval.jsonl" in m["outputs"]


def test_recitation_answers_are_the_article_text_and_location_its_headings(built):
    out, _, index = built
    for name, jur in (("cn_statutes_qa", "cn"), ("tw_statutes_qa", "tw")):
        recite = [r for r in rows(out, name) if r["task"] == "recite"]
        assert len(recite) == sum(not a["deleted"] and a["jurisdiction"] == jur for a in index.values())
        for r in recite:
            (key,) = r["articles"]
            a = index[key]
            (q, answer), *rest = turns(r)
            assert cited_key(q, jur) == key and answer == "\n".join(a["paragraphs"])
            if a["path"]:
                (_, where), = rest
                assert all(h in where for h in a["path"]) and cited_key(where, jur) == key
    r = next(r for r in rows(out, "cn_statutes_qa")
             if r["task"] == "recite" and r["articles"] == [f"{PRC_CRIMINAL_LAW}|264"])
    assert turns(r)[1][1].endswith("位于第二编 分则，第五章 侵犯财产罪。")


def test_reverse_lookup_names_the_article_the_text_comes_from(built):
    out, _, index = built
    for name, jur in (("cn_statutes_qa", "cn"), ("tw_statutes_qa", "tw")):
        for r in (r for r in rows(out, name) if r["task"] == "reverse"):
            ((q, answer),) = turns(r)
            a = index[r["articles"][0]]
            assert q.endswith("\n" + "\n".join(a["paragraphs"])) and cited_key(answer, jur) == a["key"]


def test_paragraph_and_item_recitation_quote_the_units(built):
    out, _, index = built
    seen = Counter()
    for name, jur in (("cn_statutes_qa", "cn"), ("tw_statutes_qa", "tw")):
        for r in rows(out, name):
            a = index[r["articles"][0]]
            t = turns(r)
            if r["task"] == "paragraph":
                assert [ans for _, ans in t] == a["paragraphs"][:statute_qa.MAX_TURNS]
                c = parse_citations(t[0][0], jur)[0]
                assert (c["key"], c["paragraph"]) == (a["key"], 1)
            elif r["task"] == "item":
                c = parse_citations(t[0][0], jur)[0]
                items = [i for i in a["items"] if i["paragraph"] == c["paragraph"]]
                assert c["key"] == a["key"] and c["item"] == items[0]["item"]
                assert [ans for _, ans in t] == [i["text"] for i in items][:statute_qa.MAX_TURNS]
            seen[r["task"]] += 1
    # hand count: paragraphs > 1 in 19 PRC and 21 Taiwan articles; items in 6 PRC 款 and 7 Taiwan 項
    assert (seen["paragraph"], seen["item"]) == (19 + 21, 6 + 7)


def test_deleted_articles_only_get_a_deleted_answer(built):
    out, _, index = built
    deleted = {k for k, a in index.items() if a["deleted"]}
    got = set()
    for name in ("cn_statutes_qa", "tw_statutes_qa"):
        for r in rows(out, name):
            if set(r["articles"]) & deleted:
                assert r["task"] == "deleted" and len(r["conversations"]) == 2
                answer = r["conversations"][1]["value"]
                assert ("删去" in answer or "刪除" in answer) and "条文内容" in answer or "條文內容" in answer
                got.update(r["articles"])
    for name in ("fr_statutes_qa", "fr_statutes_qa_eval"):  # a French article: its legi-data state
        for r in rows(out, name):
            if set(r["articles"]) & deleted:
                assert r["task"] == "deleted" and len(r["conversations"]) == 2
                assert "vigueur" in r["conversations"][1]["value"]
                got.update(r["articles"])
    assert got == deleted


def train_cases(out):
    return [c for c in read_jsonl(out / "cases.jsonl") if assign_split(c["group_id"], 42, 0.1) == TRAIN]


def test_charge_rows_come_from_train_cooccurrence_of_special_part_articles(built):
    out, m, index = built
    charge_rows = [r for r in rows(out, "cn_statutes_qa") + rows(out, "tw_statutes_qa") if r["task"] == "charge"]
    assert len(charge_rows) == m["statutes"]["charges_with_articles"] > 0
    cases = train_cases(out)
    for r in charge_rows:
        ((q, answer),) = turns(r)
        charge = next(c for c in {ch for case in cases for ch in case["charges"]} if f"{c}罪" in q)
        with_charge = [c for c in cases if charge in c["charges"]]
        for key in r["articles"]:
            a = index[key]
            support = sum(key in {article_key(x["law"], x["number"], x["suffix"]) for x in c["articles"]}
                          for c in with_charge)
            assert support >= statute_evidence.MIN_SUPPORT and support >= statute_evidence.MIN_SHARE * len(with_charge)
            assert "分" in a["path"][0] and "\n".join(a["paragraphs"]) in answer
    by_question = {r["articles"][0] for r in charge_rows if "盗窃罪" in r["conversations"][0]["value"]}
    assert by_question == {f"{PRC_CRIMINAL_LAW}|264"}


def test_taiwan_stays_traditional_unless_to_simplified(built, tmp_path):
    out, _, _ = built
    tw = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows(out, "tw_statutes_qa"))
    assert "中華民國刑法" in tw and "條" in tw and "条" not in tw
    simp = tmp_path / "s"
    build(BuildConfig.of(raw=SAMPLES, out=simp, workers=1, to_simplified=True))
    tw_s = rows(simp, "tw_statutes_qa")
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in tw_s)
    assert "中华民国刑法" in text and "條" not in text and len(tw_s) == len(rows(out, "tw_statutes_qa"))
    assert rows(simp, "cn_statutes_qa") == rows(out, "cn_statutes_qa")


def test_phrasings_are_seeded(built, tmp_path):
    out, _, _ = built
    again = tmp_path / "again"
    build(BuildConfig.of(raw=SAMPLES, out=again, workers=1))
    for name in ("cn_statutes_qa", "tw_statutes_qa", "statute_retrieval", "criminal_sentencing_grounded"):
        assert (again / f"{name}.jsonl").read_bytes() == (out / f"{name}.jsonl").read_bytes(), name
    other = tmp_path / "seed7"
    build(BuildConfig.of(raw=SAMPLES, out=other, seed=7, workers=1))
    def qs(d):
        return [r["conversations"][0]["value"] for r in rows(d, "cn_statutes_qa") if r["task"] == "recite"]

    assert qs(other) != qs(out) and len(qs(other)) == len(qs(out))
    assert len({q.split("第")[0][-2:] + q[-4:] for q in qs(out)}) > 1  # several phrasings, not one template


def special_keys(case, index):
    """The PRC 分则 articles (§102–§451, counted by number here, not by the builder's path test) a
    case cites that the index holds with text, in citation order."""
    keys = dict.fromkeys(article_key(a["law"], a["number"], a["suffix"]) for a in case["articles"]
                         if a["law"] == PRC_CRIMINAL_LAW and 102 <= a["number"] <= 451)
    return [k for k in keys if k in index and not index[k]["deleted"]]


def test_grounded_rows_carry_the_cited_special_part_article_text(built):
    out, m, index = built
    cases = {c["case_id"]: c for c in read_jsonl(out / "cases.jsonl")}
    for r in rows(out, "criminal_sentencing_grounded_eval"):
        keys = special_keys(cases[r["case_id"]], index)
        assert r["grounded_articles"] == keys and keys
        refs = r["input"].split("\n\n参考法条：\n", 1)[1]
        assert refs == "\n".join(statute_articles.document(index[k]) for k in keys)
        assert "参考法条" in r["instruction"] and r["output"].splitlines()[-1].startswith("刑期:")
    for r in rows(out, "criminal_sentencing_grounded"):
        facts, refs = r["input"].split("\n\n参考法条：\n", 1)
        assert any(c["facts"] == facts or facts.startswith(c["facts"]) for c in cases.values())
        for doc in refs.split("\n《"):
            assert cited_key(doc.lstrip("《").splitlines()[0] if doc.startswith("《") else doc.splitlines()[0],
                             "cn") in index
    # cn cases citing no 分则 article the index holds get no row, and are counted
    none = sum(1 for c in cases.values() if c["jurisdiction"] == "cn" and not special_keys(c, index))
    assert m["stats"].get(NO_GROUNDING, 0) == none
    n_cn = sum(c["jurisdiction"] == "cn" for c in cases.values())
    grounded = (m["datasets"]["criminal_sentencing_grounded"]["rows"]
                + m["datasets"]["criminal_sentencing_grounded_eval"]["rows"])
    assert grounded == n_cn - none


def test_grounded_rows_never_quote_the_general_part(built):
    # §67 (自首/坦白), §72/§73 (缓刑), §52/§53 (罚金), §65 (累犯)… are the court's conclusions about
    # this very case: quoting them beside the facts would give the answer away (LawBench 3-5 gives
    # only the charge's articles). The samples' judgments cite them; none may reach a grounded row.
    out, m, index = built
    cases = {c["case_id"]: c for c in read_jsonl(out / "cases.jsonl")}
    general = [a for a in index.values() if a["law"] == PRC_CRIMINAL_LAW and not a["deleted"]
               and not 102 <= a["number"] <= 451]
    assert {f"{PRC_CRIMINAL_LAW}|{n}" for n in (52, 53, 65, 67, 72, 73)} <= {a["key"] for a in general}
    inputs = [r["input"] for name in ("criminal_sentencing_grounded", "criminal_sentencing_grounded_eval")
              for r in rows(out, name)]
    for text in inputs:
        refs = text.split("\n\n参考法条：\n", 1)[1]
        assert all(statute_articles.label(a) not in refs and "\n".join(a["paragraphs"]) not in refs for a in general)
    # the cited 总则 articles the index holds are left out and counted (hand count over the samples: 53)
    general_keys = {a["key"] for a in general}
    left_out = sum(len({article_key(a["law"], a["number"], a["suffix"]) for a in c["articles"]} & general_keys)
                   for c in cases.values() if c["jurisdiction"] == "cn")
    assert m["stats"]["grounded: cited 总则/附则 articles (left out, they reveal the outcome)"] == left_out == 53
    # 盗窃 with 坦白 and 罚金 (cjo_layouts.jsonl:2 cites §264, §37, §67): grounded by §264 alone
    (r,) = [r for r in rows(out, "criminal_sentencing_grounded_eval")
            if cases[r["case_id"]]["source"].endswith("cjo_layouts.jsonl:2")]
    assert r["grounded_articles"] == [f"{PRC_CRIMINAL_LAW}|264"]


def test_retrieval_negatives_share_the_chapter_and_differ_from_the_positive(built):
    out, m, index = built
    pairs = read_jsonl(out / "statute_retrieval.jsonl")
    assert all(set(p) == {"anchor", "positive", "negative", "group_id"} for p in pairs)  # group_id: issue 15
    docs = {statute_articles.document(a): a for a in index.values() if not a["deleted"]}
    train_facts = {c["facts"] for c in train_cases(out)}
    questions = 0
    for p in pairs:
        pos, neg = docs[p["positive"]], docs[p["negative"]]
        assert pos["key"] != neg["key"] and pos["law"] == neg["law"] and pos["path"][:2] == neg["path"][:2]
        if p["anchor"] in train_facts:
            continue
        questions += 1
        assert cited_key(p["anchor"], pos["jurisdiction"]) == pos["key"]  # a question about the positive article
    assert questions == m["statutes"]["retrieval"]["question_anchors"] > 0
    assert len(pairs) - questions == m["statutes"]["retrieval"]["case_anchors"] > 0


def test_llamafactory_reads_every_row_with_the_registered_columns(built):
    # LLaMA-Factory's own dataset_info parser and converters: a wrong column or tag gives empty turns
    from llamafactory.data.converter import get_dataset_converter
    from llamafactory.data.parser import get_dataset_list
    from llamafactory.hparams import DataArguments

    out, _, _ = built
    names = ["cn_statutes_qa", "tw_statutes_qa", "criminal_sentencing_grounded", "criminal_sentencing_grounded_eval"]
    for attr in get_dataset_list(names, str(out)):
        convert = get_dataset_converter(attr.formatting, attr, DataArguments(dataset_dir=str(out)))
        data = rows(out, attr.dataset_name.removesuffix(".jsonl"))
        for r in data:
            x = convert(r)
            assert x["_prompt"] and x["_response"][0]["content"] and x["_system"] == r["system"]
            if attr.formatting == "sharegpt":
                assert len(x["_prompt"]) == len(r["conversations"]) - 1


def test_case_anchors_are_capped_per_article(tmp_path, monkeypatch):
    monkeypatch.setattr(statute_evidence, "RETRIEVAL_CASES_PER_ARTICLE", 1)
    out = tmp_path / "d"
    m = build(BuildConfig.of(raw=SAMPLES, out=out, workers=1))
    pairs = read_jsonl(out / "statute_retrieval.jsonl")
    train_facts = {c["facts"] for c in train_cases(out)}
    per_positive = Counter(p["positive"] for p in pairs if p["anchor"] in train_facts)
    assert per_positive and max(per_positive.values()) == 1
    capped = m["stats"]["retrieval: case anchors over 1 per article (no pair)"]
    assert capped > 0 and m["statutes"]["retrieval"]["case_anchors"] == len(per_positive)
