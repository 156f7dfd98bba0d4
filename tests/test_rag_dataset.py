"""`criminal_sentencing_rag_eval` on the samples build: every `criminal_sentencing_eval` row, in its
order and with its gold columns, with the k articles a retriever finds from the facts quoted as the
grounded rows quote the cited ones; the keys recorded per row, the retriever and k in the manifest
and data card; the `--rag-retriever` / `--rag-k` checks."""

import json

import pytest

from lawfactory.build.pipeline import build
from lawfactory.cli import main
from lawfactory.config import BuildConfig
from lawfactory.errors import BuildError, UsageError
from lawfactory.jsonl import read_jsonl
from lawfactory.tasks import rag
from lawfactory.tasks.grounded import with_articles
from lawfactory.tasks.statute_articles import document, special_part

from conftest import SAMPLES


def _rows(data, name):
    return read_jsonl(data / f"{name}.jsonl")


def _index(data):
    return {a["key"]: a for a in read_jsonl(data / "statutes_index.jsonl")}


def test_one_row_per_eval_row_in_order_with_the_same_gold(sample_data):
    plain, found = _rows(sample_data, "criminal_sentencing_eval"), _rows(sample_data, rag.NAME)
    assert plain and len(found) == len(plain)
    for p, r in zip(plain, found):
        assert set(r) == set(p) | {"retrieved", "cited_articles"}
        # every column but the instruction and the input is the plain row's: gold, output, system
        same = [k for k in p if k not in ("instruction", "input")]
        assert {k: r[k] for k in same} == {k: p[k] for k in same}


def test_rows_quote_the_k_retrieved_articles_as_grounded_rows_do(sample_data):
    index = _index(sample_data)
    k = BuildConfig.of(raw=SAMPLES, out=sample_data).rag.k
    plain, found = _rows(sample_data, "criminal_sentencing_eval"), _rows(sample_data, rag.NAME)
    for p, r in zip(plain, found):
        assert len(r["retrieved"]) == k == len(set(r["retrieved"]))
        arts = [index[key] for key in r["retrieved"]]
        # 分则 articles in force of the mainland, quoted in retrieval order
        assert all(a["jurisdiction"] == "cn" and special_part(a) and not a["deleted"] for a in arts)
        expected = with_articles({k: v for k, v in p.items()}, arts)
        assert (r["instruction"], r["input"]) == (expected["instruction"], expected["input"])
        assert r["input"].startswith(p["input"] + "\n\n参考法条：\n" + document(arts[0]))


def test_cited_articles_are_the_grounded_rows(sample_data):
    grounded = {g["case_id"]: g["grounded_articles"] for g in _rows(sample_data, "criminal_sentencing_grounded_eval")}
    found = _rows(sample_data, rag.NAME)
    assert grounded and any(r["cited_articles"] for r in found)
    for r in found:
        assert r["cited_articles"] == grounded.get(r["case_id"], [])


def test_manifest_and_data_card_record_the_retriever_and_k(sample_data):
    manifest = json.loads((sample_data / "manifest.json").read_text(encoding="utf-8"))
    n = len(_rows(sample_data, rag.NAME))
    assert manifest["datasets"][rag.NAME]["rows"] == n
    r = manifest["rag"]
    assert (r["dataset"], r["retriever"], r["k"], r["cases_searched"]) == (rag.NAME, "bm25", 3, n)
    index = _index(sample_data)
    assert r["corpus_articles"] == sum(a["jurisdiction"] == "cn" and special_part(a) and not a["deleted"]
                                       for a in index.values())
    assert (manifest["options"]["rag_retriever"], manifest["options"]["rag_k"]) == ("bm25", 3)
    card = (sample_data / "README.md").read_text(encoding="utf-8")
    assert f"`{rag.NAME}` quotes the 3 articles the `bm25` retriever finds" in card
    assert f"| `{rag.NAME}` | eval | {n} |" in card


def test_rag_k_sets_the_articles_per_row(sample_data, tmp_path):
    out = tmp_path / "data"
    manifest = build(BuildConfig.of(raw=SAMPLES, out=out, workers=1, rag_k=1))
    found = _rows(out, rag.NAME)
    assert manifest["rag"]["k"] == 1 and found and all(len(r["retrieved"]) == 1 for r in found)
    # the first article is the same whatever k: the ranking does not depend on it
    assert [r["retrieved"][0] for r in found] == [r["retrieved"][0] for r in _rows(sample_data, rag.NAME)]
    # every other dataset is the same file as with the default k
    for name in ("criminal_sentencing_eval", "criminal_sentencing_grounded_eval", "criminal_sentencing"):
        assert (out / f"{name}.jsonl").read_bytes() == (sample_data / f"{name}.jsonl").read_bytes()


def test_a_failing_retriever_stops_the_build_naming_the_option(tmp_path, monkeypatch):
    import lawfactory.retrieval as retrieval

    class Broken:
        name = "bm25"

        def search(self, queries, k):
            raise RuntimeError("index corrupt")

    monkeypatch.setattr(retrieval, "load_retriever", lambda spec, corpus: Broken())
    with pytest.raises(BuildError, match=r"--rag-retriever bm25: retrieval failed: RuntimeError: index corrupt"):
        build(BuildConfig.of(raw=SAMPLES, out=tmp_path / "data", workers=1))
    assert not (tmp_path / "data" / f"{rag.NAME}.jsonl").exists()  # DATA keeps its previous build (none)


@pytest.mark.parametrize("args, message", [
    (["--rag-retriever", "tfidf"], "expected bm25, dense:DIR, hybrid:DIR or rrf:DIR"),
    (["--rag-retriever", "bm25:x"], "expected bm25, dense:DIR, hybrid:DIR or rrf:DIR"),
    (["--rag-retriever", "dense"], "expected bm25, dense:DIR, hybrid:DIR or rrf:DIR"),
    (["--rag-retriever", "dense:/no/such/model"], "/no/such/model is not a folder"),
    (["--rag-k", "0"], "must be in [1, 50]"),
    (["--rag-k", "two"], "not an integer"),
])
def test_rag_options_are_checked_at_parse_time(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as e:
        main(["data", "--raw", str(SAMPLES), "--out", str(tmp_path / "data"), *args])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert args[0] in err and message in err
    assert not (tmp_path / "data").exists()


def test_rag_options_from_the_api_are_checked(tmp_path):
    with pytest.raises(UsageError, match="--rag-retriever"):
        BuildConfig.of(raw=SAMPLES, out=tmp_path, rag_retriever="hybrid:/no/such/model")
    with pytest.raises(UsageError, match="--rag-k"):
        BuildConfig.of(raw=SAMPLES, out=tmp_path, rag_k=0)
    model = tmp_path / "model"
    model.mkdir()
    cfg = BuildConfig.of(raw=SAMPLES, out=tmp_path, rag_retriever=f"dense:{model}", rag_k=5)
    assert (cfg.rag.retriever, cfg.rag.k) == (f"dense:{model}", 5)


def _static_embedder(tokenizer_dir, out):
    """A random StaticEmbedding model over the tiny Qwen tokenizer: a dense retriever with no download."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir).backend_tokenizer
    SentenceTransformer(modules=[StaticEmbedding(tok, embedding_dim=16)]).save(str(out))
    return out


def test_a_hybrid_retriever_with_a_trained_embedder(sample_data, tiny_model, tmp_path):
    model = _static_embedder(tiny_model, tmp_path / "embedder")
    out = tmp_path / "data"
    manifest = build(BuildConfig.of(raw=SAMPLES, out=out, workers=1, rag_retriever=f"hybrid:{model}", rag_k=2))
    assert manifest["rag"]["retriever"] == f"hybrid:{model}"
    found, plain = _rows(out, rag.NAME), _rows(out, "criminal_sentencing_eval")
    assert len(found) == len(plain) and all(len(r["retrieved"]) == 2 for r in found)
    # the embedder's files are inputs of the build: its fingerprint names them
    assert any(k.startswith(f"rag_retriever {model}") for k in manifest["fingerprint"]["inputs"])


@pytest.mark.real
def test_real_cail_records_get_their_retrieved_articles(tmp_path):
    """The shared CAIL records with the PRC criminal law: one row per eval row, k 分则 articles each,
    and the hit rates lawfactory eval reports computed over the rows the grounded eval holds."""
    import shutil

    from lawfactory.evaluation.arms import retrieval_hits
    from lawfactory.evaluation.inputs import load_gold

    from conftest import real_path

    raw = tmp_path / "raw"
    shutil.copytree(real_path("statutes", "cn"), raw / "statutes" / "cn")
    (raw / "cail").mkdir()
    shutil.copy(real_path("cail2018", "valid_sample.jsonl"), raw / "cail" / "valid.jsonl")
    out = tmp_path / "data"
    manifest = build(BuildConfig.of(raw=raw, out=out, workers=1))
    plain, found = _rows(out, "criminal_sentencing_eval"), _rows(out, rag.NAME)
    assert len(found) == len(plain) > 50
    assert [r["case_id"] for r in found] == [p["case_id"] for p in plain]
    assert all(len(r["retrieved"]) == 3 for r in found)
    assert manifest["rag"]["corpus_articles"] > 300  # the 分则 of the PRC criminal law, in force
    hits = retrieval_hits(load_gold(out / f"{rag.NAME}.jsonl")[0])
    assert hits["rows_with_cited"] == len(_rows(out, "criminal_sentencing_grounded_eval"))
    assert 0 <= hits["hit"] <= 1 and hits["recall"] <= hits["hit"]
