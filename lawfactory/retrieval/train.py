"""`lawfactory train-embedder`: train a retrieval embedder on DATA/statute_retrieval.jsonl.

The pairs are (anchor, positive, negative) rows: a case's facts or a recitation question, the text of
an article it cites (lawfactory/tasks/statute_evidence.py), and another article of the same 节 / 章.
Training uses sentence-transformers' `SentenceTransformerTrainer` with
`MultipleNegativesRankingLoss`: each anchor is scored against its positive, its negatives and every
other text of the batch. Many anchors share one article (up to 200 cases cite 盗窃罪's §264), so a
plain random batch would often hold the same article as another anchor's positive and train the
model to push a correct article away. The `NO_DUPLICATES` batch sampler never puts one text twice in
a batch, whichever column it is in.

Hard negatives: the same-节 negative each pair carries, plus one mined with `mine_hard_negatives`
over the articles in force (an article the miner ranks high for the anchor that is not one of the
anchor's positives). A `--base` model mines its own negatives. A static model trained from scratch
has no useful ranking before training, so it trains one first round on the pairs alone, mines with
that round's model, and then trains on both negatives: the mined ones are the articles that this
kind of model confuses, which BM25's lexical neighbours would not be.

Held-out split: rows are split by a seeded hash of `group_id` (the case group of a facts anchor, an
article-level id for a question anchor), so no case group is in both parts; without the column the
anchor text is hashed instead. The held-out anchors are evaluated with
`InformationRetrievalEvaluator` against every article in force of the index.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from lawfactory import jsonl
from lawfactory.errors import InputError, UsageError
from lawfactory.retrieval.metrics import NAMES

COLUMNS = ("anchor", "positive", "negative")
MAX_INPUTS_SHOWN = 20  # RAW files named in the card
METRICS = NAMES[:-1]  # the held-out metrics, named as retrieval-eval names them (n aside)
# Static embeddings learn from scratch: a high learning rate and large batches, as in
# sentence-transformers' static-embedding recipe (lr 2e-1). Fine-tuning a pretrained encoder: the usual 2e-5.
STATIC_DEFAULTS = {"epochs": 10, "batch_size": 128, "lr": 0.2, "dim": 256, "max_tokens": 512, "spans_per_article": 2}
BASE_DEFAULTS = {"epochs": 1, "batch_size": 32, "lr": 2e-5, "spans_per_article": 0}
CARD_DISCLAIMER = ("**Not legal advice.** This model ranks statute articles by similarity to a text. A retrieved "
                   "article is not a statement that it applies, and nothing here is legal advice or a prediction of "
                   "what any court will decide.")


@dataclass
class TrainOptions:
    pairs: Path
    index: Path
    out: Path
    static: bool = False
    base: str | None = None
    dim: int | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    eval_share: float = 0.1
    seed: int = 0
    mine: bool = True
    first_round_epochs: int = 1
    max_tokens: int | None = None
    save_total_limit: int = 1
    spans_per_article: int | None = None
    jurisdiction: str | None = None
    tokenizer: Path | None = None  # a tokenizer.json for --static (default: the pack's Qwen tokenizer)
    notes: list[str] = field(default_factory=list)

    def resolve(self) -> TrainOptions:
        """Check every option; fill the defaults of the chosen mode."""
        if self.static == bool(self.base):
            raise UsageError("train-embedder: give exactly one of --static (a static model from scratch, CPU) "
                             "and --base MODEL (fine-tune a sentence-transformers model)")
        for name in ("pairs", "index"):
            path = Path(getattr(self, name))
            if not path.is_file():
                raise UsageError(f"train-embedder: --{name} {path}: no such file")
        if self.tokenizer is not None and not Path(self.tokenizer).is_file():
            raise UsageError(f"train-embedder: --tokenizer {self.tokenizer}: no such file")
        if not 0 < self.eval_share < 1:
            raise UsageError(f"train-embedder: --eval-share must be between 0 and 1 (exclusive), got {self.eval_share}")
        defaults = STATIC_DEFAULTS if self.static else BASE_DEFAULTS
        for name, value in defaults.items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        if not self.static:
            self.max_tokens = None  # a --base model truncates at its own max_seq_length
        for name in ("epochs", "batch_size", "save_total_limit") + (("max_tokens",) if self.static else ()):
            if getattr(self, name) < 1:
                flag = name.replace("_", "-")
                raise UsageError(f"train-embedder: --{flag} must be at least 1, got {getattr(self, name)}")
        if self.static and self.dim < 2:
            raise UsageError(f"train-embedder: --dim must be at least 2, got {self.dim}")
        if self.spans_per_article < 0:
            raise UsageError(f"train-embedder: --spans-per-article must be 0 or more, got {self.spans_per_article}")
        if self.first_round_epochs < 0:
            raise UsageError(f"train-embedder: --first-round-epochs must be 0 or more, got {self.first_round_epochs}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise UsageError(f"train-embedder: --lr must be a positive number, got {self.lr}")
        return self


SENTENCE_END = re.compile(r"(?<=[。；;])")
MIN_SPAN_CHARS = 8


def span_rows(train_rows: list[dict], corpus, per_article: int, seed: int) -> list[dict]:
    """Extra rows whose anchor is one sentence of an article's text and whose positive is the article
    (the inverse cloze task). The pairs teach content → article only for the articles that cases
    cite and number → article for the rest; these teach every article's own wording. Only articles
    that are already a training positive get them, with that row's same-节 negative, so a held-out
    anchor's article gains nothing it would not have."""
    negative = {r["positive"]: r["negative"] for r in train_rows}
    rows = []
    for key, doc in zip(corpus.keys, corpus.texts):
        if doc not in negative:
            continue
        sentences = [t.strip() for p in corpus.articles[key]["paragraphs"] for t in SENTENCE_END.split(p)]
        sentences = [t for t in dict.fromkeys(sentences) if len(t) >= MIN_SPAN_CHARS]
        rng = random.Random(f"{seed}\x00spans\x00{key}")
        for t in rng.sample(sentences, min(per_article, len(sentences))):
            rows.append({"anchor": t, "positive": doc, "negative": negative[doc]})
    return rows


def read_pairs(path: Path) -> list[dict]:
    """The retrieval rows; a line that is not a JSON object with non-empty anchor, positive and
    negative strings stops the run, naming the file and line."""
    rows = []
    for lineno, row, reason in jsonl.iter_jsonl(path):
        if reason is None and not isinstance(row, dict):
            reason = "not a JSON object"
        if reason is None:
            bad = [c for c in COLUMNS if not (isinstance(row.get(c), str) and row[c].strip())]
            if bad:
                reason = f"missing or empty {', '.join(bad)}"
        if reason is not None:
            raise InputError(f"{path}:{lineno}: {reason} (a retrieval pair is {{anchor, positive, negative}})")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no retrieval pairs (build them with `lawfactory data`, which writes "
                         "statute_retrieval.jsonl when the statutes and cases are given)")
    return rows


def held_out(group: str, seed: int, share: float) -> bool:
    """Whether a group goes to the held-out part: a seeded hash, so the split is stable and a group
    is never in both parts."""
    h = hashlib.sha256(f"{seed}\x00{group}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < share


def split_by_group(rows: list[dict], share: float, seed: int) -> tuple[list[dict], list[dict], str]:
    """(train rows, held-out rows, the column grouped on). Rows are grouped on `group_id` when every
    row has one, else on the anchor text (pairs built before the column existed)."""
    column = "group_id" if all(r.get("group_id") not in (None, "") for r in rows) else "anchor"
    train, held = [], []
    for r in rows:
        (held if held_out(str(r[column]), seed, share) else train).append(r)
    if not train or not held:
        raise InputError(f"train-embedder: the split by {column} left {len(train)} training and {len(held)} held-out "
                         f"rows of {len(rows)}: too few groups for --eval-share {share}")
    return train, held, column


def positive_keys(corpus) -> dict[str, str]:
    """Article document text → index key, for every article in force (the pairs and the corpus write
    an article the same way: lawfactory/tasks/statute_articles.py `document`)."""
    return dict(zip(corpus.texts, corpus.keys))


def ir_queries(rows: list[dict], keys: dict[str, str]) -> tuple[dict, dict, int]:
    """(queries, relevant docs, positives not in the corpus) for the held-out rows: one query per
    distinct anchor, relevant = the keys of all its positives."""
    queries, relevant, missing = {}, {}, 0
    ids: dict[str, str] = {}
    for r in rows:
        key = keys.get(r["positive"])
        if key is None:
            missing += 1
            continue
        qid = ids.setdefault(r["anchor"], f"q{len(ids)}")
        queries[qid] = r["anchor"]
        relevant.setdefault(qid, set()).add(key)
    return queries, relevant, missing


def training_args(opts: TrainOptions, output_dir: Path, epochs: int, save: bool):
    """The trainer's arguments: NO_DUPLICATES batches (no text twice in a batch), checkpoints each
    epoch. NO_DUPLICATES_HASHED is the same sampler with each row's texts hashed once up front (xxhash,
    a `datasets` dependency): the plain one re-reads every row it skips, and with many anchors per
    article it skips thousands per batch (12 s a step on 4,000 pairs, against 1 s hashed). A static
    model's gradients are sparse: no gradient clipping (SparseAdam, see sparse_optimizer)."""
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.training_args import SentenceTransformerTrainingArguments

    return SentenceTransformerTrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=epochs,
        per_device_train_batch_size=opts.batch_size,
        learning_rate=opts.lr,
        warmup_steps=0.1,
        lr_scheduler_type="cosine",
        batch_sampler=BatchSamplers.NO_DUPLICATES_HASHED,
        save_strategy="epoch" if save else "no",
        save_total_limit=opts.save_total_limit,
        logging_steps=10,
        seed=opts.seed,
        report_to="none",
        disable_tqdm=False,
        dataloader_drop_last=False,
        dataloader_pin_memory=False,
        max_grad_norm=0 if opts.static else 1.0,
    )


def static_model(opts: TrainOptions):
    """A StaticEmbedding model with random token vectors over the Qwen tokenizer (151,669 tokens).
    Texts are cut at max_tokens: full judgments run to 50,000 characters, and a batch of them would
    cost seconds to tokenize for a mean that their opening already sets. The cut is saved in the
    model's tokenizer.json, so queries are cut the same way when the model is used."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer

    if opts.tokenizer is not None:
        tokenizer = Tokenizer.from_file(str(opts.tokenizer))
    else:
        from lawfactory.dev.tiny_model import build_tokenizer

        tokenizer = build_tokenizer().backend_tokenizer
    tokenizer.enable_truncation(opts.max_tokens)
    torch.manual_seed(opts.seed)
    return SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=opts.dim)], device="cpu")


def zero_unseen_tokens(model, texts: list[str]) -> int:
    """Zero the vectors of tokens no training text contains: they kept their random start, and in
    a mean they would only add noise to a query. Returns how many were zeroed."""
    import torch

    emb = model[0]
    seen = torch.zeros(emb.num_embeddings, dtype=torch.bool)
    for enc in emb.tokenizer.encode_batch(texts, add_special_tokens=False):
        seen[enc.ids] = True
    with torch.no_grad():
        emb.embedding.weight[~seen] = 0
    return int((~seen).sum())


def to_dataset(rows: list[dict], mined: dict | None = None):
    from datasets import Dataset

    data = {c: [r[c] for r in rows] for c in COLUMNS}
    if mined is not None:
        # a pair the miner found nothing for keeps its same-节 negative in both columns
        data["negative_mined"] = [mined.get((r["anchor"], r["positive"]), r["negative"]) for r in rows]
    return Dataset.from_dict(data)


def mine(model, rows: list[dict], corpus_texts: list[str], opts: TrainOptions) -> dict:
    """(anchor, positive) → a mined hard negative: an article the model ranks among the anchor's top
    10 that is none of the anchor's positives (mine_hard_negatives collects every positive of a
    repeated anchor) and scores at least 5% below the positive (a margin against unlabelled positives)."""
    from datasets import Dataset
    from sentence_transformers import mine_hard_negatives

    pairs = Dataset.from_dict({"anchor": [r["anchor"] for r in rows], "positive": [r["positive"] for r in rows]})
    out = mine_hard_negatives(pairs, model, corpus=corpus_texts, range_max=10, relative_margin=0.05, num_negatives=1,
                              sampling_strategy="top", output_format="triplet", batch_size=opts.batch_size,
                              verbose=False)
    return {(a, p): n for a, p, n in zip(out["anchor"], out["positive"], out["negative"])}


def sparse_optimizer(model, lr: float):
    """For a static model: sparse gradients and SparseAdam. A batch touches a few thousand of the
    151,669 token vectors; a dense AdamW step would update all 39M numbers (at 256 dimensions) every
    step, several times slower on CPU for the same result."""
    import torch

    model[0].embedding.sparse = True
    return torch.optim.SparseAdam(list(model.parameters()), lr=lr)


def train_round(model, dataset, opts: TrainOptions, output_dir: Path, epochs: int, save: bool):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    args = training_args(opts, output_dir, epochs, save)
    optimizers = (sparse_optimizer(model, opts.lr), None) if opts.static else (None, None)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, optimizers=optimizers,
                                         loss=MultipleNegativesRankingLoss(model))
    trainer.train()
    return trainer


def evaluate(model, queries: dict, relevant: dict, corpus, batch_size: int) -> dict:
    from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

    ev = InformationRetrievalEvaluator(queries, dict(zip(corpus.keys, corpus.texts)), relevant, name="heldout",
                                       accuracy_at_k=[1, 5, 10], precision_recall_at_k=[1, 5, 10], mrr_at_k=[10],
                                       ndcg_at_k=[10], map_at_k=[10], batch_size=batch_size, show_progress_bar=False)
    scores = ev(model)
    prefix = f"heldout_{ev.primary_metric.split('_')[1]}_" if ev.primary_metric.count("_") >= 2 else "heldout_cosine_"
    return {name: round(float(scores[prefix + name]), 4) for name in METRICS}


def train(opts: TrainOptions, log=print) -> dict:
    """Train, evaluate on the held-out groups, save the model, metrics.json and the card; return the metrics."""
    from lawfactory.retrieval.corpus import load_corpus

    opts.resolve()
    started = time.monotonic()
    rows = read_pairs(Path(opts.pairs))
    corpus = load_corpus(opts.index, opts.jurisdiction)
    train_rows, held_rows, column = split_by_group(rows, opts.eval_share, opts.seed)
    if column != "group_id":
        opts.notes.append("the pairs carry no group_id: the held-out split hashes the anchor text instead")
        log(f"train-embedder: note: {opts.notes[-1]}", file=sys.stderr)
    held_anchors = {r["anchor"] for r in held_rows}
    leaked = sum(r["anchor"] in held_anchors for r in train_rows)
    if leaked:  # the same facts under two groups: keep the evaluation honest
        train_rows = [r for r in train_rows if r["anchor"] not in held_anchors]
        opts.notes.append(f"{leaked} training rows dropped: their anchor text is also a held-out anchor")
    queries, relevant, missing = ir_queries(held_rows, positive_keys(corpus))
    if opts.spans_per_article:
        spans = span_rows(train_rows, corpus, opts.spans_per_article, opts.seed)
        train_rows = train_rows + spans
        opts.notes.append(f"{len(spans)} training rows added: a sentence of an article → the article")
    if not queries:
        raise InputError(f"train-embedder: no held-out positive of {opts.pairs} is an article in force of {opts.index} "
                         "(were the pairs built from this index?)")
    log(f"train-embedder: {len(rows)} pairs → {len(train_rows)} training, {len(held_rows)} held-out rows "
        f"({len(queries)} queries, split by {column}); {len(corpus.keys)} articles in the corpus", file=sys.stderr)

    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoints = out / "checkpoints"
    if opts.static:
        model = static_model(opts)
    else:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(opts.base)
    mined = None
    if opts.mine:
        if opts.static and opts.first_round_epochs:
            log(f"train-embedder: first round ({opts.first_round_epochs} epoch(s), same-节 negatives only), "
                "to mine with", file=sys.stderr)
            train_round(model, to_dataset(train_rows), opts, checkpoints / "first-round", opts.first_round_epochs,
                        save=False)
        log("train-embedder: mining hard negatives over the articles in force", file=sys.stderr)
        mined = mine(model, train_rows, corpus.texts, opts)
        log(f"train-embedder: mined a negative for {len(mined)} of "
            f"{len({(r['anchor'], r['positive']) for r in train_rows})} distinct pairs", file=sys.stderr)
    dataset = to_dataset(train_rows, mined)
    trainer = train_round(model, dataset, opts, checkpoints, opts.epochs, save=True)
    zeroed = zero_unseen_tokens(model, [t for c in dataset.column_names for t in dataset[c]]) if opts.static else 0
    metrics = evaluate(model, queries, relevant, corpus, opts.batch_size)
    seconds = time.monotonic() - started

    result = {
        "heldout": {**metrics, "n": len(queries)},
        "split": {"by": column, "seed": opts.seed, "eval_share": opts.eval_share, "train_rows": len(train_rows),
                  "heldout_rows": len(held_rows), "heldout_positives_not_in_corpus": missing},
        "training": {"mode": "static" if opts.static else "base", "base": opts.base, "dim": opts.dim if opts.static
                     else model.get_embedding_dimension(), "epochs": opts.epochs, "batch_size": opts.batch_size,
                     "lr": opts.lr, "max_tokens": opts.max_tokens, "spans_per_article": opts.spans_per_article,
                     "loss": "MultipleNegativesRankingLoss",
                     "batch_sampler": str(getattr(trainer.args.batch_sampler, "value", trainer.args.batch_sampler)),
                     "mined_negatives": len(mined) if mined is not None else None,
                     "first_round_epochs": opts.first_round_epochs if opts.static and opts.mine else 0,
                     "steps": trainer.state.global_step, "unseen_tokens_zeroed": zeroed, "seconds": round(seconds, 1)},
        "data": provenance(opts),
        "notes": opts.notes,
    }
    model.save(str(out))
    jsonl.write_json(out / "metrics.json", result)
    write_card(out, result)
    return result


def provenance(opts: TrainOptions) -> dict:
    """Where the training data came from: the files' hashes and, when the pairs sit in a
    `lawfactory data` output folder, that build's fingerprint and code version."""
    pairs, index = Path(opts.pairs), Path(opts.index)
    data = {"pairs": str(pairs), "pairs_sha256": jsonl.file_sha256(pairs), "index": str(index),
            "index_sha256": jsonl.file_sha256(index)}
    manifest = pairs.parent / "manifest.json"
    try:
        m = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return data
    data["manifest"] = str(manifest)
    fingerprint = m.get("fingerprint")
    if isinstance(fingerprint, dict) and "sha256" in fingerprint:
        data["build_fingerprint"] = fingerprint["sha256"]  # inputs, code and options of that build
        data["inputs"] = sorted(fingerprint.get("inputs", {}))  # the RAW files, relative to RAW
    return data


def write_card(out: Path, result: dict) -> None:
    """Put our section (provenance, held-out metrics, the split, not legal advice) at the top of the
    README.md sentence-transformers wrote, after its YAML header."""
    readme = out / "README.md"
    generated = readme.read_text(encoding="utf-8") if readme.exists() else ""
    header, body = "", generated
    if generated.startswith("---\n"):
        end = generated.find("\n---\n", 4)
        if end != -1:
            header, body = generated[:end + 5], generated[end + 5:]
    m, s, t, d = result["heldout"], result["split"], result["training"], result["data"]
    kind = (f"A static embedding model trained from scratch ({t['dim']} dimensions, Qwen tokenizer)" if t["mode"] ==
            "static" else f"`{t['base']}`, fine-tuned")
    lines = [
        "# Statute retriever (lawfactory train-embedder)", "",
        f"{kind}. Trained with MultipleNegativesRankingLoss on statute retrieval pairs (case facts or a question → "
        "the article it cites), in NO_DUPLICATES batches, with same-节 and mined hard negatives.", "",
        CARD_DISCLAIMER, "",
        "## Data provenance", "",
        f"- pairs: `{d['pairs']}` (sha256 `{d['pairs_sha256']}`), written by `lawfactory data`",
        f"- statute index: `{d['index']}` (sha256 `{d['index_sha256']}`); the corpus is its articles in force",
    ]
    if "build_fingerprint" in d:
        lines.append(f"- build: `{d['manifest']}`, fingerprint `{d['build_fingerprint']}` (inputs, code, options)")
    if d.get("inputs"):
        shown = ", ".join(f"`{name}`" for name in d["inputs"][:MAX_INPUTS_SHOWN])
        more = len(d["inputs"]) - MAX_INPUTS_SHOWN
        lines.append(f"- built from: {shown}" + (f" and {more} more (metrics.json)" if more > 0 else ""))
    lines += [
        f"- held-out split: by `{s['by']}` (seeded hash, seed {s['seed']}, share {s['eval_share']}): "
        f"{s['train_rows']} training rows, {s['heldout_rows']} held-out rows; no group is in both", "",
        "## Held-out metrics", "",
        f"{m['n']} held-out queries against every article in force (sentence-transformers' "
        "InformationRetrievalEvaluator, cosine similarity):", "",
        "| " + " | ".join(METRICS) + " |", "|" + "---|" * len(METRICS),
        "| " + " | ".join(f"{m[k]:.4f}" for k in METRICS) + " |", "",
    ]
    lines += [f"Note: {n}" for n in result["notes"]]
    readme.write_text(header + "\n".join(lines) + "\n\n" + body, encoding="utf-8")


def add_parser(sub) -> None:
    p = sub.add_parser("train-embedder", help="train a statute retrieval embedder on DATA/statute_retrieval.jsonl "
                                              "(a static model from scratch on CPU, or fine-tune --base)")
    p.add_argument("--pairs", required=True, help="DATA/statute_retrieval.jsonl")
    p.add_argument("--index", required=True, help="DATA/statutes_index.jsonl (the corpus: its articles in force)")
    p.add_argument("--out", required=True, help="output folder: the model (SentenceTransformer(OUT) loads it), "
                                                "metrics.json, README.md (model card), checkpoints/")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--static", action="store_true", help="a static embedding model from scratch (CPU)")
    mode.add_argument("--base", help="fine-tune this sentence-transformers model (local folder or Hub id)")
    p.add_argument("--dim", type=int, help=f"--static: embedding dimensions (default {STATIC_DEFAULTS['dim']}; "
                                           "151,669 tokens × 256 × 4 bytes = 155 MB)")
    p.add_argument("--epochs", type=int,
                   help=f"default {STATIC_DEFAULTS['epochs']} static, {BASE_DEFAULTS['epochs']} --base")
    p.add_argument("--batch-size", type=int, help=f"default {STATIC_DEFAULTS['batch_size']} static, "
                                                  f"{BASE_DEFAULTS['batch_size']} --base")
    p.add_argument("--lr", type=float, help=f"learning rate (default {STATIC_DEFAULTS['lr']} static, "
                                            f"{BASE_DEFAULTS['lr']} --base)")
    p.add_argument("--max-tokens", type=int, help=f"--static: tokens of a text embedded, the rest cut (default "
                                                  f"{STATIC_DEFAULTS['max_tokens']}; kept in the model)")
    p.add_argument("--eval-share", type=float, default=0.1, help="share of groups held out (default 0.1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-mine", action="store_true", help="skip hard-negative mining (same-节 negatives only)")
    p.add_argument("--first-round-epochs", type=int, default=1,
                   help="--static: epochs trained before mining, so the miner is not a random model (default 1)")
    p.add_argument("--spans-per-article", type=int,
                   help="add N rows per article: one sentence of its text → the article (default "
                        f"{STATIC_DEFAULTS['spans_per_article']} static, {BASE_DEFAULTS['spans_per_article']} --base)")
    p.add_argument("--save-total-limit", type=int, default=1, help="checkpoints kept (default 1)")
    p.add_argument("--jurisdiction", choices=("cn", "tw"), help="retrieve among one jurisdiction's articles only")
    p.add_argument("--tokenizer", help="--static: a tokenizer.json (default: the Qwen tokenizer the pack ships)")
    p.set_defaults(func=cmd_train_embedder)


def cmd_train_embedder(args) -> int:
    opts = TrainOptions(pairs=Path(args.pairs), index=Path(args.index), out=Path(args.out), static=args.static,
                        base=args.base, dim=args.dim, max_tokens=args.max_tokens, epochs=args.epochs,
                        batch_size=args.batch_size, lr=args.lr,
                        eval_share=args.eval_share, seed=args.seed, mine=not args.no_mine,
                        first_round_epochs=args.first_round_epochs, save_total_limit=args.save_total_limit,
                        jurisdiction=args.jurisdiction, spans_per_article=args.spans_per_article,
                        tokenizer=Path(args.tokenizer) if args.tokenizer else None)
    result = train(opts)
    m = result["heldout"]
    print("held-out (" + str(m["n"]) + " queries): " + "  ".join(f"{k}={m[k]:.3f}" for k in METRICS))
    print(f"wrote {opts.out}/ (model, metrics.json, README.md, checkpoints/) in {result['training']['seconds']} s")
    return 0

