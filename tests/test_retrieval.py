"""lawfactory/retrieval: the corpus contract, the BM25 tokens, BM25 search (docs/retrieval.md)."""

from __future__ import annotations

import pytest

from lawfactory import jsonl
from lawfactory.errors import InputError, UsageError
from lawfactory.retrieval import Corpus, corpus_from_articles, load_corpus, load_retriever
from lawfactory.retrieval.tokenize import tokenize
from lawfactory.tasks.statute_articles import document


@pytest.fixture(scope="module")
def index(sample_data):
    return sample_data / "statutes_index.jsonl"


@pytest.fixture(scope="module")
def corpus(index) -> Corpus:
    return load_corpus(index)


def test_corpus_holds_the_articles_in_force_as_documents(index, corpus):
    records = jsonl.read_jsonl(index)
    in_force = [a for a in records if not a["deleted"]]
    assert any(a["deleted"] for a in records)  # the sample index has deleted articles to leave out
    assert corpus.keys == [a["key"] for a in in_force]
    assert corpus.texts == [document(a) for a in in_force]
    assert corpus.articles == {a["key"]: a for a in in_force}
    assert corpus_from_articles({a["key"]: a for a in records}) == corpus  # the build's ctx.index


def test_corpus_of_one_jurisdiction(index, corpus):
    tw = load_corpus(index, jurisdiction="tw")
    assert tw.keys and all(corpus.articles[k]["jurisdiction"] == "tw" for k in tw.keys)
    assert set(tw.keys) < set(corpus.keys)
    fr = load_corpus(index, jurisdiction="fr")
    assert fr.keys and all(corpus.articles[k]["jurisdiction"] == "fr" for k in fr.keys)
    with pytest.raises(InputError, match="jurisdiction"):
        load_corpus(index, jurisdiction="jp")


def test_bm25_finds_a_french_article_by_its_words(corpus):
    """French text is cut into its words (accents kept), not by jieba; a French article is found by
    words of its own text, and a jurisdiction filter keeps the search among the French articles."""
    assert tokenize("Le silence gardé vaut décision d'acceptation") == [
        "le", "silence", "gardé", "vaut", "décision", "d", "acceptation"]
    fr = [k for k in corpus.keys if corpus.articles[k]["jurisdiction"] == "fr"]
    bm25 = load_retriever("bm25", corpus)
    found = 0
    for key in fr:
        words = " ".join(" ".join(corpus.articles[key]["paragraphs"]).split()[:12])
        (hits,) = bm25.search([words], k=3, jurisdiction="fr")
        assert all(corpus.articles[k]["jurisdiction"] == "fr" for k, _ in hits)
        found += bool(hits) and hits[0][0] == key
    assert len(fr) >= 3 and found >= 0.8 * len(fr)


def test_bad_index_line_names_file_and_line(tmp_path, index):
    bad = tmp_path / "statutes_index.jsonl"
    bad.write_text(index.read_text(encoding="utf-8") + '{"law": "x"}\n', encoding="utf-8")
    lines = len(index.read_text(encoding="utf-8").splitlines())
    with pytest.raises(InputError, match=f"statutes_index.jsonl:{lines + 1}: not a statute index record"):
        load_corpus(bad)


def test_tokens_meet_across_scripts_and_numeral_forms():
    assert tokenize("竊盜罪") == tokenize("窃盗罪")
    cited = {"第264条", "第二百六十四条", "第 264 條", "第二百六十四條"}
    assert {tuple(tokenize(c)) for c in cited} == {("第264条",)}
    suffixed = {"第185条之3", "第 185-3 條", "第一百八十五條之三", "第185條之3"}
    assert {tuple(tokenize(c)) for c in suffixed} == {("第185条之3",)}
    assert tokenize("依照本法第二百六十四条的规定，处罚。") == ["依照", "本法", "第264条", "的", "规定", "处罚"]


def test_bm25_finds_an_article_by_its_distinctive_words(corpus):
    bm25 = load_retriever("bm25", corpus)
    assert bm25.name == "bm25"
    key = "中华人民共和国刑法|133-1"
    words = "在道路上醉酒驾驶机动车"
    assert "醉酒驾驶机动车" in document(corpus.articles[key])
    (hits,) = bm25.search([words], k=5)
    assert hits[0][0] == key
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    (by_number,) = bm25.search(["刑法第一百三十三条之一"], k=3)  # a citation finds its article
    assert by_number[0][0] == key


def test_bm25_within_a_jurisdiction(corpus):
    bm25 = load_retriever("bm25", corpus)
    (hits,) = bm25.search(["醉酒驾驶机动车"], k=10, jurisdiction="tw")
    assert hits and all(corpus.articles[k]["jurisdiction"] == "tw" for k, _ in hits)
    assert bm25.search(["zzzz"], k=10) == [[]]  # no query token in the corpus: nothing found


def test_unknown_spec_is_a_usage_error(corpus):
    for spec in ("bm26", "dense", "bm25:x", "hybrid:"):
        with pytest.raises(UsageError, match="unknown retriever"):
            load_retriever(spec, corpus)
