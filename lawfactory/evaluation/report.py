"""report.md and the PNG plots (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from lawfactory.cards.plots import pyplot
from lawfactory.jsonl import atomic_open

DISCLAIMER = ("**Not legal advice.** These are automatic scores of a research model's outputs on held-out "
              "cases; neither the outputs nor this report are legal advice.")
SYNTHETIC = ("The attitude pairs are synthetic: each variant is a counterfactual rewrite of a real case "
             "(refusal / unclear / confession) whose gold term is computed from the sentencing guidance, "
             "not a court's decision.")

SYNTHETIC_ROWS = ("Synthetic rows (counterfactual variants such as the attitude pairs, marked `synthetic` in the data) "
                  "carry labels computed from the sentencing guidance, not court decisions.")

PLOTS = {"pred_vs_gold": "pred_vs_gold.png", "error_by_charge": "error_by_charge.png", "attitude": "attitude_pairs.png",
         "arms": "arms.png", "attitude_models": "attitude_models.png"}
NAMES = {"model": "model", "constant_median": "constant median", "charge_median": "per-charge median"}
LABELS = {
    "imprisonment_score": "CAIL imprisonment score (↑)",
    "lawbench_term_score": "LawBench term score (↑)",
    "mae_months": "MAE, months (↓)",
    "within_20": "within ±20% (↑)",
    "within_50": "within ±50% (↑)",
    "abstention_rate": "abstention rate (↓)",
}


def _f(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{round(x, digits) + 0.0:.{digits}f}" if isinstance(x, float) else str(x)  # + 0.0: no "-0.000"


def _ci(ci) -> str:
    return f" [{_f(ci[0])}, {_f(ci[1])}]" if ci else ""


def _headline_table(m: dict) -> list[str]:
    names = [k for k in ("constant_median", "charge_median") if k in m["headline"]["imprisonment_score"]["baselines"]]
    const = m["baselines"]["constant_median"]
    head = ["metric", "model [95% CI]"]
    for k in names:
        label = NAMES[k]
        if k == "constant_median":
            label += f" ({const['months']} months, median of the {const['from']} file)"
        head.append(label)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label in LABELS.items():
        h = m["headline"][key]
        cells = [label, _f(h["model"]) + _ci(h["ci95"])]
        cells += [_f(h["baselines"][k]["value"]) + _ci(h["baselines"][k]["ci95"]) for k in names]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _section_sets(m: dict) -> list[str]:
    out = []
    for key, title in (("accusation", "accusation_score (charges)"),
                       ("articles", "articles_score (criminal-law articles)")):
        if key not in m:
            continue
        a = m[key]
        out.append(f"- **{title}**: {_f(a['score'])}{_ci(a['ci95'])} (micro-F1 {_f(a['micro_f1'])}, macro-F1 "
                   f"{_f(a['macro_f1'])}; {a['classes']} classes, the {a['class_set']}"
                   + (f"; {a['labels_outside_list']} labels outside the list"
                      if a["class_set"] == "official list" else "")
                   + ")")
    if out:
        out.append("")
        out.append("The CAIL2018 judger scores over its fixed lists of 202 charges and 183 articles, where every class "
                   "nobody predicted or needed counts F1 = 1; over the union of labels (the default here) macro-F1 is "
                   "lower. Pass `--charges accu.txt --articles law.txt` for the official class sets.")
    return out


def _section_citations(c: dict) -> list[str]:
    out = [f"- citations in the answers: {c.get('citations', 0)}"]
    if "precision" in c:
        out.append(f"- criminal-law citations against the gold articles: precision {_f(c['precision'])}, "
                   f"recall {_f(c['recall'])} ({c['true_positives']} of {c['cited']} cited, {c['gold']} gold)")
    if c.get("index") and not c["checkable"]:
        out.append(f"- against the statute index (`{c.get('index_file', '')}`): no checkable citations "
                   f"({c['not_checkable']} cite laws the index does not hold)")
    elif c.get("index"):
        out.append(f"- against the statute index (`{c.get('index_file', '')}`): {_f(c['exists'])} of the checkable "
                   f"citations name an existing article, {_f(c['repealed'])} a repealed (deleted) one; "
                   f"{c['checkable']} checkable, {c['not_checkable']} cite laws the index does not hold")
        if c["nonexistent_examples"]:
            out.append("- articles cited that do not exist: " + ", ".join(f"`{k}`" for k in c["nonexistent_examples"]))
    else:
        out.append("- no statute index given (`--statutes`): existence and repeal are not checked")
    return out


def _section_attitude(a: dict) -> list[str]:
    out = [SYNTHETIC, "",
           "| variant | pairs | no penalty stated | direction violations | unchanged | median predicted log ratio | "
           "median implied log ratio | median gap |", "|---|---|---|---|---|---|---|---|"]
    for name, b in [("all", a)] + sorted(a["by_variant"].items()):
        out.append(f"| {name} | {b['n_pairs']} | {b['abstained_pairs']} | {_f(b['direction_violation_rate'])} "
                   f"({b['direction_violations']}) | {_f(b['unchanged_rate'])} | {_f(b['median_pred_log_ratio'])} | "
                   f"{_f(b['median_implied_log_ratio'])} | {_f(b['median_log_ratio_gap'])} |")
    if a.get("predictions"):
        out += ["", f"Predictions{' of ' + a['model'] if a.get('model') else ''}: `{a['predictions']}`."]
    out += ["", f"Refusal variants whose answer still grants probation (缓刑; 刑法 §72 requires 悔罪表现): "
                f"{_f(a['refusal_probation_kept'])} ({a['refusal_probation_kept_n']} of {a['refusal_answered']} "
                "answered refusal variants).",
            "", "A violation is a refusal or unclear variant predicted shorter than its source, or a confession "
                "variant predicted longer. Log ratios are ln(variant months / source months)."]
    return out


def _section_charges(per_charge: dict, limit: int = 20) -> list[str]:
    out = ["| # | charge | n | MAE | within ±20% | within ±50% | constant-median MAE | per-charge-median MAE |",
           "|---|---|---|---|---|---|---|---|"]
    for i, (c, e) in enumerate(list(per_charge.items())[:limit], 1):
        out.append(f"| {i} | {c} | {e['n']} | {_f(e['mae_months'], 1)} | {_f(e['within_20'])} | {_f(e['within_50'])} | "
                   f"{_f(e.get('constant_median_mae_months'), 1)} | {_f(e.get('charge_median_mae_months'), 1)} |")
    if len(per_charge) > limit:
        out.append(f"\n({len(per_charge) - limit} more charges in metrics.json)")
    return out


def _section_worst(worst: list[dict]) -> list[str]:
    if not worst:
        return ["Every answer states the gold term."]
    out = []
    for w in worst:
        err = f", off by {w['abs_error_months']} months" if w["abs_error_months"] is not None else ""
        out.append(f"- `{w['case_id']}` (gold line {w['line']}): gold {w['gold']}, predicted {w['predicted']}{err}; "
                   f"charges gold {'、'.join(w['gold_charges'] or []) or '—'}, predicted "
                   f"{'、'.join(w['predicted_charges']) or '—'}")
        quote = w["answer_excerpt"].replace("\n", " ").strip() or "(empty answer)"
        out.append(f"  > {quote}")
    return out


def render(m: dict, plots: dict[str, str]) -> str:
    p = m["parsing"]
    lines = ["# Sentencing evaluation", "", DISCLAIMER, "",
             f"- predictions: `{m['predictions']}`", f"- gold: `{m['gold']}` ({m['gold_format']} format)",
             f"- sample size: **n = {m['n']}** rows (gold kinds: "
             + ", ".join(f"{k} {v}" for k, v in p["gold_kinds"].items()) + ")",
             f"- join: by order, {m['join']['labels_checked']} labels checked against the gold text"
             + (f", {m['join']['truncated_labels']} truncated labels (prefixes) accepted"
                if m["join"]["truncated_labels"] else ""),
             f"- synthetic gold rows: {m['synthetic_rows']} of {m['n']}",
             f"- abstentions (no penalty could be read from the answer): {p['abstentions']} of {m['n']}; they stay in "
             "every denominator" + (" (" + ", ".join(f"{k} {v}" for k, v in p["abstain_reasons"].items()) + ")"
                                    if p.get("abstain_reasons") else ""), "",
             "## Headline metrics next to the baselines", ""]
    lines += _headline_table(m)
    bs = m["bootstrap"]
    lines += ["", f"95% CIs: percentile bootstrap over eval rows ({bs['resamples']} resamples, "
                  f"seed {bs['seed']}). A model is only "
                  "informative where it beats the baselines: the constant answer shows what the metric gives for "
                  "free, the per-charge median what knowing the charge alone gives.",
              f"MAE is over the {m['plain']['n_mae']} rows where both gold and answer are terms in months; "
              f"the within-shares are over all {m['plain']['n_month_gold']} month-term gold rows (an abstention "
              "or a life/death answer is a miss). LawBench: " + f"{m['lawbench']['n_scored']} items scored, "
              f"{m['lawbench']['skipped_death_life']} death/life skipped as LawBench does; it reads the first "
              "`N个月` of the whole answer (so 一年六个月 reads as 6).", ""]
    if "arms" in m:
        from .arms import section

        lines += section(m["arms"])
    sets = _section_sets(m)
    if sets:
        lines += ["## Charges and articles (CAIL2018 judger)", ""] + sets + [""]
    lines += ["## Citations", ""] + _section_citations(m["citations"]) + [""]
    r = m["rouge"]
    lines += ["## Text overlap (as LLaMA-Factory computes it)", "",
              "| ROUGE-1 | ROUGE-2 | ROUGE-L | BLEU-4 |", "|---|---|---|---|",
              "| " + " | ".join(_f(r[k]["value"], 2) + _ci(r[k]["ci95"])
                                for k in ("rouge-1", "rouge-2", "rouge-l", "bleu-4")) + " |",
              "",
              "jieba words, rouge-chinese F × 100 per row, averaged; on the full answer against the gold answer.", ""]
    if "attitude" in m:
        lines += ["## Attitude sensitivity (synthetic pairs)", ""] + _section_attitude(m["attitude"]) + [""]
    if "attitude_models" in m:
        from .attitude_models import section

        lines += ["## Attitude sensitivity by model (synthetic pairs)", ""] + section(m["attitude_models"]) + [""]
    if m["plain"].get("per_charge"):
        lines += ["## Error by charge", ""] + _section_charges(m["plain"]["per_charge"]) + [""]
    lines += ["## Worst cases (largest errors)", ""] + _section_worst(m["worst_cases"]) + [""]
    if plots:
        lines += ["## Plots", ""]
        titles = {"pred_vs_gold": "Predicted vs gold term (log scale)", "error_by_charge": "Error by charge",
                  "attitude": "Attitude pair shifts", "arms": "Term metrics per arm (shared rows)",
                  "attitude_models": "Attitude direction violations by model"}
        for key, name in plots.items():
            lines += [f"### {titles[key]}", "", f"![{titles[key]}]({name})", ""]
    lines += ["---", "", DISCLAIMER, "", SYNTHETIC_ROWS, ""]
    return "\n".join(lines)


# --- plots --------------------------------------------------------------------------------


def plot_pred_vs_gold(path: Path, gold: list[dict], sentences: list[dict | None]) -> bool:
    pts = [(g["months"], s["months"]) for g, s in zip(gold, sentences)
           if s and g["kind"] in ("fixed", "none") and s["kind"] in ("fixed", "none")]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    if pts:
        x, y = (np.array(v) + 1 for v in zip(*pts))
        ax.scatter(x, y, s=14, alpha=0.6)
        hi = max(x.max(), y.max()) * 1.5
        ax.plot([1, hi], [1, hi], "k--", lw=1, label="predicted = gold")
        ax.legend(loc="upper left")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("实际刑期 + 1（月，gold）")
    ax.set_ylabel("预测刑期 + 1（月，predicted）")
    ax.set_title(f"{len(pts)} of {len(gold)} rows with month terms on both sides")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_error_by_charge(path: Path, per_charge: dict, limit: int = 15) -> bool:
    items = [(c, e) for c, e in list(per_charge.items())[:limit]]
    if not items:
        return False
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(5, 0.5 * len(items) + 2), 4))
    idx = np.arange(len(items))
    series = [("model", "mae_months"), ("constant median", "constant_median_mae_months"),
              ("per-charge median", "charge_median_mae_months")]
    series = [(n, k) for n, k in series if any(e.get(k) is not None for _, e in items)]
    width = 0.8 / len(series)
    for j, (name, key) in enumerate(series):
        vals = [e.get(key) if e.get(key) is not None else np.nan for _, e in items]
        ax.bar(idx + j * width, vals, width, label=name)
    ax.set_xticks(idx + width * (len(series) - 1) / 2, [c for c, _ in items], rotation=45, ha="right")
    ax.set_xlabel("罪名 (charge)")
    ax.set_ylabel("平均绝对误差 MAE（月）")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_attitude(path: Path, pairs: list[dict]) -> bool:
    if not pairs:
        return False
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    colors = {"refusal": "tab:red", "unclear": "tab:orange", "confession": "tab:green"}
    shown = 0
    for v in sorted({p["variant"] for p in pairs}):
        pts = [(p["implied_log_ratio"], p["pred_log_ratio"]) for p in pairs
               if p["variant"] == v and p["pred_log_ratio"] is not None and p["implied_log_ratio"] is not None]
        if pts:
            x, y = zip(*pts)
            ax.scatter(x, y, s=16, alpha=0.7, label=f"{v} ({len(pts)})", color=colors.get(v))
            shown += len(pts)
    ax.axhline(0, color="grey", lw=0.8)
    lim = max([0.5]
              + [abs(p[k]) for p in pairs for k in ("implied_log_ratio", "pred_log_ratio") if p[k] is not None]) * 1.1
    ax.plot([-lim, lim], [-lim, lim], "k--", lw=1, label="predicted = implied")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("implied log ratio (gold variant / gold source)")
    ax.set_ylabel("predicted log ratio (variant / source)")
    ax.set_title(f"attitude pairs: {shown} of {len(pairs)} with month terms on both sides")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(out: Path, metrics: dict, gold: list[dict], parsed: list[dict], rows: dict,
                 pairs: list[dict] | None, plots: bool = True) -> Path:
    made: dict[str, str] = {}
    if plots:
        if plot_pred_vs_gold(out / PLOTS["pred_vs_gold"], gold, [p["sentence"] for p in parsed]):
            made["pred_vs_gold"] = PLOTS["pred_vs_gold"]
        if plot_error_by_charge(out / PLOTS["error_by_charge"], metrics["plain"].get("per_charge") or {}):
            made["error_by_charge"] = PLOTS["error_by_charge"]
        if pairs is not None and plot_attitude(out / PLOTS["attitude"], pairs):
            made["attitude"] = PLOTS["attitude"]
        if "arms" in metrics:
            from .arms import plot

            if plot(out / PLOTS["arms"], metrics["arms"]):
                made["arms"] = PLOTS["arms"]
        if "attitude_models" in metrics:
            from .attitude_models import plot as plot_models

            if plot_models(out / PLOTS["attitude_models"], metrics["attitude_models"]):
                made["attitude_models"] = PLOTS["attitude_models"]
    path = out / "report.md"
    with atomic_open(path) as f:
        f.write(render(metrics, made))
    return path
