"""`lawfactory eval` on a statute-QA eval file (cn_statutes_qa, tw_statutes_qa, fr_statutes_qa_eval, …):
ROUGE-1/2/L in the language's words, BERTScore, echo-free citation accuracy and the existence /
repeal check of cited articles against the statute index, overall and per task kind, with
bootstrap intervals → OUT/metrics.json, OUT/report.md, OUT/rows.jsonl, OUT/statute_qa.png.

Each row is scored on its last assistant turn, the one LLaMA-Factory predicts (qa_inputs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lawfactory.jsonl import atomic_open, dumps, write_json

from . import bootstrap, citation_validity
from .inputs import EvalInputError, join, load_predictions
from .qa_citations import score_rows
from .qa_inputs import JURISDICTIONS, check_prompts, jurisdiction_of, load_qa_gold
from .rouge import CHINESE, rouge
from .run import plain_json

ROUGE_KEYS = ("rouge-1", "rouge-2", "rouge-l")


@dataclass
class QAOptions:
    predictions: Path
    gold: Path
    out: Path
    statutes: Path | None = None
    jurisdiction: str | None = None  # default: from the file name or the article keys
    bertscore_model: str | None = None  # None: BERTScore skipped
    bertscore_layer: int | None = None
    resamples: int = bootstrap.RESAMPLES
    seed: int = bootstrap.SEED
    plots: bool = True


def _interval(values: np.ndarray, opts: QAOptions) -> dict:
    """Mean of the applicable (non-NaN) rows and its bootstrap interval over all rows."""
    ok = ~np.isnan(values)
    return {"value": float(values[ok].mean()) if ok.any() else None, "n": int(ok.sum()),
            "ci95": bootstrap.ci(bootstrap.weighted_mean(values), len(values), opts.resamples, opts.seed)
            if ok.any() else None}


def _citation_arrays(cites: list[dict]) -> dict[str, np.ndarray]:
    """Per-row 0/1 hit and exact for the echo-free and the echo rows (NaN where a row is not in the group)."""
    out = {}
    for group, echo in (("echo_free", False), ("echo", True)):
        for key in ("hit", "exact"):
            out[f"{group}.{key}"] = np.array([float(c[key]) if c["scored"] and c["echo"] == echo else np.nan
                                              for c in cites])
    return out


def _summary(per_row: dict[str, np.ndarray], cites: list[dict], rows: np.ndarray, opts: QAOptions) -> dict:
    """Text and citation metrics over the rows selected by a boolean mask."""
    sub = {k: np.where(rows, v, np.nan) for k, v in per_row.items()}
    out = {"n": int(rows.sum())}
    out["text"] = {k: _interval(sub[k], opts) for k in per_row if not k.startswith(("echo_free.", "echo."))}
    for group, echo in (("echo_free", False), ("echo", True)):
        out[group] = {"rows": sum(1 for c, r in zip(cites, rows) if r and c["scored"] and c["echo"] == echo),
                      "accuracy": _interval(sub[f"{group}.hit"], opts),
                      "exact": _interval(sub[f"{group}.exact"], opts)}
    return out


def evaluate_qa(opts: QAOptions) -> dict:
    if opts.out.exists() and not opts.out.is_dir():
        raise EvalInputError(f"--out {opts.out}: is a file, not a folder")
    if opts.jurisdiction is not None and opts.jurisdiction not in JURISDICTIONS:
        raise EvalInputError(f"--jurisdiction {opts.jurisdiction}: one of {', '.join(JURISDICTIONS)}")
    preds = load_predictions(opts.predictions)
    gold = load_qa_gold(opts.gold)
    joined = join(preds, gold, opts.predictions, opts.gold)
    joined["prompts_checked"] = check_prompts(preds, gold, opts.predictions, opts.gold)
    jurisdiction = opts.jurisdiction or jurisdiction_of(opts.gold, gold)
    index = citation_validity.load_index(opts.statutes) if opts.statutes else None
    texts = [p["text"] for p in preds]
    labels = [p["label"] if p["label"] is not None else g["label_text"] for p, g in zip(preds, gold)]

    cites = score_rows(gold, texts, jurisdiction)
    _, rouge_rows = rouge(texts, labels, jurisdiction)
    per_row = {k: rouge_rows[k] for k in ROUGE_KEYS}
    bert = None
    if opts.bertscore_model:
        from .bertscore import BertScorer

        bert = BertScorer(opts.bertscore_model, opts.bertscore_layer).score(texts, labels)
        per_row.update({"bertscore-p": bert.precision, "bertscore-r": bert.recall, "bertscore-f1": bert.f1})
    per_row.update(_citation_arrays(cites))

    everything = np.ones(len(gold), bool)
    tasks = sorted({g["task"] for g in gold})
    metrics = {
        "mode": "statute_qa", "n": len(gold), "predictions": str(opts.predictions), "gold": str(opts.gold),
        "jurisdiction": jurisdiction, "words": "jieba" if jurisdiction in CHINESE else "latin_words",
        "join": {**joined, "predictions_truncated": sum(p["truncated"] for p in preds)},
        "scored_turn": "last assistant turn (what LLaMA-Factory predicts for a sharegpt row)",
        **_summary(per_row, cites, everything, opts),
        "bertscore": ({"model": bert.model, "layer": bert.layer, "idf": False, "rescaled": False,
                       "texts_at_length_limit": bert.truncated_texts} if bert else None),
        "citations": {"rows_without_gold_citation": sum(not c["scored"] for c in cites),
                      "echo_from_field": sum(c["echo_source"] == "field" for c in cites),
                      "echo_computed": sum(c["echo_source"] == "computed" for c in cites),
                      **citation_validity.validity([c["predicted_keys"] for c in cites], index),
                      **({"index_file": str(opts.statutes)} if opts.statutes else {})},
        "by_task": {t: _summary(per_row, cites, np.array([g["task"] == t for g in gold]), opts) for t in tasks},
        "bootstrap": {"resamples": opts.resamples, "seed": opts.seed, "level": 0.95,
                      "method": "percentile, rows resampled"},
    }
    metrics = plain_json(metrics)
    opts.out.mkdir(parents=True, exist_ok=True)
    write_json(opts.out / "metrics.json", metrics)
    with atomic_open(opts.out / "rows.jsonl") as f:
        for i, (p, g, c) in enumerate(zip(preds, gold, cites)):
            scores = {k: v[i] for k, v in per_row.items() if not k.startswith(("echo_free.", "echo."))}
            f.write(dumps(plain_json({"row": i, "line": p["line"], "gold_line": g["line"], "task": g["task"],
                                      "articles": g["articles"], **c, "scores": scores})) + "\n")
    from .qa_report import write_report

    write_report(opts.out, metrics, plots=opts.plots)
    return metrics
