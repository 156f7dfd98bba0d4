"""Retrieval metrics and fusion on hand-computed examples, and `lawfactory retrieval-eval` end to end
on the sample index with a tiny dense model built here (docs/retrieval.md)."""

from __future__ import annotations

import json
import math

import pytest

from lawfactory.cli import main
from lawfactory.errors import InputError, UsageError
from lawfactory.retrieval import Retriever, load_corpus, load_retriever
from lawfactory.retrieval.hybrid import minmax_sum, rrf
from lawfactory.retrieval.metrics import NAMES, ndcg, per_query, recall, reciprocal_rank, summarise

from conftest import real_path, write_jsonl


def test_metrics_on_a_hand_example():
    ranked = ["a", "x", "b", "y", "z", "w", "v", "u", "t", "s", "c"]
    gold = {"a", "b", "c"}
    assert recall(ranked, gold, 1) == pytest.approx(1 / 3)
    assert recall(ranked, gold, 5) == pytest.approx(2 / 3)
    assert recall(ranked, gold, 10) == pytest.approx(2 / 3)  # c is 11th
    assert reciprocal_rank(ranked, gold) == 1.0
    assert reciprocal_rank(["x", "y", "b"], gold) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked[1:2] * 10 + ["a"], gold) == 0.0  # gold only at rank 11
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal (3 gold) = 1 + 1/log2(3) + 1/log2(4)
    assert ndcg(ranked, gold) == pytest.approx(1.5 / (1 + 1 / math.log2(3) + 0.5))
    assert ndcg(["a"], {"a"}) == 1.0 and ndcg([], {"a"}) == 0.0


def test_summary_averages_queries():
    rows = [per_query(["a", "b"], {"a"}), per_query(["b", "a"], {"a"})]
    m = summarise(rows)
    assert tuple(m) == NAMES and m["n"] == 2
    assert m["recall@1"] == 0.5 and m["recall@5"] == 1.0
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2) / 2)
    assert m["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert summarise([])["n"] == 0


def test_reciprocal_rank_fusion_on_a_hand_example():
    # a: 1/61 + 1/63; b: 1/62 + 1/61; c: 1/63; d: 1/62
    fused = rrf([["a", "b", "c"], ["b", "d", "a"]], k=3)
    assert [key for key, _ in fused] == ["b", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1][1] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[2][1] == pytest.approx(1 / 62)
    assert [key for key, _ in rrf([["a", "b"], ["b", "a"]], k=2)] == ["a", "b"]  # a tie keeps first-met order


def test_min_max_score_fusion_on_a_hand_example():
    # BM25 scores 9, 6, 3 → 1, .5, 0; cosines .8, .6, .4 → 1, .5, 0; mean over the two lists
    fused = minmax_sum([[("a", 9.0), ("b", 6.0), ("c", 3.0)], [("b", 0.8), ("d", 0.6), ("a", 0.4)]], k=4)
    assert [key for key, _ in fused] == ["b", "a", "d", "c"]
    assert [round(s, 6) for _, s in fused] == [0.75, 0.5, 0.25, 0.0]
    # a flat list (every score equal) adds the same to each of its keys: the other list decides
    assert [key for key, _ in minmax_sum([[("a", 2.0), ("b", 2.0)], [("b", 0.9), ("a", 0.1)]], k=2)] == ["b", "a"]
    assert minmax_sum([[], [("a", 1.0)]], k=1) == [("a", 0.5)]


@pytest.fixture(scope="module")
def static_model(tmp_path_factory):
    """A sentence-transformers StaticEmbedding over the pack's Qwen tokenizer, random weights (no download)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    from lawfactory.dev.tiny_model import build_tokenizer

    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("static") / "static16"
    SentenceTransformer(modules=[StaticEmbedding(build_tokenizer(), embedding_dim=16)]).save(str(out))
    return out


def test_dense_finds_an_article_by_its_own_text_and_uses_the_query_prompt(sample_data, static_model, tmp_path):
    import numpy as np
    from sentence_transformers import SentenceTransformer

    corpus = load_corpus(sample_data / "statutes_index.jsonl")
    dense = load_retriever(f"dense:{static_model}", corpus)
    assert dense.name == f"dense:{static_model}" and isinstance(dense, Retriever)
    picks = [0, len(corpus.keys) // 2, len(corpus.keys) - 1]
    found = dense.search([corpus.texts[i] for i in picks], k=3)
    assert [hits[0][0] for hits in found] == [corpus.keys[i] for i in picks]  # cosine 1 with itself
    assert all(hits[0][1] == pytest.approx(1.0, abs=1e-5) for hits in found)
    # a model whose config carries a "query" prompt gets it before every query; an explicit one replaces it
    model = SentenceTransformer(str(static_model))
    model.prompts = {"query": "问题：", "document": ""}
    prompted = tmp_path / "prompted"
    model.save(str(prompted))
    query = "醉酒驾驶机动车"

    with_prompt = load_retriever(f"dense:{prompted}", corpus)

    def expected(text):
        return (model.encode([text], normalize_embeddings=True) @ with_prompt.embeddings.T)[0]

    assert not np.allclose(expected("问题：" + query), expected(query), atol=1e-3)  # the prompt matters
    assert np.allclose(with_prompt.scores([query])[0], expected("问题：" + query),
                       atol=1e-5)
    assert np.allclose(load_retriever(f"dense:{prompted}", corpus, query_prompt="").scores([query])[0],
                       expected(query), atol=1e-5)


def test_a_model_that_cannot_be_loaded_is_a_usage_error(sample_data, tmp_path):
    corpus = load_corpus(sample_data / "statutes_index.jsonl")
    with pytest.raises(UsageError, match="cannot load the sentence-transformers model"):
        load_retriever(f"dense:{tmp_path / 'no-model'}", corpus)


QUERIES = [
    {"query": "在道路上醉酒驾驶机动车", "articles": ["中华人民共和国刑法|133-1"], "id": "q1"},
    {"query": "盗窃公私财物，数额较大的", "articles": ["中华人民共和国刑法|264", "中华人民共和国刑法|9999",
                                                  "中华人民共和国刑法|199"]},
    {"query": "意图为自己不法之所有，窃取他人之动产", "articles": ["中華民國刑法|320"], "jurisdiction": "tw"},
    {"query": "故意杀人", "articles": ["中华人民共和国刑法|232"], "jurisdiction": "tw"},
]


def test_retrieval_eval_end_to_end(sample_data, static_model, tmp_path):
    index = sample_data / "statutes_index.jsonl"
    corpus = load_corpus(index)
    assert "中华人民共和国刑法|9999" not in corpus.articles and "中华人民共和国刑法|232" in corpus.articles
    assert "中华人民共和国刑法|199" not in corpus.articles  # deleted in the sample index
    queries = write_jsonl(tmp_path / "q.jsonl", QUERIES)
    out = tmp_path / "out"
    specs = ["bm25", f"dense:{static_model}", f"hybrid:{static_model}", f"rrf:{static_model}"]
    assert main(["retrieval-eval", "--index", str(index), "--queries", str(queries), "--out", str(out),
                 *[a for s in specs for a in ("--retriever", s)]]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics) == specs
    for m in metrics.values():
        assert tuple(m) == NAMES
        assert m["n"] == 3  # the tw query whose only gold is a cn article is not scored
        assert all(0.0 <= m[name] <= 1.0 for name in NAMES[:-1])
        assert m["recall@1"] <= m["recall@5"] <= m["recall@10"]
    assert metrics["bm25"]["recall@10"] == 1.0  # each query names its article's own words
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "`中华人民共和国刑法|9999`: not in the index" in report
    assert "`中华人民共和国刑法|232`: outside the query's jurisdiction (tw)" in report
    assert "`中华人民共和国刑法|199`: deleted article" in report
    assert "3 gold keys are left out" in report and "1 queries are left with none and are not scored" in report
    for spec in specs:
        assert f"| {spec} |" in report and f"## Misses: {spec}" in report
    assert (out / "retrieval.png").stat().st_size > 0
    misses = [json.loads(line) for line in (out / "misses.jsonl").read_text(encoding="utf-8").splitlines()]
    for miss in misses:
        assert miss["missed"] and not set(miss["missed"]) & set(miss["top"])
        assert f"line {miss['line']}: 「" in report or len(misses) > 20
    # the dense and hybrid retrievers see the same jurisdiction restriction
    hybrid = load_retriever(f"hybrid:{static_model}", corpus)
    (hits,) = hybrid.search(["窃取财物"], k=10, jurisdiction="tw")
    assert hits and all(corpus.articles[key]["jurisdiction"] == "tw" for key, _ in hits)


@pytest.mark.parametrize("line, reason", [
    ("not json", "invalid JSON"),
    ('["a"]', "not a JSON object"),
    ('{"query": "", "articles": ["中华人民共和国刑法|264"]}', '"query" must be a non-empty string'),
    ('{"query": "盗窃", "articles": "中华人民共和国刑法|264"}', '"articles" must be a non-empty list'),
    ('{"query": "盗窃", "articles": []}', '"articles" must be a non-empty list'),
    ('{"query": "盗窃", "articles": ["中华人民共和国刑法|264"], "jurisdiction": "jp"}', '"jurisdiction" must be'),
])
def test_bad_query_line_names_file_and_line(sample_data, tmp_path, line, reason):
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERIES[0], ensure_ascii=False) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=f"q.jsonl:3: {reason}"):
        main(["retrieval-eval", "--index", str(sample_data / "statutes_index.jsonl"), "--queries", str(queries),
              "--retriever", "bm25", "--out", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()


def test_missing_inputs_are_input_errors(sample_data, tmp_path):
    from lawfactory.retrieval.evaluate import evaluate

    with pytest.raises(InputError, match="no such file"):
        evaluate(tmp_path / "none.jsonl", tmp_path / "q.jsonl", ["bm25"], tmp_path / "out")
    with pytest.raises(InputError, match="q.jsonl: no such file"):
        evaluate(sample_data / "statutes_index.jsonl", tmp_path / "q.jsonl", ["bm25"], tmp_path / "out")


@pytest.mark.real
def test_bm25_on_the_shared_statutes(tmp_path):
    """The real PRC and Taiwan criminal codes: BM25 finds well-known articles from their own words,
    across scripts and citation forms."""
    from lawfactory.build.pipeline import build
    from lawfactory.config import BuildConfig

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "statutes").symlink_to(real_path("statutes"))
    build(BuildConfig.of(raw=raw, out=tmp_path / "data", workers=1))
    corpus = load_corpus(tmp_path / "data" / "statutes_index.jsonl")
    laws = {a["law"] for a in corpus.articles.values()}
    assert {"中华人民共和国刑法", "中華民國刑法"} <= laws
    bm25 = load_retriever("bm25", corpus)
    cases = {"盗窃公私财物，数额较大的，或者多次盗窃、入户盗窃": "中华人民共和国刑法|264",
             "在道路上醉酒驾驶机动车": "中华人民共和国刑法|133-1",
             "意圖為自己或第三人不法之所有，而竊取他人之動產者": "中華民國刑法|320",
             "中華民國刑法第 185-3 條": "中華民國刑法|185-3"}
    found = bm25.search(list(cases), k=3)
    assert [hits[0][0] for hits in found] == list(cases.values())
