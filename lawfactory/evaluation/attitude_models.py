"""Attitude sensitivity of several models side by side: `lawfactory eval --pairs-predictions
NAME=PREDICTIONS` (repeatable) on the one `--pairs-gold` file, e.g. the SFT model and the DPO model
trained on top of it (`--pairs-predictions sft=P1 --pairs-predictions dpo=P2`).

A plain `--pairs-predictions PREDICTIONS` is one unnamed model, reported as before (metrics.json →
`attitude`, the per-variant table and the scatter plot). Several files need a name each; then
metrics.json → `attitude_models` holds each model's sensitivity block (attitude_pairs.sensitivity),
the report one table with a column per model and `attitude_models.png` the models' direction-
violation rates per variant type. NAME=PREDICTIONS is read by the `--arm` parser (arms.split_arm):
the part after `=` is one path when that file exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .arms import check_unique, split_arm
from .inputs import EvalInputError

OPTION = "--pairs-predictions"
# Variant types as the plot shows them (any other type is shown as given).
VARIANT_LABELS = {"all": "全部\n(all)", "refusal": "拒不认罪\n(refusal)", "unclear": "态度反复/不明\n(unclear)",
                  "confession": "认罪\n(confession)"}


@dataclass(frozen=True)
class PairsModel:
    name: str | None  # None: a plain PREDICTIONS path (the one model of the run)
    predictions: Path

    @property
    def option(self) -> str:
        """The option as given, for error messages."""
        return f"{OPTION} {self.name + '=' if self.name else ''}{self.predictions}"


def parse(text: str) -> PairsModel:
    """`PREDICTIONS` or `NAME=PREDICTIONS` (a path that exists is read whole, `=` and all)."""
    if Path(text).exists() or "=" not in text:
        return PairsModel(None, Path(text))
    try:
        name, preds, gold = split_arm(text)
    except ValueError:
        raise EvalInputError(f"{OPTION} {text!r}: expected PREDICTIONS or NAME=PREDICTIONS") from None
    if gold is not None:
        raise EvalInputError(f"{OPTION} {text!r}: every model is scored on the one --pairs-gold file; "
                             "write NAME=PREDICTIONS")
    return PairsModel(name, Path(preds))


def as_models(value) -> tuple[PairsModel, ...]:
    """EvalOptions.pairs_predictions as PairsModels: a PairsModel, a path or an option value each."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(v if isinstance(v, PairsModel) else parse(str(v)) for v in items)


def check(models: tuple[PairsModel, ...], pairs_gold: Path | None) -> None:
    """Option errors, before any work: the gold file, a name for each of several files, no name twice."""
    if models and pairs_gold is None:
        raise EvalInputError(f"{OPTION} needs --pairs-gold (the criminal_attitude_pairs_eval file)")
    if len(models) > 1:
        unnamed = [m for m in models if m.name is None]
        if unnamed:
            raise EvalInputError(f"{unnamed[0].option}: several prediction files need a name each "
                                 f"({OPTION} NAME=PREDICTIONS, e.g. sft=… dpo=…)")
        check_unique([m.name for m in models], OPTION)


def metrics(scored: list[tuple[PairsModel, dict]], pairs_gold: Path) -> dict:
    """metrics.json → attitude_models: each model's sensitivity block, in the order given."""
    return {"pairs_gold": str(pairs_gold),
            "models": {m.name: {"predictions": str(m.predictions), **block} for m, block in scored}}


def _rate(rate, k, n) -> str:
    from .report import _f

    return f"{_f(rate)} ({k} of {n})" if rate is not None else "—"


def section(a: dict) -> list[str]:
    """The comparison table: one column per model."""
    from .report import SYNTHETIC, _f

    models = a["models"]
    variants = sorted({v for b in models.values() for v in b["by_variant"]})

    def answered(b: dict) -> int:
        return b["n_pairs"] - b["abstained_pairs"]

    rows = [("pairs (no penalty stated)", lambda b: f"{b['n_pairs']} ({b['abstained_pairs']})"),
            ("direction-violation rate", lambda b: _rate(b["direction_violation_rate"], b["direction_violations"],
                                                         answered(b)))]
    for v in variants:
        rows.append((f"… {v} variants", lambda b, v=v: (_rate(b["by_variant"][v]["direction_violation_rate"],
                                                             b["by_variant"][v]["direction_violations"],
                                                             answered(b["by_variant"][v]))
                                                       if v in b["by_variant"] else "—")))
    rows += [("unchanged rate", lambda b: _f(b["unchanged_rate"])),
             ("median predicted log ratio", lambda b: _f(b["median_pred_log_ratio"])),
             ("median implied log ratio", lambda b: _f(b["median_implied_log_ratio"])),
             ("median gap (predicted − implied)", lambda b: _f(b["median_log_ratio_gap"])),
             ("refusal variants still given 缓刑",
              lambda b: _rate(b["refusal_probation_kept"], b["refusal_probation_kept_n"], b["refusal_answered"]))]
    lines = [SYNTHETIC, "", f"The same pairs (`{a['pairs_gold']}`) answered by {len(models)} models:", "",
             "| | " + " | ".join(f"{name}" for name in models) + " |", "|---|" + "---|" * len(models)]
    lines += [f"| {label} | " + " | ".join(cell(b) for b in models.values()) + " |" for label, cell in rows]
    lines += ["", "Predictions: " + "; ".join(f"{name} `{b['predictions']}`" for name, b in models.items()) + ".",
              "", "A violation is a refusal or unclear variant predicted shorter than its source, or a confession "
              "variant predicted longer, out of the pairs where both answers state a penalty. Log ratios are "
              "ln(variant months / source months); 缓刑 on refusal: 刑法 §72 requires 悔罪表现."]
    return lines


def plot(path: Path, a: dict) -> bool:
    """Grouped bars: each model's direction-violation rate over all pairs and per variant type."""
    from lawfactory.cards.plots import pyplot

    models = a["models"]
    groups = ["all"] + sorted({v for b in models.values() for v in b["by_variant"]})
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(groups) + 2), 4.5))
    idx = np.arange(len(groups))
    width = 0.8 / len(models)
    for j, (name, b) in enumerate(models.items()):
        blocks = [b if g == "all" else b["by_variant"].get(g) for g in groups]
        rates = [x["direction_violation_rate"] if x and x["direction_violation_rate"] is not None else np.nan
                 for x in blocks]
        bars = ax.bar(idx + j * width, rates, width, label=name)
        for bar, x, r in zip(bars, blocks, rates):
            n = x["n_pairs"] - x["abstained_pairs"] if x else 0
            text = f"{x['direction_violations']}/{n}" if x and n else "—"
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, 0 if np.isnan(r) else r), ha="center",
                        va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(idx + width * (len(models) - 1) / 2, [VARIANT_LABELS.get(g, g) for g in groups])
    ax.set_ylim(0, 1.22)  # room for the legend above the bars
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel("变体类型 (variant type)")
    ax.set_ylabel("方向违反率 (direction-violation rate) ↓")
    ax.set_title("各模型的态度方向违反率 (violations / pairs with a penalty)")
    ax.legend(title="模型 (model)", fontsize=8, loc="upper center", ncol=len(models))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
