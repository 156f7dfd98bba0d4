"""`lawfactory train-embedder` (lawfactory/retrieval/train.py): the held-out split by group, input
checks, the trainer's batch sampler, and a static model trained end to end on CPU on the sample build."""

import json
import shutil

import pytest

from lawfactory.cli import main
from lawfactory.errors import InputError, UsageError
from lawfactory.retrieval import train

METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")


def _rows(n_groups: int, per_group: int = 3) -> list[dict]:
    return [{"anchor": f"事实{g}-{i}", "positive": f"条文{i}", "negative": f"条文{i + 1}", "group_id": f"g{g}"}
            for g in range(n_groups) for i in range(per_group)]


def test_split_keeps_every_group_on_one_side():
    rows = _rows(200)
    tr, held, by = train.split_by_group(rows, 0.2, seed=3)
    assert by == "group_id"
    assert len(tr) + len(held) == len(rows)
    assert not {r["group_id"] for r in tr} & {r["group_id"] for r in held}
    assert 0.1 < len({r["group_id"] for r in held}) / 200 < 0.3  # about the share asked for
    # seeded: the same seed gives the same split, another seed another one
    assert train.split_by_group(rows, 0.2, seed=3)[1] == held
    assert train.split_by_group(rows, 0.2, seed=4)[1] != held


def test_split_falls_back_to_the_anchor_without_group_ids():
    rows = _rows(100)
    del rows[5]["group_id"]
    tr, held, by = train.split_by_group(rows, 0.3, seed=0)
    assert by == "anchor"
    assert not {r["anchor"] for r in tr} & {r["anchor"] for r in held}


def test_split_that_leaves_one_side_empty_is_an_error():
    with pytest.raises(InputError, match="too few groups"):
        train.split_by_group(_rows(1), 0.1, seed=0)


def test_bad_pairs_name_file_and_line(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no retrieval pairs"):
        train.read_pairs(empty)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"anchor": "a", "positive": "p", "negative": "n"}) + "\n"
                   + json.dumps({"anchor": "a", "positive": ""}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: missing or empty positive, negative"):
        train.read_pairs(bad)


def test_options_are_checked(tmp_path):
    pairs = tmp_path / "p.jsonl"
    pairs.write_text("{}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--index .*no such file"):
        train.TrainOptions(pairs=pairs, index=tmp_path / "none.jsonl", out=tmp_path, static=True).resolve()
    with pytest.raises(UsageError, match="exactly one of --static"):
        train.TrainOptions(pairs=pairs, index=pairs, out=tmp_path).resolve()
    with pytest.raises(UsageError, match="--eval-share"):
        train.TrainOptions(pairs=pairs, index=pairs, out=tmp_path, static=True, eval_share=1.0).resolve()
    with pytest.raises(UsageError, match="--batch-size must be at least 1"):
        train.TrainOptions(pairs=pairs, index=pairs, out=tmp_path, static=True, batch_size=0).resolve()
    opts = train.TrainOptions(pairs=pairs, index=pairs, out=tmp_path, static=True).resolve()
    assert (opts.dim, opts.lr) == (train.STATIC_DEFAULTS["dim"], train.STATIC_DEFAULTS["lr"])
    with pytest.raises(SystemExit):  # argparse: --static and --base exclude each other
        main(["train-embedder", "--pairs", str(pairs), "--index", str(pairs), "--out", str(tmp_path),
              "--static", "--base", "x"])


def test_trainer_batches_without_duplicates(tmp_path):
    from sentence_transformers.base.sampler import BatchSamplers

    opts = train.TrainOptions(pairs=tmp_path, index=tmp_path, out=tmp_path, static=True, batch_size=8, lr=0.1)
    args = train.training_args(opts, tmp_path / "ckpt", epochs=2, save=True)
    assert args.batch_sampler == BatchSamplers.NO_DUPLICATES_HASHED  # NO_DUPLICATES with precomputed hashes
    assert args.save_strategy == "epoch"


def test_static_model_end_to_end(sample_data, tiny_model, tmp_path, monkeypatch):
    """The sample build's pairs → a static model that SentenceTransformer loads, metrics.json, a card;
    then --base fine-tunes that model."""
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.base.sampler import NoDuplicatesBatchSampler

    used = []  # the batch samplers the trainer really builds
    get_sampler = SentenceTransformerTrainer.get_batch_sampler
    monkeypatch.setattr(SentenceTransformerTrainer, "get_batch_sampler",
                        lambda self, *a, **k: used.append(get_sampler(self, *a, **k)) or used[-1])
    out = tmp_path / "embedder"
    pairs, index = sample_data / "statute_retrieval.jsonl", sample_data / "statutes_index.jsonl"
    assert main(["train-embedder", "--pairs", str(pairs), "--index", str(index), "--out", str(out), "--static",
                 "--dim", "16", "--epochs", "1", "--batch-size", "64", "--eval-share", "0.3",
                 "--tokenizer", str(tiny_model / "tokenizer.json")]) == 0  # the pack's Qwen tokenizer

    assert len(used) >= 2  # the first round (to mine with) and the training itself
    assert all(isinstance(s, NoDuplicatesBatchSampler) for s in used)
    for sampler in used:  # no text twice in any batch
        for batch in sampler:
            texts = [t for i in batch for t in set(sampler.dataset[i].values())]
            assert len(texts) == len(set(texts))
    model = SentenceTransformer(str(out), device="cpu")
    assert model.encode(["盗窃他人财物"]).shape == (1, 16)
    assert any(out.glob("checkpoints/checkpoint-*/model.safetensors"))

    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for name in METRICS:
        assert 0 <= m["heldout"][name] <= 1
    assert m["heldout"]["n"] > 0
    assert m["training"]["batch_sampler"] == "no_duplicates_hashed"
    assert m["training"]["mined_negatives"] > 0
    assert m["data"]["pairs_sha256"] == train.jsonl.file_sha256(pairs)

    rows = train.read_pairs(pairs)
    tr, held, by = train.split_by_group(rows, 0.3, seed=0)
    assert by == "group_id"  # make data writes each anchor's case group (or article) id
    assert m["split"]["by"] == by and m["split"]["heldout_rows"] == len(held)
    assert not {r[by] for r in tr} & {r[by] for r in held}

    card = (out / "README.md").read_text(encoding="utf-8")
    assert "Not legal advice" in card
    assert "## Data provenance" in card and m["data"]["pairs_sha256"] in card
    assert "`statutes/cn/刑法.md`" in card  # the RAW files of the build the pairs came from
    assert f"{m['heldout']['ndcg@10']:.4f}" in card

    # --base fine-tunes a sentence-transformers model (here the one just trained), mining with it first
    tuned = tmp_path / "tuned"
    assert main(["train-embedder", "--pairs", str(pairs), "--index", str(index), "--out", str(tuned), "--base",
                 str(out), "--epochs", "1", "--batch-size", "64", "--eval-share", "0.3"]) == 0
    t = json.loads((tuned / "metrics.json").read_text(encoding="utf-8"))
    assert (t["training"]["mode"], t["training"]["first_round_epochs"], t["training"]["lr"]) == ("base", 0, 2e-5)
    assert t["training"]["mined_negatives"] is not None
    assert SentenceTransformer(str(tuned), device="cpu").encode(["盗窃他人财物"]).shape == (1, 16)


def test_pairs_from_another_index_are_refused(sample_data, tmp_path):
    index = tmp_path / "index.jsonl"
    shutil.copy(sample_data / "statutes_index.jsonl", index)
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps({"anchor": f"问题{i}", "positive": f"不存在的条文{i}", "negative": "x"},
                                        ensure_ascii=False) + "\n" for i in range(40)), encoding="utf-8")
    with pytest.raises(InputError, match="no held-out positive"):
        train.train(train.TrainOptions(pairs=pairs, index=index, out=tmp_path / "out", static=True, dim=4),
                    log=lambda *a, **k: None)


def test_span_rows_are_sentences_of_training_positives(sample_data):
    from lawfactory.retrieval.corpus import load_corpus

    corpus = load_corpus(sample_data / "statutes_index.jsonl")
    doc = dict(zip(corpus.keys, corpus.texts))
    seen, unseen = corpus.keys[0], corpus.keys[1]
    train_rows = [{"anchor": "问", "positive": doc[seen], "negative": doc[unseen]}]
    spans = train.span_rows(train_rows, corpus, 2, seed=0)
    assert 1 <= len(spans) <= 2
    for r in spans:  # a sentence of the article's own text → that article, with the row's negative
        assert r["positive"] == doc[seen] and r["negative"] == doc[unseen]
        assert r["anchor"] in "".join(corpus.articles[seen]["paragraphs"])
    assert train.span_rows(train_rows, corpus, 2, seed=0) == spans  # seeded
    assert not any(r["positive"] == doc[unseen] for r in spans)  # no training positive: no rows
