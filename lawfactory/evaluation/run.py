"""`lawfactory eval`: predictions + gold (+ training file, statute index, attitude pairs)
→ DIR/metrics.json, DIR/report.md, DIR/rows.jsonl (one line per prediction) and plots."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from lawfactory.jsonl import atomic_open, dumps, write_json
from lawfactory.parse.terms import term_line
from lawfactory.records import sentence, sentence_code

from . import attitude_models, attitude_pairs, bootstrap, cail_judger, citation_validity, lawbench, plain
from .answer_fields import parse_answer, whole_numbers
from .inputs import EvalInputError, join, load_gold, load_predictions, load_train
from .rouge import rouge


@dataclass
class EvalOptions:
    predictions: Path
    gold: Path
    out: Path
    train: Path | None = None
    statutes: Path | None = None
    # attitude_models.PairsModel each (a path or a `[NAME=]PREDICTIONS` value is read as one); one model or several
    pairs_predictions: tuple = ()
    pairs_gold: Path | None = None
    gold_format: str = "auto"
    charges_list: Path | None = None
    articles_list: Path | None = None
    resamples: int = bootstrap.RESAMPLES
    seed: int = bootstrap.SEED
    plots: bool = True
    arms: tuple = ()  # arms.Arm: the same model on other eval files of the same cases (lawfactory/evaluation/arms.py)


def _term(months: int) -> dict:
    """A baseline's stated term as a sentence record."""
    return sentence("fixed" if months else "none", months)


def _term_text(s: dict | None) -> str:
    if s is None:
        return "—"
    if s["kind"] in ("death", "life"):
        return {"death": "死刑", "life": "无期"}[s["kind"]] + (" (死缓)" if s["principal"] == "死缓" else "")
    return f"{s['months']}个月" + (f" 缓刑{s['probation_months']}个月" if s["probation_months"] else "")


def _parse_all(preds: list[dict], gold: list[dict], desc: str) -> list[dict]:
    return [parse_answer(p["text"], g["jurisdiction"])
            for p, g in tqdm(list(zip(preds, gold)), desc=desc, unit="row", leave=False)]


def _system_rows(gold: list[dict], sentences: list[dict | None], texts: list[str]) -> dict:
    """Per-row values of the term metrics for one system (the model or a baseline)."""
    term = [cail_judger.term_score(sentence_code(_gold_sentence(g)), sentence_code(s) if s else None)
            for g, s in zip(gold, sentences)]
    lb = lawbench.item_distances(gold, texts)
    errors = [plain.row_errors(g["kind"], g["months"], s) for g, s in zip(gold, sentences)]
    return {"term": np.array(term), "lb": lb, "lb_dist": plain.nan_array([x[0] if x else None for x in lb]),
            "errors": errors}


def _gold_sentence(g: dict) -> dict:
    return {"kind": g["kind"], "months": g["months"], "principal": "", "probation_months": g["probation_months"]}


def _headline(rows: dict, n: int, opts: EvalOptions) -> dict:
    """Point values and bootstrap intervals of the headline term metrics for one system."""
    s = plain.summarize(rows["errors"])
    stats = {
        "imprisonment_score": bootstrap.weighted_mean(rows["term"]),
        "mae_months": bootstrap.weighted_mean(plain.nan_array([e["abs_error"] for e in rows["errors"]])),
        "within_20": bootstrap.weighted_mean(plain.nan_array([e["within_20"] for e in rows["errors"]])),
        "within_50": bootstrap.weighted_mean(plain.nan_array([e["within_50"] for e in rows["errors"]])),
    }
    lb_mean = bootstrap.weighted_mean(rows["lb_dist"])
    stats["lawbench_term_score"] = lambda w: lawbench.normalize(lb_mean(w))
    values = {
        "imprisonment_score": float(rows["term"].mean()) if n else None,
        "lawbench_term_score": (lawbench.normalize(float(np.nanmean(rows["lb_dist"])))
                                if (~np.isnan(rows["lb_dist"])).any() else None),
        "mae_months": s["mae_months"], "within_20": s["within_20"], "within_50": s["within_50"],
    }
    return {k: {"value": values[k], "ci95": bootstrap.ci(stats[k], n, opts.resamples, opts.seed)
                if values[k] is not None else None} for k in stats}


def _baselines(gold: list[dict], train: Path | None) -> tuple[dict, dict]:
    """The baseline systems scored on the same gold rows: (name → (sentences, answer texts), description)."""
    n = len(gold)
    train_rows, train_skipped = load_train(train) if train else ([], 0)
    month_gold = [g["months"] for g in gold if plain.is_month_term(g["kind"])]
    const = plain.median_term([m for _, m in train_rows] if train_rows else month_gold)
    baselines = {"constant_median": {"months": const, "from": "train" if train_rows else "gold",
                                     "train_rows": len(train_rows), "train_rows_without_month_term": train_skipped}}
    if const is None:
        return {}, baselines
    systems = {"constant_median": ([_term(const)] * n, [term_line(_term(const))] * n)}
    if train_rows and all(g["charges"] is not None for g in gold):
        medians = plain.charge_medians(train_rows)
        guess = [plain.charge_baseline(g["charges"], medians, const) for g in gold]
        systems["charge_median"] = ([_term(m) for m in guess], [term_line(_term(m)) for m in guess])
        baselines["charge_median"] = {"charges_known": len(medians),
                                      "rows_with_unseen_charges": sum(not any(c in medians for c in g["charges"])
                                                                      for g in gold)}
    return systems, baselines


HEADLINE = ("imprisonment_score", "lawbench_term_score", "mae_months", "within_20", "within_50")


def check_options(opts: EvalOptions) -> None:
    """Option errors found before any work, named by their option."""
    if opts.out.exists() and not opts.out.is_dir():
        raise EvalInputError(f"--out {opts.out}: is a file, not a folder")
    if opts.resamples < 1:
        raise EvalInputError(f"--resamples {opts.resamples}: must be at least 1")
    if opts.arms:
        from .arms import check_arms

        check_arms(list(opts.arms))
    attitude_models.check(attitude_models.as_models(opts.pairs_predictions), opts.pairs_gold)


def _rows(preds: list[dict], gold: list[dict], parsed: list[dict], rows: dict) -> list[dict]:
    """rows.jsonl: per prediction row its parse, gold and scores (what one debugs a model from)."""
    r = rows["model"]
    out = []
    for i, (p, g, a) in enumerate(zip(preds, gold, parsed)):
        lb = r["lb"][i]
        e = r["errors"][i]
        out.append({
            "row": i, "line": p["line"], **({"ids": p["ids"]} if p["ids"] else {}),
            "code": a["code"], "sentence": a["sentence"], "range": a["range"], "rule": a["rule"],
            "abstain_reason": a["reason"] or None,
            "gold": {"code": sentence_code(_gold_sentence(g)), "kind": g["kind"], "months": g["months"],
                     "case_id": g["case_id"], "line": g["line"]},
            "scores": {"imprisonment_score": float(r["term"][i]),
                       "lawbench_distance": lb[0] if lb else None, "lawbench_abstained": lb[1] if lb else None,
                       "abs_error_months": e["abs_error"], "within_20": e["within_20"], "within_50": e["within_50"]},
        })
    return out


def evaluate(opts: EvalOptions) -> dict:
    """Compute every metric; returns the metrics dict (also written with the report and rows.jsonl)."""
    check_options(opts)
    preds = load_predictions(opts.predictions)
    gold, fmt = load_gold(opts.gold, opts.gold_format)
    joined = join(preds, gold, opts.predictions, opts.gold)
    parsed = _parse_all(preds, gold, "parse answers")
    n = len(gold)
    texts = [p["text"] for p in preds]

    systems = {"model": ([p["sentence"] for p in parsed], texts)}
    baseline_systems, baselines = _baselines(gold, opts.train)
    systems.update(baseline_systems)
    rows = {name: _system_rows(gold, s, t) for name, (s, t) in systems.items()}

    headline = {}
    per_system = {name: _headline(r, n, opts) for name, r in rows.items()}
    for metric in HEADLINE:
        headline[metric] = {"n": n, "model": per_system["model"][metric]["value"],
                            "ci95": per_system["model"][metric]["ci95"],
                            "baselines": {name: {"value": v[metric]["value"], "ci95": v[metric]["ci95"]}
                                          for name, v in per_system.items() if name != "model"}}
    abstained = sum(p["abstained"] for p in parsed)
    headline["abstention_rate"] = {"n": n, "model": abstained / n,
                                   "ci95": bootstrap.ci(
                                       bootstrap.weighted_mean(np.array([p["abstained"] for p in parsed], float)),
                                       n, opts.resamples, opts.seed),
                                   "baselines": {name: {"value": 0.0, "ci95": None}
                                                 for name in systems if name != "model"}}

    metrics: dict = {
        "n": n, "predictions": str(opts.predictions), "gold": str(opts.gold), "gold_format": fmt,
        "synthetic_rows": sum(bool(g["raw"].get("synthetic")) for g in gold),
        "join": {**joined, "predictions_truncated": sum(p["truncated"] for p in preds)},
        "headline": headline, "baselines": baselines,
        "bootstrap": {"resamples": opts.resamples, "seed": opts.seed, "level": 0.95,
                      "method": "percentile, rows resampled"},
        "parsing": {"abstentions": abstained, "abstention_rate": abstained / n,
                    "abstain_reasons": dict(Counter(p["reason"] for p in parsed if p["abstained"]).most_common()),
                    "rules": dict(Counter(p["rule"] for p in parsed if not p["abstained"]).most_common()),
                    "ranges": sum(p["range"] is not None for p in parsed),
                    "kinds": {k: sum(1 for p in parsed if p["sentence"] and p["sentence"]["kind"] == k)
                              for k in ("fixed", "none", "life", "death")},
                    "gold_kinds": {k: sum(1 for g in gold if g["kind"] == k)
                                   for k in ("fixed", "none", "life", "death")}},
    }
    metrics["lawbench"] = lawbench.summarize(rows["model"]["lb"])
    metrics["plain"] = {**plain.summarize(rows["model"]["errors"]),
                        "scope": "gold terms in months (fixed, fine-only/exempt = 0); gold death/life rows are scored "
                                 "by the CAIL score"}

    # --- charges, articles, citations ------------------------------------------------------
    if all(g["charges"] is not None for g in gold):
        classes = cail_judger.read_list(opts.charges_list, "charges") if opts.charges_list else None
        gc, pc = [g["charges"] for g in gold], [p["charges"] for p in parsed]
        metrics["accusation"] = _set_metric(gc, pc, classes, opts)
        metrics["plain"]["per_charge"] = plain.per_charge(
            gc, rows["model"]["errors"], {k: v["errors"] for k, v in rows.items() if k != "model"})
    if all(g["has_articles"] for g in gold):
        classes = cail_judger.read_list(opts.articles_list, "articles") if opts.articles_list else None
        ga = [g["articles"] for g in gold]
        pa = [whole_numbers(g, p["articles"]) for g, p in zip(ga, parsed)]  # CAIL gold: 133 for 133-1
        metrics["articles"] = _set_metric(ga, pa, classes, opts)
        metrics["citations"] = citation_validity.precision_recall(ga, pa)
    else:
        metrics["citations"] = {}
    index = citation_validity.load_index(opts.statutes) if opts.statutes else None
    metrics["citations"].update(citation_validity.validity([p["citations"] for p in parsed], index))
    if opts.statutes:
        metrics["citations"]["index_file"] = str(opts.statutes)

    # --- text ---------------------------------------------------------------------------------
    labels = [p["label"] if p["label"] is not None else g["label_text"] for p, g in zip(preds, gold)]
    means, per_row = rouge(texts, labels)
    metrics["rouge"] = {k: {"value": v,
                            "ci95": bootstrap.ci(bootstrap.weighted_mean(per_row[k]), n, opts.resamples, opts.seed)}
                        for k, v in means.items()}

    # --- attitude pairs -----------------------------------------------------------------------
    pairs = None  # the one model's pairs (the scatter plot)
    scored = _attitude(opts, attitude_models.as_models(opts.pairs_predictions))
    if len(scored) == 1:
        (model, pairs), = scored
        metrics["attitude"] = {**attitude_pairs.sensitivity(pairs), "predictions": str(model.predictions),
                               "pairs_gold": str(opts.pairs_gold), **({"model": model.name} if model.name else {})}
    elif scored:
        metrics["attitude_models"] = attitude_models.metrics(
            [(m, attitude_pairs.sensitivity(p)) for m, p in scored], opts.pairs_gold)
    metrics["worst_cases"] = _worst(gold, parsed, texts)
    if opts.arms:
        from .arms import compare

        metrics["arms"] = compare(opts)

    from .report import write_report

    opts.out.mkdir(parents=True, exist_ok=True)
    metrics = plain_json(metrics)
    write_json(opts.out / "metrics.json", metrics)
    with atomic_open(opts.out / "rows.jsonl") as f:
        for row in _rows(preds, gold, parsed, rows):
            f.write(dumps(plain_json(row)) + "\n")
    write_report(opts.out, metrics, gold, parsed, rows, pairs, plots=opts.plots)
    return metrics


def plain_json(obj):
    """numpy scalars → Python numbers, NaN → None (metrics.json is read by people and tools)."""
    if isinstance(obj, dict):
        return {k: plain_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain_json(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def _set_metric(gold: list[list[str]], pred: list[list[str]], classes, opts: EvalOptions) -> dict:
    out = cail_judger.set_score(gold, pred, classes)
    tp, fp, fn, _ = cail_judger.label_counts(gold, pred, classes)
    out["ci95"] = bootstrap.ci(lambda w: cail_judger.f1_score(tp, fp, fn, w), len(gold), opts.resamples, opts.seed)
    return out


def _attitude(opts: EvalOptions, models: tuple) -> list[tuple]:
    """(model, its pair records) for each --pairs-predictions file, all joined to the one --pairs-gold."""
    if not models:
        return []
    gold, _ = load_gold(opts.pairs_gold, "lawfactory")
    out = []
    for m in models:
        try:
            preds = load_predictions(m.predictions)
            join(preds, gold, m.predictions, opts.pairs_gold)
        except EvalInputError as e:
            raise EvalInputError(f"{m.option}: {e}") from None
        parsed = _parse_all(preds, gold, "parse pair answers" + (f" ({m.name})" if m.name else ""))
        out.append((m, attitude_pairs.pair_rows([g["raw"] for g in gold], [p["sentence"] for p in parsed],
                                                str(opts.pairs_gold))))
    return out


def _worst(gold: list[dict], parsed: list[dict], texts: list[str], k: int = 5) -> list[dict]:
    """The largest errors: log distance of the terms; a wrong kind (life vs months) or an
    abstention ranks first."""
    def dist(g, s):
        if s is None or (g["kind"] in ("death", "life")) != (s["kind"] in ("death", "life")):
            return math.inf
        if g["kind"] in ("death", "life"):
            return 0.0 if g["kind"] == s["kind"] else math.inf
        return abs(math.log(g["months"] + 1) - math.log(s["months"] + 1))

    ranked = sorted(range(len(gold)), key=lambda i: (-dist(gold[i], parsed[i]["sentence"]), i))
    out = []
    for i in ranked[:k]:
        g, s = gold[i], parsed[i]["sentence"]
        if dist(g, s) == 0:
            break
        months_both = s is not None and plain.is_month_term(s["kind"]) and plain.is_month_term(g["kind"])
        out.append({"case_id": g["case_id"], "line": g["line"], "gold": _term_text(_gold_sentence(g)),
                    "predicted": _term_text(s),
                    "abs_error_months": abs(s["months"] - g["months"]) if months_both else None,
                    "gold_charges": g["charges"], "predicted_charges": parsed[i]["charges"],
                    "answer_excerpt": texts[i][:300]})
    return out
